//! `Intl.Collator`, `Intl.Segmenter`, `Intl.RelativeTimeFormat` and
//! `Intl.ListFormat` on ICU4X.

use icu::collator::options::{AlternateHandling, CaseLevel, CollatorOptions, Strength};
use icu::collator::preferences::{CollationCaseFirst, CollationNumericOrdering};
use icu::collator::{Collator, CollatorBorrowed, CollatorPreferences};
use icu::experimental::relativetime::RelativeTimeFormatter;
use icu::experimental::relativetime::options::{Numeric, RelativeTimeFormatterOptions};
use icu::list::ListFormatter;
use icu::list::options::{ListFormatterOptions, ListLength};
use icu::locale::Locale;
use icu::segmenter::options::{SentenceBreakOptions, WordBreakOptions};
use icu::segmenter::{GraphemeClusterSegmenter, SentenceSegmenter, WordSegmenter};

use super::parts::Parts;
use super::provider::Baked;

/// One `Intl.Collator`.
pub(crate) struct Collation(Collator);

impl Collation {
    /// `sensitivity`: base, accent, case or variant; `case_first`: upper,
    /// lower or false.
    pub(crate) fn new(
        locale: &Locale,
        sensitivity: &str,
        ignore_punctuation: bool,
        numeric: bool,
        case_first: &str,
    ) -> Result<Collation, String> {
        let mut prefs = CollatorPreferences::from(locale);
        prefs.numeric_ordering = Some(if numeric {
            CollationNumericOrdering::True
        } else {
            CollationNumericOrdering::False
        });
        prefs.case_first = match case_first {
            "upper" => Some(CollationCaseFirst::Upper),
            "lower" => Some(CollationCaseFirst::Lower),
            "false" => Some(CollationCaseFirst::False),
            _ => None,
        };
        let mut options = CollatorOptions::default();
        let (strength, case_level) = match sensitivity {
            "base" => (Strength::Primary, CaseLevel::Off),
            "accent" => (Strength::Secondary, CaseLevel::Off),
            "case" => (Strength::Primary, CaseLevel::On),
            _ => (Strength::Tertiary, CaseLevel::Off),
        };
        options.strength = Some(strength);
        options.case_level = Some(case_level);
        if ignore_punctuation {
            options.alternate_handling = Some(AlternateHandling::Shifted);
        }
        Collator::try_new_unstable(&Baked, prefs, options)
            .map(Collation)
            .map_err(|e| format!("no collation data: {e}"))
    }

    pub(crate) fn compare(&self, a: &str, b: &str) -> i32 {
        let borrowed: CollatorBorrowed<'_> = self.0.as_borrowed();
        borrowed.compare(a, b) as i32
    }
}

/// Break positions (UTF-16 offsets) of `text` for `Intl.Segmenter`; for
/// words each position comes with whether the segment before it is
/// word-like. Words are split by the rules for non-complex scripts only: no
/// dictionary for Chinese, Japanese or Thai (see intl.js).
pub(crate) fn segment(
    granularity: &str,
    locale: &Locale,
    text: &[u16],
) -> Result<Vec<(usize, bool)>, String> {
    let error = |e: icu_provider::DataError| format!("no segmentation data: {e}");
    Ok(match granularity {
        "word" => {
            let mut options = WordBreakOptions::default();
            let content_locale = locale.id.clone();
            options.content_locale = Some(&content_locale);
            let segmenter =
                WordSegmenter::try_new_for_non_complex_scripts_unstable(&Baked, options)
                    .map_err(error)?;
            let mut breaks = segmenter.as_borrowed().segment_utf16(text);
            let mut out = Vec::new();
            while let Some(index) = breaks.next() {
                out.push((index, breaks.word_type().is_word_like()));
            }
            out
        }
        "sentence" => {
            let mut options = SentenceBreakOptions::default();
            let content_locale = locale.id.clone();
            options.content_locale = Some(&content_locale);
            let segmenter = SentenceSegmenter::try_new_unstable(&Baked, options).map_err(error)?;
            segmenter
                .as_borrowed()
                .segment_utf16(text)
                .map(|i| (i, false))
                .collect()
        }
        _ => {
            let segmenter = GraphemeClusterSegmenter::try_new_unstable(&Baked).map_err(error)?;
            segmenter
                .as_borrowed()
                .segment_utf16(text)
                .map(|i| (i, false))
                .collect()
        }
    })
}

/// One `Intl.RelativeTimeFormat` unit's formatter.
pub(crate) struct RelativeTime(RelativeTimeFormatter);

macro_rules! relative_time_constructors {
    ($unit:expr, $style:expr, $prefs:expr, $options:expr, { $($u:literal $s:literal => $f:ident,)* }) => {
        match ($unit, $style) {
            $(($u, $s) => RelativeTimeFormatter::$f(&Baked, $prefs, $options),)*
            _ => return Err(format!("Invalid unit argument for format() '{}'", $unit)),
        }
    };
}

impl RelativeTime {
    /// `unit`: second … year (singular); `style`: long, short, narrow.
    pub(crate) fn new(
        locale: &Locale,
        unit: &str,
        style: &str,
        numeric_auto: bool,
    ) -> Result<RelativeTime, String> {
        let mut options = RelativeTimeFormatterOptions::default();
        options.numeric = Some(if numeric_auto {
            Numeric::Auto
        } else {
            Numeric::Always
        });
        let prefs = locale.into();
        let formatter = relative_time_constructors!(unit, style, prefs, options, {
            "second" "long" => try_new_long_second_unstable,
            "second" "short" => try_new_short_second_unstable,
            "second" "narrow" => try_new_narrow_second_unstable,
            "minute" "long" => try_new_long_minute_unstable,
            "minute" "short" => try_new_short_minute_unstable,
            "minute" "narrow" => try_new_narrow_minute_unstable,
            "hour" "long" => try_new_long_hour_unstable,
            "hour" "short" => try_new_short_hour_unstable,
            "hour" "narrow" => try_new_narrow_hour_unstable,
            "day" "long" => try_new_long_day_unstable,
            "day" "short" => try_new_short_day_unstable,
            "day" "narrow" => try_new_narrow_day_unstable,
            "week" "long" => try_new_long_week_unstable,
            "week" "short" => try_new_short_week_unstable,
            "week" "narrow" => try_new_narrow_week_unstable,
            "month" "long" => try_new_long_month_unstable,
            "month" "short" => try_new_short_month_unstable,
            "month" "narrow" => try_new_narrow_month_unstable,
            "quarter" "long" => try_new_long_quarter_unstable,
            "quarter" "short" => try_new_short_quarter_unstable,
            "quarter" "narrow" => try_new_narrow_quarter_unstable,
            "year" "long" => try_new_long_year_unstable,
            "year" "short" => try_new_short_year_unstable,
            "year" "narrow" => try_new_narrow_year_unstable,
        });
        formatter
            .map(RelativeTime)
            .map_err(|e| format!("no relative-time data: {e}"))
    }

    pub(crate) fn format(&self, x: f64, digits: &super::number::Digits) -> Parts {
        match super::number::to_decimal(x, digits) {
            Some(d) => Parts::of(&self.0.format(d)),
            None => Parts::default(),
        }
    }
}

/// One `Intl.ListFormat`.
pub(crate) struct List(ListFormatter);

impl List {
    /// `kind`: conjunction, disjunction or unit; `style`: long, short,
    /// narrow.
    pub(crate) fn new(locale: &Locale, kind: &str, style: &str) -> Result<List, String> {
        let length = match style {
            "short" => ListLength::Short,
            "narrow" => ListLength::Narrow,
            _ => ListLength::Wide,
        };
        let options = ListFormatterOptions::default().with_length(length);
        let prefs = locale.into();
        match kind {
            "disjunction" => ListFormatter::try_new_or_unstable(&Baked, prefs, options),
            "unit" => ListFormatter::try_new_unit_unstable(&Baked, prefs, options),
            _ => ListFormatter::try_new_and_unstable(&Baked, prefs, options),
        }
        .map(List)
        .map_err(|e| format!("no list data: {e}"))
    }

    pub(crate) fn format(&self, items: &[String]) -> Parts {
        Parts::of(&self.0.format(items.iter().map(String::as_str)))
    }
}
