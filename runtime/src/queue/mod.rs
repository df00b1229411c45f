//! The durable queue of non-blocking trigger runs.
//!
//! - **Accept**: an event is committed (group commit: one transaction per
//!   batch of concurrent accepts, see [`writer`]) before the caller gets its
//!   202. An `Idempotency-Key` makes a retried delivery the same job.
//! - **Run**: the [`dispatcher`] leases due jobs, within a global and a
//!   per-application concurrency bound, fairly: claims take every
//!   application's next job in rounds, and a free slot goes to the
//!   application with the fewest runs, so one application's backlog does
//!   not hold up another's jobs. A run this node cannot start (no instance
//!   free, the database busy) goes back to the queue without spending an
//!   attempt. These slots are the
//!   queue's own: queued runs never take blocking triggers' slots, nor the
//!   reverse. A failed run is retried with exponential backoff and jitter
//!   until its attempts are spent; then the job is FAILED until re-driven.
//! - **Crashes**: leases are short and renewed by a heartbeat while their
//!   node lives, so a job leased by a process that died is claimed again
//!   within a lease (15 s by default); a restarted single-node (SQLite)
//!   server resumes its previous run's jobs at once. Claims are atomic and
//!   outcomes are only recorded by the current lease holder, so a job never
//!   runs twice at once while its node keeps its heartbeat; it can run
//!   twice in all (at least once) when a node dies after running a job but
//!   before recording it, or stalls for longer than a lease.
//! - **Order**: an application's jobs start in the order they are due
//!   (acceptance order, retries when their delay ends), but run
//!   concurrently, so nothing about completion order is promised.
//!
//! The queue needs the job store, the directory (to find a job's
//! application and version) and the [`Invoker`]; nothing of the HTTP
//! service.

mod dispatcher;
mod writer;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, oneshot};

use crate::batch::{BatchWriter, Stopped};
use crate::config::QueueConfig;
use crate::directory::Directory;
use crate::error::Result;
use crate::invocation::{Invocation, Pending};
use crate::invoker::Invoker;
use crate::store::{Job, JobOutcome, JobStore, NewJob};
use crate::tail::Tail;
use writer::Write;

/// What wakes the dispatcher: new jobs (which may be another
/// application's, to be claimed soon even while slots are busy with
/// claimed ones) or a free slot.
#[derive(Default)]
pub(super) struct Wake {
    notify: Notify,
    arrivals: AtomicBool,
}

impl Wake {
    /// Jobs were accepted or re-driven.
    pub(super) fn arrived(&self) {
        self.arrivals.store(true, Ordering::Release);
        self.notify.notify_one();
    }

    /// Whether jobs arrived since the last call.
    fn take_arrivals(&self) -> bool {
        self.arrivals.swap(false, Ordering::AcqRel)
    }

    /// Waits for a wake, at most `timeout`.
    async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.notify.notified()).await;
    }
}

pub(crate) struct Queue {
    config: QueueConfig,
    /// This node's name on its leases: random per process.
    node: String,
    writer: BatchWriter<Write>,
    /// Woken when jobs arrive or a slot frees up.
    wake: Arc<Wake>,
    slots: Arc<Semaphore>,
    /// Running jobs per application.
    running: Mutex<HashMap<i64, usize>>,
    store: Arc<dyn JobStore>,
    directory: Arc<Directory>,
    invoker: Arc<Invoker>,
    /// Where changes of queued runs are published once committed.
    tail: Arc<Tail>,
}

impl Queue {
    pub(crate) fn new(
        store: Arc<dyn JobStore>,
        directory: Arc<Directory>,
        invoker: Arc<Invoker>,
        tail: Arc<Tail>,
        config: QueueConfig,
    ) -> std::io::Result<Queue> {
        let wake = Arc::new(Wake::default());
        let writer = writer::start(Arc::clone(&store), Arc::clone(&wake), Arc::clone(&tail))?;
        // The node's name on its leases: two nodes with one name would
        // renew each other's, so no randomness means no queue.
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).map_err(|e| {
            std::io::Error::other(format!("no randomness for this node's queue id: {e}"))
        })?;
        Ok(Queue {
            node: id.iter().map(|b| format!("{b:02x}")).collect(),
            slots: Arc::new(Semaphore::new(config.concurrency)),
            config,
            writer,
            wake,
            running: Mutex::default(),
            store,
            directory,
            invoker,
            tail,
        })
    }

    /// Starts the dispatcher and the lease heartbeat; they run until the
    /// process ends.
    pub(crate) fn start(self: &Arc<Self>) {
        tracing::info!(node = %self.node, "the queue leases jobs under this node's name");
        let queue = Arc::clone(self);
        tokio::spawn(async move { dispatcher::dispatch(queue).await });
        let queue = Arc::clone(self);
        tokio::spawn(async move { dispatcher::heartbeat(queue).await });
    }

    /// Commits `job`; returns its id (an earlier job's for a repeated
    /// idempotency key) once it is durable.
    pub(crate) async fn accept(&self, job: NewJob) -> Result<i64> {
        let (done, wait) = oneshot::channel();
        self.writer.send(Write::Enqueue(job, done))?;
        Ok(wait.await.map_err(|_| Stopped("queue-writer"))??)
    }

    /// Waits until every outcome sent so far is committed.
    pub(crate) async fn flush(&self) {
        self.writer.flush().await;
    }

    /// Makes the dispatcher look for due jobs now.
    pub(crate) fn wake(&self) {
        self.wake.arrived();
    }

    /// A run of `app` ended (or never started): its slot is free.
    fn ran(&self, app: i64) {
        {
            let mut running = self.running();
            if let Some(n) = running.get_mut(&app) {
                *n -= 1;
                if *n == 0 {
                    running.remove(&app);
                }
            }
        }
        self.wake.notify.notify_one();
    }

    fn end(&self, outcome: JobOutcome) {
        if self.writer.send(Write::End(outcome)).is_err() {
            tracing::error!("the queue writer has stopped; a job outcome was dropped");
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, usize>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The delay before attempt `attempt + 1`.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.config.retry_base.as_secs_f64();
        let exponential = base * 2f64.powi(i32::try_from(attempt.saturating_sub(1)).unwrap_or(30));
        let mut bytes = [0u8; 2];
        let _ = getrandom::fill(&mut bytes);
        let jitter = 0.75 + f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX) * 0.5;
        Duration::from_secs_f64((exponential * jitter).min(self.config.retry_max.as_secs_f64()))
    }
}

/// The record of an accepted job, before its first run (for the live
/// tail; the store makes the same from the job when asked).
pub(crate) fn queued_record(job: &NewJob) -> Invocation {
    Invocation {
        pending: Some(Pending::Queued),
        ..unrun_record(
            job.id,
            job.app_id,
            job.function_id,
            job.version_number,
            &job.trigger,
            &job.event,
            job.created_ms,
        )
    }
}

/// The record of a claimed job's run as it starts (for the live tail; a
/// run that cannot start ends from it).
fn running_record(job: &Job, now_ms: i64) -> Invocation {
    Invocation {
        attempts: job.attempt,
        pending: Some(Pending::Running),
        started_ms: Some(now_ms),
        ..unrun_record(
            job.id,
            job.app_id,
            job.function_id,
            job.version_number,
            &job.trigger,
            &job.event,
            now_ms,
        )
    }
}

/// What a job's record holds before anything ran: the job's own fields.
fn unrun_record(
    id: i64,
    app_id: i64,
    function_id: i64,
    version_number: i64,
    trigger: &str,
    event: &str,
    created_ms: i64,
) -> Invocation {
    Invocation {
        id,
        app_id,
        function_id,
        version_number,
        trigger: trigger.to_owned(),
        test: false,
        args: serde_json::value::RawValue::from_string(event.to_owned()).unwrap_or_default(),
        outcome: None,
        logs: Vec::new(),
        calls: Vec::new(),
        created_ms,
        ended_ms: None,
        duration_ms: None,
        attempts: 0,
        pending: None,
        started_ms: None,
        warm: None,
        reused: None,
        start_ms: None,
        past_attempts: Vec::new(),
    }
}
