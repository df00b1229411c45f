//! Natives behind the prelude's `Intl` (`prelude/intl.js`): ICU4X
//! formatters kept in a handle table, and jiff's IANA database for UTC
//! offsets. The JS side resolves locales and options (ECMA-402) and caches
//! one handle per distinct locale and options, so the table stays as small
//! as the set of formats an invocation uses (handles are never freed).

mod datetime;
mod number;
mod parts;
mod provider;
mod text;

use std::cell::RefCell;

use javy::quickjs::{
    Array, Ctx, Exception, Object, Result, String as JsString, Value, prelude::Func,
};

use crate::convert::lossy;
use parts::Parts;

enum Handle {
    // Boxed: a datetime formatter is a few KB, the others far less.
    DateTime(Box<datetime::DateTimeFormat>),
    Number(number::NumberFormat),
    Plurals(number::Plurals),
    Collator(text::Collation),
    RelativeTime(text::RelativeTime),
    List(text::List),
}

thread_local! {
    static HANDLES: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
}

fn insert(handle: Handle) -> u32 {
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        h.push(handle);
        (h.len() - 1) as u32
    })
}

fn with<R>(ctx: &Ctx<'_>, id: u32, f: impl FnOnce(&Handle) -> Option<R>) -> Result<R> {
    HANDLES
        .with(|h| h.borrow().get(id as usize).and_then(f))
        .ok_or_else(|| Exception::throw_type(ctx, "Intl object of the wrong kind"))
}

pub(crate) fn register<'js>(native: &Object<'js>) -> Result<()> {
    native.set("intlLocale", Func::from(canonical_locale))?;
    native.set("intlZone", Func::from(zone))?;
    native.set("intlDtfNew", Func::from(dtf_new))?;
    native.set("intlDtfFormat", Func::from(dtf_format))?;
    native.set("intlDtfRange", Func::from(dtf_range))?;
    native.set("intlDtfPattern", Func::from(dtf_pattern))?;
    native.set("intlNfNew", Func::from(nf_new))?;
    native.set("intlNfFormat", Func::from(nf_format))?;
    native.set("intlPluralNew", Func::from(plural_new))?;
    native.set("intlPluralSelect", Func::from(plural_select))?;
    native.set("intlPluralCategories", Func::from(plural_categories))?;
    native.set("intlCollatorNew", Func::from(collator_new))?;
    native.set("intlCompare", Func::from(compare))?;
    native.set("intlSegment", Func::from(segment))?;
    native.set("intlRtfNew", Func::from(rtf_new))?;
    native.set("intlRtfFormat", Func::from(rtf_format))?;
    native.set("intlListNew", Func::from(list_new))?;
    native.set("intlListFormat", Func::from(list_format))?;
    Ok(())
}

fn locale<'js>(ctx: &Ctx<'js>, tag: &JsString<'js>) -> Result<icu::locale::Locale> {
    lossy(ctx, tag)
        .parse()
        .map_err(|_| Exception::throw_range(ctx, "Incorrect locale information provided"))
}

fn range_error(ctx: &Ctx<'_>, message: String) -> javy::quickjs::Error {
    Exception::throw_range(ctx, &message)
}

/// A BCP 47 tag in canonical case and order, or `undefined` when it is not
/// a well-formed tag.
fn canonical_locale<'js>(ctx: Ctx<'js>, tag: JsString<'js>) -> Result<Value<'js>> {
    let tag = lossy(&ctx, &tag);
    // ECMA-402 takes BCP 47 only ("en_US" is not well formed).
    if tag.contains('_') {
        return Ok(Value::new_undefined(ctx));
    }
    match tag.parse::<icu::locale::Locale>() {
        Ok(locale) => Ok(JsString::from_str(ctx, &locale.to_string())?.into_value()),
        Err(_) => Ok(Value::new_undefined(ctx)),
    }
}

/// The canonical name of a time zone, or `undefined` when unknown.
fn zone<'js>(ctx: Ctx<'js>, name: JsString<'js>) -> Result<Value<'js>> {
    match datetime::canonical_zone(&lossy(&ctx, &name)) {
        Some(name) => Ok(JsString::from_str(ctx, &name)?.into_value()),
        None => Ok(Value::new_undefined(ctx)),
    }
}

fn dtf_new<'js>(
    ctx: Ctx<'js>,
    tag: JsString<'js>,
    skeleton: JsString<'js>,
    hour_cycle: JsString<'js>,
    date_style: JsString<'js>,
    time_style: JsString<'js>,
) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let (skeleton, hour_cycle) = (lossy(&ctx, &skeleton), lossy(&ctx, &hour_cycle));
    let (date_style, time_style) = (lossy(&ctx, &date_style), lossy(&ctx, &time_style));
    let spec = datetime::Spec {
        locale: &locale,
        skeleton: &skeleton,
        hour_cycle: &hour_cycle,
        date_style: &date_style,
        time_style: &time_style,
    };
    let format = datetime::DateTimeFormat::new(&spec).map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::DateTime(Box::new(format))))
}

/// `[type, value, type, value, …]` for `formatToParts`.
fn dtf_format<'js>(ctx: Ctx<'js>, id: u32, ms: f64, zone: JsString<'js>) -> Result<Array<'js>> {
    let zone = datetime::Zone::get(&lossy(&ctx, &zone))
        .ok_or_else(|| Exception::throw_range(&ctx, "Invalid time zone specified"))?;
    let parts = with(&ctx, id, |h| match h {
        Handle::DateTime(f) => Some(f.format(ms, &zone)),
        _ => None,
    })?
    .map_err(|e| range_error(&ctx, e))?;
    parts_array(&ctx, &parts, Kind::DateTime)
}

/// `[type, value, source, …]` for `formatRangeToParts`.
fn dtf_range<'js>(
    ctx: Ctx<'js>,
    id: u32,
    start: f64,
    end: f64,
    zone: JsString<'js>,
) -> Result<Array<'js>> {
    let zone = datetime::Zone::get(&lossy(&ctx, &zone))
        .ok_or_else(|| Exception::throw_range(&ctx, "Invalid time zone specified"))?;
    let parts = with(&ctx, id, |h| match h {
        Handle::DateTime(f) => Some(f.format_range(start, end, &zone)),
        _ => None,
    })?
    .map_err(|e| range_error(&ctx, e))?;
    parts_array(&ctx, &parts, Kind::DateRange)
}

fn dtf_pattern<'js>(ctx: Ctx<'js>, id: u32) -> Result<String> {
    with(&ctx, id, |h| match h {
        Handle::DateTime(f) => Some(f.pattern()),
        _ => None,
    })?
    .map_err(|e| range_error(&ctx, e))
}

fn nf_new<'js>(
    ctx: Ctx<'js>,
    tag: JsString<'js>,
    kind: JsString<'js>,
    grouping: JsString<'js>,
    currency: JsString<'js>,
    currency_display: JsString<'js>,
) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let (kind, grouping) = (lossy(&ctx, &kind), lossy(&ctx, &grouping));
    let (currency, currency_display) = (lossy(&ctx, &currency), lossy(&ctx, &currency_display));
    let spec = number::Spec {
        locale: &locale,
        kind: &kind,
        grouping: &grouping,
        currency: &currency,
        currency_display: &currency_display,
    };
    let format = number::NumberFormat::new(&spec).map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::Number(format)))
}

/// Digit options as the JS side passes them: `[minInt, minFrac, maxFrac,
/// minSig, maxSig, roundingMode]` (minSig 0: fraction digits rule).
fn digits<'js>(ctx: &Ctx<'js>, options: &Array<'js>) -> Result<number::Digits> {
    let int = |i: usize| -> i16 { options.get::<f64>(i).map(|v| v as i16).unwrap_or(0) };
    let mode: JsString = options
        .get(5)
        .map_err(|_| Exception::throw_type(ctx, "invalid digit options"))?;
    Ok(number::Digits {
        min_int: int(0),
        min_frac: int(1),
        max_frac: int(2),
        min_sig: int(3),
        max_sig: int(4),
        mode: number::rounding_mode(&lossy(ctx, &mode)),
    })
}

/// Formats `x`, or `exact` (a decimal string, from a BigInt or a string)
/// when it is not empty.
fn nf_format<'js>(
    ctx: Ctx<'js>,
    id: u32,
    x: f64,
    options: Array<'js>,
    sign: JsString<'js>,
    exact: JsString<'js>,
) -> Result<Array<'js>> {
    let digits = digits(&ctx, &options)?;
    let sign = lossy(&ctx, &sign);
    let exact = lossy(&ctx, &exact);
    let exact = (!exact.is_empty()).then_some(exact.as_str());
    let (parts, kind) = with(&ctx, id, |h| match h {
        Handle::Number(f @ number::NumberFormat::Currency { .. }) => {
            Some((f.format(x, exact, &digits, &sign), Kind::Currency))
        }
        Handle::Number(f) => Some((f.format(x, exact, &digits, &sign), Kind::Number)),
        _ => None,
    })?;
    parts_array(&ctx, &parts, kind)
}

fn plural_new<'js>(ctx: Ctx<'js>, tag: JsString<'js>, ordinal: bool) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let rules = number::Plurals::new(&locale, ordinal).map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::Plurals(rules)))
}

fn plural_select<'js>(ctx: Ctx<'js>, id: u32, x: f64, options: Array<'js>) -> Result<&'static str> {
    let digits = digits(&ctx, &options)?;
    with(&ctx, id, |h| match h {
        Handle::Plurals(p) => Some(p.select(x, &digits)),
        _ => None,
    })
}

fn plural_categories<'js>(ctx: Ctx<'js>, id: u32) -> Result<Vec<&'static str>> {
    with(&ctx, id, |h| match h {
        Handle::Plurals(p) => Some(p.categories()),
        _ => None,
    })
}

fn collator_new<'js>(
    ctx: Ctx<'js>,
    tag: JsString<'js>,
    sensitivity: JsString<'js>,
    ignore_punctuation: bool,
    numeric: bool,
    case_first: JsString<'js>,
) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let collator = text::Collation::new(
        &locale,
        &lossy(&ctx, &sensitivity),
        ignore_punctuation,
        numeric,
        &lossy(&ctx, &case_first),
    )
    .map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::Collator(collator)))
}

fn compare<'js>(ctx: Ctx<'js>, id: u32, a: JsString<'js>, b: JsString<'js>) -> Result<i32> {
    let (a, b) = (lossy(&ctx, &a), lossy(&ctx, &b));
    with(&ctx, id, |h| match h {
        Handle::Collator(c) => Some(c.compare(&a, &b)),
        _ => None,
    })
}

/// Break positions as `[index, wordLike, index, wordLike, …]` (UTF-16
/// offsets, the first break after the start first).
fn segment<'js>(
    ctx: Ctx<'js>,
    granularity: JsString<'js>,
    tag: JsString<'js>,
    text: JsString<'js>,
) -> Result<Array<'js>> {
    let locale = locale(&ctx, &tag)?;
    let utf16: Vec<u16> = lossy(&ctx, &text).encode_utf16().collect();
    let breaks = text::segment(&lossy(&ctx, &granularity), &locale, &utf16)
        .map_err(|e| range_error(&ctx, e))?;
    let out = Array::new(ctx.clone())?;
    let mut i = 0;
    for (index, word_like) in breaks {
        if index == 0 {
            continue;
        }
        out.set(i, index as u32)?;
        out.set(i + 1, word_like)?;
        i += 2;
    }
    Ok(out)
}

fn rtf_new<'js>(
    ctx: Ctx<'js>,
    tag: JsString<'js>,
    unit: JsString<'js>,
    style: JsString<'js>,
    numeric_auto: bool,
) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let format = text::RelativeTime::new(
        &locale,
        &lossy(&ctx, &unit),
        &lossy(&ctx, &style),
        numeric_auto,
    )
    .map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::RelativeTime(format)))
}

fn rtf_format<'js>(ctx: Ctx<'js>, id: u32, x: f64, options: Array<'js>) -> Result<Array<'js>> {
    let digits = digits(&ctx, &options)?;
    let parts = with(&ctx, id, |h| match h {
        Handle::RelativeTime(f) => Some(f.format(x, &digits)),
        _ => None,
    })?;
    parts_array(&ctx, &parts, Kind::RelativeTime)
}

fn list_new<'js>(
    ctx: Ctx<'js>,
    tag: JsString<'js>,
    kind: JsString<'js>,
    style: JsString<'js>,
) -> Result<u32> {
    let locale = locale(&ctx, &tag)?;
    let list = text::List::new(&locale, &lossy(&ctx, &kind), &lossy(&ctx, &style))
        .map_err(|e| range_error(&ctx, e))?;
    Ok(insert(Handle::List(list)))
}

/// `[type, value, …]` of the list of strings `items`.
fn list_format<'js>(ctx: Ctx<'js>, id: u32, items: Vec<JsString<'js>>) -> Result<Array<'js>> {
    let items: Vec<String> = items.iter().map(|s| lossy(&ctx, s)).collect();
    let parts = with(&ctx, id, |h| match h {
        Handle::List(l) => Some(l.format(&items)),
        _ => None,
    })?;
    parts_array(&ctx, &parts, Kind::List)
}

#[derive(PartialEq)]
enum Kind {
    DateTime,
    /// A date range: each part also says which date it comes from.
    DateRange,
    Number,
    Currency,
    /// A list: elements and literals.
    List,
    RelativeTime,
}

/// Flattens ICU4X's nested parts into ECMA-402's: the innermost part of
/// interest labels each byte, text no part covers is a literal.
fn parts_array<'js>(ctx: &Ctx<'js>, parts: &Parts, kind: Kind) -> Result<Array<'js>> {
    let text = &parts.text;
    let mut labels: Vec<Option<&'static str>> = vec![None; text.len()];
    let mut sources: Vec<&'static str> = vec!["shared"; text.len()];
    let mut marks: Vec<_> = parts.marks.iter().collect();
    marks.sort_by_key(|(start, end, _)| end - start);
    let date = matches!(kind, Kind::DateTime | Kind::DateRange);
    for (start, end, part) in marks {
        let label = match (part.category, part.value) {
            ("datetime", "startRange" | "endRange") => {
                sources[*start..*end].fill(part.value);
                None
            }
            ("datetime", value) if date => Some(value),
            // A second's fraction: "00.123" is second, literal, fractionalSecond.
            ("decimal", "decimal") if date => Some("literal"),
            ("decimal", "fraction") if date => Some("fractionalSecond"),
            ("decimal", value) if !date => Some(value),
            ("list", "element") if kind == Kind::List => Some("element"),
            // The currency formatter's own number parts, when it wrote them.
            ("currency", _) => None,
            _ => None,
        };
        if let Some(label) = label {
            for slot in &mut labels[*start..*end] {
                slot.get_or_insert(label);
            }
        }
    }
    // What no part covers: signs, percent signs, then a number's compact
    // suffix or a currency; spaces and bidi marks are literal, except a
    // space inside a suffix or currency name ("US dollars").
    for (i, c) in text.char_indices() {
        if labels[i].is_none() {
            let label = match c {
                _ if matches!(
                    kind,
                    Kind::DateTime | Kind::DateRange | Kind::RelativeTime | Kind::List
                ) =>
                {
                    "literal"
                }
                c if c.is_whitespace() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}') => {
                    "literal"
                }
                '%' | '٪' | '‰' | '؉' => "percentSign",
                '-' | '\u{2212}' => "minusSign",
                '+' => "plusSign",
                _ if kind == Kind::Currency => "currency",
                _ => "compact",
            };
            labels[i..i + c.len_utf8()].fill(Some(label));
        }
    }
    for (i, c) in text.char_indices() {
        if c.is_whitespace() && labels[i] == Some("literal") {
            let before = text[..i]
                .chars()
                .next_back()
                .map(|b| labels[i - b.len_utf8()]);
            let after = labels.get(i + c.len_utf8()).copied();
            if let (Some(Some(b)), Some(Some(a))) = (before, after)
                && a == b
                && (a == "currency" || a == "compact")
            {
                labels[i..i + c.len_utf8()].fill(Some(a));
            }
        }
    }
    let out = Array::new(ctx.clone())?;
    let mut n = 0;
    let mut start = 0;
    while start < text.len() {
        let (label, source) = (labels[start], sources[start]);
        let mut end = start + 1;
        while end < text.len() && labels[end] == label && sources[end] == source {
            end += 1;
        }
        out.set(n, label.unwrap_or("literal"))?;
        out.set(n + 1, &text[start..end])?;
        n += 2;
        if kind == Kind::DateRange {
            out.set(n, source)?;
            n += 1;
        }
        start = end;
    }
    Ok(out)
}
