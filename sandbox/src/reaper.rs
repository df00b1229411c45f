//! The reaper: disposes of finished stores off the request path. Returning
//! an instance to the pooling allocator resets its memory (pagemap scan and
//! copy-back of dirtied pages), about a third of an invocation's cost.
//!
//! Handing a store over must not cost a syscall either, so the reaper is
//! not woken per store: while stores keep coming it polls every
//! [`POLL`], and only after [`LINGER`] without any does it park until the
//! next one unparks it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use wasmtime::Store;

use crate::store::StoreData;

/// How many finished stores may wait at most; beyond that callers reset
/// their own (backpressure instead of exhausting the instance pool).
const BACKLOG: usize = 64;
const POLL: Duration = Duration::from_millis(1);
const LINGER: Duration = Duration::from_millis(100);

pub(crate) struct Reaper {
    shared: Arc<Shared>,
    /// Stores that may wait: [`BACKLOG`], or a quarter of a small pool,
    /// whose slots the waiting stores would otherwise all hold.
    backlog: usize,
}

struct Shared {
    queue: Mutex<Vec<Store<StoreData>>>,
    parked: AtomicBool,
    stop: AtomicBool,
    thread: OnceLock<Thread>,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Store<StoreData>>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn unpark(&self) {
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }
}

impl Reaper {
    /// A reaper for a pool of `max_instances` slots.
    pub(crate) fn spawn(max_instances: u32) -> std::io::Result<Reaper> {
        let backlog = BACKLOG.min(usize::try_from(max_instances / 4).unwrap_or(BACKLOG));
        let shared = Arc::new(Shared {
            queue: Mutex::new(Vec::with_capacity(backlog)),
            parked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            thread: OnceLock::new(),
        });
        let theirs = Arc::clone(&shared);
        let handle = thread::Builder::new()
            .name("chatfn-reaper".into())
            .spawn(move || run(&theirs))?;
        let _ = shared.thread.set(handle.thread().clone());
        Ok(Reaper { shared, backlog })
    }

    /// Queues `store` for disposal, or disposes of it here when the reaper
    /// is behind.
    pub(crate) fn retire(&self, store: Store<StoreData>) {
        let refused = {
            let mut queue = self.shared.queue();
            if queue.len() >= self.backlog {
                Some(store)
            } else {
                queue.push(store);
                None
            }
        };
        drop(refused);
        if self.shared.parked.load(Ordering::SeqCst) {
            self.shared.unpark();
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.unpark();
    }
}

fn run(shared: &Shared) {
    let mut last_work = Instant::now();
    loop {
        let batch = std::mem::take(&mut *shared.queue());
        if !batch.is_empty() {
            drop(batch);
            last_work = Instant::now();
            continue;
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if last_work.elapsed() < LINGER {
            thread::park_timeout(POLL);
            continue;
        }
        // Publish `parked` before the last look at the queue, so a store
        // queued after that look sees it and unparks us.
        shared.parked.store(true, Ordering::SeqCst);
        if shared.queue().is_empty() && !shared.stop.load(Ordering::SeqCst) {
            thread::park();
        }
        shared.parked.store(false, Ordering::SeqCst);
        last_work = Instant::now();
    }
}
