//! Group commit: writer threads take what concurrent requests send and
//! commit it in batches, so a write costs one transaction per batch rather
//! than per item. The invocation log and the queue each run one writer;
//! more than one thread commits batches side by side, for a database that
//! gains from that (a server such as PostgreSQL, where a commit's latency
//! rather than its work is what bounds one thread).

use std::collections::BTreeSet;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::store::StoreResult;

enum Message<T> {
    Item(T),
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
}

/// The sending side of a batch writer.
pub(crate) struct BatchWriter<T> {
    sender: Sender<Message<T>>,
    name: &'static str,
}

impl<T> Clone for BatchWriter<T> {
    fn clone(&self) -> Self {
        BatchWriter {
            sender: self.sender.clone(),
            name: self.name,
        }
    }
}

/// The writer threads stopped (they panicked); nothing more is committed.
#[derive(Debug, thiserror::Error)]
#[error("the {0} thread has stopped")]
pub(crate) struct Stopped(pub(crate) &'static str);

impl<T: Send + 'static> BatchWriter<T> {
    /// Starts `threads` threads named `name`: each hands `commit` up to
    /// `max_batch` items at a time, as many as are waiting.
    pub(crate) fn start(
        name: &'static str,
        max_batch: usize,
        threads: usize,
        commit: impl Fn(Vec<T>) + Send + Sync + 'static,
    ) -> std::io::Result<BatchWriter<T>> {
        let (sender, receiver) = mpsc::channel();
        let writer = Arc::new(Writer {
            receiver: Mutex::new(receiver),
            batches: Mutex::new(Batches::default()),
            committed: Condvar::new(),
            max_batch: max_batch.max(1),
            commit,
        });
        for _ in 0..threads.max(1) {
            let writer = Arc::clone(&writer);
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || writer.run())?;
        }
        Ok(BatchWriter { sender, name })
    }

    /// Queues `item` for the next batch.
    pub(crate) fn send(&self, item: T) -> Result<(), Stopped> {
        self.sender
            .send(Message::Item(item))
            .map_err(|_| Stopped(self.name))
    }

    /// Waits until everything sent so far is committed.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

/// What the writer threads share.
struct Writer<T, F> {
    receiver: Mutex<Receiver<Message<T>>>,
    batches: Mutex<Batches>,
    /// Signalled whenever a batch is committed.
    committed: Condvar,
    max_batch: usize,
    commit: F,
}

/// Batches in the order they were taken, and those still being committed.
#[derive(Default)]
struct Batches {
    taken: u64,
    committing: BTreeSet<u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T, F: Fn(Vec<T>)> Writer<T, F> {
    fn run(&self) {
        while let Some((number, batch, flushes)) = self.take() {
            if !batch.is_empty() {
                (self.commit)(batch);
            }
            let mut batches = lock(&self.batches);
            batches.committing.remove(&number);
            self.committed.notify_all();
            // A flush also waits for the batches other threads took first.
            while !flushes.is_empty() && batches.committing.first().is_some_and(|n| *n < number) {
                batches = self
                    .committed
                    .wait(batches)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            drop(batches);
            for done in flushes {
                let _ = done.send(());
            }
        }
    }

    /// The next batch (waiting for its first item), numbered; `None` once
    /// every sender is gone.
    fn take(&self) -> Option<(u64, Vec<T>, Vec<oneshot::Sender<()>>)> {
        let receiver = lock(&self.receiver);
        let mut next = Some(receiver.recv().ok()?);
        let mut batch = Vec::new();
        let mut flushes = Vec::new();
        while let Some(message) = next {
            match message {
                Message::Item(item) => batch.push(item),
                Message::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < self.max_batch {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        let mut batches = lock(&self.batches);
        let number = batches.taken;
        batches.taken += 1;
        batches.committing.insert(number);
        Some((number, batch, flushes))
    }
}

/// Runs `write` until it succeeds: a record is never dropped because the
/// database was briefly busy, full or out of reach. This thread's later
/// batches wait meanwhile.
pub(crate) fn persist(what: &str, items: usize, mut write: impl FnMut() -> StoreResult<()>) {
    let mut delay = Duration::from_millis(10);
    loop {
        match write() {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(items, "{what} failed, retrying in {delay:?}: {e}");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test]
    async fn items_are_committed_in_batches_and_flush_waits_for_them() {
        let batches = Arc::new(Mutex::new(Vec::<Vec<u32>>::new()));
        let seen = Arc::clone(&batches);
        let writer = BatchWriter::start("test-writer", 3, 1, move |batch| {
            std::thread::sleep(Duration::from_millis(5));
            seen.lock().expect("lock").push(batch);
        })
        .expect("a thread");
        for n in 0..10 {
            writer.send(n).expect("running");
        }
        writer.flush().await;
        let batches = batches.lock().expect("lock").clone();
        assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= 3));
        assert_eq!(batches.concat(), (0..10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn with_several_threads_flush_still_waits_for_every_earlier_batch() {
        let committed = Arc::new(Mutex::new(Vec::<u32>::new()));
        let seen = Arc::clone(&committed);
        let writer = BatchWriter::start("test-writers", 2, 4, move |batch: Vec<u32>| {
            // Early batches are the slowest: a flush taken by another thread
            // must still wait for them.
            std::thread::sleep(Duration::from_millis(if batch[0] < 4 { 50 } else { 1 }));
            seen.lock().expect("lock").extend(batch);
        })
        .expect("threads");
        for n in 0..40 {
            writer.send(n).expect("running");
        }
        writer.flush().await;
        let mut committed = committed.lock().expect("lock").clone();
        committed.sort_unstable();
        assert_eq!(committed, (0..40).collect::<Vec<_>>());
    }
}
