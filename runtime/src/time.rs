//! Milliseconds since the epoch, and their ISO 8601 form (UTC).

use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `2026-11-21T11:21:04.841Z`.
pub(crate) fn iso(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms_of_day % 1000
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or a date `YYYY-MM-DD`, or
/// epoch milliseconds.
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    // Digits only: `parse` alone would take a sign.
    let num = |r: std::ops::Range<usize>| {
        let digits = s.get(r)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse::<i64>().ok())
            .flatten()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    if s.len() == 10 {
        return Some(ms);
    }
    if !matches!(s.get(10..11)?, "T" | "t" | " ") || s.get(13..14)? != ":" || s.get(16..17)? != ":"
    {
        return None;
    }
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    ms += (h * 3600 + m * 60 + sec) * 1000;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let millis: String = frac[..digits].chars().chain("00".chars()).take(3).collect();
        ms += millis.parse::<i64>().ok()?;
        rest = &frac[digits..];
    }
    match rest {
        "Z" | "z" => Some(ms),
        // `get` rather than indexing: the offset is input, and a byte range
        // may cut a multi-byte character.
        offset if offset.len() == 6 && offset.as_bytes()[3] == b':' => {
            let sign = match offset.get(..1)? {
                "+" => -1,
                "-" => 1,
                _ => return None,
            };
            let (oh, om) = (
                offset.get(1..3)?.parse::<i64>().ok()?,
                offset.get(4..6)?.parse::<i64>().ok()?,
            );
            Some(ms + sign * (oh * 3600 + om * 60) * 1000)
        }
        _ => None,
    }
}

// Howard Hinnant's civil-date algorithms.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for ms in [0, 1_700_000_000_123, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_iso(&iso(ms)), Some(ms), "{}", iso(ms));
        }
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            parse_iso("2021-09-20T06:37:01.766Z"),
            Some(1_632_119_821_766)
        );
        assert_eq!(
            parse_iso("2021-09-20T08:37:01.766+02:00"),
            Some(1_632_119_821_766)
        );
        assert_eq!(parse_iso("2021-09-20"), Some(1_632_096_000_000));
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(parse_iso("2021-13-01"), None);
    }

    #[test]
    fn non_ascii_input_is_refused_not_a_panic() {
        for s in [
            "2026-01-01T00:00:00€:00",
            "2026-01-01T00:00:00é0:00",
            "2026-01-01T00:00:00+0é:0",
            "2026-01-01T00:00:00.5€",
            "2026-01-01T0€:00:00Z",
            "€026-01-01",
        ] {
            assert_eq!(parse_iso(s), None, "{s}");
        }
    }
}
