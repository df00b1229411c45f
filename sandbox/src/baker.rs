//! The baker: bakes late-bound images in the background, one at a time,
//! on one thread. A bake is a snapshot and a Cranelift compile, about a
//! second of CPU on every core that must not hold up an executor; with a
//! queue, a burst of newly hot images costs one waiting thread rather than
//! one each. The queue is served round-robin over tenants, so one tenant's
//! burst of new functions does not hold up another's bake.
//!
//! Bakes yield to invocations: their compiles, nine tenths of a bake, run
//! on a rayon pool of their own (wasmtime compiles on the current pool) at
//! background priority ([`crate::sched::background`]), so they use only
//! CPU time nothing else wants. On a saturated machine new versions stay
//! late-bound until load drops. The snapshot before the compile runs at
//! normal priority: it is short, and its time limit is wall time. Deploys
//! and runtime builds, which a client waits for, compile at normal
//! priority on rayon's global pool.
//!
//! The queue holds weak references: an image dropped while it waits (its
//! version was replaced or evicted) is not baked.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};

use crate::fair::TenantQueue;
use crate::image::{Image, ImageInner};

pub(crate) struct Baker {
    shared: Arc<Shared>,
    /// Where bakes compile; `None` if it could not start (bakes then
    /// compile on rayon's global pool, at normal priority).
    compile_pool: Option<Arc<rayon::ThreadPool>>,
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
        let compile_pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("chatfn-bake-{i}"))
            .start_handler(|_| crate::sched::background())
            .build()
            .inspect_err(|e| tracing::warn!("bakes compile at normal priority: {e}"))
            .ok()
            .map(Arc::new);
        Ok(Baker {
            shared,
            compile_pool,
        })
    }

    /// The pool bakes compile on.
    pub(crate) fn compile_pool(&self) -> Option<Arc<rayon::ThreadPool>> {
        self.compile_pool.clone()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::policy;

    #[test]
    fn bakes_compile_at_background_priority() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let baker = Baker::spawn().expect("baker");
        let pool = baker.compile_pool().expect("the bakes' compile pool");
        // SCHED_IDLE is 5: every thread of the pool (rayon's own
        // `par_iter` work goes to them) and not the caller's.
        let policies: Vec<_> = pool.broadcast(|_| policy());
        assert!(!policies.is_empty());
        for p in policies {
            assert_eq!(p.as_deref(), Some("5"));
        }
        assert_eq!(policy().as_deref(), Some("0"));
    }
}
