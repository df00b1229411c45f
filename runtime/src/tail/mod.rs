//! The live tail: each application's invocation records as they change
//! (queued, running, retrying, ended), for `GET /v1/invocations/stream`.
//!
//! Records are published once committed, so a record seen here can be read
//! from the API. Publishing never waits on a subscriber: each application
//! has a broadcast channel, and a subscriber that falls a channel's length
//! behind is dropped. The last [`KEPT`] changes of each tailed application
//! are kept, numbered, so a client that reconnects with `Last-Event-ID`
//! gets what it missed; an application is tailed while it has subscribers
//! and for [`LINGER`] after the last one leaves, so a reconnect within that
//! time loses nothing. Applications nobody tails cost one atomic load per
//! commit.
//!
//! The numbering is this process's: a client that reconnects to another
//! node (or after a restart) is told it may have missed changes. On a
//! database several nodes share, each node announces its changes to the
//! others, which read the records back for their own subscribers
//! ([`relay`]).

mod relay;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::invocation::Invocation;

/// Changes kept per tailed application, for reconnects.
pub(crate) const KEPT: usize = 1024;
/// How long an application stays tailed after its last subscriber leaves.
pub(crate) const LINGER: Duration = Duration::from_secs(60);
/// Subscribers per application at once.
pub(crate) const MAX_SUBSCRIBERS: usize = 16;

/// One change: an invocation's record as committed, numbered within its
/// application.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub(crate) seq: u64,
    pub(crate) record: Arc<Invocation>,
}

pub(crate) struct Tail {
    /// Names this process's numbering in event ids.
    boot: String,
    apps: Mutex<HashMap<i64, Tailed>>,
    /// Applications in `apps`: zero means nothing to publish.
    tailed: AtomicUsize,
    /// Changes waiting to be announced to other nodes, with a shared
    /// database.
    outbox: Option<relay::Outbox>,
}

struct Tailed {
    next_seq: u64,
    kept: VecDeque<Change>,
    sender: broadcast::Sender<Change>,
    subscribers: usize,
    /// When the last subscriber left (while there are none).
    idle_since: Option<Instant>,
}

/// A subscriber's view: what it missed, then changes as they come.
pub(crate) struct Subscription {
    /// Changes after the client's last one, oldest first.
    pub(crate) missed: Vec<Change>,
    /// Whether changes may be missing before `missed` (the client's last
    /// event is unknown here, or older than what is kept).
    pub(crate) gap: bool,
    pub(crate) live: broadcast::Receiver<Change>,
    _guard: Guard,
}

/// Counts the subscriber out when dropped.
struct Guard {
    tail: Arc<Tail>,
    app: i64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let mut apps = self.tail.apps();
        if let Some(tailed) = apps.get_mut(&self.app) {
            tailed.subscribers = tailed.subscribers.saturating_sub(1);
            if tailed.subscribers == 0 {
                tailed.idle_since = Some(Instant::now());
            }
        }
    }
}

/// An application already has [`MAX_SUBSCRIBERS`].
#[derive(Debug)]
pub(crate) struct TooManySubscribers;

impl Tail {
    /// A tail for one node's subscribers and changes.
    pub(crate) fn new() -> Tail {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        Tail {
            boot: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            apps: Mutex::default(),
            tailed: AtomicUsize::new(0),
            outbox: None,
        }
    }

    /// A tail that also hears (and tells) the other nodes on `store`, if
    /// it is shared by several; [`Tail::relay`] starts the exchange.
    pub(crate) fn for_store(store: &dyn crate::store::Store) -> Tail {
        let mut tail = Tail::new();
        if store.announced().is_some() {
            tail.outbox = Some(relay::Outbox::default());
        }
        tail
    }

    /// Starts announcing this node's changes to the other nodes on `store`
    /// and publishing theirs here. Needs a Tokio runtime; nothing to do on
    /// a database one node uses.
    pub(crate) fn relay(self: &Arc<Self>, store: Arc<dyn crate::store::Store>) {
        relay::start(self, store);
    }

    /// Whether anyone here tails `app`.
    fn is_tailed(&self, app: i64) -> bool {
        self.tailed.load(Ordering::Acquire) != 0 && self.apps().contains_key(&app)
    }

    fn apps(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Tailed>> {
        self.apps.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The SSE event id of a change.
    pub(crate) fn event_id(&self, change: &Change) -> String {
        format!("{}-{}", self.boot, change.seq)
    }

    /// Publishes committed records (their applications' tails, if any).
    pub(crate) fn publish<'a>(&self, records: impl IntoIterator<Item = &'a Invocation>) {
        match &self.outbox {
            Some(outbox) => {
                let records: Vec<&Invocation> = records.into_iter().collect();
                outbox.post(records.iter().map(|r| (r.app_id, r.id)));
                self.publish_here(records);
            }
            None => self.publish_here(records),
        }
    }

    /// Publishes to this node's subscribers only.
    fn publish_here<'a>(&self, records: impl IntoIterator<Item = &'a Invocation>) {
        if self.tailed.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut apps = self.apps();
        for record in records {
            let Some(tailed) = apps.get_mut(&record.app_id) else {
                continue;
            };
            if tailed.subscribers == 0
                && tailed
                    .idle_since
                    .is_some_and(|since| since.elapsed() > LINGER)
            {
                apps.remove(&record.app_id);
                self.tailed.fetch_sub(1, Ordering::AcqRel);
                continue;
            }
            let change = Change {
                seq: tailed.next_seq,
                record: Arc::new(record.clone()),
            };
            tailed.next_seq += 1;
            if tailed.kept.len() == KEPT {
                tailed.kept.pop_front();
            }
            tailed.kept.push_back(change.clone());
            // No receiver is not an error: the tail lingers for reconnects.
            let _ = tailed.sender.send(change);
        }
    }

    /// Subscribes to `app`'s changes after `last_event_id` (a previous
    /// event's id, from a reconnecting client).
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        app: i64,
        last_event_id: Option<&str>,
    ) -> Result<Subscription, TooManySubscribers> {
        let mut apps = self.apps();
        let tailed = apps.entry(app).or_insert_with(|| {
            self.tailed.fetch_add(1, Ordering::AcqRel);
            Tailed {
                next_seq: 1,
                kept: VecDeque::new(),
                sender: broadcast::channel(KEPT).0,
                subscribers: 0,
                idle_since: None,
            }
        });
        if tailed.subscribers >= MAX_SUBSCRIBERS {
            return Err(TooManySubscribers);
        }
        tailed.subscribers += 1;
        tailed.idle_since = None;
        let last = last_event_id.and_then(|id| {
            let (boot, seq) = id.split_once('-')?;
            (boot == self.boot)
                .then(|| seq.parse::<u64>().ok())
                .flatten()
        });
        let (missed, gap) = match last {
            // Continuing this process's numbering: a gap only if the
            // changes after `seq` are no longer all kept.
            Some(seq) if seq < tailed.next_seq => {
                let oldest = tailed.kept.front().map_or(tailed.next_seq, |c| c.seq);
                let missed = tailed
                    .kept
                    .iter()
                    .filter(|c| c.seq > seq)
                    .cloned()
                    .collect();
                (missed, seq + 1 < oldest)
            }
            // A first connection starts from now.
            None if last_event_id.is_none() => (Vec::new(), false),
            _ => (tailed.kept.iter().cloned().collect(), true),
        };
        // Under the same lock as `missed`: nothing published in between.
        let live = tailed.sender.subscribe();
        Ok(Subscription {
            missed,
            gap,
            live,
            _guard: Guard {
                tail: Arc::clone(self),
                app,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(app: i64, id: i64) -> Invocation {
        crate::queue::queued_record(&crate::store::NewJob {
            id,
            app_id: app,
            function_id: 1,
            version_number: 1,
            trigger: "user.sent.message".into(),
            event: "{}".into(),
            idempotency_key: None,
            created_ms: 0,
        })
    }

    fn ids(changes: &[Change]) -> Vec<i64> {
        changes.iter().map(|c| c.record.id).collect()
    }

    #[test]
    fn nothing_is_kept_for_applications_nobody_tails() {
        let tail = Arc::new(Tail::new());
        tail.publish([&record(1, 1)]);
        assert!(tail.apps().is_empty());
        let sub = tail.subscribe(1, None).expect("subscribed");
        assert!(sub.missed.is_empty() && !sub.gap);
    }

    #[test]
    fn a_reconnect_gets_what_it_missed_and_nothing_twice() {
        let tail = Arc::new(Tail::new());
        let mut first = tail.subscribe(7, None).expect("subscribed");
        tail.publish([&record(7, 1), &record(8, 99), &record(7, 2)]);
        let seen = first.live.try_recv().expect("a change");
        assert_eq!(seen.record.id, 1);
        let last = tail.event_id(&seen);
        drop(first);
        // Published while nobody listened: kept for the reconnect.
        tail.publish([&record(7, 3)]);
        let mut again = tail.subscribe(7, Some(&last)).expect("subscribed");
        assert!(!again.gap);
        assert_eq!(ids(&again.missed), [2, 3]);
        tail.publish([&record(7, 4)]);
        assert_eq!(again.live.try_recv().expect("live").record.id, 4);
        assert!(again.live.try_recv().is_err());
    }

    #[test]
    fn an_unknown_or_too_old_last_event_is_a_gap() {
        let tail = Arc::new(Tail::new());
        let sub = tail.subscribe(1, None).expect("subscribed");
        for id in 0..(KEPT as i64 + 10) {
            tail.publish([&record(1, id)]);
        }
        let old = format!("{}-1", tail.boot);
        let resumed = tail.subscribe(1, Some(&old)).expect("subscribed");
        assert!(resumed.gap);
        assert_eq!(resumed.missed.len(), KEPT);
        let elsewhere = tail.subscribe(1, Some("ffffffff-5")).expect("subscribed");
        assert!(elsewhere.gap);
        drop(sub);
    }

    #[test]
    fn subscribers_per_application_are_bounded() {
        let tail = Arc::new(Tail::new());
        let held: Vec<_> = (0..MAX_SUBSCRIBERS)
            .map(|_| tail.subscribe(1, None).expect("subscribed"))
            .collect();
        assert!(tail.subscribe(1, None).is_err());
        assert!(tail.subscribe(2, None).is_ok(), "another application's own");
        drop(held);
        assert!(tail.subscribe(1, None).is_ok());
    }
}
