//! Leases due jobs and runs them within the queue's slots.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;
use tokio::sync::OwnedSemaphorePermit;

use super::Queue;
use crate::error::Error;
use sandbox::GuestError;

use crate::invocation::{FailureKind, Invocation, InvocationError, Pending};
use crate::invoker::{Attempt, Call};
use crate::store::{Job, JobEnd, JobOutcome, StoreError, blocking};
use crate::time::now_ms;

/// Jobs claimed per claim, per free slot: claims are write transactions,
/// so a few slots' worth is leased at once and started as slots free up.
const CLAIM_PER_SLOT: usize = 4;

/// The longest wait between failed claims.
const MAX_CLAIM_BACKOFF: Duration = Duration::from_secs(5);

/// Renews this node's leases every third of a lease, so that they run out
/// only when the node is gone (or stalled for a whole lease).
pub(super) async fn heartbeat(queue: Arc<Queue>) {
    let lease = lease_ms(&queue);
    let mut every = tokio::time::interval((queue.config.lease / 3).max(Duration::from_millis(100)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let node = queue.node.clone();
        if let Err(e) = blocking(&queue.store, move |s| {
            s.renew_leases(&node, now_ms(), lease)
        })
        .await
        {
            tracing::error!("renewing job leases failed: {e}");
        }
    }
}

fn lease_ms(queue: &Queue) -> i64 {
    i64::try_from(queue.config.lease.as_millis()).unwrap_or(i64::MAX)
}

pub(super) async fn dispatch(queue: Arc<Queue>) {
    let lease = lease_ms(&queue);
    match blocking(&queue.store, |s| s.resume_abandoned_jobs(now_ms())).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "resuming the jobs a previous run left leased"),
        Err(e) => tracing::error!("resuming abandoned jobs failed: {e}"),
    }
    let mut claimed: VecDeque<Job> = VecDeque::new();
    // Grows while claims fail (the database is out of reach), so an outage
    // costs neither a busy loop nor a flood of log lines.
    let mut backoff = queue.config.poll;
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
            let node = queue.node.clone();
            match blocking(&queue.store, move |s| {
                s.claim_jobs(&node, now_ms(), lease, limit, &busy)
            })
            .await
            {
                Ok(jobs) if jobs.is_empty() => {
                    backoff = queue.config.poll;
                    let _ = tokio::time::timeout(queue.config.poll, queue.wake.notified()).await;
                    continue;
                }
                Ok(jobs) => {
                    backoff = queue.config.poll;
                    claimed.extend(jobs);
                }
                Err(e) => {
                    tracing::error!("claiming jobs failed, trying again in {backoff:?}: {e}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_CLAIM_BACKOFF);
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
        let queue = Arc::clone(&queue);
        tokio::spawn(async move { run(queue, job, permit).await });
    }
}

async fn run(queue: Arc<Queue>, job: Job, _permit: OwnedSemaphorePermit) {
    let (id, app, attempt) = (job.id, job.app_id, job.attempt);
    let (mut record, error) = match run_once(&queue, &job).await {
        Ok(invocation) => {
            let error = invocation.error().map(InvocationError::summary);
            (invocation, error)
        }
        Err(error) => {
            tracing::warn!(job = id, attempt, "the job could not run: {error}");
            (not_run(&job, &error), Some(error.to_string()))
        }
    };
    let end = match error {
        None => JobEnd::Done,
        Some(error) if attempt < queue.config.max_attempts => {
            let delay = queue.backoff(attempt);
            tracing::info!(job = id, attempt, ?delay, "run failed, will retry: {error}");
            JobEnd::Retry {
                at_ms: now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
                error,
            }
        }
        Some(error) => {
            tracing::warn!(job = id, attempt, "run failed, no attempts left: {error}");
            JobEnd::Failed { error }
        }
    };
    if matches!(end, JobEnd::Retry { .. }) {
        record.pending = Some(Pending::Retrying);
    }
    queue.end(JobOutcome {
        id,
        attempt,
        end,
        record: Some(Box::new(record)),
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

/// Why a job could not run at all (a run that failed has a record).
#[derive(Debug, thiserror::Error)]
enum NotRun {
    #[error("{0} no longer exists")]
    Gone(&'static str),
    #[error("the stored event is not JSON: {0}")]
    Event(serde_json::Error),
    #[error(transparent)]
    Service(#[from] Error),
}

impl From<StoreError> for NotRun {
    fn from(e: StoreError) -> NotRun {
        NotRun::Service(e.into())
    }
}

/// The record of an attempt that could not start (its function is gone,
/// say): failed, with why, so the invocation does not stay RUNNING.
fn not_run(job: &Job, why: &NotRun) -> Invocation {
    let now = now_ms();
    Invocation {
        id: job.id,
        app_id: job.app_id,
        function_id: job.function_id,
        version_number: job.version_number,
        trigger: job.trigger.clone(),
        test: false,
        args: RawValue::from_string(job.event.clone()).unwrap_or_default(),
        outcome: Some(Err(InvocationError {
            kind: FailureKind::Crash,
            error: GuestError::new("NotRunError", why.to_string()),
        })),
        logs: Vec::new(),
        calls: Vec::new(),
        created_ms: now,
        ended_ms: Some(now),
        duration_ms: None,
        attempts: job.attempt,
        pending: None,
        started_ms: Some(now),
        warm: None,
        start_ms: None,
        past_attempts: Vec::new(),
    }
}

/// Runs a job once. Its record is left for the queue writer to commit
/// with the job's outcome.
async fn run_once(queue: &Queue, job: &Job) -> Result<Invocation, NotRun> {
    let (app_id, function_id, number) = (job.app_id, job.function_id, job.version_number);
    let directory = &queue.directory;
    let app = directory
        .application(app_id)
        .await?
        .ok_or(NotRun::Gone("the application"))?;
    let deployment = directory
        .version(app_id, function_id, number)
        .await?
        .ok_or(NotRun::Gone("the function or its version"))?;
    let runtime = directory.runtime(app_id).await?;
    let event = RawValue::from_string(job.event.clone()).map_err(NotRun::Event)?;
    let call = Call {
        app: &app,
        function: &deployment.function,
        version_number: number,
        event: &event,
        attempt: Attempt {
            id: job.id,
            number: job.attempt,
            test: false,
            queued: true,
        },
    };
    Ok(queue
        .invoker
        .invoke(&runtime, &deployment.version, call)
        .await?)
}
