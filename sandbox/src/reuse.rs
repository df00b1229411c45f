//! Instances kept for reuse ([`Reuse::Sequential`](crate::Reuse)): per
//! image, a stack of instances that served an invocation and wait for the
//! next, the most recently used on top (its memory is the likeliest to be
//! in the cache). The warmer ([`crate::warmer`]) retires those idle too
//! long, and the longest idle first when kept instances together pass the
//! warm-pool memory budget.
//!
//! Like [`crate::pool`], this depends on neither images nor the warmer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::instance::Ready;

/// An instance between two invocations.
pub(crate) struct Kept {
    pub(crate) ready: Ready,
    /// Invocations it has served.
    pub(crate) uses: u32,
    /// When its last invocation ended.
    since: Instant,
    max_idle: Duration,
    /// What it counts for against the budget.
    bytes: usize,
}

impl Kept {
    pub(crate) fn new(ready: Ready, uses: u32, max_idle: Duration, bytes: usize) -> Kept {
        Kept {
            ready,
            uses,
            since: Instant::now(),
            max_idle,
            bytes,
        }
    }

    fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.since) >= self.max_idle
    }
}

/// All kept instances together: how many, and the memory they hold
/// (shared with the warm pools' budget).
#[derive(Default)]
pub(crate) struct KeptTotal {
    bytes: AtomicUsize,
    count: AtomicUsize,
}

impl KeptTotal {
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// One instance holding `bytes` is kept.
    fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// One instance holding `bytes` is no longer kept.
    fn sub(&self, bytes: usize) {
        self.bytes.fetch_sub(bytes, Ordering::Relaxed);
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One image's kept instances.
#[derive(Default)]
pub(crate) struct KeptInstances {
    stack: Mutex<Vec<Kept>>,
}

impl KeptInstances {
    fn stack(&self) -> MutexGuard<'_, Vec<Kept>> {
        self.stack.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The most recently used instance that has not idled out, for an
    /// invocation; the expired ones it passes are returned for retiring.
    pub(crate) fn take(&self, total: &KeptTotal) -> (Option<Kept>, Vec<Kept>) {
        let now = Instant::now();
        let mut expired = Vec::new();
        let mut stack = self.stack();
        while let Some(kept) = stack.pop() {
            total.sub(kept.bytes);
            if kept.expired(now) {
                expired.push(kept);
            } else {
                return (Some(kept), expired);
            }
        }
        (None, expired)
    }

    /// Keeps `kept` for the next invocation, unless the image already
    /// keeps `cap` instances or all kept ones together would pass
    /// `budget` bytes: then it is handed back, to be retired.
    pub(crate) fn keep(
        &self,
        kept: Kept,
        total: &KeptTotal,
        cap: usize,
        budget: usize,
    ) -> Option<Kept> {
        let mut stack = self.stack();
        if stack.len() >= cap || total.bytes().saturating_add(kept.bytes) > budget {
            return Some(kept);
        }
        total.add(kept.bytes);
        stack.push(kept);
        None
    }

    /// Takes out the instances idle past their time.
    pub(crate) fn expired(&self, total: &KeptTotal) -> Vec<Kept> {
        let now = Instant::now();
        let mut stack = self.stack();
        let (gone, kept) = std::mem::take(&mut *stack)
            .into_iter()
            .partition(|kept| kept.expired(now));
        *stack = kept;
        for kept in &gone {
            total.sub(kept.bytes);
        }
        gone
    }

    /// When the longest idle instance finished its last invocation.
    pub(crate) fn oldest(&self) -> Option<Instant> {
        self.stack().first().map(|kept| kept.since)
    }

    /// Takes out the longest idle instance.
    pub(crate) fn pop_oldest(&self, total: &KeptTotal) -> Option<Kept> {
        let mut stack = self.stack();
        if stack.is_empty() {
            return None;
        }
        let kept = stack.remove(0);
        total.sub(kept.bytes);
        Some(kept)
    }

    /// Takes out every instance.
    pub(crate) fn drain(&self, total: &KeptTotal) -> Vec<Kept> {
        let gone = std::mem::take(&mut *self.stack());
        for kept in &gone {
            total.sub(kept.bytes);
        }
        gone
    }

    pub(crate) fn len(&self) -> usize {
        self.stack().len()
    }
}
