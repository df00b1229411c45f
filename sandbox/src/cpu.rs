//! Guest CPU time: metered per invocation, bounded by a budget, and shared
//! fairly among guests that run long.
//!
//! Guests yield every epoch tick. Yielding alone shares threads
//! round-robin among every busy task, so a dozen CPU-bound guests make each
//! short request wait a dozen slices per step. Instead, a guest that has
//! computed for more than [`FREE_RUN`] moves to the long lane
//! ([`crate::lane`]) and needs a *turn* to go on: at most `cpu_turns`
//! guests hold one (by default one fewer than the cores), and a
//! holder hands its turn over at its next tick when a guest of its class or
//! a more urgent one waits. Waiting guests are served by class
//! (interactive before background), then round-robin over tenants, so one
//! tenant's many long guests take turns with another's one. Invocations
//! shorter than [`FREE_RUN`] never wait for a turn.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::fair::TenantQueue;

/// CPU time a guest may use before it needs a turn. Measured with the
/// thread's CPU clock once the wall clock says it has passed (see
/// [`Meter`]), so a guest computes for one to two of these on the
/// caller's thread before it moves.
pub(crate) const FREE_RUN: Duration = Duration::from_millis(1);

/// Whose CPU time an invocation is and how urgent it is: long-running
/// guests take turns by class, then round-robin over tenants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CpuShare {
    /// The tenant (an application) the invocation runs for.
    pub tenant: u64,
    /// A background run (a queued job): it takes turns only when no
    /// interactive guest (someone waiting on the answer) waits for one.
    pub background: bool,
}

impl CpuShare {
    fn class(self) -> usize {
        usize::from(self.background)
    }
}

/// The turns of one sandbox.
pub(crate) struct Turns {
    max_running: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: usize,
    /// Waiting guests per class (interactive, background), round-robin
    /// over tenants.
    waiting: [TenantQueue<Arc<Seat>>; 2],
}

/// One invocation's place among the turns.
struct Seat {
    share: CpuShare,
    /// Changed only under the state's lock.
    held: AtomicBool,
    /// The guest asked for a turn since it last left: it holds one or is
    /// in line. Only its own guest sets it, so a guest that never asked
    /// (every short one) leaves without taking the lock, which a long
    /// guest's thread, preempted at low priority, may be holding.
    asked: AtomicBool,
    granted: Notify,
}

impl Seat {
    fn new(share: CpuShare) -> Arc<Seat> {
        Arc::new(Seat {
            share,
            held: AtomicBool::new(false),
            asked: AtomicBool::new(false),
            granted: Notify::new(),
        })
    }
}

/// A turn held outright until dropped: a build's, never handed over.
pub(crate) struct Held {
    turns: Arc<Turns>,
    seat: Arc<Seat>,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.turns.leave(&self.seat);
    }
}

impl State {
    fn enqueue(&mut self, seat: &Arc<Seat>) {
        self.waiting[seat.share.class()].push(seat.share.tenant, Arc::clone(seat));
    }

    fn remove(&mut self, seat: &Arc<Seat>) {
        self.waiting[seat.share.class()].remove(seat.share.tenant, |s| Arc::ptr_eq(s, seat));
    }

    /// Whether a guest as urgent as `share` or more waits for a turn.
    fn contested(&self, share: CpuShare) -> bool {
        self.waiting[..=share.class()].iter().any(|l| !l.is_empty())
    }

    /// Gives free turns to waiting guests: the most urgent class first,
    /// then the next tenant in line.
    fn grant(&mut self, max_running: usize) {
        while self.running < max_running {
            let Some(seat) = self.waiting.iter_mut().find_map(TenantQueue::pop) else {
                return;
            };
            seat.held.store(true, Ordering::Release);
            seat.granted.notify_one();
            self.running += 1;
        }
    }
}

impl Turns {
    pub(crate) fn new(max_running: usize) -> Turns {
        Turns {
            max_running: max_running.max(1),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// At a tick of a guest past its free run: `None` to go on (it holds a
    /// turn, or just took a free one), or a wait for its (next) turn.
    fn next(
        self: &Arc<Self>,
        seat: &Arc<Seat>,
    ) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        seat.asked.store(true, Ordering::Relaxed);
        let mut state = self.state();
        if seat.held.load(Ordering::Acquire) {
            if !state.contested(seat.share) {
                return None;
            }
            seat.held.store(false, Ordering::Release);
            state.running -= 1;
            state.enqueue(seat);
            state.grant(self.max_running);
        } else {
            state.enqueue(seat);
            state.grant(self.max_running);
        }
        if seat.held.load(Ordering::Acquire) {
            return None;
        }
        let seat = Arc::clone(seat);
        Some(Box::pin(async move {
            while !seat.held.load(Ordering::Acquire) {
                seat.granted.notified().await;
            }
        }))
    }

    /// Waits for a turn (in line by `share`, like a guest's) and holds it
    /// until the guard is dropped; dropped while waiting, it leaves the
    /// line.
    pub(crate) async fn hold(self: &Arc<Self>, share: CpuShare) -> Held {
        let seat = Seat::new(share);
        let held = Held {
            turns: Arc::clone(self),
            seat: Arc::clone(&seat),
        };
        if let Some(wait) = self.next(&seat) {
            wait.await;
        }
        held
    }

    /// An invocation ended (or was dropped while waiting): its turn goes
    /// to the next guest in line.
    fn leave(&self, seat: &Arc<Seat>) {
        if !seat.asked.swap(false, Ordering::Relaxed) {
            return;
        }
        let mut state = self.state();
        if seat.held.swap(false, Ordering::AcqRel) {
            state.running -= 1;
            state.grant(self.max_running);
        } else {
            state.remove(seat);
        }
    }

    /// Guests holding a turn now (for tests).
    #[cfg(test)]
    fn running(&self) -> usize {
        self.state().running
    }
}

/// Time spent running an invocation on an executor thread: summed over
/// its polls (host calls and timers it waits on do not count).
///
/// Read with `Instant` at first: the thread's CPU clock costs a system call
/// (about half a microsecond here) per read, and most invocations end
/// within their free run. But wall time charges a guest for every moment
/// its thread was preempted, and on a busy machine (other processes, or the
/// long lane's own guests) a trivial handler preempted once for a few
/// milliseconds looked long: it moved to the long lane, where a saturated
/// machine starved it past its timeout, and its image's next invocations
/// started there too. So at the first tick past [`FREE_RUN`] of wall time,
/// the meter turns *precise*: from then on it reads the thread's CPU clock
/// at each poll's start and end and at each tick (once per millisecond of
/// a long guest), and only that time counts towards the free run and the
/// budget.
pub(crate) struct Meter {
    base: Instant,
    /// Wall time in polls until the meter turned precise.
    used_ns: AtomicU64,
    /// When the current poll started (ns after `base`), or `IDLE`; unused
    /// once precise.
    polling_since: AtomicU64,
    precise: AtomicBool,
    /// Thread CPU time used since the meter turned precise, up to the
    /// current segment.
    cpu_ns: AtomicU64,
    /// The thread's CPU clock when the current segment (a poll, or its part
    /// since the last tick) started, or `IDLE`.
    cpu_since: AtomicU64,
}

const IDLE: u64 = u64::MAX;

impl Meter {
    fn new() -> Meter {
        Meter {
            base: Instant::now(),
            used_ns: AtomicU64::new(0),
            polling_since: AtomicU64::new(IDLE),
            precise: AtomicBool::new(false),
            cpu_ns: AtomicU64::new(0),
            cpu_since: AtomicU64::new(IDLE),
        }
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }

    fn start(&self) {
        if self.precise.load(Ordering::Relaxed) {
            self.cpu_since.store(thread_cpu_ns(), Ordering::Relaxed);
        } else {
            self.polling_since.store(self.now_ns(), Ordering::Relaxed);
        }
    }

    fn stop(&self) {
        if self.precise.load(Ordering::Relaxed) {
            self.fold_segment(false);
        } else {
            self.fold_wall();
        }
    }

    /// Adds the current poll's wall time so far, and ends it.
    fn fold_wall(&self) {
        let since = self.polling_since.swap(IDLE, Ordering::Relaxed);
        if since != IDLE {
            let spent = self.now_ns().saturating_sub(since);
            self.used_ns.fetch_add(spent, Ordering::Relaxed);
        }
    }

    /// Adds the current segment's thread CPU time; `go_on` starts the next
    /// one now (at a tick), else none (at a poll's end).
    fn fold_segment(&self, go_on: bool) {
        let now = thread_cpu_ns();
        let since = self
            .cpu_since
            .swap(if go_on { now } else { IDLE }, Ordering::Relaxed);
        if since != IDLE {
            self.cpu_ns
                .fetch_add(now.saturating_sub(since), Ordering::Relaxed);
        }
    }

    /// At a tick, on the polling thread: the time used so far, the current
    /// poll included, after turning precise once past the free run.
    fn checkpoint(&self) -> Duration {
        if self.precise.load(Ordering::Relaxed) {
            self.fold_segment(true);
            return self.used();
        }
        let used = self.used();
        if used < FREE_RUN {
            return used;
        }
        self.fold_wall();
        self.cpu_since.store(thread_cpu_ns(), Ordering::Relaxed);
        self.precise.store(true, Ordering::Relaxed);
        self.used()
    }

    /// Time used so far: the wall time up to turning precise, then the
    /// thread CPU time, both up to the current poll's start or last tick.
    pub(crate) fn used(&self) -> Duration {
        let mut ns = self.used_ns.load(Ordering::Relaxed);
        if self.precise.load(Ordering::Relaxed) {
            ns = ns.saturating_add(self.cpu_ns.load(Ordering::Relaxed));
        } else {
            let since = self.polling_since.load(Ordering::Relaxed);
            if since != IDLE {
                ns = ns.saturating_add(self.now_ns().saturating_sub(since));
            }
        }
        Duration::from_nanos(ns)
    }

    /// Whether the guest computed past its free run: a full [`FREE_RUN`]
    /// on the thread's CPU clock after the wall clock first said so. Time
    /// the thread spent preempted does not make a guest long.
    pub(crate) fn outran(&self) -> bool {
        self.precise.load(Ordering::Relaxed)
            && Duration::from_nanos(self.cpu_ns.load(Ordering::Relaxed)) >= FREE_RUN
    }

    /// Runs `future`, adding the time spent in its polls to this meter.
    pub(crate) async fn measure<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            self.start();
            let poll = future.as_mut().poll(cx);
            self.stop();
            poll
        })
        .await
    }
}

/// The calling thread's CPU time in ns (wall time where there is no such
/// clock).
pub(crate) fn thread_cpu_ns() -> u64 {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        #[allow(unsafe_code, reason = "clock_gettime writes `ts` only")]
        // SAFETY: `ts` is a valid, writable timespec for the call.
        let read = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if read == 0 {
            let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
            let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
            return secs.saturating_mul(1_000_000_000).saturating_add(nanos);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    u64::try_from(START.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
}

/// An invocation's CPU account: its meter, its budget and its seat. Kept
/// in the store's data; dropping it gives up the invocation's turn.
pub(crate) struct CpuAccount {
    pub(crate) meter: Arc<Meter>,
    limit: Duration,
    turns: Arc<Turns>,
    seat: Arc<Seat>,
    /// The budget ran out (the interrupt is a CPU limit, not a timeout).
    pub(crate) hit: bool,
    /// Set once the guest has used its free run: it moves to the long
    /// lane (see [`crate::lane`]) at its next yield.
    pub(crate) long: Arc<AtomicBool>,
}

/// What the epoch callback does at a tick.
pub(crate) enum Tick {
    /// A short guest goes on without yielding: it will be done within its
    /// free run, and a yield could put it behind a long guest's slice.
    Run,
    /// A long guest with its turn goes on after letting the executor run
    /// other tasks.
    Yield,
    /// A long guest waits for its turn.
    Wait(Pin<Box<dyn Future<Output = ()> + Send>>),
    OverBudget,
}

impl CpuAccount {
    pub(crate) fn new(turns: &Arc<Turns>, share: CpuShare, limit: Duration) -> CpuAccount {
        CpuAccount {
            meter: Arc::new(Meter::new()),
            limit,
            turns: Arc::clone(turns),
            seat: Seat::new(share),
            hit: false,
            long: Arc::new(AtomicBool::new(false)),
        }
    }

    pub(crate) fn tick(&mut self) -> Tick {
        let used = self.meter.checkpoint();
        if used > self.limit {
            self.hit = true;
            return Tick::OverBudget;
        }
        if !self.meter.outran() {
            return Tick::Run;
        }
        if !self.long.swap(true, Ordering::Relaxed) {
            // Off to the lane; turns are asked for there.
            return Tick::Yield;
        }
        match self.turns.next(&self.seat) {
            None => Tick::Yield,
            Some(wait) => Tick::Wait(wait),
        }
    }
}

impl CpuAccount {
    /// Gives up the turn (or the place in line) while the guest waits on
    /// host calls or timers.
    pub(crate) fn park(&mut self) {
        self.turns.leave(&self.seat);
    }
}

impl Drop for CpuAccount {
    fn drop(&mut self) {
        self.turns.leave(&self.seat);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(tenant: u64, background: bool) -> Arc<Seat> {
        Seat::new(CpuShare { tenant, background })
    }

    fn holds(seat: &Arc<Seat>) -> bool {
        seat.held.load(Ordering::Acquire)
    }

    #[test]
    fn turns_go_round_the_tenants_and_interactive_guests_first() {
        let turns = Arc::new(Turns::new(1));
        let a1 = seat(1, false);
        assert!(turns.next(&a1).is_none(), "a free turn is taken at once");
        let (a2, a3, b1, q1) = (
            seat(1, false),
            seat(1, false),
            seat(2, false),
            seat(3, true),
        );
        assert!(turns.next(&a2).is_some());
        assert!(turns.next(&a3).is_some());
        assert!(turns.next(&q1).is_some());
        assert!(turns.next(&b1).is_some());
        // a1 hands over to the next tenant in line, a2 (tenant 1 queued
        // first), then tenant 2's b1 before tenant 1's a3 and a1.
        assert!(turns.next(&a1).is_some());
        assert!(holds(&a2) && !holds(&a1));
        assert!(turns.next(&a2).is_some());
        assert!(holds(&b1), "tenant 2 comes before tenant 1's next guest");
        assert!(turns.next(&b1).is_some());
        assert!(holds(&a3));
        // The background guest waits while interactive ones do.
        assert!(!holds(&q1));
        turns.leave(&a3);
        turns.leave(&a1);
        turns.leave(&a2);
        turns.leave(&b1);
        assert!(
            holds(&q1),
            "background runs once no interactive guest waits"
        );
        assert!(turns.next(&q1).is_none(), "uncontested, it keeps its turn");
        turns.leave(&q1);
        assert_eq!(turns.running(), 0);
    }

    #[test]
    fn a_background_holder_yields_to_an_interactive_guest() {
        let turns = Arc::new(Turns::new(1));
        let q = seat(1, true);
        assert!(turns.next(&q).is_none());
        let i = seat(2, false);
        assert!(turns.next(&i).is_some());
        assert!(turns.next(&q).is_some(), "the background guest hands over");
        assert!(holds(&i));
        // An interactive holder keeps its turn when only background waits.
        assert!(turns.next(&i).is_none());
        turns.leave(&i);
        assert!(holds(&q));
        turns.leave(&q);
        assert_eq!(turns.running(), 0);
    }

    #[test]
    fn a_guest_dropped_while_waiting_leaves_the_line() {
        let turns = Arc::new(Turns::new(1));
        let (a, b, c) = (seat(1, false), seat(2, false), seat(3, false));
        assert!(turns.next(&a).is_none());
        assert!(turns.next(&b).is_some());
        assert!(turns.next(&c).is_some());
        turns.leave(&b);
        turns.leave(&a);
        assert!(holds(&c), "the turn skips the guest that left");
        turns.leave(&c);
        assert_eq!(turns.running(), 0);
    }

    #[test]
    fn a_parked_guest_gives_its_turn_and_asks_again() {
        let turns = Arc::new(Turns::new(1));
        let (a, b) = (seat(1, false), seat(2, false));
        assert!(turns.next(&a).is_none());
        assert!(turns.next(&b).is_some());
        // `a` waits on a host call: its turn goes to `b`.
        turns.leave(&a);
        assert!(holds(&b) && !holds(&a));
        // Back from the call, `a` asks again and waits its turn.
        assert!(turns.next(&a).is_some());
        turns.leave(&b);
        assert!(holds(&a));
        turns.leave(&a);
        assert_eq!(turns.running(), 0);
    }

    #[tokio::test]
    async fn a_waiting_guest_resumes_once_granted() {
        let turns = Arc::new(Turns::new(1));
        let (a, b) = (seat(1, false), seat(2, false));
        assert!(turns.next(&a).is_none());
        let wait = turns.next(&b).expect("b waits");
        let waiter = tokio::spawn(wait);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        turns.leave(&a);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("granted within 5 s")
            .expect("the wait ends");
        turns.leave(&b);
    }

    #[tokio::test]
    async fn held_turns_go_to_the_next_tenant_and_to_builds_someone_waits_on() {
        let turns = Arc::new(Turns::new(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = turns
            .hold(CpuShare {
                tenant: 1,
                background: false,
            })
            .await;
        let mut waiting = Vec::new();
        // Tenant 1's three builds and a bake were asked for before tenant
        // 2's build: tenant 2 waits for one of tenant 1's, the bake for all.
        for (name, tenant, background) in [
            ("1b", 1, false),
            ("1c", 1, false),
            ("bake", 3, true),
            ("1d", 1, false),
            ("2a", 2, false),
        ] {
            let turns = Arc::clone(&turns);
            let order = Arc::clone(&order);
            waiting.push(tokio::spawn(async move {
                let _held = turns.hold(CpuShare { tenant, background }).await;
                order.lock().expect("order").push(name);
                tokio::task::yield_now().await;
            }));
            // In line in this order.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(first);
        for task in waiting {
            tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .expect("granted within 5 s")
                .expect("the build ends");
        }
        assert_eq!(
            *order.lock().expect("order"),
            ["1b", "2a", "1c", "1d", "bake"]
        );
        assert_eq!(turns.running(), 0);
    }

    #[tokio::test]
    async fn a_hold_dropped_while_waiting_leaves_the_line() {
        let turns = Arc::new(Turns::new(1));
        let share = CpuShare::default();
        let first = turns.hold(share).await;
        let gave_up = tokio::time::timeout(Duration::from_millis(20), turns.hold(share)).await;
        assert!(gave_up.is_err());
        drop(first);
        let next = tokio::time::timeout(Duration::from_secs(5), turns.hold(share)).await;
        assert!(next.is_ok(), "the turn went to a waiter that had left");
    }

    #[test]
    fn the_meter_counts_only_polls() {
        let meter = Meter::new();
        meter.start();
        std::thread::sleep(Duration::from_millis(20));
        meter.stop();
        std::thread::sleep(Duration::from_millis(30));
        let used = meter.used();
        assert!(used >= Duration::from_millis(20), "{used:?}");
        assert!(used < Duration::from_millis(45), "{used:?}");
    }

    /// Spins until the thread's CPU clock has advanced by `d`.
    fn compute_for(d: Duration) {
        let until = thread_cpu_ns() + u64::try_from(d.as_nanos()).expect("small");
        while thread_cpu_ns() < until {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn time_off_the_cpu_past_the_free_run_is_not_charged() {
        // A sleep mid-poll stands for the thread being preempted: the wall
        // clock runs, the thread's CPU clock does not.
        let meter = Meter::new();
        meter.start();
        std::thread::sleep(Duration::from_millis(5));
        let at_switch = meter.checkpoint();
        assert!(at_switch >= Duration::from_millis(5), "{at_switch:?}");
        std::thread::sleep(Duration::from_millis(50));
        let used = meter.checkpoint();
        meter.stop();
        assert!(!meter.outran(), "preempted, not long");
        assert!(used < Duration::from_millis(30), "{used:?}");
        // Later polls are timed on the CPU clock too.
        meter.start();
        std::thread::sleep(Duration::from_millis(50));
        meter.stop();
        assert!(
            meter.used() < Duration::from_millis(30),
            "{:?}",
            meter.used()
        );
        assert!(!meter.outran());
    }

    #[test]
    fn computing_past_the_free_run_is_long_and_charged() {
        let meter = Meter::new();
        meter.start();
        compute_for(FREE_RUN + Duration::from_millis(1));
        meter.checkpoint();
        assert!(
            !meter.outran(),
            "the CPU clock starts at the first tick past the free run"
        );
        compute_for(FREE_RUN);
        meter.checkpoint();
        assert!(meter.outran());
        compute_for(Duration::from_millis(3));
        meter.stop();
        let used = meter.used();
        assert!(used >= Duration::from_millis(5), "{used:?}");
    }

    #[test]
    fn a_guest_preempted_within_its_free_run_never_waits_for_a_turn() {
        let turns = Arc::new(Turns::new(1));
        let mut account = CpuAccount::new(&turns, CpuShare::default(), Duration::from_secs(1));
        account.meter.start();
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(account.tick(), Tick::Run));
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(account.tick(), Tick::Run));
        account.meter.stop();
        assert!(!account.long.load(Ordering::Relaxed));
    }
}
