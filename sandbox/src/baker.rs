//! The baker: bakes late-bound images in the background, one at a time,
//! on one thread at background priority ([`crate::sched::background`]). A
//! bake runs the guest's init over the bundle and snapshots the instance
//! (nothing is compiled: see [`crate::snapshot`]). With a queue, a burst of
//! newly hot images takes at most one core's spare time, and never an
//! executor thread. The queue is served round-robin over tenants, so one
//! tenant's burst of new functions does not hold up another's bake.
//!
//! The queue holds weak references: an image dropped while it waits (its
//! version was replaced or evicted) is not baked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};

use crate::fair::TenantQueue;
use crate::image::{Image, ImageInner};

pub(crate) struct Baker {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Images queued or being baked.
    pending: AtomicUsize,
}

#[derive(Default)]
struct Queue {
    images: TenantQueue<Weak<ImageInner>>,
    stop: bool,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Baker {
    pub(crate) fn spawn() -> std::io::Result<Baker> {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("chatfn-baker".into())
            .spawn(move || run(&theirs))?;
        Ok(Baker { shared })
    }

    /// Images waiting for a bake or being baked.
    pub(crate) fn pending(&self) -> usize {
        self.shared.pending.load(Ordering::Relaxed)
    }

    /// Queues `image` for a bake.
    pub(crate) fn enqueue(&self, image: &Image) {
        self.shared.pending.fetch_add(1, Ordering::Relaxed);
        self.shared
            .queue()
            .images
            .push(image.inner.tenant, Arc::downgrade(&image.inner));
        self.shared.ready.notify_one();
    }
}

impl Drop for Baker {
    fn drop(&mut self) {
        self.shared.queue().stop = true;
        self.shared.ready.notify_one();
    }
}

fn run(shared: &Shared) {
    // Bakes use only CPU time nothing else wants; on a saturated machine
    // new versions stay late-bound until load drops (see `Image::bake`).
    crate::sched::background();
    let executor = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(executor) => executor,
        Err(e) => {
            tracing::error!("the baker could not start; images stay late-bound: {e}");
            return;
        }
    };
    loop {
        let next = {
            let mut queue = shared.queue();
            loop {
                if queue.stop {
                    return;
                }
                if let Some(next) = queue.images.pop() {
                    break next;
                }
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        if let Some(inner) = next.upgrade() {
            let image = Image { inner };
            // It keeps working late-bound.
            if let Err(e) = executor.block_on(image.bake()) {
                tracing::warn!(image = image.id(), "could not bake an image: {e}");
            }
        }
        shared.pending.fetch_sub(1, Ordering::Relaxed);
    }
}
