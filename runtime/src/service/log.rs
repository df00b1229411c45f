//! The invocation log writer: records are committed in batches by one
//! thread (group commit), so logging every invocation costs one SQLite
//! transaction per batch rather than per invocation.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use tokio::sync::oneshot;

use crate::store::{Invocation, Store, StoreResult};

enum Message {
    Put(Box<Invocation>),
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub(crate) struct InvocationLog {
    sender: Sender<Message>,
}

/// Largest batch per commit.
const BATCH: usize = 1024;

impl InvocationLog {
    pub(crate) fn start(store: Arc<dyn Store>) -> std::io::Result<InvocationLog> {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("invocation-log".into())
            .spawn(move || write(&*store, &receiver))?;
        Ok(InvocationLog { sender })
    }

    pub(crate) fn put(&self, invocation: Invocation) {
        if self
            .sender
            .send(Message::Put(Box::new(invocation)))
            .is_err()
        {
            tracing::error!("the invocation log writer has stopped; a record was dropped");
        }
    }

    /// Waits until every record put so far is committed.
    pub(crate) async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

fn write(store: &dyn Store, receiver: &Receiver<Message>) {
    while let Ok(first) = receiver.recv() {
        let mut batch = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Put(invocation) => batch.push(*invocation),
                Message::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < BATCH {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            persist("writing invocation records", batch.len(), || {
                store.put_invocations(&batch)
            });
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// Runs `write` until it succeeds: a record is never dropped because the
/// database was briefly busy or full. Later batches wait meanwhile.
pub(crate) fn persist(what: &str, items: usize, mut write: impl FnMut() -> StoreResult<()>) {
    let mut delay = std::time::Duration::from_millis(10);
    loop {
        match write() {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(items, "{what} failed, retrying in {delay:?}: {e}");
                std::thread::sleep(delay);
                delay = (delay * 2).min(std::time::Duration::from_secs(2));
            }
        }
    }
}
