//! The live tail across nodes that share a database: each node announces
//! which invocations it changed (after they commit), and a node with
//! subscribers for that application reads those records back and
//! publishes them to its own.
//!
//! Announcing never waits on the database where records are published:
//! ids go to an outbox a thread of its own drains, one round trip per
//! application per drain (so announcements batch themselves under load).
//! The outbox is bounded; past it, ids are dropped (other nodes' tails miss
//! them, and the log says so) rather than memory growing while the
//! database is out of reach.
//!
//! A record read back is the database's at that moment: when one changes
//! twice in quick succession, another node's subscribers may see its later
//! state twice rather than each state once.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use super::Tail;
use crate::store::{Announced, Store};

/// Ids waiting to be announced, at most.
const MAX_WAITING: usize = 65_536;
/// Records read back per announcement, at most: a burst beyond it is
/// more than a tail's client could follow anyway.
const MAX_READ: usize = 256;

/// Ids (application, invocation) waiting to be announced.
#[derive(Default)]
pub(crate) struct Outbox {
    waiting: Mutex<Waiting>,
    posted: Condvar,
}

#[derive(Default)]
struct Waiting {
    ids: Vec<(i64, i64)>,
    /// Ids dropped since the last warning.
    dropped: usize,
}

impl Outbox {
    pub(super) fn post(&self, ids: impl IntoIterator<Item = (i64, i64)>) {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let before = waiting.ids.len();
        for id in ids {
            if waiting.ids.len() < MAX_WAITING {
                waiting.ids.push(id);
            } else {
                waiting.dropped += 1;
            }
        }
        if waiting.ids.len() > before {
            self.posted.notify_one();
        }
    }

    /// Waits (up to `wait`) for ids, and takes them, by application.
    fn take(&self, wait: Duration) -> (BTreeMap<i64, Vec<i64>>, usize) {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut waiting, _) = self
            .posted
            .wait_timeout_while(waiting, wait, |w| w.ids.is_empty())
            .unwrap_or_else(PoisonError::into_inner);
        let mut by_app: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (app, id) in waiting.ids.drain(..) {
            by_app.entry(app).or_default().push(id);
        }
        (by_app, std::mem::take(&mut waiting.dropped))
    }
}

pub(super) fn start(tail: &Arc<Tail>, store: Arc<dyn Store>) {
    let (Some(_), Some(announced)) = (&tail.outbox, store.announced()) else {
        return;
    };
    let weak = Arc::downgrade(tail);
    let announcing = Arc::clone(&store);
    let spawned = std::thread::Builder::new()
        .name("tail-announcer".into())
        .spawn(move || announce(weak, announcing));
    if let Err(e) = spawned {
        tracing::error!(
            "other nodes will not see this node's invocations in their live tails: {e}"
        );
    }
    tokio::spawn(hear(Arc::downgrade(tail), store, announced));
}

/// Drains the outbox into announcements while the tail lives.
fn announce(tail: Weak<Tail>, store: Arc<dyn Store>) {
    loop {
        let Some(tail) = tail.upgrade() else {
            return;
        };
        let Some(outbox) = &tail.outbox else {
            return;
        };
        let (by_app, dropped) = outbox.take(Duration::from_millis(500));
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "invocation changes were not announced to other nodes (too many waiting)"
            );
        }
        for (app, ids) in by_app {
            if let Err(e) = store.announce(&tail.boot, app, &ids) {
                tracing::warn!(
                    app,
                    changes = ids.len(),
                    "announcing invocation changes: {e}"
                );
            }
        }
    }
}

/// Publishes other nodes' changes to this node's subscribers.
async fn hear(
    tail: Weak<Tail>,
    store: Arc<dyn Store>,
    mut announced: tokio::sync::broadcast::Receiver<Announced>,
) {
    loop {
        let announcement = match announced.recv().await {
            Ok(announcement) => announcement,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "live tails here missed other nodes' announcements");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let Some(here) = tail.upgrade() else {
            return;
        };
        if announcement.from == here.boot || !here.is_tailed(announcement.app) {
            continue;
        }
        drop(here);
        let store = Arc::clone(&store);
        let Announced { app, mut ids, .. } = announcement;
        ids.truncate(MAX_READ);
        let read = tokio::task::spawn_blocking(move || {
            ids.iter()
                .filter_map(|id| match store.invocation(app, *id) {
                    Ok(record) => record,
                    Err(e) => {
                        tracing::warn!(app, invocation = id, "reading another node's change: {e}");
                        None
                    }
                })
                .collect::<Vec<_>>()
        })
        .await;
        let (Ok(records), Some(here)) = (read, tail.upgrade()) else {
            continue;
        };
        here.publish_here(&records);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_groups_by_application_and_stays_bounded() {
        let outbox = Outbox::default();
        outbox.post([(1, 10), (2, 20), (1, 11)]);
        let (by_app, dropped) = outbox.take(Duration::ZERO);
        assert_eq!(by_app, BTreeMap::from([(1, vec![10, 11]), (2, vec![20])]));
        assert_eq!(dropped, 0);
        assert!(outbox.take(Duration::from_millis(1)).0.is_empty());

        outbox.post((0..MAX_WAITING as i64 + 5).map(|id| (1, id)));
        let (by_app, dropped) = outbox.take(Duration::ZERO);
        assert_eq!(by_app[&1].len(), MAX_WAITING);
        assert_eq!(dropped, 5, "past the bound, ids are dropped and counted");
    }
}
