//! The durable queue of non-blocking trigger runs.
//!
//! - **Accept**: an event is committed (group commit: one transaction per
//!   batch of concurrent accepts) before the caller gets its 202. An
//!   `Idempotency-Key` makes a retried delivery the same job.
//! - **Run**: a dispatcher leases due jobs (oldest first), within a global
//!   and a per-application concurrency bound kept separate from blocking
//!   triggers' slots. A failed run is retried with exponential backoff and
//!   jitter until its attempts are spent; then the job is FAILED until
//!   re-driven.
//! - **Crashes**: a job leased by a process that died is claimed again once
//!   its lease runs out. Claims are atomic and outcomes are only recorded
//!   by the current lease holder, so a job never runs twice at once; it can
//!   run twice in all (at least once) when a process dies after running a
//!   job but before recording it.
//! - **Order**: jobs start in acceptance order, but run concurrently and
//!   retries go to the back, so nothing about completion order is promised.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::value::RawValue;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, oneshot};

use super::log::persist;
use super::{Attempt, Run, RunError, Service};
use crate::store::{Job, JobEnd, JobOutcome, NewJob, Store, StoreError};
use crate::time::now_ms;

/// Tunables of the queue.
#[derive(Clone, Debug)]
pub(crate) struct QueueConfig {
    /// Jobs running at once, over all applications (0: none; the queue
    /// only accepts).
    pub(crate) concurrency: usize,
    /// Jobs of one application running at once.
    pub(crate) app_concurrency: usize,
    /// Runs per job, the first included.
    pub(crate) max_attempts: u32,
    /// Delay before the first retry; doubled per attempt, with ±25% jitter.
    pub(crate) retry_base: Duration,
    pub(crate) retry_max: Duration,
    /// How long a claimed job is reserved for its runner. It must outlast
    /// any run (function timeouts are at most 60 s), since an expired lease
    /// is how a dead runner's jobs are found.
    pub(crate) lease: Duration,
    /// How often to look for due jobs when nothing wakes the dispatcher.
    pub(crate) poll: Duration,
}

impl Default for QueueConfig {
    fn default() -> QueueConfig {
        QueueConfig {
            concurrency: 16,
            app_concurrency: 8,
            max_attempts: 3,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
            lease: Duration::from_secs(300),
            poll: Duration::from_millis(200),
        }
    }
}

enum Write {
    Enqueue(NewJob, oneshot::Sender<Result<i64, StoreError>>),
    End(JobOutcome),
    Flush(oneshot::Sender<()>),
}

/// Largest batch per commit.
const BATCH: usize = 1024;

pub(crate) struct Queue {
    config: QueueConfig,
    writer: Sender<Write>,
    /// Woken when jobs arrive or a slot frees up.
    wake: Arc<Notify>,
    slots: Arc<Semaphore>,
    /// Running jobs per application.
    running: Mutex<HashMap<i64, usize>>,
}

impl Queue {
    pub(crate) fn new(store: Arc<dyn Store>, config: QueueConfig) -> std::io::Result<Queue> {
        let (writer, receiver) = mpsc::channel();
        let wake = Arc::new(Notify::new());
        let woken = Arc::clone(&wake);
        std::thread::Builder::new()
            .name("queue-writer".into())
            .spawn(move || write(&*store, &receiver, &woken))?;
        Ok(Queue {
            slots: Arc::new(Semaphore::new(config.concurrency)),
            config,
            writer,
            wake,
            running: Mutex::default(),
        })
    }

    /// Commits `job`; returns its id (an earlier job's for a repeated
    /// idempotency key) once it is durable.
    pub(crate) async fn accept(&self, job: NewJob) -> Result<i64, StoreError> {
        let (done, wait) = oneshot::channel();
        self.writer
            .send(Write::Enqueue(job, done))
            .map_err(|_| StoreError::Database("the queue writer has stopped".into()))?;
        wait.await
            .map_err(|_| StoreError::Database("the queue writer has stopped".into()))?
    }

    /// Waits until every outcome sent so far is committed.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.writer.send(Write::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Makes the dispatcher look for due jobs now.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
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

/// Commits enqueues and outcomes in batches; wakes the dispatcher when new
/// jobs are in.
fn write(store: &dyn Store, receiver: &Receiver<Write>, wake: &Notify) {
    while let Ok(first) = receiver.recv() {
        let mut jobs = Vec::new();
        let mut replies = Vec::new();
        let mut outcomes = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Write::Enqueue(job, reply) => {
                    jobs.push(job);
                    replies.push(reply);
                }
                Write::End(outcome) => outcomes.push(outcome),
                Write::Flush(done) => flushes.push(done),
            }
            next = if jobs.len() + outcomes.len() < BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if !outcomes.is_empty() {
            persist("recording job outcomes", outcomes.len(), || {
                store.end_jobs(&outcomes)
            });
        }
        if !jobs.is_empty() {
            match store.enqueue_jobs(&jobs) {
                Ok(ids) => {
                    for (reply, id) in replies.into_iter().zip(ids) {
                        let _ = reply.send(Ok(id));
                    }
                }
                Err(e) => {
                    tracing::error!(jobs = jobs.len(), "accepting events failed: {e}");
                    for reply in replies {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
            wake.notify_one();
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// Runs the dispatcher until the process ends.
pub(crate) fn start(service: Arc<Service>) {
    tokio::spawn(async move { dispatch(service).await });
}

/// Jobs claimed per claim, per free slot: claims are write transactions,
/// so a few slots' worth is leased at once and started as slots free up.
const CLAIM_PER_SLOT: usize = 4;

async fn dispatch(service: Arc<Service>) {
    let queue = &service.queue;
    let lease = i64::try_from(queue.config.lease.as_millis()).unwrap_or(i64::MAX);
    let mut claimed: std::collections::VecDeque<Job> = std::collections::VecDeque::new();
    loop {
        if claimed.is_empty() {
            if queue.config.concurrency == 0 {
                // Paused: this server only accepts.
                std::future::pending::<()>().await;
            }
            let busy: Vec<i64> = queue
                .running()
                .iter()
                .filter(|(_, n)| **n >= queue.config.app_concurrency)
                .map(|(app, _)| *app)
                .collect();
            let limit = queue.config.concurrency.max(1) * CLAIM_PER_SLOT;
            match service
                .store(move |s| s.claim_jobs(now_ms(), lease, limit, &busy))
                .await
            {
                Ok(jobs) if jobs.is_empty() => {
                    let _ = tokio::time::timeout(queue.config.poll, queue.wake.notified()).await;
                    continue;
                }
                Ok(jobs) => claimed.extend(jobs),
                Err(e) => {
                    tracing::error!("claiming jobs failed: {e}");
                    tokio::time::sleep(queue.config.poll).await;
                    continue;
                }
            }
        }
        let Some(job) = claimed.pop_front() else {
            continue;
        };
        // Wait for a slot, and for the job's application to be under its
        // own bound.
        let permit = loop {
            let under = queue
                .running()
                .get(&job.app_id)
                .is_none_or(|n| *n < queue.config.app_concurrency);
            if under && let Ok(permit) = Arc::clone(&queue.slots).try_acquire_owned() {
                break permit;
            }
            let _ = tokio::time::timeout(queue.config.poll, queue.wake.notified()).await;
        };
        *queue.running().entry(job.app_id).or_default() += 1;
        let service = Arc::clone(&service);
        tokio::spawn(async move { run(service, job, permit).await });
    }
}

async fn run(service: Arc<Service>, job: Job, _permit: OwnedSemaphorePermit) {
    let (id, app, attempt) = (job.id, job.app_id, job.attempt);
    let (record, result) = match run_once(&service, &job).await {
        Ok(run) => {
            let error = run.failure.map(|_| {
                run.invocation
                    .error
                    .clone()
                    .unwrap_or_else(|| "the invocation failed".into())
            });
            (Some(Box::new(run.invocation)), Ok(error))
        }
        Err(error) => (None, Err(error)),
    };
    let end = match result {
        Ok(None) => JobEnd::Done,
        Ok(Some(error)) | Err(error) => {
            let queue = &service.queue;
            if attempt < queue.config.max_attempts {
                let delay = queue.backoff(attempt);
                tracing::info!(job = id, attempt, ?delay, "run failed, will retry: {error}");
                JobEnd::Retry {
                    at_ms: now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
                    error,
                }
            } else {
                tracing::warn!(job = id, attempt, "run failed, no attempts left: {error}");
                JobEnd::Failed { error }
            }
        }
    };
    let queue = &service.queue;
    queue.end(JobOutcome {
        id,
        attempt,
        end,
        record,
    });
    {
        let mut running = queue.running();
        if let Some(n) = running.get_mut(&app) {
            *n -= 1;
            if *n == 0 {
                running.remove(&app);
            }
        }
    }
    queue.wake.notify_one();
}

/// Runs a job once; `Err` when it could not run. Its record is left for
/// the queue writer to commit with the job's outcome.
async fn run_once(service: &Arc<Service>, job: &Job) -> Result<Run, String> {
    let (app_id, function_id, number) = (job.app_id, job.function_id, job.version_number);
    let app = service
        .application_by_id(app_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the application no longer exists")?;
    let deployment = service
        .version(app_id, function_id, number)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the function or its version no longer exists")?;
    let (function, version) = (&deployment.function, &deployment.version);
    let event = RawValue::from_string(job.event.clone()).map_err(|e| e.to_string())?;
    match service
        .execute(
            &app,
            function,
            version,
            &event,
            Attempt {
                id: job.id,
                number: job.attempt,
                test: false,
            },
        )
        .await
    {
        Ok(run) => Ok(run),
        Err(RunError::Saturated) => Err("every invocation slot was busy".into()),
        Err(RunError::Store(e)) => Err(e.to_string()),
        Err(RunError::Sandbox(e)) => Err(e),
    }
}
