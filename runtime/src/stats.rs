//! A function's statistics over a recent window, computed from the
//! invocation log's records of ended runs (test runs aside): counts by
//! status, error rate, duration percentiles and the warm-start share, in
//! all and per bucket, for a dashboard's table and charts.

use serde::Serialize;
use utoipa::ToSchema;

use crate::invocation::InvocationStatus;
use crate::store::RunSample;
use crate::time::iso;

/// A window statistics cover, with the width of its buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub(crate) enum Window {
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
}

impl Window {
    pub(crate) const NAMES: &'static str = "1h, 24h or 7d";

    pub(crate) fn parse(name: &str) -> Option<Window> {
        match name {
            "1h" => Some(Window::Hour),
            "24h" => Some(Window::Day),
            "7d" => Some(Window::Week),
            _ => None,
        }
    }

    pub(crate) fn length_ms(self) -> i64 {
        const HOUR: i64 = 3_600_000;
        match self {
            Window::Hour => HOUR,
            Window::Day => 24 * HOUR,
            Window::Week => 7 * 24 * HOUR,
        }
    }

    /// Minutes for an hour, hours for longer windows.
    fn bucket_ms(self) -> i64 {
        match self {
            Window::Hour => 60_000,
            Window::Day | Window::Week => 3_600_000,
        }
    }
}

/// Durations at three percentiles, in ms.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub(crate) struct Percentiles {
    pub(crate) p50: f64,
    pub(crate) p95: f64,
    pub(crate) p99: f64,
}

/// One bucket of the window.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bucket {
    /// When the bucket starts (ISO 8601, UTC).
    pub(crate) start: String,
    pub(crate) total: u64,
    pub(crate) failed: u64,
    /// Absent when no run in the bucket has a duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) duration_ms: Option<Percentiles>,
}

/// `GET /v1/functions/{id}/stats`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stats {
    pub(crate) function_id: i64,
    pub(crate) window: Window,
    /// The window's start and end (ISO 8601, UTC).
    pub(crate) from: String,
    pub(crate) to: String,
    /// `minute` or `hour`.
    pub(crate) bucket: &'static str,
    /// Ended runs in the window (test runs aside).
    pub(crate) total: u64,
    pub(crate) succeeded: u64,
    pub(crate) failed: u64,
    /// `failed / total`; absent without runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_rate: Option<f64>,
    /// Absent when no run has a duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) duration_ms: Option<Percentiles>,
    /// The share of runs that found a warm instance; absent when no run
    /// reached an instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) warm_share: Option<f64>,
    /// Every bucket of the window, oldest first, empty ones included.
    pub(crate) buckets: Vec<Bucket>,
}

/// The statistics of `samples` (runs created in the window ending at
/// `now_ms`; others are ignored).
pub(crate) fn compute(
    function_id: i64,
    window: Window,
    now_ms: i64,
    samples: &[RunSample],
) -> Stats {
    let width = window.bucket_ms();
    // Buckets align to the minute or hour; the first may be partly
    // outside the window.
    let end = now_ms.div_euclid(width) * width + width;
    let from = now_ms - window.length_ms();
    let first = from.div_euclid(width) * width;
    let count = usize::try_from((end - first) / width).unwrap_or(0);
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); count];
    let mut buckets: Vec<Bucket> = (0..count)
        .map(|i| Bucket {
            start: iso(first + i64::try_from(i).unwrap_or(0) * width),
            total: 0,
            failed: 0,
            duration_ms: None,
        })
        .collect();
    let (mut succeeded, mut failed, mut warm, mut reached) = (0u64, 0u64, 0u64, 0u64);
    let mut all = Vec::new();
    for sample in samples {
        if sample.created_ms < from || sample.created_ms > now_ms {
            continue;
        }
        let failure = match sample.status {
            InvocationStatus::Succeeded => false,
            InvocationStatus::Failed => true,
            // Still under way: not an ended run.
            _ => continue,
        };
        let at = usize::try_from((sample.created_ms - first) / width).unwrap_or(0);
        let Some(bucket) = buckets.get_mut(at) else {
            continue;
        };
        bucket.total += 1;
        if failure {
            bucket.failed += 1;
            failed += 1;
        } else {
            succeeded += 1;
        }
        if let Some(ms) = sample.duration_ms.filter(|ms| ms.is_finite()) {
            durations[at].push(ms);
            all.push(ms);
        }
        if let Some(was_warm) = sample.warm {
            reached += 1;
            warm += u64::from(was_warm);
        }
    }
    for (bucket, durations) in buckets.iter_mut().zip(&mut durations) {
        bucket.duration_ms = percentiles(durations);
    }
    let total = succeeded + failed;
    Stats {
        function_id,
        window,
        from: iso(from),
        to: iso(now_ms),
        bucket: if width == 60_000 { "minute" } else { "hour" },
        total,
        succeeded,
        failed,
        error_rate: (total > 0).then(|| failed as f64 / total as f64),
        duration_ms: percentiles(&mut all),
        warm_share: (reached > 0).then(|| warm as f64 / reached as f64),
        buckets,
    }
}

/// Nearest-rank percentiles.
fn percentiles(values: &mut [f64]) -> Option<Percentiles> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        let n = values.len();
        let at = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        values[at]
    };
    Some(Percentiles {
        p50: rank(0.50),
        p95: rank(0.95),
        p99: rank(0.99),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(created_ms: i64, status: InvocationStatus, ms: f64, warm: bool) -> RunSample {
        RunSample {
            created_ms,
            status,
            duration_ms: Some(ms),
            warm: Some(warm),
        }
    }

    #[test]
    fn counts_rates_and_percentiles_over_an_hour_by_minute() {
        let now = 10 * 3_600_000 + 30_000; // 10:00:30
        let mut samples: Vec<RunSample> = (1..=100)
            .map(|i| {
                sample(
                    now - 1000 - i,
                    InvocationStatus::Succeeded,
                    i as f64,
                    i % 4 != 0,
                )
            })
            .collect();
        samples.push(sample(
            now - 120_000,
            InvocationStatus::Failed,
            500.0,
            false,
        ));
        // Outside the window, still running, and in the future: ignored.
        samples.push(sample(now - 3_700_000, InvocationStatus::Failed, 1.0, true));
        samples.push(RunSample {
            created_ms: now - 5,
            status: InvocationStatus::Running,
            duration_ms: None,
            warm: None,
        });
        samples.push(sample(now + 10, InvocationStatus::Failed, 1.0, true));
        let stats = compute(7, Window::Hour, now, &samples);
        assert_eq!((stats.total, stats.succeeded, stats.failed), (101, 100, 1));
        assert_eq!(stats.error_rate, Some(1.0 / 101.0));
        let d = stats.duration_ms.expect("durations");
        assert_eq!((d.p50, d.p95, d.p99), (51.0, 96.0, 100.0));
        assert_eq!(stats.warm_share, Some(75.0 / 101.0));
        assert_eq!(stats.bucket, "minute");
        // 09:00 through 10:00, the current minute included.
        assert_eq!(stats.buckets.len(), 61);
        assert_eq!(stats.buckets[0].start, iso(9 * 3_600_000));
        let last = stats.buckets.last().expect("a bucket");
        assert_eq!((last.total, last.failed), (100, 0));
        let failed = &stats.buckets[58];
        assert_eq!((failed.total, failed.failed), (1, 1));
        assert!(stats.buckets[10].duration_ms.is_none());
    }

    #[test]
    fn an_empty_week_has_hourly_buckets_and_no_rates() {
        let stats = compute(1, Window::Week, 1_000 * 3_600_000, &[]);
        assert_eq!(stats.bucket, "hour");
        assert_eq!(stats.buckets.len(), 7 * 24 + 1);
        assert_eq!(stats.total, 0);
        assert!(stats.error_rate.is_none() && stats.duration_ms.is_none());
        assert!(stats.warm_share.is_none());
        assert_eq!(Window::parse("24h"), Some(Window::Day));
        assert_eq!(Window::parse("2h"), None);
    }
}
