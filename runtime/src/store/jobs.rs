//! The durable queue of non-blocking trigger runs, as stored: one row per
//! accepted event. A job's id is its invocation's id.

use super::StoreResult;
use crate::invocation::Invocation;

/// An accepted event, to be run later.
#[derive(Clone, Debug)]
pub(crate) struct NewJob {
    pub(crate) id: i64,
    pub(crate) app_id: i64,
    pub(crate) function_id: i64,
    pub(crate) version_number: i64,
    pub(crate) trigger: String,
    pub(crate) event: String,
    /// The chat server's `Idempotency-Key`: a second event with the same
    /// key (per application) is the first one.
    pub(crate) idempotency_key: Option<String>,
    pub(crate) created_ms: i64,
}

/// A claimed job: leased to this process until it ends or the lease runs
/// out.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub(crate) id: i64,
    pub(crate) app_id: i64,
    pub(crate) function_id: i64,
    pub(crate) version_number: i64,
    pub(crate) trigger: String,
    pub(crate) event: String,
    /// This run's attempt number, from 1.
    pub(crate) attempt: u32,
}

/// What a claim asks for: due jobs, spread fairly over applications.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClaimRequest<'a> {
    /// The node the leases are for.
    pub(crate) owner: &'a str,
    pub(crate) now_ms: i64,
    pub(crate) lease_ms: i64,
    /// Jobs at most.
    pub(crate) limit: usize,
    /// Jobs of one application at most.
    pub(crate) per_app: usize,
    /// Applications whose jobs are not wanted now (at their cap).
    pub(crate) skip_apps: &'a [i64],
    /// Where the walk over applications starts (after this id, wrapping
    /// round), so that with more applications than `limit` each gets its
    /// turn.
    pub(crate) after_app: i64,
}

/// How a claimed run ended.
#[derive(Clone, Debug)]
pub(crate) enum JobEnd {
    Done,
    /// It could not run for a reason of this node's (no instance free, the
    /// database busy): back in the queue at this time, its attempt not
    /// counted.
    Release {
        at_ms: i64,
    },
    /// Run again at this time.
    Retry {
        at_ms: i64,
        /// Why it failed, in one line.
        error: String,
    },
    /// Out of attempts (or not runnable): kept as FAILED until re-driven.
    Failed {
        /// Why it failed, in one line.
        error: String,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct JobOutcome {
    pub(crate) id: i64,
    /// The attempt that ended; a stale runner's outcome (the job was
    /// reclaimed after its lease ran out) is ignored.
    pub(crate) attempt: u32,
    pub(crate) end: JobEnd,
    /// The run's invocation record, committed with the outcome: a job is
    /// never marked done without its record (or its record kept without
    /// the job ending), whenever the process dies.
    pub(crate) record: Option<Box<Invocation>>,
}

/// Jobs of a function by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct QueueCounts {
    /// Waiting for their first run.
    pub(crate) queued: u64,
    pub(crate) running: u64,
    /// Waiting to run again after a failure.
    pub(crate) retrying: u64,
    /// Out of attempts.
    pub(crate) failed: u64,
}

/// The queue's storage: what the dispatcher and the queue writer need.
pub(crate) trait JobStore: Send + Sync {
    /// Accepts events for later runs, in one commit, each with its
    /// invocation record (QUEUED); returns their ids (an earlier job's for
    /// a repeated idempotency key).
    fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<Vec<i64>>;
    /// Leases due jobs to a node; their records turn RUNNING. Jobs whose
    /// lease ran out (their node died) come first, oldest first; then
    /// queued jobs, each application's in order of when they are due,
    /// taken in rounds over the applications: every application's first
    /// job, then every one's second, and so on, so one application's
    /// backlog does not hold up another's jobs. Returned in id order.
    fn claim(&self, request: &ClaimRequest<'_>) -> StoreResult<Vec<Job>>;
    /// [`JobStore::claim`] with no cap per application.
    #[cfg(test)]
    fn claim_jobs(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
        skip_apps: &[i64],
    ) -> StoreResult<Vec<Job>> {
        self.claim(&ClaimRequest {
            owner,
            now_ms,
            lease_ms,
            limit,
            per_app: limit,
            skip_apps,
            after_app: i64::MIN,
        })
    }
    /// Extends every lease `owner` holds to `now_ms + lease_ms` (the
    /// heartbeat of a live node); returns how many.
    fn renew_leases(&self, owner: &str, now_ms: i64, lease_ms: i64) -> StoreResult<u64>;
    /// At start: makes the leases of nodes that cannot be running any more
    /// claimable now. A backend only one node uses (SQLite) ends them all;
    /// one shared by nodes leaves them to run out.
    fn resume_abandoned_jobs(&self, now_ms: i64) -> StoreResult<u64>;
    /// Records how claimed runs ended, with their records, in one commit.
    fn end_jobs(&self, outcomes: &[JobOutcome]) -> StoreResult<()>;
    /// A function's jobs by state.
    fn queue_counts(&self, app: i64, function: i64) -> StoreResult<QueueCounts>;
    /// Jobs of every application by state.
    fn queue_totals(&self) -> StoreResult<QueueCounts>;
    /// Queues a failed job again (its record QUEUED); false when it is not
    /// a failed job of `app`.
    fn redrive_job(&self, app: i64, id: i64, now_ms: i64) -> StoreResult<bool>;
    /// Forgets finished jobs accepted before `before_ms`.
    fn prune_done_jobs(&self, before_ms: i64) -> StoreResult<u64>;
}
