//! Process-wide counters behind `GET /metrics` (Prometheus text format
//! 0.0.4): invocations by trigger type and outcome, their durations, and
//! runs refused for want of a slot. The API adds gauges read at scrape
//! time (the queue by state, images in memory, warm instances).
//!
//! Aggregates only: no application, function or key label, so the
//! endpoint breaks no tenant's traffic out for whoever can reach it.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::invocation::FailureKind;

use crate::store::QueueCounts;
use crate::triggers::TRIGGER_TYPES;

/// What an invocation ended as: success, or one of the sandbox's error
/// kinds (an image that failed to build counts as `exception`, as its
/// invocation record says).
const OUTCOMES: [&str; 8] = [
    "succeeded",
    "exception",
    "timeout",
    "memory_limit",
    "invalid_result",
    "unsettled",
    "crash",
    "cpu_limit",
];

fn outcome_index(failure: Option<FailureKind>) -> usize {
    match failure {
        None => 0,
        // An image that could not be built counts as the handler throwing.
        Some(FailureKind::Exception | FailureKind::InitError) => 1,
        Some(FailureKind::Timeout) => 2,
        Some(FailureKind::MemoryLimit) => 3,
        Some(FailureKind::InvalidResult) => 4,
        Some(FailureKind::Unsettled) => 5,
        Some(FailureKind::Crash) => 6,
        Some(FailureKind::CpuLimit) => 7,
    }
}

/// Upper bounds of the duration histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

pub(crate) struct Metrics {
    /// Per trigger type (in `TRIGGER_TYPES` order), per outcome.
    invocations: Vec<[AtomicU64; OUTCOMES.len()]>,
    /// Per bucket (not cumulative; the text is), then the +Inf overflow.
    durations: [AtomicU64; BUCKETS.len() + 1],
    duration_micros: AtomicU64,
    saturated: AtomicU64,
    /// The last queue count and when it was taken (see the API's scrape).
    pub(crate) queue_counts: tokio::sync::Mutex<Option<(Instant, QueueCounts)>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            invocations: TRIGGER_TYPES
                .iter()
                .map(|_| std::array::from_fn(|_| AtomicU64::new(0)))
                .collect(),
            durations: std::array::from_fn(|_| AtomicU64::new(0)),
            duration_micros: AtomicU64::new(0),
            saturated: AtomicU64::new(0),
            queue_counts: tokio::sync::Mutex::new(None),
        }
    }
}

/// Read at scrape time, from the store and the sandbox.
pub(crate) struct Gauges {
    /// Jobs of non-blocking triggers: queued, running, retrying, failed.
    pub(crate) queue: [(&'static str, u64); 4],
    pub(crate) images: usize,
    pub(crate) image_bytes: usize,
    pub(crate) warm_instances: usize,
    pub(crate) kept_instances: usize,
    pub(crate) bakes_pending: usize,
    /// Unused instance slots that keep an image mapped, and their
    /// resident bytes.
    pub(crate) idle_slots: (usize, usize),
}

impl Metrics {
    /// Counts a finished run of a function on `trigger`.
    pub(crate) fn invoked(&self, trigger: &str, failure: Option<FailureKind>, took: Duration) {
        if let Some(i) = TRIGGER_TYPES.iter().position(|t| t.name == trigger) {
            self.invocations[i][outcome_index(failure)].fetch_add(1, Ordering::Relaxed);
        }
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.durations[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.duration_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a run refused because every slot stayed busy.
    pub(crate) fn saturated(&self) {
        self.saturated.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub(crate) fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::with_capacity(4096);
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        out.push_str(
            "# HELP chatfn_invocations_total Function runs, by trigger type and outcome.\n\
             # TYPE chatfn_invocations_total counter\n",
        );
        for (trigger, counts) in TRIGGER_TYPES.iter().zip(&self.invocations) {
            for (outcome, count) in OUTCOMES.iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "chatfn_invocations_total{{trigger=\"{}\",outcome=\"{outcome}\"}} {}",
                    trigger.name,
                    load(count)
                );
            }
        }
        out.push_str(
            "# HELP chatfn_invocation_duration_seconds Function runs' wall time, image lookup included.\n\
             # TYPE chatfn_invocation_duration_seconds histogram\n",
        );
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.durations) {
            cumulative += load(count);
            let _ = writeln!(
                out,
                "chatfn_invocation_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += load(&self.durations[BUCKETS.len()]);
        let _ = writeln!(
            out,
            "chatfn_invocation_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n\
             chatfn_invocation_duration_seconds_sum {}\n\
             chatfn_invocation_duration_seconds_count {cumulative}",
            load(&self.duration_micros) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "# HELP chatfn_saturated_total Runs refused because every invocation slot stayed busy.\n\
             # TYPE chatfn_saturated_total counter\n\
             chatfn_saturated_total {}",
            load(&self.saturated)
        );
        out.push_str(
            "# HELP chatfn_queue_jobs Accepted non-blocking events not done yet, by state.\n\
             # TYPE chatfn_queue_jobs gauge\n",
        );
        for (state, count) in gauges.queue {
            let _ = writeln!(out, "chatfn_queue_jobs{{state=\"{state}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "# HELP chatfn_images Images kept in memory.\n\
             # TYPE chatfn_images gauge\n\
             chatfn_images {}\n\
             # HELP chatfn_image_bytes Private memory of the images kept in memory, as their cache counts it (an image whose snapshot is mapped from the disk cache counts only wasmtime's metadata about it).\n\
             # TYPE chatfn_image_bytes gauge\n\
             chatfn_image_bytes {}\n\
             # HELP chatfn_warm_instances Instances made ahead of invocations, waiting in warm pools.\n\
             # TYPE chatfn_warm_instances gauge\n\
             chatfn_warm_instances {}\n\
             # HELP chatfn_kept_instances Instances kept between invocations of functions with instance reuse, waiting for the next.\n\
             # TYPE chatfn_kept_instances gauge\n\
             chatfn_kept_instances {}\n\
             # HELP chatfn_bakes_pending Images serving late-bound (their handler loaded per instance) that wait for their bake or are being baked.\n\
             # TYPE chatfn_bakes_pending gauge\n\
             chatfn_bakes_pending {}\n\
             # HELP chatfn_idle_slots Unused instance slots that keep an image's memory mapped for its next instance.\n\
             # TYPE chatfn_idle_slots gauge\n\
             chatfn_idle_slots {}\n\
             # HELP chatfn_idle_slot_bytes Memory those slots keep resident.\n\
             # TYPE chatfn_idle_slot_bytes gauge\n\
             chatfn_idle_slot_bytes {}",
            gauges.images,
            gauges.image_bytes,
            gauges.warm_instances,
            gauges.kept_instances,
            gauges.bakes_pending,
            gauges.idle_slots.0,
            gauges.idle_slots.1,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauges() -> Gauges {
        Gauges {
            queue: [
                ("queued", 3),
                ("running", 1),
                ("retrying", 0),
                ("failed", 2),
            ],
            images: 5,
            image_bytes: 1024,
            warm_instances: 4,
            kept_instances: 2,
            bakes_pending: 1,
            idle_slots: (7, 8192),
        }
    }

    fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
    }

    #[test]
    fn counts_render_by_trigger_outcome_and_bucket() {
        let metrics = Metrics::default();
        let sent = "user.sent.message";
        metrics.invoked(sent, None, Duration::from_micros(300));
        metrics.invoked(sent, None, Duration::from_millis(2));
        metrics.invoked(sent, Some(FailureKind::Timeout), Duration::from_secs(60));
        metrics.invoked("no.such.trigger", None, Duration::from_micros(50));
        metrics.saturated();
        let text = metrics.render(&gauges());
        let outcome = |o: &str| {
            line(
                &text,
                &format!("chatfn_invocations_total{{trigger=\"{sent}\",outcome=\"{o}\"}}"),
            )
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
        };
        assert_eq!(outcome("succeeded"), "2");
        assert_eq!(outcome("timeout"), "1");
        assert_eq!(outcome("crash"), "0");
        // Buckets are cumulative; 60 s is past the last bound. An unknown
        // trigger is not counted by trigger, but its duration is.
        assert_eq!(
            line(
                &text,
                "chatfn_invocation_duration_seconds_bucket{le=\"0.0001\"}"
            ),
            "chatfn_invocation_duration_seconds_bucket{le=\"0.0001\"} 1"
        );
        assert!(text.contains("chatfn_invocation_duration_seconds_bucket{le=\"0.0005\"} 2\n"));
        assert!(text.contains("chatfn_invocation_duration_seconds_bucket{le=\"0.0025\"} 3\n"));
        assert!(text.contains("chatfn_invocation_duration_seconds_bucket{le=\"30\"} 3\n"));
        assert!(text.contains("chatfn_invocation_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
        assert!(text.contains("chatfn_invocation_duration_seconds_count 4\n"));
        assert!(text.contains("chatfn_invocation_duration_seconds_sum 60.00235\n"));
        assert!(text.contains("chatfn_saturated_total 1\n"));
        assert!(text.contains("chatfn_queue_jobs{state=\"failed\"} 2\n"));
        assert!(text.contains("chatfn_warm_instances 4"));
        assert!(text.contains("chatfn_kept_instances 2\n"));
        assert!(text.contains("chatfn_bakes_pending 1\n"));
        assert!(text.contains("chatfn_idle_slots 7\n"));
        assert!(text.contains("chatfn_idle_slot_bytes 8192\n"));
        // Every sample line is `name{labels} value` or `name value`.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let value = l.rsplit(' ').next().unwrap_or_default();
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
    }
}
