//! `Intl.NumberFormat` and `Intl.PluralRules`: digits rounded as ECMA-402
//! says (fixed_decimal, from the shortest round-trip decimal of the double,
//! as ICU4C does), formatted by ICU4X's decimal, percent, compact and
//! currency formatters.

use fixed_decimal::{
    Decimal, FloatPrecision, SignDisplay, SignedRoundingMode, UnsignedRoundingMode,
};
use icu::decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu::decimal::{CompactDecimalFormatter, DecimalFormatter};
use icu::experimental::dimension::currency::CurrencyType;
use icu::experimental::dimension::currency::formatter::CurrencyFormatter;
use icu::experimental::dimension::percent::formatter::PercentFormatter;
use icu::locale::Locale;
use icu::plurals::{PluralCategory, PluralOperands, PluralRules};
use writeable::Writeable;

use super::parts::Parts;
use super::provider::Baked;

/// What the JS side resolved from the options.
pub(crate) struct Spec<'a> {
    pub(crate) locale: &'a Locale,
    /// "decimal", "percent" or "compact" (short) / "compactLong".
    pub(crate) kind: &'a str,
    /// "auto", "always", "min2" or "false".
    pub(crate) grouping: &'a str,
    /// For currency: the ISO code and "symbol", "narrowSymbol", "code" or
    /// "name".
    pub(crate) currency: &'a str,
    pub(crate) currency_display: &'a str,
}

/// The digits options (ECMA-402's rounding), shared with PluralRules.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    pub(crate) min_int: i16,
    pub(crate) min_frac: i16,
    pub(crate) max_frac: i16,
    /// 0 when significant digits are not used.
    pub(crate) min_sig: i16,
    pub(crate) max_sig: i16,
    /// ECMA-402's roundingMode name.
    pub(crate) mode: SignedRoundingMode,
}

pub(crate) fn rounding_mode(name: &str) -> SignedRoundingMode {
    use SignedRoundingMode::*;
    use UnsignedRoundingMode as U;
    match name {
        "ceil" => Ceil,
        "floor" => Floor,
        "expand" => Unsigned(U::Expand),
        "trunc" => Unsigned(U::Trunc),
        "halfCeil" => HalfCeil,
        "halfFloor" => HalfFloor,
        "halfTrunc" => Unsigned(U::HalfTrunc),
        "halfEven" => Unsigned(U::HalfEven),
        _ => Unsigned(U::HalfExpand),
    }
}

/// `x` as the exact decimal ICU4C starts from (the shortest representation
/// that round-trips), rounded and padded per `digits`.
pub(crate) fn to_decimal(x: f64, digits: &Digits) -> Option<Decimal> {
    let mut d = Decimal::try_from_f64(x, FloatPrecision::RoundTrip).ok()?;
    round(&mut d, digits);
    Some(d)
}

pub(crate) fn round(d: &mut Decimal, digits: &Digits) {
    if digits.max_sig > 0 {
        let start = d.absolute.nonzero_magnitude_start();
        // The magnitude of the most significant digit (0 for zero).
        let top = if d.absolute.is_zero() {
            0
        } else {
            d.absolute.magnitude_range().end().to_owned()
        };
        let _ = start;
        d.round_with_mode(top - digits.max_sig + 1, digits.mode);
        d.absolute.trim_end();
        let top = if d.absolute.is_zero() {
            0
        } else {
            *d.absolute.magnitude_range().end()
        };
        d.absolute.pad_end(top - digits.min_sig.max(1) + 1);
    } else {
        d.round_with_mode(-digits.max_frac, digits.mode);
        d.absolute.trim_end();
        d.absolute.pad_end(-digits.min_frac);
    }
    d.absolute.pad_start(digits.min_int.max(1));
}

/// One `Intl.NumberFormat`'s formatter (the number part of it).
pub(crate) enum NumberFormat {
    Decimal(DecimalFormatter),
    /// The percent formatter places the sign; the number is ours (see
    /// `Currency`).
    Percent {
        decimal: DecimalFormatter,
        percent: PercentFormatter<DecimalFormatter>,
        affixes: [(String, String); 2],
    },
    /// The compact formatter scales and rounds; its number's parts are
    /// found by the locale's decimal separator.
    Compact {
        compact: CompactDecimalFormatter,
        separator: String,
    },
    /// ICU4X's currency formatter rounds to the currency's digits itself,
    /// so it only places the symbol: the number is ours, written where
    /// the currency formatter writes its own.
    Currency {
        decimal: DecimalFormatter,
        currency: CurrencyFormatter<DecimalFormatter>,
        /// Text before and after the number, for a positive and a negative
        /// amount (from formatting ±1.00), used when the currency
        /// formatter's rounding differs from ours.
        affixes: [(String, String); 2],
    },
}

impl NumberFormat {
    pub(crate) fn new(spec: &Spec<'_>) -> Result<NumberFormat, String> {
        let error = |e: icu_provider::DataError| format!("no number data: {e}");
        let mut options = DecimalFormatterOptions::default();
        options.grouping_strategy = Some(match spec.grouping {
            "always" => GroupingStrategy::Always,
            "min2" => GroupingStrategy::Min2,
            "false" => GroupingStrategy::Never,
            _ => GroupingStrategy::Auto,
        });
        Ok(match spec.kind {
            "percent" => {
                let percent = PercentFormatter::try_new_unstable(
                    &Baked,
                    spec.locale.into(),
                    Default::default(),
                )
                .map_err(error)?;
                let decimal =
                    DecimalFormatter::try_new_unstable(&Baked, spec.locale.into(), options)
                        .map_err(error)?;
                let affixes = ["1", "-1"].map(|probe| {
                    let probe: Decimal = probe.parse().unwrap_or_default();
                    affixes(
                        &decimal,
                        |d| percent.format(d).write_to_string().into_owned(),
                        &probe,
                    )
                    .unwrap_or_default()
                });
                NumberFormat::Percent {
                    decimal,
                    percent,
                    affixes,
                }
            }
            "compact" | "compactLong" => {
                let prefs = spec.locale.into();
                let mut compact_options =
                    icu::decimal::options::CompactDecimalFormatterOptions::default();
                compact_options.grouping_strategy = options.grouping_strategy;
                let compact = if spec.kind == "compact" {
                    CompactDecimalFormatter::try_new_short_unstable(&Baked, prefs, compact_options)
                } else {
                    CompactDecimalFormatter::try_new_long_unstable(&Baked, prefs, compact_options)
                }
                .map_err(error)?;
                let decimal =
                    DecimalFormatter::try_new_unstable(&Baked, spec.locale.into(), options)
                        .map_err(error)?;
                let probe: Decimal = "1.5".parse().unwrap_or_default();
                let probe = decimal.format(&probe).write_to_string().into_owned();
                let separator = probe.trim_matches(|c: char| c.is_numeric()).to_string();
                NumberFormat::Compact { compact, separator }
            }
            "currency" => {
                let code = CurrencyType::try_from_str(spec.currency)
                    .map_err(|_| format!("Invalid currency code : {}", spec.currency))?;
                let prefs = spec.locale.into();
                let currency = match spec.currency_display {
                    "code" => CurrencyFormatter::try_new_code_unstable(
                        &Baked,
                        prefs,
                        code,
                        Default::default(),
                    ),
                    "narrowSymbol" => CurrencyFormatter::try_new_symbol_narrow_unstable(
                        &Baked,
                        prefs,
                        code,
                        Default::default(),
                    ),
                    "name" => CurrencyFormatter::try_new_name_unstable(&Baked, prefs, code),
                    _ => CurrencyFormatter::try_new_symbol_unstable(
                        &Baked,
                        prefs,
                        code,
                        Default::default(),
                    ),
                }
                .map_err(error)?;
                let decimal =
                    DecimalFormatter::try_new_unstable(&Baked, spec.locale.into(), options)
                        .map_err(error)?;
                let affixes = ["1.00", "-1.00"].map(|probe| {
                    let probe: Decimal = probe.parse().unwrap_or_default();
                    affixes(
                        &decimal,
                        |d| {
                            currency
                                .format_fixed_decimal(d)
                                .write_to_string()
                                .into_owned()
                        },
                        &probe,
                    )
                    .unwrap_or_default()
                });
                NumberFormat::Currency {
                    decimal,
                    currency,
                    affixes,
                }
            }
            _ => NumberFormat::Decimal(
                DecimalFormatter::try_new_unstable(&Baked, spec.locale.into(), options)
                    .map_err(error)?,
            ),
        })
    }

    /// Formats `x` (or the decimal string `exact`), rounded per `digits`,
    /// with `sign` ("auto", "always", "exceptZero", "negative", "never").
    /// Percent takes `x` as a ratio.
    pub(crate) fn format(&self, x: f64, exact: Option<&str>, digits: &Digits, sign: &str) -> Parts {
        let parsed = exact.and_then(|text| Decimal::try_from_str(text).ok());
        let Some(mut d) =
            parsed.or_else(|| Decimal::try_from_f64(x, FloatPrecision::RoundTrip).ok())
        else {
            return Parts::default();
        };
        if matches!(self, NumberFormat::Percent { .. }) {
            d.multiply_pow10(2);
        }
        if !matches!(self, NumberFormat::Compact { .. }) {
            round(&mut d, digits);
        }
        d.apply_sign_display(match sign {
            "always" => SignDisplay::Always,
            "exceptZero" => SignDisplay::ExceptZero,
            "negative" => SignDisplay::Negative,
            "never" => SignDisplay::Never,
            _ => SignDisplay::Auto,
        });
        match self {
            NumberFormat::Decimal(f) => Parts::of(&f.format(&d)),
            NumberFormat::Percent {
                decimal,
                percent,
                affixes: probed,
            } => splice(
                decimal,
                |d| percent.format(d).write_to_string().into_owned(),
                &d,
                probed,
            ),
            NumberFormat::Currency {
                decimal,
                currency,
                affixes: probed,
            } => splice(
                decimal,
                |d| {
                    currency
                        .format_fixed_decimal(d)
                        .write_to_string()
                        .into_owned()
                },
                &d,
                probed,
            ),
            NumberFormat::Compact { compact, separator } => {
                let mut parts = Parts {
                    text: compact.format(&d).write_to_string().into_owned(),
                    marks: Vec::new(),
                };
                mark_digits(&mut parts, separator);
                parts
            }
        }
    }
}

/// `d` as `outer` writes it (currency or percent), with the number part
/// written by `decimal` (our rounding and grouping) and its parts marked.
fn splice(
    decimal: &DecimalFormatter,
    outer: impl Fn(&Decimal) -> String,
    d: &Decimal,
    probed: &[(String, String); 2],
) -> Parts {
    let negative = d.sign() == fixed_decimal::Sign::Negative;
    let plus = d.sign() == fixed_decimal::Sign::Positive;
    let (prefix, suffix) = affixes(decimal, &outer, d)
        .unwrap_or_else(|| probed[usize::from(negative || plus)].clone());
    let (prefix, suffix) = if plus && !(prefix.contains('+') || suffix.contains('+')) {
        (prefix.replacen('-', "+", 1), suffix.replacen('-', "+", 1))
    } else {
        (prefix, suffix)
    };
    let mut number = d.clone();
    number.set_sign(fixed_decimal::Sign::None);
    let inner = Parts::of(&decimal.format(&number));
    let mut parts = Parts {
        text: prefix,
        marks: Vec::new(),
    };
    let offset = parts.text.len();
    parts.text.push_str(&inner.text);
    parts.marks.extend(
        inner
            .marks
            .into_iter()
            .map(|(a, b, p)| (a + offset, b + offset, p)),
    );
    parts.text.push_str(&suffix);
    parts
}

/// Marks the number in compact output ("1.5 million"): digits before the
/// decimal separator are the integer, after it the fraction.
fn mark_digits(parts: &mut Parts, separator: &str) {
    use writeable::Part;
    let text = &parts.text;
    let (Some(first), Some(last)) = (
        text.find(|c: char| c.is_numeric()),
        text.rfind(|c: char| c.is_numeric()),
    ) else {
        return;
    };
    let end = last + text[last..].chars().next().map_or(1, char::len_utf8);
    let span = &text[first..end];
    let (int, frac) = match (separator.is_empty(), span.find(separator)) {
        (false, Some(at)) => (&span[..at], Some(at)),
        _ => (span, None),
    };
    let part = |value| Part {
        category: "decimal",
        value,
    };
    let mut marks = vec![(first, first + int.len(), part("integer"))];
    if let Some(at) = frac {
        let sep = first + at;
        marks.push((sep, sep + separator.len(), part("decimal")));
        marks.push((sep + separator.len(), end, part("fraction")));
    }
    parts.marks = marks;
}

/// The text `outer` writes before and after the number `d` (its absolute
/// value as `decimal` writes it), or `None` when `outer` rounds or groups
/// `d` differently.
fn affixes(
    decimal: &DecimalFormatter,
    outer: impl Fn(&Decimal) -> String,
    d: &Decimal,
) -> Option<(String, String)> {
    let whole = outer(d);
    let mut number = d.clone();
    number.set_sign(fixed_decimal::Sign::None);
    let digits = decimal.format(&number).write_to_string().into_owned();
    let at = whole.find(&digits)?;
    Some((
        whole[..at].to_string(),
        whole[at + digits.len()..].to_string(),
    ))
}

/// `Intl.PluralRules`: cardinal or ordinal rules of a locale.
pub(crate) struct Plurals(PluralRules);

impl Plurals {
    pub(crate) fn new(locale: &Locale, ordinal: bool) -> Result<Plurals, String> {
        let rules = if ordinal {
            PluralRules::try_new_ordinal_unstable(&Baked, locale.into())
        } else {
            PluralRules::try_new_cardinal_unstable(&Baked, locale.into())
        };
        rules
            .map(Plurals)
            .map_err(|e| format!("no plural data: {e}"))
    }

    pub(crate) fn select(&self, x: f64, digits: &Digits) -> &'static str {
        let Some(d) = to_decimal(x.abs(), digits) else {
            return "other";
        };
        match self.0.category_for(PluralOperands::from(&d)) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The categories the locale uses, in ECMA-402's order.
    pub(crate) fn categories(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for (category, name) in [
            (PluralCategory::Zero, "zero"),
            (PluralCategory::One, "one"),
            (PluralCategory::Two, "two"),
            (PluralCategory::Few, "few"),
            (PluralCategory::Many, "many"),
            (PluralCategory::Other, "other"),
        ] {
            if self.0.categories().any(|c| c == category) {
                out.push(name);
            }
        }
        out
    }
}
