//! The warmer: one background thread per sandbox that sizes and refills
//! warm pools ([`crate::pool`]), instances of hot images made before the
//! invocations that take them.
//!
//! Each image has a [`WarmPool`](crate::pool::WarmPool). An invocation
//! takes a ready instance from it (a *warm start*) or, when it is empty,
//! instantiates inline. The warmer refills pools off the request path.
//! Every instance still serves one invocation only.
//!
//! Sizing: every [`TICK`] the warmer sets each pool's target from the
//! image's traffic in the last tick: its peak of concurrent invocations
//! plus the invocations that missed the pool, bounded by
//! [`SandboxConfig::warm_per_image`]. A target falls by half per tick at
//! most, and to zero once the image has been idle for
//! [`SandboxConfig::warm_idle`]; idle images leave the warmer. All pools
//! together hold at most the budget derived from
//! [`SandboxConfig::warm_pool_bytes`], shared out hottest image first.
//!
//! [`SandboxConfig::warm_per_image`]: crate::SandboxConfig::warm_per_image
//! [`SandboxConfig::warm_idle`]: crate::SandboxConfig::warm_idle
//! [`SandboxConfig::warm_pool_bytes`]: crate::SandboxConfig::warm_pool_bytes

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::thread;
use std::time::{Duration, Instant};

use crate::image::{BAKE_SHARE, ImageInner};
use crate::instance::{Ready, StartError, memory_bytes};
use crate::pool::Running;
use crate::reuse::KeptTotal;
use crate::{Image, SandboxConfig};

/// How often pool targets adapt to traffic.
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// How often the warmer looks at pools in use: invocations never wake it
/// (that would put a syscall on the request path). While it keeps finding
/// instances to make (pools drained as fast as it fills them), it does not
/// wait at all.
const ACTIVE_POLL: Duration = Duration::from_millis(1);

impl Image {
    /// Takes a ready instance for an invocation, if there is one, and
    /// counts the invocation as running until the returned guard drops
    /// (however the invocation ends, cancellation included).
    pub(crate) fn take_warm(&self) -> (Option<Ready>, Running<'_>) {
        let taken = self.inner.warm.take();
        // No wake-up here (a syscall on the request path): the warmer polls
        // every [`ACTIVE_POLL`] while pools are in use.
        self.track();
        taken
    }

    /// Hands the image to the warmer (which sizes its pool, and empties it
    /// when idle) unless it has it already.
    pub(crate) fn track(&self) {
        let tracked = &self.inner.warm.tracked;
        if !tracked.load(Ordering::Relaxed) && !tracked.swap(true, Ordering::Relaxed) {
            // One instance until the warmer has seen its traffic.
            self.inner.warm.target.fetch_max(1, Ordering::Relaxed);
            self.inner
                .sandbox
                .inner
                .warmer
                .track(Arc::downgrade(&self.inner));
        }
    }

    /// Whether `ready` may wait in the pool. A pool's budget counts each
    /// instance at what its slot keeps resident; a late-bound handler whose
    /// top level grows memory past that would hold private memory the
    /// budget does not see (a handler allocating hundreds of MiB, times
    /// the pool's size). Such an image is not kept warm until a bake puts
    /// that memory in its snapshot, where instances share it.
    pub(crate) fn keeps_warm(&self, ready: &Ready) -> bool {
        let size = memory_bytes(&ready.store);
        let allowance = self
            .inner
            .sandbox
            .inner
            .config
            .keep_resident_bytes
            .max(1 << 20);
        let fits = size as u64 <= self.form().initial_bytes.saturating_add(allowance as u64);
        if !fits {
            tracing::debug!(
                image = self.id(),
                memory_bytes = size,
                "instances of this image are too large to keep warm"
            );
            self.inner.warm.too_large.store(true, Ordering::Relaxed);
        }
        fits
    }

    /// How many instances of this image are ready (for tests and metrics).
    pub fn warm_instances(&self) -> usize {
        self.inner.warm.len()
    }

    /// How many instances of this image wait for their next invocation
    /// under [`Reuse`](crate::Reuse) (for tests and metrics).
    pub fn kept_instances(&self) -> usize {
        self.inner.kept.len()
    }

    /// Retires the instances kept for reuse now: the embedder's function
    /// has moved to another image (a new or rolled-back version, a
    /// runtime change), and its next run here must start afresh.
    pub fn retire_kept(&self) {
        let sandbox = &self.inner.sandbox;
        for kept in self.inner.kept.drain(sandbox.inner.warmer.kept_total()) {
            sandbox.retire(kept.ready.store);
        }
    }
}

/// The sandbox's handle on its warmer thread.
pub(crate) struct Warmer {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Instances in all pools, as of the warmer's last tick.
    pooled: AtomicUsize,
    /// All kept instances together (their number and memory).
    kept: KeptTotal,
}

#[derive(Default)]
struct State {
    /// Images to start tracking.
    new: Vec<Weak<ImageInner>>,
    stop: bool,
}

impl Warmer {
    pub(crate) fn spawn(config: &SandboxConfig) -> std::io::Result<Warmer> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            pooled: AtomicUsize::new(0),
            kept: KeptTotal::default(),
        });
        let limits = Sizing {
            budget: budget(config),
            bytes: config.warm_pool_bytes,
            per_instance: config.keep_resident_bytes.max(1 << 20),
            per_image: config.warm_per_image,
            idle: config.warm_idle,
        };
        let thread_shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("chatfn-warmer".into())
            .spawn(move || run(&thread_shared, &limits))?;
        Ok(Warmer { shared })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// All kept instances together (their number and memory).
    pub(crate) fn kept_total(&self) -> &KeptTotal {
        &self.shared.kept
    }

    /// Instances in all pools, as of the last tick.
    pub(crate) fn pooled(&self) -> usize {
        self.shared.pooled.load(Ordering::Relaxed)
    }

    fn track(&self, image: Weak<ImageInner>) {
        self.state().new.push(image);
        self.shared.wake.notify_one();
    }
}

impl Drop for Warmer {
    fn drop(&mut self) {
        self.state().stop = true;
        self.shared.wake.notify_one();
    }
}

/// How many instances all pools may hold together: the memory budget over
/// what a pooled instance can keep resident (its slot's kept pages), and
/// never more than half the instance slots.
pub(crate) fn budget(config: &SandboxConfig) -> usize {
    let per_instance = config.keep_resident_bytes.max(1 << 20);
    (config.warm_pool_bytes / per_instance).min(config.max_instances as usize / 2)
}

/// What bounds pool sizes.
struct Sizing {
    /// Instances in all pools together.
    budget: usize,
    /// The same budget in bytes, which kept instances share.
    bytes: usize,
    /// What a pooled instance counts for.
    per_instance: usize,
    per_image: usize,
    idle: Duration,
}

struct Tracked {
    image: Weak<ImageInner>,
    idle: Duration,
    /// Invocations in the last tick, to share the budget hottest first.
    heat: u32,
    /// The share of a core its handler loads took, as a moving average
    /// over about a second of ticks (see [`BAKE_SHARE`]): a warm-up burst
    /// does not make an image worth baking, sustained traffic does.
    load_share: f64,
}

fn run(shared: &Shared, sizing: &Sizing) {
    let Ok(executor) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        tracing::error!("the warmer could not start; invocations will start cold");
        return;
    };
    let mut tracked: Vec<Tracked> = Vec::new();
    let mut last_tick = Instant::now();
    let mut made = 0;
    loop {
        {
            let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            let mut wait = TICK.saturating_sub(last_tick.elapsed());
            if tracked.iter().any(|entry| entry.heat > 0) {
                wait = wait.min(ACTIVE_POLL);
            }
            // Pools were being drained as fast as they were filled: look
            // again at once rather than leave the next invocations cold.
            if made > 0 {
                wait = Duration::ZERO;
            }
            if !state.stop && state.new.is_empty() && !wait.is_zero() {
                state = shared
                    .wake
                    .wait_timeout(state, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if state.stop {
                return;
            }
            tracked.extend(state.new.drain(..).map(|image| Tracked {
                image,
                idle: Duration::ZERO,
                heat: 1,
                load_share: 0.0,
            }));
        }
        let tick = last_tick.elapsed() >= TICK;
        if tick {
            adapt(&mut tracked, last_tick.elapsed(), sizing, &shared.kept);
            last_tick = Instant::now();
        }
        made = refill(&executor, &tracked);
        if tick {
            let pooled = tracked
                .iter()
                .filter_map(|entry| entry.image.upgrade())
                .map(|image| image.warm.len())
                .sum();
            shared.pooled.store(pooled, Ordering::Relaxed);
        }
    }
}

/// Sets every pool's target from its traffic since the last tick; retires
/// kept instances that idled out (and, when they hold more than their
/// share of the budget, the longest idle); drops images that are gone or
/// idle.
fn adapt(tracked: &mut Vec<Tracked>, elapsed: Duration, sizing: &Sizing, kept: &KeptTotal) {
    let mut wanted = Vec::with_capacity(tracked.len());
    tracked.retain_mut(|entry| {
        let Some(image) = entry.image.upgrade() else {
            return false;
        };
        drop(image.kept.expired(kept));
        let pool = &image.warm;
        let takes = pool.takes.swap(0, Ordering::Relaxed);
        let handle = Image {
            inner: Arc::clone(&image),
        };
        if let Some(load) = handle.form().load_time() {
            let share = f64::from(takes) * load.as_secs_f64() / elapsed.as_secs_f64().max(1e-3);
            entry.load_share += (share - entry.load_share) / 8.0;
            if entry.load_share >= BAKE_SHARE {
                handle.queue_bake();
            }
        }
        let misses = pool.misses.swap(0, Ordering::Relaxed);
        let running = pool.running.load(Ordering::Relaxed);
        let peak = pool.peak.swap(running, Ordering::Relaxed);
        entry.heat = takes;
        entry.idle = if takes == 0 {
            entry.idle + elapsed
        } else {
            Duration::ZERO
        };
        if entry.idle >= sizing.idle {
            pool.target.store(0, Ordering::Relaxed);
            let idle = pool.drain();
            // Kept instances have idle times of their own: the image stays
            // tracked until they have gone.
            if image.kept.len() > 0 {
                drop(idle);
                return true;
            }
            // Untracked before dropping, so a new invocation tracks it again.
            pool.tracked.store(false, Ordering::Relaxed);
            drop(idle);
            return false;
        }
        let previous = pool.target.load(Ordering::Relaxed);
        let demand = (peak.max(1) + misses) as usize;
        let target = demand.max(previous / 2).clamp(1, sizing.per_image.max(1));
        wanted.push((Arc::clone(&image), target));
        true
    });
    // Kept instances are worth more than pooled ones (their module state),
    // so pools get what they leave; when they take more than three
    // quarters, the longest idle go.
    let share = sizing.bytes / 4 * 3;
    while kept.bytes() > share {
        let oldest = tracked
            .iter()
            .filter_map(|entry| entry.image.upgrade())
            .filter_map(|image| image.kept.oldest().map(|since| (since, image)))
            .min_by_key(|(since, _)| *since);
        let Some((_, image)) = oldest else { break };
        drop(image.kept.pop_oldest(kept));
    }
    // Hottest first within the budget.
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(tracked[i].heat));
    let mut left = sizing
        .budget
        .saturating_sub(kept.bytes().div_ceil(sizing.per_instance));
    for i in order {
        let (image, target) = &wanted[i];
        let granted = (*target).min(left);
        left -= granted;
        image.warm.target.store(granted, Ordering::Relaxed);
    }
}

/// Brings every pool to its target: instantiates what is missing, drops
/// what is over. Returns how many instances it made.
fn refill(executor: &tokio::runtime::Runtime, tracked: &[Tracked]) -> usize {
    let mut made = 0;
    for entry in tracked {
        let Some(inner) = entry.image.upgrade() else {
            continue;
        };
        let image = Image { inner };
        let pool = &image.inner.warm;
        loop {
            let target = pool.target.load(Ordering::Relaxed);
            let have = pool.len();
            if have > target {
                drop(pool.split_off(target));
                break;
            }
            if have == target {
                break;
            }
            if pool.too_large.load(Ordering::Relaxed) {
                break;
            }
            let sandbox = image.inner.sandbox.clone();
            match executor.block_on(image.prewarm()) {
                Ok(ready) if image.keeps_warm(&ready) => {
                    pool.put(ready);
                    made += 1;
                }
                Ok(ready) => {
                    sandbox.retire(ready.store);
                    break;
                }
                Err(StartError::Load(..) | StartError::Trap(_)) => {
                    tracing::debug!(
                        image = image.id(),
                        "a pooled instance failed to load its handler"
                    );
                    break;
                }
                // Typically every slot is busy: try again next time.
                Err(StartError::Engine(_)) => break,
            }
        }
    }
    made
}
