//! The queue's writes, committed in batches by one thread: accepts (each
//! answered once durable) and outcomes (each with its invocation record).

use std::sync::Arc;

use tokio::sync::oneshot;

use super::Wake;
use crate::batch::{BatchWriter, persist};
use crate::store::{JobOutcome, JobStore, NewJob, StoreError};
use crate::tail::Tail;

/// The reply to an accept: the job's id once it is durable.
type Accepted = oneshot::Sender<Result<i64, StoreError>>;

pub(super) enum Write {
    Enqueue(NewJob, Accepted),
    End(JobOutcome),
}

/// Largest batch per commit.
const BATCH: usize = 1024;

pub(super) fn start(
    store: Arc<dyn JobStore>,
    wake: Arc<Wake>,
    tail: Arc<Tail>,
) -> std::io::Result<BatchWriter<Write>> {
    BatchWriter::start("queue-writer", BATCH, move |batch| {
        commit(&*store, &wake, &tail, batch);
    })
}

/// Records outcomes (until that succeeds), then accepts new jobs and wakes
/// the dispatcher.
fn commit(store: &dyn JobStore, wake: &Wake, tail: &Tail, batch: Vec<Write>) {
    let mut jobs = Vec::new();
    let mut replies = Vec::new();
    let mut outcomes = Vec::new();
    for write in batch {
        match write {
            Write::Enqueue(job, reply) => {
                jobs.push(job);
                replies.push(reply);
            }
            Write::End(outcome) => outcomes.push(outcome),
        }
    }
    if !outcomes.is_empty() {
        persist(
            "recording job outcomes",
            &outcomes,
            |outcomes| store.end_jobs(outcomes),
            |outcome| {
                Some(JobOutcome {
                    record: outcome.record.as_ref().map(|r| Box::new(r.cut_down())),
                    ..outcome.clone()
                })
            },
        );
        tail.publish(outcomes.iter().filter_map(|o| o.record.as_deref()));
    }
    if jobs.is_empty() {
        return;
    }
    match store.enqueue_jobs(&jobs) {
        Ok(ids) => {
            // A repeated idempotency key answers the first job's id: that
            // job is no change.
            let new: Vec<_> = jobs
                .iter()
                .zip(&ids)
                .filter(|(job, id)| job.id == **id)
                .map(|(job, _)| super::queued_record(job))
                .collect();
            tail.publish(&new);
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
    wake.arrived();
}
