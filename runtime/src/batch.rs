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

/// Runs `write` until it succeeds: a record is never dropped because the
/// database was briefly busy or full. Later batches wait meanwhile.
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
}
