//! Leases due jobs and runs them within the queue's slots.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;
use tokio::sync::OwnedSemaphorePermit;

use super::Queue;
use crate::error::Error;
use sandbox::GuestError;

use crate::invocation::{FailureKind, Invocation, InvocationError, Pending};
use crate::invoker::{Attempt, Call};
use crate::store::{ClaimRequest, Job, JobEnd, JobOutcome, StoreError, blocking};
use crate::time::now_ms;

/// Jobs claimed per claim, per free slot: claims are write transactions,
/// so a few slots' worth is leased at once and started as slots free up.
const CLAIM_PER_SLOT: usize = 4;

/// How long a job this node could not start waits before it is due again.
const RELEASE_DELAY: Duration = Duration::from_secs(1);

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

/// Claimed jobs waiting for a slot, per application.
#[derive(Default)]
struct Held {
    by_app: HashMap<i64, VecDeque<Job>>,
    /// Applications with held jobs, in the order they get ties.
    order: VecDeque<i64>,
    count: usize,
}

impl Held {
    fn push(&mut self, job: Job) {
        let line = self.by_app.entry(job.app_id).or_default();
        if line.is_empty() {
            self.order.push_back(job.app_id);
        }
        line.push_back(job);
        self.count += 1;
    }

    /// The next job to start: of the application under `cap` with the
    /// fewest runs, ties going round-robin.
    fn next(&mut self, running: &HashMap<i64, usize>, cap: usize) -> Option<Job> {
        let runs = |app: &i64| running.get(app).copied().unwrap_or(0);
        let (at, _) = self
            .order
            .iter()
            .enumerate()
            .filter(|(_, app)| runs(app) < cap)
            .min_by_key(|(_, app)| runs(app))?;
        let app = self.order.remove(at)?;
        let line = self.by_app.get_mut(&app)?;
        let job = line.pop_front()?;
        if line.is_empty() {
            self.by_app.remove(&app);
        } else {
            self.order.push_back(app);
        }
        self.count -= 1;
        Some(job)
    }

    /// Whether a held job could start now (its application is under `cap`).
    fn startable(&self, running: &HashMap<i64, usize>, cap: usize) -> bool {
        self.order
            .iter()
            .any(|app| running.get(app).copied().unwrap_or(0) < cap)
    }
}

/// The shortest time between claims made because jobs arrived while
/// claimed ones could still start: arrivals come in bursts.
const ARRIVAL_CLAIM_GAP: Duration = Duration::from_millis(10);

pub(super) async fn dispatch(queue: Arc<Queue>) {
    let lease = lease_ms(&queue);
    match blocking(&queue.store, |s| s.resume_abandoned_jobs(now_ms())).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "resuming the jobs a previous run left leased"),
        Err(e) => tracing::error!("resuming abandoned jobs failed: {e}"),
    }
    let cap = queue.config.app_concurrency;
    // Claimed jobs each application may hold beyond its runs, so claims
    // come in batches rather than one per run.
    let per_app = cap * CLAIM_PER_SLOT;
    let mut held = Held::default();
    // Where the next claim's walk over applications starts.
    let mut after_app = i64::MIN;
    let mut last_claim: Option<tokio::time::Instant> = None;
    // Grows while claims fail (the database is out of reach), so an outage
    // costs neither a busy loop nor a flood of log lines.
    let mut backoff = queue.config.poll;
    loop {
        if queue.config.concurrency == 0 {
            // Paused: this server only accepts.
            std::future::pending::<()>().await;
        }
        let free = queue.slots.available_permits();
        let startable = held.startable(&queue.running(), cap);
        let since = last_claim.map_or(Duration::MAX, |at| at.elapsed());
        // Claim when a slot would otherwise idle, when jobs arrived (they
        // may be another application's: it should not wait for this
        // one's claimed jobs), and every poll (retries falling due).
        let claim = free > 0
            && (!startable
                || since >= queue.config.poll
                || (since >= ARRIVAL_CLAIM_GAP && queue.wake.take_arrivals()));
        if claim {
            // Runs alone stay under `cap`, below `per_app`: only
            // applications with held jobs can be full.
            let skip: Vec<i64> = {
                let running = queue.running();
                held.by_app
                    .iter()
                    .filter(|(app, line)| {
                        running.get(*app).copied().unwrap_or(0) + line.len() >= per_app
                    })
                    .map(|(app, _)| *app)
                    .collect()
            };
            let limit = (queue.config.concurrency * CLAIM_PER_SLOT).saturating_sub(held.count);
            let node = queue.node.clone();
            let from = after_app;
            last_claim = Some(tokio::time::Instant::now());
            match blocking(&queue.store, move |s| {
                s.claim(&ClaimRequest {
                    owner: &node,
                    now_ms: now_ms(),
                    lease_ms: lease,
                    limit: limit.max(1),
                    per_app,
                    skip_apps: &skip,
                    after_app: from,
                })
            })
            .await
            {
                Ok(jobs) => {
                    backoff = queue.config.poll;
                    // A full claim may have left applications unvisited:
                    // the next walk starts after the last one seen.
                    after_app = if jobs.len() >= limit.max(1) {
                        last_visited(from, jobs.iter().map(|j| j.app_id))
                    } else {
                        i64::MIN
                    };
                    for job in jobs {
                        held.push(job);
                    }
                }
                Err(e) => {
                    tracing::error!("claiming jobs failed, trying again in {backoff:?}: {e}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_CLAIM_BACKOFF);
                    continue;
                }
            }
        }
        let mut started = false;
        loop {
            let Ok(permit) = Arc::clone(&queue.slots).try_acquire_owned() else {
                break;
            };
            let Some(job) = held.next(&queue.running(), cap) else {
                break;
            };
            *queue.running().entry(job.app_id).or_default() += 1;
            let queue = Arc::clone(&queue);
            tokio::spawn(async move { run(queue, job, permit).await });
            started = true;
        }
        if !started {
            queue.wake.wait(queue.config.poll).await;
        }
    }
}

/// A started run's hold on its slot and its application's count: given
/// back when the run ends, however it ends (a panic included), slot first
/// so the dispatcher finds it free when it wakes.
struct Running {
    queue: Arc<Queue>,
    app: i64,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.permit.take());
        self.queue.ran(self.app);
    }
}

async fn run(queue: Arc<Queue>, job: Job, permit: OwnedSemaphorePermit) {
    let (id, app, attempt) = (job.id, job.app_id, job.attempt);
    let _running = Running {
        queue: Arc::clone(&queue),
        app,
        permit: Some(permit),
    };
    queue.tail.publish([&super::running_record(&job, now_ms())]);
    let (mut record, error) = match run_once(&queue, &job).await {
        Ok(invocation) => {
            let error = invocation.error().map(InvocationError::summary);
            (invocation, error)
        }
        Err(error) if error.is_this_nodes() => {
            tracing::info!(job = id, attempt, "the job goes back to the queue: {error}");
            queue.end(JobOutcome {
                id,
                attempt,
                end: JobEnd::Release {
                    at_ms: now_ms() + i64::try_from(RELEASE_DELAY.as_millis()).unwrap_or(0),
                },
                record: None,
            });
            return;
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

impl NotRun {
    /// Whether the run could not start for a reason of this node's (every
    /// sandbox instance busy, the database busy or out of reach) rather
    /// than the job's: it goes back without spending an attempt.
    fn is_this_nodes(&self) -> bool {
        matches!(
            self,
            NotRun::Service(
                Error::Sandbox(sandbox::Error::PoolExhausted { .. })
                    | Error::Store(StoreError::Busy | StoreError::Unavailable(_))
            )
        )
    }
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
        outcome: Some(Err(InvocationError {
            kind: FailureKind::Crash,
            error: GuestError::new("NotRunError", why.to_string()),
        })),
        ended_ms: Some(now),
        pending: None,
        ..super::running_record(job, now)
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
    let secrets = directory.secrets(app_id).await?;
    let event = RawValue::from_string(job.event.clone()).map_err(NotRun::Event)?;
    let call = Call {
        app: &app,
        function: &deployment.function,
        version_number: number,
        event: &event,
        secrets: secrets.as_deref().map(|s| &**s),
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

/// The last application a claim's walk visited, given where it started
/// and the applications of the jobs it took. The walk goes up from `from`
/// and wraps around to the smallest: when it wrapped (it took jobs of
/// applications at or below `from`), the last one is the largest of those.
fn last_visited(from: i64, apps: impl Iterator<Item = i64> + Clone) -> i64 {
    let wrapped = apps.clone().filter(|&app| app <= from).max();
    wrapped.or_else(|| apps.max()).unwrap_or(i64::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_resumes_after_the_last_application_it_visited() {
        // No wrap: the largest.
        assert_eq!(last_visited(i64::MIN, [3, 5, 4].into_iter()), 5);
        assert_eq!(last_visited(2, [3, 5].into_iter()), 5);
        // Wrapped past the end to 1 and 2: 2 was last, 3 and 4 unvisited.
        assert_eq!(last_visited(4, [5, 7, 1, 2].into_iter()), 2);
        assert_eq!(last_visited(4, std::iter::empty()), i64::MIN);
    }
}
