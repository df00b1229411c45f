// `Intl` as Node 20 has it, on ICU4X (natives in src/intl/, data trimmed
// by scripts/gen-intl-data.sh), and the locale methods that follow it:
// Date.prototype.toLocaleString/toLocaleDateString/toLocaleTimeString,
// Number.prototype.toLocaleString, String.prototype.localeCompare.
//
// Supported: DateTimeFormat (option bags, dateStyle/timeStyle, every IANA
// zone through jiff's bundled tzdb, all timeZoneName styles, format,
// formatToParts, formatRange(ToParts), resolvedOptions), NumberFormat
// (decimal, percent, currency with symbol/narrowSymbol/code/name, compact
// short/long, digit options, roundingMode, signDisplay, useGrouping,
// BigInt and decimal strings exactly; formatToParts), PluralRules
// (cardinal, ordinal), RelativeTimeFormat, Collator (sensitivity,
// numeric, caseFirst, ignorePunctuation), Segmenter (grapheme, word,
// sentence), ListFormat, Locale (basic), getCanonicalLocales,
// supportedLocalesOf, supportedValuesOf. Not there: DisplayNames. The
// default locale is en-US and the default time zone UTC.
//
// `Intl` and the formatters the locale methods use by default are built
// at boot, so an image's snapshot holds them (built on first use instead,
// each invocation using Intl paid ~1 ms); other formatters are made on
// first use and cached per locale and options for the invocation.
//
// Locales with data: en (en-US), en-GB, es, fr, de, it, pt, pt-BR, nl, ja,
// zh, ko, ru, ar, hi; a regional variant (de-AT, fr-CA, en-IN) uses its
// language's data (en-IN groups 12,345,678 where Node writes 1,23,45,678).
// Other locales resolve to en-US (supportedLocalesOf leaves them out), as
// in a Node built without their data.
//
// Deliberate deviations from Node 20 (ICU 78 / CLDR 48):
// - The data is ICU4X 2.4's (CLDR 49): a few symbols and names differ
//   (JPY is "JP¥" in es/fr/it, USD "US$" in it, Spanish ordinals, Hindi
//   lists, Europe/London's generic name "UK Time", pt's "+1 GMT", ar's
//   offsets carry a left-to-right mark); tzdb is jiff's bundled 2026f
//   (Node 20.20: 2025c), and instants past 9999 use the last offset.
// - ICU4X picks date patterns by field set and length, not ICU4C's
//   skeleton matching: ja/ko/es/hi/pt-BR dateStyle/timeStyle patterns
//   differ (ko "2024/3/10 오전", ja full time "7:30:05" not "7時30分05秒"),
//   era "long" is written short ("AD"), years before 1 CE get an era
//   ("2 BC"), fr {hour} is "15" not "15 h", ja {weekday: "short"} with a
//   text month lacks the parentheses ("日" not "(日)"),
//   formatRange repeats shared fields ("Mar 10, 2024 – Mar 12, 2024") and
//   does not add dates to a time range across days.
// - hourCycle h24 and hour12:false in 12-hour locales (V8's "24:05") are
//   emulated on top of h23.
// - UTC's generic names are "UTC"/"Coordinated Universal Time" (Node:
//   "GMT+0"/"GMT+00:00").
// - NumberFormat: notation scientific/engineering format as standard;
//   unit style knows a few units, in English; the currency formatter's
//   grouping and digits are ICU4X's where they cannot be matched; ja/zh
//   currency names have a space ("2.00 ユーロ").
// - Segmenter's word granularity has no dictionary: Chinese, Japanese and
//   Thai runs are not split into words.
// - Only the gregory calendar and each locale's default numbering system.
(function (native, internal) {
  'use strict';

  const LOCALES = ['en', 'en-GB', 'es', 'fr', 'de', 'it', 'pt', 'pt-BR', 'nl', 'ja', 'zh', 'ko', 'ru', 'ar', 'hi'];
  const LANGUAGES = new Set(LOCALES.map((l) => l.split('-')[0]));
  const DEFAULT_LOCALE = 'en-US';
  const DEFAULT_ZONE = 'UTC';

  let intl = null;
  const getIntl = () => intl || (intl = makeIntl());

  const define = (proto, name, fn) =>
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
  define(Date.prototype, 'toLocaleString', function toLocaleString(locales, options) {
    return helpers().dateFormat(this, locales, options, 'any', 'all');
  });
  define(Date.prototype, 'toLocaleDateString', function toLocaleDateString(locales, options) {
    return helpers().dateFormat(this, locales, options, 'date', 'date');
  });
  define(Date.prototype, 'toLocaleTimeString', function toLocaleTimeString(locales, options) {
    return helpers().dateFormat(this, locales, options, 'time', 'time');
  });
  define(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
    return helpers().numberFormat(Number.prototype.valueOf.call(this), locales, options);
  });
  define(String.prototype, 'localeCompare', function localeCompare(that, locales, options) {
    if (this == null) throw new TypeError('String.prototype.localeCompare called on null or undefined');
    return helpers().compare(String(this), String(that), locales, options);
  });

  function makeIntl() {
    // ---- locales ----
    function canonicalList(locales) {
      if (locales === undefined) return [];
      const list = typeof locales === 'string' || locales instanceof Locale ? [locales] : Object(locales);
      const out = [];
      const length = list.length >>> 0;
      for (let i = 0; i < length; i++) {
        if (!(i in list)) continue;
        const item = list[i];
        if (typeof item !== 'string' && (typeof item !== 'object' || item === null)) {
          throw new TypeError('Language ID should be string or object.');
        }
        const tag = native.intlLocale(item instanceof Locale ? item.toString() : String(item));
        if (tag === undefined) throw new RangeError(`Incorrect locale information provided`);
        if (!out.includes(tag)) out.push(tag);
      }
      return out;
    }
    const baseOf = (tag) => tag.replace(/-u-.*$/, '');
    function supported(tag) {
      return LANGUAGES.has(baseOf(tag).split('-')[0].toLowerCase());
    }
    // The first requested locale with data, without its Unicode extension
    // (returned separately), else the default locale.
    function resolve(locales) {
      for (const tag of canonicalList(locales)) {
        if (supported(tag)) {
          const ext = {};
          const m = /-u-(.*)$/.exec(tag);
          if (m) {
            const keys = m[1].split('-');
            for (let i = 0; i < keys.length; i++) {
              if (keys[i].length === 2) ext[keys[i]] = keys[i + 1] && keys[i + 1].length > 2 ? keys[i + 1] : 'true';
            }
          }
          return { locale: baseOf(tag), ext };
        }
      }
      return { locale: DEFAULT_LOCALE, ext: {} };
    }
    function supportedLocalesOf(locales, options) {
      if (options !== undefined) Object(options);
      return canonicalList(locales).filter(supported).map(baseOf);
    }

    function getOption(options, name, allowed, fallback) {
      let value = options[name];
      if (value === undefined) return fallback;
      value = typeof fallback === 'boolean' && allowed === undefined ? Boolean(value) : String(value);
      if (allowed !== undefined && !allowed.includes(value)) {
        throw new RangeError(`Value ${value} out of range for Intl.${this || 'Intl'} options property ${name}`);
      }
      return value;
    }
    function getNumberOption(options, name, min, max, fallback) {
      let value = options[name];
      if (value === undefined) return fallback;
      value = Number(value);
      if (Number.isNaN(value) || value < min || value > max) throw new RangeError(`${name} value is out of range.`);
      return Math.floor(value);
    }
    const toOptions = (options) => (options === undefined ? Object.create(null) : options === null ? (() => { throw new TypeError('Cannot convert undefined or null to object'); })() : Object(options));

    // Handles are cached per locale and options: the natives keep each
    // formatter for the life of the instance.
    const cache = new Map();
    function cached(key, make) {
      let handle = cache.get(key);
      if (handle === undefined) {
        handle = make();
        cache.set(key, handle);
      }
      return handle;
    }
    const partsOf = (flat) => {
      const parts = [];
      for (let i = 0; i < flat.length; i += 2) parts.push({ type: flat[i], value: flat[i + 1] });
      return parts;
    };
    const join = (flat) => {
      let s = '';
      for (let i = 1; i < flat.length; i += 2) s += flat[i];
      return s;
    };
    const slots = new WeakMap();
    function slot(object, kind, method) {
      const s = object !== null && typeof object === 'object' ? slots.get(object) : undefined;
      if (s === undefined || s.kind !== kind) {
        throw new TypeError(`Method Intl.${kind}.prototype.${method} called on incompatible receiver ${String(object)}`);
      }
      return s;
    }
    function defineClass(name, ctor, proto, statics) {
      Object.defineProperty(ctor, 'name', { value: name });
      for (const key of Object.keys(proto)) {
        const desc = Object.getOwnPropertyDescriptor(proto, key);
        desc.enumerable = false;
        Object.defineProperty(ctor.prototype, key, desc);
      }
      Object.defineProperty(ctor.prototype, Symbol.toStringTag, { value: `Intl.${name}`, configurable: true });
      Object.assign(ctor, statics || {});
      Object.defineProperty(ctor, 'supportedLocalesOf', {
        value: function supportedLocalesOf(locales, options) {
          return supportedLocalesOfAll(locales, options);
        },
        writable: true, configurable: true, enumerable: false,
      });
      return ctor;
    }
    const supportedLocalesOfAll = supportedLocalesOf;

    // ---- DateTimeFormat ----
    const DATE_FIELDS = ['weekday', 'year', 'month', 'day'];
    const TIME_FIELDS = ['dayPeriod', 'hour', 'minute', 'second', 'fractionalSecondDigits'];
    const SKELETON = {
      weekday: { narrow: 'EEEEE', short: 'E', long: 'EEEE' },
      era: { narrow: 'GGGGG', short: 'G', long: 'GGGG' },
      year: { numeric: 'y', '2-digit': 'yy' },
      month: { numeric: 'M', '2-digit': 'MM', short: 'MMM', long: 'MMMM', narrow: 'MMMMM' },
      day: { numeric: 'd', '2-digit': 'dd' },
      dayPeriod: { short: 'B', long: 'BBBB', narrow: 'BBBBB' },
      hour: { numeric: 'j', '2-digit': 'jj' },
      minute: { numeric: 'm', '2-digit': 'mm' },
      second: { numeric: 's', '2-digit': 'ss' },
      timeZoneName: { short: 'z', long: 'zzzz', shortOffset: 'O', longOffset: 'OOOO', shortGeneric: 'v', longGeneric: 'vvvv' },
    };
    const STYLES = ['full', 'long', 'medium', 'short'];
    const HOUR_CYCLES = ['h11', 'h12', 'h23', 'h24'];

    function DateTimeFormat(locales, options) {
      if (!new.target) return new DateTimeFormat(locales, options);
      const { locale, ext } = resolve(locales);
      options = toOptions(options);
      const opt = getOption.bind('DateTimeFormat');
      opt(options, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
      const calendar = options.calendar;
      const numberingSystem = options.numberingSystem;
      const hour12 = options.hour12 === undefined ? undefined : Boolean(options.hour12);
      let hourCycle = opt(options, 'hourCycle', HOUR_CYCLES, undefined);
      if (hour12 !== undefined) {
        // ECMA-402 as V8 implements it in Node 20: hour12:false in a
        // 12-hour locale is h24 ("24:05" for five past midnight).
        const natural = localeHourCycle(locale);
        const h11or23 = natural === 'h11' || natural === 'h23';
        hourCycle = hour12 ? (h11or23 ? 'h11' : 'h12') : h11or23 ? 'h23' : 'h24';
      } else if (hourCycle === undefined && HOUR_CYCLES.includes(ext.hc)) hourCycle = ext.hc;
      let timeZone = options.timeZone;
      if (timeZone === undefined) timeZone = DEFAULT_ZONE;
      else {
        const canonical = native.intlZone(String(timeZone));
        if (canonical === undefined) throw new RangeError(`Invalid time zone specified: ${String(timeZone)}`);
        timeZone = canonical;
      }
      const fields = {};
      for (const name of ['weekday', 'era', 'year', 'month', 'day', 'dayPeriod', 'hour', 'minute', 'second']) {
        fields[name] = opt(options, name, Object.keys(SKELETON[name]), undefined);
      }
      const fsd = getNumberOption(options, 'fractionalSecondDigits', 1, 3, undefined);
      fields.timeZoneName = opt(options, 'timeZoneName', Object.keys(SKELETON.timeZoneName), undefined);
      opt(options, 'formatMatcher', ['basic', 'best fit'], 'best fit');
      const dateStyle = opt(options, 'dateStyle', STYLES, undefined);
      const timeStyle = opt(options, 'timeStyle', STYLES, undefined);
      const explicit = Object.keys(fields).filter((k) => fields[k] !== undefined);
      if (fsd !== undefined) explicit.push('fractionalSecondDigits');
      if ((dateStyle || timeStyle) && explicit.length) {
        throw new TypeError(`Can't set option ${explicit[0]} when ${dateStyle ? 'dateStyle' : 'timeStyle'} is used`);
      }
      const required = this[REQUIRED] || 'any';
      const defaults = this[DEFAULTS] || 'date';
      if (!dateStyle && !timeStyle) {
        // ECMA-402's ToDateTimeOptions: defaults when no field of the
        // required kind was asked for.
        const hasDate = DATE_FIELDS.some((k) => fields[k] !== undefined);
        const hasTime = TIME_FIELDS.some((k) => (k === 'fractionalSecondDigits' ? fsd !== undefined : fields[k] !== undefined));
        const noneOf = (required === 'date' && !hasDate) || (required === 'time' && !hasTime) || (required === 'any' && !hasDate && !hasTime);
        if (noneOf && (defaults === 'date' || defaults === 'all')) fields.year = fields.month = fields.day = 'numeric';
        if (noneOf && (defaults === 'time' || defaults === 'all')) fields.hour = fields.minute = fields.second = 'numeric';
      }
      let skeleton = '';
      for (const name of ['era', 'year', 'month', 'weekday', 'day', 'dayPeriod', 'hour', 'minute', 'second']) {
        if (fields[name] !== undefined) skeleton += SKELETON[name][fields[name]];
      }
      if (fsd !== undefined) skeleton += 'S'.repeat(fsd);
      if (fields.timeZoneName !== undefined) skeleton += SKELETON.timeZoneName[fields.timeZoneName];
      const hc = fields.hour !== undefined || timeStyle ? hourCycle || '' : '';
      const key = `dtf|${locale}|${skeleton}|${hc}|${dateStyle || ''}|${timeStyle || ''}`;
      const handle = cached(key, () => native.intlDtfNew(locale, skeleton, hc, dateStyle || '', timeStyle || ''));
      const s = {
        kind: 'DateTimeFormat', handle, locale, timeZone, fields, fsd, dateStyle, timeStyle, hourCycle: hc ? hourCycle : undefined,
        calendar, numberingSystem, bound: null, unpad: unpadded(locale, fields, skeleton, hc),
      };
      slots.set(this, s);
    }
    // The hour cycle of the locale's own time patterns.
    const hourCycles = new Map();
    function localeHourCycle(locale) {
      let hc = hourCycles.get(locale);
      if (hc === undefined) {
        const handle = cached(`dtf|${locale}|j||||`, () => native.intlDtfNew(locale, 'j', '', '', ''));
        hc = patternHourCycle(native.intlDtfPattern(handle)) || 'h23';
        hourCycles.set(locale, hc);
      }
      return hc;
    }
    function patternHourCycle(pattern) {
      const m = /[hHkK]/.exec(pattern.replace(/'[^']*'/g, ''));
      return m ? { h: 'h12', H: 'h23', K: 'h11', k: 'h24' }[m[0]] : undefined;
    }
    // ICU4X pads every numeric field once one is 2-digit; ICU4C pads only
    // those asked for or padded in the locale's own pattern. The fields to
    // unpad: asked numeric, single-letter in the all-numeric pattern.
    function unpadded(locale, fields, skeleton, hc) {
      const padded = ['month', 'day', 'hour'].filter((f) => fields[f] === '2-digit');
      const numeric = ['month', 'day', 'hour'].filter((f) => fields[f] === 'numeric');
      if (!padded.length || !numeric.length) return [];
      const natural = skeleton.replace('MM', 'M').replace('dd', 'd').replace('jj', 'j');
      const handle = cached(`dtf|${locale}|${natural}|${hc}||`, () => native.intlDtfNew(locale, natural, hc, '', ''));
      const pattern = native.intlDtfPattern(handle).replace(/'[^']*'/g, '');
      const letters = { month: /M+|L+/, day: /d+/, hour: /[hHkK]+/ };
      return numeric.filter((f) => {
        const m = letters[f].exec(pattern);
        return m !== null && m[0].length === 1;
      });
    }
    // Node's field values where ICU4X differs: h24's "24", 2-digit years
    // ICU4X writes in full, over-padded numeric fields.
    function adjust(s, flat, stride) {
      for (let i = 0; i < flat.length; i += stride) {
        const type = flat[i];
        const value = flat[i + 1];
        if (type === 'hour' && s.hourCycle === 'h24' && /^0+$/.test(value)) flat[i + 1] = '24';
        else if (type === 'year' && s.fields.year === '2-digit' && value.length > 2) flat[i + 1] = value.slice(-2);
        else if (s.unpad.includes(type) && /^0\d$/.test(value)) flat[i + 1] = value.slice(1);
        // ICU4X's data lacks the GMT metazone's short name ("GMT") of
        // English and Spanish, and writes the offset instead.
        else if (type === 'timeZoneName' && value === 'GMT+0' && /^(en|es)\b/.test(s.locale) &&
          (s.fields.timeZoneName === 'short' || s.timeStyle === 'long')) flat[i + 1] = 'GMT';
      }
      return flat;
    }
    const REQUIRED = Symbol('required');
    const DEFAULTS = Symbol('defaults');

    function toEpoch(date) {
      const ms = date === undefined ? Date.now() : date instanceof Date ? date.getTime() : Number(date);
      if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new RangeError('Invalid time value');
      return ms;
    }
    // As V8 does for web compatibility, format writes U+202F (narrow
    // no-break space, "6:30\u202fAM") as a plain space; formatToParts and
    // formatRange keep it.
    function dtfParts(s, date, keepNarrowSpace) {
      const flat = adjust(s, native.intlDtfFormat(s.handle, toEpoch(date), s.timeZone), 2);
      if (!keepNarrowSpace) {
        for (let i = 1; i < flat.length; i += 2) flat[i] = flat[i].replace(/\u202f/g, ' ');
      }
      return flat;
    }
    function rangeParts(s, start, end) {
      if (start === undefined || end === undefined) throw new TypeError('startDate or endDate is undefined');
      return adjust(s, native.intlDtfRange(s.handle, toEpoch(start), toEpoch(end), s.timeZone), 3);
    }
    function resolvedPattern(s) {
      if (s.pattern === undefined) s.pattern = native.intlDtfPattern(s.handle);
      return s.pattern;
    }
    defineClass('DateTimeFormat', DateTimeFormat, {
      get format() {
        const s = slot(this, 'DateTimeFormat', 'format');
        if (s.bound === null) s.bound = (date) => join(dtfParts(s, date));
        return s.bound;
      },
      formatToParts(date) {
        return partsOf(dtfParts(slot(this, 'DateTimeFormat', 'formatToParts'), date, true));
      },
      formatRange(start, end) {
        const parts = rangeParts(slot(this, 'DateTimeFormat', 'formatRange'), start, end);
        let out = '';
        for (let i = 1; i < parts.length; i += 3) out += parts[i];
        return out;
      },
      formatRangeToParts(start, end) {
        const parts = rangeParts(slot(this, 'DateTimeFormat', 'formatRangeToParts'), start, end);
        const out = [];
        for (let i = 0; i < parts.length; i += 3) out.push({ type: parts[i], value: parts[i + 1], source: parts[i + 2] });
        return out;
      },
      resolvedOptions() {
        const s = slot(this, 'DateTimeFormat', 'resolvedOptions');
        const out = {
          locale: s.locale,
          calendar: 'gregory',
          numberingSystem: s.locale.startsWith('ar') && /[\u0660-\u0669]/.test(join(dtfParts(s, 0))) ? 'arab' : 'latn',
          timeZone: s.timeZone,
        };
        const pattern = resolvedPattern(s);
        const hourCycle = patternHourCycle(pattern);
        if (hourCycle) {
          out.hourCycle = s.hourCycle || hourCycle;
          out.hour12 = out.hourCycle === 'h12' || out.hourCycle === 'h11';
        }
        if (s.dateStyle || s.timeStyle) {
          if (s.dateStyle) out.dateStyle = s.dateStyle;
          if (s.timeStyle) out.timeStyle = s.timeStyle;
          return out;
        }
        // Numeric widths as the pattern has them (Node reports "h:mm" as
        // hour numeric, minute 2-digit).
        const bare = pattern.replace(/'[^']*'/g, '');
        const letters = { month: /M+|L+/, day: /d+/, hour: /[hHkK]+/, minute: /m+/, second: /s+/ };
        for (const name of ['weekday', 'era', 'year', 'month', 'day', 'dayPeriod', 'hour', 'minute', 'second']) {
          let value = s.fields[name];
          if (value === undefined) continue;
          const m = letters[name] && (value === 'numeric' || value === '2-digit') ? letters[name].exec(bare) : null;
          if (m && m[0].length <= 2) value = m[0].length === 2 && !s.unpad.includes(name) ? '2-digit' : 'numeric';
          out[name] = value;
        }
        if (s.fsd !== undefined) out.fractionalSecondDigits = s.fsd;
        if (s.fields.timeZoneName !== undefined) out.timeZoneName = s.fields.timeZoneName;
        return out;
      },
    });

    // ---- NumberFormat ----
    // Currencies whose minor unit is not 2 digits (ISO 4217).
    const CURRENCY_DIGITS = {
      BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 0, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
      LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
    };
    const CURRENCIES = ['AUD', 'BRL', 'CAD', 'CHF', 'CNY', 'EUR', 'GBP', 'HKD', 'INR', 'JPY', 'KRW', 'MXN', 'RUB', 'USD'];
    // English unit names (CLDR): [short, narrow, long singular, long
    // plural, short singular if it differs].
    const UNITS = {
      percent: ['%', '%', 'percent', 'percent'], kilometer: ['km', 'km', 'kilometer', 'kilometers'],
      meter: ['m', 'm', 'meter', 'meters'], centimeter: ['cm', 'cm', 'centimeter', 'centimeters'],
      millimeter: ['mm', 'mm', 'millimeter', 'millimeters'], mile: ['mi', 'mi', 'mile', 'miles'],
      foot: ['ft', '′', 'foot', 'feet'], inch: ['in', '″', 'inch', 'inches'],
      kilogram: ['kg', 'kg', 'kilogram', 'kilograms'], gram: ['g', 'g', 'gram', 'grams'],
      pound: ['lb', '#', 'pound', 'pounds'], liter: ['L', 'L', 'liter', 'liters'],
      milliliter: ['mL', 'mL', 'milliliter', 'milliliters'], millisecond: ['ms', 'ms', 'millisecond', 'milliseconds'],
      second: ['sec', 's', 'second', 'seconds'], minute: ['min', 'm', 'minute', 'minutes'], hour: ['hr', 'h', 'hour', 'hours'],
      day: ['days', 'd', 'day', 'days', 'day'], week: ['wks', 'w', 'week', 'weeks', 'wk'],
      month: ['mths', 'm', 'month', 'months', 'mth'], year: ['yrs', 'y', 'year', 'years', 'yr'],
      byte: ['byte', 'B', 'byte', 'bytes'], kilobyte: ['kB', 'kB', 'kilobyte', 'kilobytes'],
      megabyte: ['MB', 'MB', 'megabyte', 'megabytes'], gigabyte: ['GB', 'GB', 'gigabyte', 'gigabytes'],
      celsius: ['°C', '°C', 'degree Celsius', 'degrees Celsius'], fahrenheit: ['°F', '°', 'degree Fahrenheit', 'degrees Fahrenheit'],
      'kilometer-per-hour': ['km/h', 'km/h', 'kilometer per hour', 'kilometers per hour'],
      'mile-per-hour': ['mph', 'mph', 'mile per hour', 'miles per hour'],
    };
    const ROUNDING_MODES = ['ceil', 'floor', 'expand', 'trunc', 'halfCeil', 'halfFloor', 'halfExpand', 'halfTrunc', 'halfEven'];

    function digitOptions(options, minFracDefault, maxFracDefault, notation) {
      const minInt = getNumberOption(options, 'minimumIntegerDigits', 1, 21, 1);
      const mnfd = options.minimumFractionDigits;
      const mxfd = options.maximumFractionDigits;
      const mnsd = options.minimumSignificantDigits;
      const mxsd = options.maximumSignificantDigits;
      const roundingMode = getOption.call('NumberFormat', options, 'roundingMode', ROUNDING_MODES, 'halfExpand');
      const d = { minInt, minFrac: 0, maxFrac: 0, minSig: 0, maxSig: 0, roundingMode };
      if (mnsd !== undefined || mxsd !== undefined) {
        d.minSig = getNumberOption(options, 'minimumSignificantDigits', 1, 21, 1);
        d.maxSig = getNumberOption(options, 'maximumSignificantDigits', d.minSig, 21, 21);
      } else if (mnfd !== undefined || mxfd !== undefined) {
        d.minFrac = getNumberOption(options, 'minimumFractionDigits', 0, 100, undefined);
        d.maxFrac = getNumberOption(options, 'maximumFractionDigits', 0, 100, undefined);
        if (d.minFrac === undefined) d.minFrac = Math.min(minFracDefault, d.maxFrac);
        else if (d.maxFrac === undefined) d.maxFrac = Math.max(maxFracDefault, d.minFrac);
        else if (d.minFrac > d.maxFrac) throw new RangeError('maximumFractionDigits value is out of range.');
      } else if (notation === 'compact') {
        d.compactDefault = true;
      } else {
        d.minFrac = minFracDefault;
        d.maxFrac = maxFracDefault;
      }
      return d;
    }
    const digitArray = (d) => [d.minInt, d.minFrac, d.maxFrac, d.minSig, d.maxSig, d.roundingMode];

    function NumberFormat(locales, options) {
      if (!new.target) return new NumberFormat(locales, options);
      const { locale } = resolve(locales);
      options = toOptions(options);
      const opt = getOption.bind('NumberFormat');
      opt(options, 'localeMatcher', ['lookup', 'best fit'], 'best fit');
      const style = opt(options, 'style', ['decimal', 'percent', 'currency', 'unit'], 'decimal');
      let currency = options.currency;
      if (currency !== undefined) {
        currency = String(currency);
        if (!/^[A-Za-z]{3}$/.test(currency)) throw new RangeError(`Invalid currency code : ${currency}`);
        currency = currency.toUpperCase();
      }
      const currencyDisplay = opt(options, 'currencyDisplay', ['code', 'symbol', 'narrowSymbol', 'name'], 'symbol');
      const currencySign = opt(options, 'currencySign', ['standard', 'accounting'], 'standard');
      let unit = options.unit;
      const unitDisplay = opt(options, 'unitDisplay', ['short', 'narrow', 'long'], 'short');
      if (style === 'currency' && currency === undefined) throw new TypeError('Currency code is required with currency style.');
      if (style === 'unit') {
        if (unit === undefined) throw new TypeError('Unit is required with unit style.');
        unit = String(unit);
        if (!/^[a-z]+(-[a-z]+)*$/.test(unit)) throw new RangeError(`Invalid unit argument for Intl.NumberFormat() '${unit}'`);
      }
      const notation = opt(options, 'notation', ['standard', 'scientific', 'engineering', 'compact'], 'standard');
      const cd = style === 'currency' ? (CURRENCY_DIGITS[currency] ?? 2) : 0;
      const digits = digitOptions(options, style === 'currency' ? cd : 0, style === 'currency' ? cd : style === 'percent' ? 0 : 3, notation);
      const compactDisplay = opt(options, 'compactDisplay', ['short', 'long'], 'short');
      let grouping = options.useGrouping;
      grouping = grouping === undefined ? (notation === 'compact' ? 'min2' : 'auto') : grouping === false || grouping === 'false' ? 'false' : grouping === true ? 'always' : String(grouping);
      if (!['auto', 'always', 'min2', 'false'].includes(grouping)) throw new RangeError(`Value ${grouping} out of range for Intl.NumberFormat options property useGrouping`);
      const signDisplay = opt(options, 'signDisplay', ['auto', 'never', 'always', 'exceptZero', 'negative'], 'auto');
      const kind = notation === 'compact' ? (compactDisplay === 'long' ? 'compactLong' : 'compact') : style === 'percent' || style === 'currency' ? style : 'decimal';
      const cur = kind === 'currency' ? currency : '';
      const handle = cached(`nf|${locale}|${kind}|${grouping}|${cur}|${currencyDisplay}`, () =>
        native.intlNfNew(locale, kind, grouping, cur, currencyDisplay));
      slots.set(this, {
        kind: 'NumberFormat', handle, locale, style, currency, currencyDisplay, currencySign, unit, unitDisplay,
        notation, compactDisplay, digits, grouping, signDisplay, bound: null,
      });
    }

    // BigInts and decimal strings are formatted exactly, as Node 20 does.
    const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
    function nfParts(s, x) {
      let exact = '';
      if (typeof x === 'bigint') exact = x.toString();
      else if (typeof x === 'string' && DECIMAL.test(x)) exact = x.trim().replace(/^\+/, '');
      x = typeof x === 'bigint' ? Number(x) : Number(x);
      if (Number.isNaN(x)) return [{ type: 'nan', value: 'NaN' }];
      if (!Number.isFinite(x)) {
        const sign = x < 0 ? [{ type: 'minusSign', value: '-' }] : s.signDisplay === 'always' || s.signDisplay === 'exceptZero' ? [{ type: 'plusSign', value: '+' }] : [];
        return wrap(s, sign.concat({ type: 'infinity', value: '∞' }));
      }
      return wrap(s, partsOf(native.intlNfFormat(s.handle, x, digitArray(s.digits), s.signDisplay, exact)));
    }
    function wrap(s, parts) {
      if (s.style === 'unit') {
        const names = UNITS[s.unit] || [s.unit, s.unit, s.unit, s.unit];
        const one = parts.length === 1 && parts[0].value === '1';
        let name;
        let space = true;
        if (s.unitDisplay === 'long') name = names[one ? 2 : 3];
        else if (s.unitDisplay === 'narrow') {
          name = names[1];
          space = false;
        } else {
          name = one && names[4] ? names[4] : names[0];
          space = !/^[%°]/.test(name);
        }
        return parts.concat(space ? [{ type: 'literal', value: ' ' }] : [], { type: 'unit', value: name });
      }
      return parts;
    }
    defineClass('NumberFormat', NumberFormat, {
      get format() {
        const s = slot(this, 'NumberFormat', 'format');
        if (s.bound === null) s.bound = (x) => nfParts(s, x).map((p) => p.value).join('');
        return s.bound;
      },
      formatToParts(x) {
        return nfParts(slot(this, 'NumberFormat', 'formatToParts'), x);
      },
      formatRange(a, b) {
        const f = this.format;
        const x = f(a);
        const y = f(b);
        return x === y ? `~${x}` : `${x}–${y}`;
      },
      resolvedOptions() {
        const s = slot(this, 'NumberFormat', 'resolvedOptions');
        const out = { locale: s.locale, numberingSystem: 'latn', style: s.style };
        if (s.style === 'currency') Object.assign(out, { currency: s.currency, currencyDisplay: s.currencyDisplay, currencySign: s.currencySign });
        if (s.style === 'unit') Object.assign(out, { unit: s.unit, unitDisplay: s.unitDisplay });
        out.minimumIntegerDigits = s.digits.minInt;
        if (s.digits.compactDefault) {
          // ECMA-402's compact default: integers, or 2 significant digits.
          Object.assign(out, { minimumFractionDigits: 0, maximumFractionDigits: 0, minimumSignificantDigits: 1, maximumSignificantDigits: 2 });
        } else if (s.digits.maxSig) {
          out.minimumSignificantDigits = s.digits.minSig;
          out.maximumSignificantDigits = s.digits.maxSig;
        } else {
          out.minimumFractionDigits = s.digits.minFrac;
          out.maximumFractionDigits = s.digits.maxFrac;
        }
        out.useGrouping = s.grouping === 'false' ? false : s.grouping;
        out.notation = s.notation;
        if (s.notation === 'compact') out.compactDisplay = s.compactDisplay;
        out.signDisplay = s.signDisplay;
        out.roundingIncrement = 1;
        out.roundingMode = s.digits.roundingMode;
        out.roundingPriority = s.digits.compactDefault ? 'morePrecision' : 'auto';
        out.trailingZeroDisplay = 'auto';
        return out;
      },
    });

    // ---- PluralRules ----
    function PluralRules(locales, options) {
      if (!new.target) throw new TypeError("Constructor Intl.PluralRules requires 'new'");
      const { locale } = resolve(locales);
      options = toOptions(options);
      const type = getOption.call('PluralRules', options, 'type', ['cardinal', 'ordinal'], 'cardinal');
      const digits = digitOptions(options, 0, 3, 'standard');
      const handle = cached(`pr|${locale}|${type}`, () => native.intlPluralNew(locale, type === 'ordinal'));
      slots.set(this, { kind: 'PluralRules', handle, locale, type, digits });
    }
    defineClass('PluralRules', PluralRules, {
      select(n) {
        const s = slot(this, 'PluralRules', 'select');
        const x = Number(n);
        if (!Number.isFinite(x)) return 'other';
        return native.intlPluralSelect(s.handle, x, digitArray(s.digits));
      },
      selectRange(a, b) {
        return this.select(b);
      },
      resolvedOptions() {
        const s = slot(this, 'PluralRules', 'resolvedOptions');
        const out = { locale: s.locale, type: s.type, minimumIntegerDigits: s.digits.minInt };
        if (s.digits.maxSig) Object.assign(out, { minimumSignificantDigits: s.digits.minSig, maximumSignificantDigits: s.digits.maxSig });
        else Object.assign(out, { minimumFractionDigits: s.digits.minFrac, maximumFractionDigits: s.digits.maxFrac });
        // V8's order: alphabetical, "other" last.
        out.pluralCategories = native.intlPluralCategories(s.handle).filter((c) => c !== 'other').sort().concat('other');
        return out;
      },
    });

    // ---- RelativeTimeFormat ----
    const RTF_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
    function RelativeTimeFormat(locales, options) {
      if (!new.target) throw new TypeError("Constructor Intl.RelativeTimeFormat requires 'new'");
      const { locale } = resolve(locales);
      options = toOptions(options);
      const opt = getOption.bind('RelativeTimeFormat');
      const style = opt(options, 'style', ['long', 'short', 'narrow'], 'long');
      const numeric = opt(options, 'numeric', ['always', 'auto'], 'always');
      slots.set(this, { kind: 'RelativeTimeFormat', locale, style, numeric });
    }
    function rtfParts(s, value, unit, method) {
      const x = Number(value);
      if (!Number.isFinite(x)) throw new RangeError(`Value need to be finite number for Intl.RelativeTimeFormat.prototype.${method}()`);
      let u = String(unit);
      if (u.endsWith('s')) u = u.slice(0, -1);
      if (!RTF_UNITS.includes(u)) {
        throw new RangeError(`Invalid unit argument for Intl.RelativeTimeFormat.prototype.${method}() '${String(unit)}'`);
      }
      const handle = cached(`rtf|${s.locale}|${u}|${s.style}|${s.numeric}`, () => native.intlRtfNew(s.locale, u, s.style, s.numeric === 'auto'));
      // -0 is "0 days ago"/"today": ICU4X reads the sign from the value.
      const parts = partsOf(native.intlRtfFormat(handle, Object.is(x, -0) ? -0 : x, [1, 0, 3, 0, 0, 'halfExpand']));
      for (const p of parts) if (p.type !== 'literal') p.unit = u;
      return parts;
    }
    defineClass('RelativeTimeFormat', RelativeTimeFormat, {
      format(value, unit) {
        return rtfParts(slot(this, 'RelativeTimeFormat', 'format'), value, unit, 'format').map((p) => p.value).join('');
      },
      formatToParts(value, unit) {
        return rtfParts(slot(this, 'RelativeTimeFormat', 'formatToParts'), value, unit, 'formatToParts');
      },
      resolvedOptions() {
        const s = slot(this, 'RelativeTimeFormat', 'resolvedOptions');
        return { locale: s.locale, style: s.style, numeric: s.numeric, numberingSystem: 'latn' };
      },
    });

    // ---- Collator ----
    function Collator(locales, options) {
      if (!new.target) return new Collator(locales, options);
      const { locale, ext } = resolve(locales);
      options = toOptions(options);
      const opt = getOption.bind('Collator');
      const usage = opt(options, 'usage', ['sort', 'search'], 'sort');
      const sensitivity = opt(options, 'sensitivity', ['base', 'accent', 'case', 'variant'], 'variant');
      const ignorePunctuation = options.ignorePunctuation === undefined ? false : Boolean(options.ignorePunctuation);
      const numeric = options.numeric === undefined ? ext.kn === 'true' : Boolean(options.numeric);
      const caseFirst = opt(options, 'caseFirst', ['upper', 'lower', 'false'], ext.kf || 'false');
      const handle = cached(`col|${locale}|${sensitivity}|${ignorePunctuation}|${numeric}|${caseFirst}`, () =>
        native.intlCollatorNew(locale, sensitivity, ignorePunctuation, numeric, caseFirst));
      slots.set(this, { kind: 'Collator', handle, locale, usage, sensitivity, ignorePunctuation, numeric, caseFirst, bound: null });
    }
    defineClass('Collator', Collator, {
      get compare() {
        const s = slot(this, 'Collator', 'compare');
        if (s.bound === null) s.bound = (a, b) => native.intlCompare(s.handle, String(a), String(b));
        return s.bound;
      },
      resolvedOptions() {
        const s = slot(this, 'Collator', 'resolvedOptions');
        return {
          locale: s.locale, usage: s.usage, sensitivity: s.sensitivity, ignorePunctuation: s.ignorePunctuation,
          collation: 'default', numeric: s.numeric, caseFirst: s.caseFirst,
        };
      },
    });

    // ---- Segmenter ----
    function Segmenter(locales, options) {
      if (!new.target) throw new TypeError("Constructor Intl.Segmenter requires 'new'");
      const { locale } = resolve(locales);
      options = toOptions(options);
      const granularity = getOption.call('Segmenter', options, 'granularity', ['grapheme', 'word', 'sentence'], 'grapheme');
      slots.set(this, { kind: 'Segmenter', locale, granularity });
    }
    function segmentsOf(s, input) {
      const breaks = native.intlSegment(s.granularity, s.locale, input);
      const out = [];
      let start = 0;
      for (let i = 0; i < breaks.length; i += 2) {
        const end = breaks[i];
        const seg = { segment: input.slice(start, end), index: start, input };
        if (s.granularity === 'word') seg.isWordLike = breaks[i + 1];
        out.push(seg);
        start = end;
      }
      return out;
    }
    function Segments(s, input) {
      let list = null;
      const all = () => list || (list = segmentsOf(s, input));
      return {
        containing(index) {
          const n = index === undefined ? 0 : Math.trunc(Number(index)) || 0;
          if (n < 0 || n >= input.length) return undefined;
          return all().find((seg) => n >= seg.index && n < seg.index + seg.segment.length);
        },
        [Symbol.iterator]() {
          return all()[Symbol.iterator]();
        },
      };
    }
    defineClass('Segmenter', Segmenter, {
      segment(input) {
        return Segments(slot(this, 'Segmenter', 'segment'), String(input));
      },
      resolvedOptions() {
        const s = slot(this, 'Segmenter', 'resolvedOptions');
        return { locale: s.locale, granularity: s.granularity };
      },
    });

    // ---- ListFormat ----
    function ListFormat(locales, options) {
      if (!new.target) throw new TypeError("Constructor Intl.ListFormat requires 'new'");
      const { locale } = resolve(locales);
      options = toOptions(options);
      const type = getOption.call('ListFormat', options, 'type', ['conjunction', 'disjunction', 'unit'], 'conjunction');
      const style = getOption.call('ListFormat', options, 'style', ['long', 'short', 'narrow'], 'long');
      const handle = cached(`list|${locale}|${type}|${style}`, () => native.intlListNew(locale, type, style));
      slots.set(this, { kind: 'ListFormat', handle, locale, type, style });
    }
    function listParts(s, list) {
      const items = [];
      if (list !== undefined) {
        for (const x of list) {
          if (typeof x !== 'string') throw new TypeError(`Iterable yielded ${typeof x === 'symbol' ? 'Symbol()' : String(x)} which is not a string`);
          items.push(x);
        }
      }
      return partsOf(native.intlListFormat(s.handle, items));
    }
    defineClass('ListFormat', ListFormat, {
      format(list) {
        return listParts(slot(this, 'ListFormat', 'format'), list).map((p) => p.value).join('');
      },
      formatToParts(list) {
        return listParts(slot(this, 'ListFormat', 'formatToParts'), list);
      },
      resolvedOptions() {
        const s = slot(this, 'ListFormat', 'resolvedOptions');
        return { locale: s.locale, type: s.type, style: s.style };
      },
    });

    // ---- Locale (the parts most code reads) ----
    class Locale {
      #tag;
      constructor(tag, options) {
        if (typeof tag !== 'string' && !(tag instanceof Locale)) throw new TypeError('First argument to Intl.Locale constructor can\'t be empty or missing');
        const canonical = native.intlLocale(String(tag));
        if (canonical === undefined) throw new RangeError('Incorrect locale information provided');
        let t = canonical;
        if (options && options.region) t = t.replace(/^([a-z]+(?:-[A-Z][a-z]{3})?)(?:-[A-Z]{2}|-\d{3})?/, `$1-${options.region}`);
        this.#tag = t;
      }
      get baseName() { return this.#tag.replace(/-u-.*$/, ''); }
      get language() { return this.#tag.split('-')[0]; }
      get script() { return this.#tag.split('-').find((p, i) => i > 0 && /^[A-Z][a-z]{3}$/.test(p)); }
      get region() { return this.baseName.split('-').find((p, i) => i > 0 && /^([A-Z]{2}|\d{3})$/.test(p)); }
      maximize() { return new Locale(this.#tag); }
      minimize() { return new Locale(this.#tag); }
      toString() { return this.#tag; }
    }
    Object.defineProperty(Locale.prototype, Symbol.toStringTag, { value: 'Intl.Locale', configurable: true });

    const Intl = {};
    for (const [name, value] of Object.entries({
      DateTimeFormat, NumberFormat, PluralRules, RelativeTimeFormat, Collator, Segmenter, ListFormat, Locale,
    })) {
      Object.defineProperty(Intl, name, { value, writable: true, configurable: true, enumerable: false });
    }
    Object.defineProperty(Intl, 'getCanonicalLocales', {
      value: function getCanonicalLocales(locales) { return canonicalList(locales); },
      writable: true, configurable: true, enumerable: false,
    });
    Object.defineProperty(Intl, 'supportedValuesOf', {
      value: function supportedValuesOf(key) {
        switch (String(key)) {
          case 'calendar': return ['gregory'];
          case 'collation': return ['default'];
          case 'numberingSystem': return ['arab', 'latn'];
          case 'unit': return Object.keys(UNITS).filter((u) => !u.includes('-per-')).sort();
          case 'currency': return CURRENCIES.slice();
          case 'timeZone': return ['UTC'];
          default: throw new RangeError(`Invalid key : ${String(key)}`);
        }
      },
      writable: true, configurable: true, enumerable: false,
    });
    Object.defineProperty(Intl, Symbol.toStringTag, { value: 'Intl', configurable: true });

    // The locale methods share formatters through the handle cache.
    const dtfs = new Map();
    const hidden = {
      dateFormat(date, locales, options, required, defaults) {
        if (!(date instanceof Date)) throw new TypeError('this is not a Date object.');
        const t = date.getTime();
        if (Number.isNaN(t)) return 'Invalid Date';
        let f;
        if (options === undefined && (locales === undefined || typeof locales === 'string')) {
          const key = `${required}|${locales}`;
          f = dtfs.get(key);
          if (f === undefined) {
            f = Reflect.construct(DateTimeFormat, [locales, options], DateTimeFormatFor(required, defaults));
            dtfs.set(key, f);
          }
        } else {
          f = Reflect.construct(DateTimeFormat, [locales, options], DateTimeFormatFor(required, defaults));
        }
        return f.format(t);
      },
      numberFormat(x, locales, options) {
        return new NumberFormat(locales, options).format(x);
      },
      compare(a, b, locales, options) {
        return new Collator(locales, options).compare(a, b);
      },
    };
    // A DateTimeFormat whose defaults are those of toLocaleDateString and
    // friends (ECMA-402's ToDateTimeOptions "required"/"defaults").
    const subclasses = {};
    function DateTimeFormatFor(required, defaults) {
      const key = `${required}|${defaults}`;
      if (!subclasses[key]) {
        const Sub = function (locales, options) { return Reflect.construct(DateTimeFormat, [locales, options], new.target); };
        Sub.prototype = Object.create(DateTimeFormat.prototype);
        Sub.prototype[REQUIRED] = required;
        Sub.prototype[DEFAULTS] = defaults;
        subclasses[key] = Sub;
      }
      return subclasses[key];
    }
    return attach(Intl, hidden);
  }

  // The locale methods' helpers live on a symbol-keyed, non-enumerable slot
  // of the Intl object the prelude built (user code cannot name it).
  const HIDDEN = Symbol('chatfn.intl');
  function attach(intlObject, hidden) {
    Object.defineProperty(intlObject, HIDDEN, { value: hidden });
    return intlObject;
  }
  const helpers = () => getIntl()[HIDDEN];

  // `Intl` is built at boot, with the formatters the locale methods use by
  // default, so the image's snapshot holds them: built on first use
  // instead, every invocation that used Intl paid ~1 ms for the JS objects
  // and ~0.4-0.8 ms per formatter, while invocations that do not use it
  // cost the same either way.
  Object.defineProperty(globalThis, 'Intl', { value: getIntl(), writable: true, configurable: true, enumerable: false });
  {
    const date = new Date(0);
    date.toLocaleString();
    date.toLocaleDateString();
    date.toLocaleTimeString();
    (0).toLocaleString();
    'a'.localeCompare('b');
  }
})
