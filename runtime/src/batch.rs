//! Group commit: one thread takes what concurrent requests send and commits
//! it in batches, so a write costs one transaction per batch rather than
//! per item. The invocation log and the queue each run one.

use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::store::StoreResult;

enum Message<T> {
    Item(T),
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
}

/// The sending side of a batch writer thread.
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

/// The writer thread stopped (it panicked); nothing more is committed.
#[derive(Debug, thiserror::Error)]
#[error("the {0} thread has stopped")]
pub(crate) struct Stopped(pub(crate) &'static str);

impl<T: Send + 'static> BatchWriter<T> {
    /// Starts the thread `name`: it hands `commit` up to `max_batch` items
    /// at a time, as many as are waiting.
    pub(crate) fn start(
        name: &'static str,
        max_batch: usize,
        commit: impl FnMut(Vec<T>) + Send + 'static,
    ) -> std::io::Result<BatchWriter<T>> {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || run(&receiver, max_batch.max(1), commit))?;
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

fn run<T>(receiver: &Receiver<Message<T>>, max_batch: usize, mut commit: impl FnMut(Vec<T>)) {
    while let Ok(first) = receiver.recv() {
        let mut batch = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Item(item) => batch.push(item),
                Message::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < max_batch {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            commit(batch);
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// Times a write the database refuses (rather than cannot take now) is
/// tried before the batch is split.
const REFUSALS: u32 = 3;

/// Writes `items` with `write`. While the database is busy or out of reach
/// it keeps trying: nothing is dropped for an outage, and later batches
/// wait meanwhile. When the database refuses the batch itself, one item
/// must be at fault: each is then written alone, and one refused alone is
/// written as `shrink` makes it (its bulk dropped, with a marker), else
/// dropped and logged, so that it never holds up the items after it.
pub(crate) fn persist<T>(
    what: &str,
    items: &[T],
    mut write: impl FnMut(&[T]) -> StoreResult<()>,
    shrink: impl Fn(&T) -> Option<T>,
) {
    if items.is_empty() || write_retrying(what, items, &mut write).is_ok() {
        return;
    }
    for item in items {
        let single = std::slice::from_ref(item);
        let Err(e) = write_retrying(what, single, &mut write) else {
            continue;
        };
        let shrunk = shrink(item);
        let stored = shrunk
            .as_ref()
            .is_some_and(|s| write_retrying(what, std::slice::from_ref(s), &mut write).is_ok());
        if stored {
            tracing::error!("{what}: stored one item cut down, as the whole was refused: {e}");
        } else {
            tracing::error!("{what}: dropped one item the database refuses: {e}");
        }
    }
}

/// Tries `write` until it succeeds, for as long as the failures are the
/// database's state (busy, unreachable); gives up after [`REFUSALS`]
/// refusals of the data.
fn write_retrying<T>(
    what: &str,
    items: &[T],
    write: &mut impl FnMut(&[T]) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut delay = Duration::from_millis(10);
    let mut refused = 0;
    loop {
        match write(items) {
            Ok(()) => return Ok(()),
            Err(e) => {
                if !e.is_transient() {
                    refused += 1;
                    if refused >= REFUSALS {
                        return Err(e);
                    }
                }
                let items = items.len();
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
        let writer = BatchWriter::start("test-writer", 3, move |batch| {
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

    /// A database that refuses items over 10, and is busy at first.
    fn picky(busy: u32) -> impl FnMut(&[u32]) -> StoreResult<()> {
        let mut busy_left = busy;
        move |items: &[u32]| {
            if busy_left > 0 {
                busy_left -= 1;
                return Err(crate::store::StoreError::Busy);
            }
            if items.iter().any(|n| *n > 10) {
                return Err(crate::store::StoreError::Schema("too big".into()));
            }
            Ok(())
        }
    }

    #[test]
    fn a_busy_database_is_waited_for_and_a_refused_item_holds_up_no_other() {
        let written = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&written);
        let mut database = picky(2);
        // Busy twice, then the batch is refused for 50: the rest commit,
        // and 50 goes in cut down to 5; 99 cannot be cut down and is
        // dropped.
        persist(
            "test",
            &[1, 50, 2, 99, 3],
            |items| {
                let result = database(items);
                if result.is_ok() {
                    log.lock().expect("lock").extend_from_slice(items);
                }
                result
            },
            |n| (*n == 50).then_some(5),
        );
        assert_eq!(*written.lock().expect("lock"), [1, 5, 2, 3]);
    }
}
