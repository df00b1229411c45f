//! Warm pools: each image's instances made ahead of the invocations that
//! take them, and the traffic the warmer ([`crate::warmer`]) sizes the pool
//! by.
//!
//! Kept apart from the warmer: an image owns its pool and the warmer works
//! on images, so the pool must depend on neither.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::instance::Ready;

/// One image's pool and the traffic the warmer sizes it by. The warmer
/// reads and resets the counters once per tick.
#[derive(Default)]
pub(crate) struct WarmPool {
    ready: Mutex<Vec<Ready>>,
    /// How many instances the warmer keeps ready.
    pub(crate) target: AtomicUsize,
    /// Invocations since the warmer last looked.
    pub(crate) takes: AtomicU32,
    /// Of those, how many found the pool empty.
    pub(crate) misses: AtomicU32,
    /// Invocations running now, and their peak since the warmer last looked.
    pub(crate) running: AtomicU32,
    pub(crate) peak: AtomicU32,
    /// Whether the warmer tracks this image.
    pub(crate) tracked: AtomicBool,
    /// Its instances are too large to keep ahead (see
    /// [`Image::keeps_warm`](crate::Image::keeps_warm)).
    pub(crate) too_large: AtomicBool,
}

impl WarmPool {
    fn ready(&self) -> MutexGuard<'_, Vec<Ready>> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a ready instance for an invocation, if there is one, and
    /// counts the invocation as running until the returned guard drops
    /// (however the invocation ends, cancellation included).
    pub(crate) fn take(&self) -> (Option<Ready>, Running<'_>) {
        let running = self.enter();
        let ready = self.ready().pop();
        if ready.is_none() {
            self.misses.fetch_add(1, Ordering::Relaxed);
        }
        (ready, running)
    }

    /// Counts an invocation that needs no instance from the pool (it runs
    /// on a kept one) as [`WarmPool::take`] counts one.
    pub(crate) fn enter(&self) -> Running<'_> {
        self.takes.fetch_add(1, Ordering::Relaxed);
        let running = self.running.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(running, Ordering::Relaxed);
        Running(self)
    }

    /// Adds an instance (a build's first, or the warmer's).
    pub(crate) fn put(&self, ready: Ready) {
        self.ready().push(ready);
    }

    /// Takes a ready instance without counting a take (see
    /// [`WarmPool::take`]).
    pub(crate) fn pop(&self) -> Option<Ready> {
        self.ready().pop()
    }

    pub(crate) fn drain(&self) -> Vec<Ready> {
        std::mem::take(&mut *self.ready())
    }

    /// Takes the instances beyond the first `keep`, for the caller to drop
    /// outside the lock.
    pub(crate) fn split_off(&self, keep: usize) -> Vec<Ready> {
        let mut ready = self.ready();
        let keep = ready.len().min(keep);
        ready.split_off(keep)
    }

    /// How many instances are ready.
    pub(crate) fn len(&self) -> usize {
        self.ready().len()
    }

    /// Lets the warmer try again (the image's form changed).
    pub(crate) fn allow_warm(&self) {
        self.too_large.store(false, Ordering::Relaxed);
    }
}

/// An invocation of an image, counted for its pool's sizing while alive.
pub(crate) struct Running<'a>(&'a WarmPool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::Relaxed);
    }
}
