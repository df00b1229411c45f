//! `Intl.DateTimeFormat`: ICU4X's datetime formatter over the option bag
//! (as a UTS 35 skeleton, `fieldbag`) or the date/time styles, with UTC
//! offsets from jiff's bundled IANA database.

use std::cell::OnceCell;

use icu::calendar::types::RataDie;
use icu::calendar::{Date, Gregorian};
use icu::datetime::fieldbag::DateTimeFieldBag;
use icu::datetime::fieldsets::builder::{DateFields, FieldSetBuilder, ZoneStyle};
use icu::datetime::fieldsets::enums::CompositeFieldSet;
use icu::datetime::options::{Length, TimePrecision, YearStyle};
use icu::datetime::pattern::{DateTimePattern, FixedCalendarDateTimeNames};
use icu::datetime::preferences::HourCycle;
use icu::datetime::range::FixedCalendarDateRangeFormatter;
use icu::datetime::{DateTimeFormatterPreferences, FixedCalendarDateTimeFormatter};
use icu::locale::Locale;
use icu::time::zone::{IanaParser, UtcOffset};
use icu::time::{DateTime, Time, ZonedDateTime};

use super::parts::Parts;
use super::provider::Baked;

/// One `Intl.DateTimeFormat`'s formatter, and its range formatter once
/// `formatRange` is used.
pub(crate) struct DateTimeFormat {
    formatter: FixedCalendarDateTimeFormatter<Gregorian, CompositeFieldSet>,
    prefs: DateTimeFormatterPreferences,
    field_set: CompositeFieldSet,
    range: OnceCell<Result<FixedCalendarDateRangeFormatter<Gregorian, CompositeFieldSet>, String>>,
    /// A pattern of our own and the names it needs, where ICU4X's field
    /// set would write a month asked for as text as a number.
    custom: Option<(
        FixedCalendarDateTimeNames<Gregorian, CompositeFieldSet>,
        DateTimePattern,
    )>,
}

/// What the JS side resolved from the options.
pub(crate) struct Spec<'a> {
    pub(crate) locale: &'a Locale,
    /// The field options as a skeleton ("yMMMdjm"); empty with styles.
    pub(crate) skeleton: &'a str,
    /// "h11", "h12", "h23", "h24" or "" for the locale's.
    pub(crate) hour_cycle: &'a str,
    /// "full", "long", "medium", "short" or "".
    pub(crate) date_style: &'a str,
    pub(crate) time_style: &'a str,
}

impl DateTimeFormat {
    pub(crate) fn new(spec: &Spec<'_>) -> Result<DateTimeFormat, String> {
        let mut prefs = DateTimeFormatterPreferences::from(spec.locale);
        prefs.hour_cycle = match spec.hour_cycle {
            "h11" => Some(HourCycle::H11),
            "h12" => Some(HourCycle::H12),
            // ICU4X has no h24 (hours 1-24); Node shows 24 only at midnight.
            "h23" | "h24" => Some(HourCycle::H23),
            _ => None,
        };
        let bag = DateTimeFieldBag::from_skeleton(spec.skeleton);
        let by_fields = spec.date_style.is_empty() && spec.time_style.is_empty();
        let builder = if by_fields {
            bag.to_field_set_builder()
        } else {
            styles(spec.date_style, spec.time_style)
        };
        let field_set = builder
            .clone()
            .build_composite()
            .map_err(|e| format!("unsupported date-time options: {e:?}"))?;
        let formatter = FixedCalendarDateTimeFormatter::try_new_unstable(&Baked, prefs, field_set)
            .map_err(|e| format!("no date-time data: {e}"))?;
        let custom = if by_fields {
            text_month(prefs, &bag, &builder, &formatter)
        } else {
            None
        };
        Ok(DateTimeFormat {
            formatter,
            prefs,
            field_set,
            range: OnceCell::new(),
            custom,
        })
    }

    /// Formats the range from `start` to `end` (ms since the epoch), the
    /// fields they share written once ("Mar 10\u{2009}–\u{2009}12, 2024").
    pub(crate) fn format_range(&self, start: f64, end: f64, zone: &Zone) -> Result<Parts, String> {
        let range = self.range.get_or_init(|| {
            FixedCalendarDateRangeFormatter::try_new_unstable(&Baked, self.prefs, self.field_set)
                .map_err(|e| format!("no date-range data: {e}"))
        });
        let range = range.as_ref().map_err(Clone::clone)?;
        let (start, end) = (zone.zoned(start)?, zone.zoned(end)?);
        Ok(Parts::of(&range.format(&start, &end)))
    }

    /// Formats the instant `ms` (ms since the epoch) in `zone`.
    pub(crate) fn format(&self, ms: f64, zone: &Zone) -> Result<Parts, String> {
        let input = zone.zoned(ms)?;
        Ok(match &self.custom {
            Some((names, pattern)) => {
                Parts::of_try(&names.with_pattern_unchecked(pattern).format(&input))
            }
            None => Parts::of(&self.formatter.format(&input)),
        })
    }

    /// The pattern chosen for these options ("M/d/y, h:mm a"), from which
    /// the JS side reads the resolved options.
    pub(crate) fn pattern(&self) -> Result<String, String> {
        if let Some((_, pattern)) = &self.custom {
            return Ok(pattern.to_string());
        }
        let input = Zone::utc().zoned(0.0)?;
        Ok(self.formatter.format(&input).pattern().to_string())
    }
}

/// ICU4X picks a pattern by length, and a locale's medium date may be all
/// numbers ("dd.MM.y" in German, "y/MM/dd" in Japanese) where `{month:
/// "short"}` asks for a name. ICU4C then uses the "yMMMd" skeleton's
/// pattern ("d. MMM y", "y年M月d日"); the nearest ICU4X has is the long
/// date with its month shortened, put where the medium date was. `None`
/// keeps ICU4X's pattern.
fn text_month(
    prefs: DateTimeFormatterPreferences,
    bag: &DateTimeFieldBag,
    builder: &FieldSetBuilder,
    formatter: &FixedCalendarDateTimeFormatter<Gregorian, CompositeFieldSet>,
) -> Option<(
    FixedCalendarDateTimeNames<Gregorian, CompositeFieldSet>,
    DateTimePattern,
)> {
    use icu::datetime::fieldbag::field::{Month, Weekday};
    let month = match bag.month? {
        Month::Short => 3,
        Month::Long => 4,
        Month::Narrow => 5,
        _ => return None,
    };
    let weekday = bag.weekday.map(|w| match w {
        Weekday::Long => 4,
        Weekday::Narrow => 5,
        _ => 1,
    });
    let input = Zone::utc().zoned(0.0).ok()?;
    let pattern = formatter.format(&input).pattern().to_string();
    if has_text_month(&pattern) {
        return None;
    }
    let pattern_of = |builder: FieldSetBuilder| -> Option<String> {
        let field_set = builder.build_composite().ok()?;
        let f = FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new_unstable(
            &Baked, prefs, field_set,
        )
        .ok()?;
        Some(f.format(&input).pattern().to_string())
    };
    let mut date = builder.clone();
    date.time_precision = None;
    date.zone_style = None;
    let medium = pattern_of(date.clone())?;
    date.length = Some(Length::Long);
    let long = resize(&pattern_of(date)?, month, weekday);
    let combined = if pattern == medium {
        long
    } else if pattern.contains(&medium) {
        pattern.replacen(&medium, &long, 1)
    } else {
        return None;
    };
    if combined == pattern {
        return None;
    }
    let pattern = DateTimePattern::try_from_pattern_str(&combined).ok()?;
    let mut names = FixedCalendarDateTimeNames::try_new_unstable(&Baked, prefs).ok()?;
    names.load_for_pattern(&Baked, &pattern).ok()?;
    Some((names, pattern))
}

/// Calls `f` with each run of one pattern letter outside quoted text.
fn map_fields(pattern: &str, mut f: impl FnMut(char, usize) -> String) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
        } else if quoted || !c.is_ascii_alphabetic() {
            out.push(c);
        } else {
            let mut n = 1;
            while chars.peek() == Some(&c) {
                chars.next();
                n += 1;
            }
            out.push_str(&f(c, n));
        }
    }
    out
}

fn has_text_month(pattern: &str) -> bool {
    let mut found = false;
    map_fields(pattern, |c, n| {
        found |= matches!(c, 'M' | 'L') && n >= 3;
        String::new()
    });
    found
}

/// The pattern with its text month (and weekday) at the widths asked for.
fn resize(pattern: &str, month: usize, weekday: Option<usize>) -> String {
    map_fields(pattern, |c, n| match (c, weekday) {
        ('M' | 'L', _) if n >= 3 => c.to_string().repeat(month),
        ('E' | 'c', Some(width)) => c.to_string().repeat(width),
        _ => c.to_string().repeat(n),
    })
}

/// `dateStyle`/`timeStyle` as ICU4C builds them: full is the long date with
/// the weekday, and the full/long times carry the long/short zone name.
fn styles(date_style: &str, time_style: &str) -> FieldSetBuilder {
    let mut builder = FieldSetBuilder::new();
    let (length, date_fields) = match date_style {
        "full" => (Length::Long, Some(DateFields::YMDE)),
        "long" => (Length::Long, Some(DateFields::YMD)),
        "medium" => (Length::Medium, Some(DateFields::YMD)),
        "short" => (Length::Short, Some(DateFields::YMD)),
        _ => (
            if time_style == "full" || time_style == "long" {
                Length::Long
            } else {
                Length::Medium
            },
            None,
        ),
    };
    builder.length = Some(length);
    builder.date_fields = date_fields;
    if date_fields.is_some() {
        builder.year_style = Some(if date_style == "short" {
            YearStyle::Auto
        } else {
            YearStyle::Full
        });
    }
    match time_style {
        "full" => {
            builder.time_precision = Some(TimePrecision::Second);
            builder.zone_style = Some(ZoneStyle::SpecificLong);
        }
        "long" => {
            builder.time_precision = Some(TimePrecision::Second);
            builder.zone_style = Some(ZoneStyle::SpecificShort);
        }
        "medium" => builder.time_precision = Some(TimePrecision::Second),
        "short" => builder.time_precision = Some(TimePrecision::Minute),
        _ => {}
    }
    builder
}

/// An IANA time zone: jiff's rules for offsets, ICU4X's id for names.
pub(crate) struct Zone {
    rules: jiff::tz::TimeZone,
    id: icu::time::TimeZone,
}

impl Zone {
    pub(crate) fn utc() -> Zone {
        Zone {
            rules: jiff::tz::TimeZone::UTC,
            id: zone_id("Etc/UTC"),
        }
    }

    /// The zone named `name` (an IANA name or link, any case), or `None`
    /// when there is no such zone (offsets such as "+05:30" are refused, as
    /// Node 20 does).
    pub(crate) fn get(name: &str) -> Option<Zone> {
        let rules = jiff::tz::TimeZone::get(name).ok()?;
        Some(Zone {
            rules,
            id: zone_id(name),
        })
    }

    pub(crate) fn zoned(
        &self,
        ms: f64,
    ) -> Result<
        ZonedDateTime<Gregorian, icu::time::TimeZoneInfo<icu::time::zone::models::AtTime>>,
        String,
    > {
        const INVALID: &str = "Invalid time value";
        // ECMAScript's time range (±8.64e15 ms, years ±275760) is wider than
        // jiff's (years ±9999): offsets come from jiff at the nearest instant
        // it has, the date and time from the day count.
        if !ms.is_finite() || ms.abs() > 8.64e15 {
            return Err(INVALID.to_string());
        }
        let ms = ms.floor() as i64;
        // jiff's range, a second in from either end.
        let clamped = ms.clamp(
            (jiff::Timestamp::MIN.as_second() + 1) * 1000,
            (jiff::Timestamp::MAX.as_second() - 1) * 1000,
        );
        let ts = jiff::Timestamp::from_millisecond(clamped).map_err(|_| INVALID.to_string())?;
        let offset_seconds = self.rules.to_offset(ts).seconds();
        let local = ms + i64::from(offset_seconds) * 1000;
        let (days, in_day) = (local.div_euclid(86_400_000), local.rem_euclid(86_400_000));
        // 1970-01-01 is day 719163 of the proleptic Gregorian calendar.
        let date = Date::from_rata_die(RataDie::new(719_163 + days), icu::calendar::Iso);
        let seconds = in_day / 1000;
        let time = Time::try_new(
            (seconds / 3600) as u8,
            (seconds / 60 % 60) as u8,
            (seconds % 60) as u8,
            (in_day % 1000) as u32 * 1_000_000,
        )
        .map_err(|_| INVALID.to_string())?;
        let offset = UtcOffset::try_from_seconds(offset_seconds).ok();
        let zone = self
            .id
            .with_offset(offset)
            .at_date_time(DateTime { date, time });
        Ok(ZonedDateTime {
            date: date.to_calendar(Gregorian),
            time,
            zone,
        })
    }
}

/// ICU4X's id of an IANA zone (`unknown` when its data does not know it:
/// then names fall back to GMT offsets).
fn zone_id(name: &str) -> icu::time::TimeZone {
    thread_local! {
        static PARSER: Option<IanaParser> = IanaParser::try_new_unstable(&Baked).ok();
    }
    PARSER.with(|p| match p {
        Some(p) => p.as_borrowed().parse(name),
        None => icu::time::TimeZone::UNKNOWN,
    })
}

/// The IANA name Node 20 reports for a zone, or `None` for an unknown
/// zone. Node 20 reports ICU's canonical id: the IANA canonical name
/// (ICU4X's), except that UTC's aliases are "UTC" and zones IANA renamed
/// keep their old CLDR names ("Asia/Kolkata" is "Asia/Calcutta").
pub(crate) fn canonical_zone(name: &str) -> Option<String> {
    use icu::time::zone::iana::{IanaParser, IanaParserExtended};
    thread_local! {
        static EXTENDED: Option<IanaParserExtended<IanaParser>> =
            IanaParserExtended::try_new_unstable(&Baked).ok();
    }
    let rules = jiff::tz::TimeZone::get(name).ok()?;
    let canonical = EXTENDED
        .with(|p| {
            let p = p.as_ref()?;
            let found = p.as_borrowed().parse(name);
            (found.time_zone != icu::time::TimeZone::UNKNOWN).then(|| found.canonical.to_string())
        })
        .or_else(|| rules.iana_name().map(str::to_string))
        .unwrap_or_else(|| name.to_string());
    if canonical == "Etc/UTC" || canonical == "Etc/GMT" {
        return Some("UTC".to_string());
    }
    const CLDR_NAMES: &[(&str, &str)] = &[
        ("Africa/Asmara", "Africa/Asmera"),
        ("America/Argentina/Buenos_Aires", "America/Buenos_Aires"),
        ("America/Argentina/Catamarca", "America/Catamarca"),
        ("America/Argentina/Cordoba", "America/Cordoba"),
        ("America/Argentina/Jujuy", "America/Jujuy"),
        ("America/Argentina/Mendoza", "America/Mendoza"),
        ("America/Atikokan", "America/Coral_Harbour"),
        ("America/Indiana/Indianapolis", "America/Indianapolis"),
        ("America/Kentucky/Louisville", "America/Louisville"),
        ("America/Nuuk", "America/Godthab"),
        ("Asia/Ho_Chi_Minh", "Asia/Saigon"),
        ("Asia/Kathmandu", "Asia/Katmandu"),
        ("Asia/Kolkata", "Asia/Calcutta"),
        ("Asia/Yangon", "Asia/Rangoon"),
        ("Atlantic/Faroe", "Atlantic/Faeroe"),
        ("Europe/Kyiv", "Europe/Kiev"),
        ("Pacific/Chuuk", "Pacific/Truk"),
        ("Pacific/Kanton", "Pacific/Enderbury"),
        ("Pacific/Pohnpei", "Pacific/Ponape"),
    ];
    Some(
        match CLDR_NAMES.iter().find(|(iana, _)| *iana == canonical) {
            Some((_, cldr)) => cldr.to_string(),
            None => canonical,
        },
    )
}
