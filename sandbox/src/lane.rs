//! The long lane: threads of their own, at a lower OS priority, for guests
//! that compute past their free run.
//!
//! Turns ([`crate::cpu`]) decide which long guests compute and in what
//! order, but they still computed on the embedder's executor threads, in
//! 1 ms slices between which every short request on that thread waited.
//! An invocation starts on the caller's thread (a hop would add to every
//! short invocation); once it has used its free run, it moves here for
//! good. The kernel then preempts a long guest as soon as short work on the
//! executor's threads wakes up, and long guests share what is left.
//!
//! What is left can be nothing: at `SCHED_IDLE` a lane thread gets no CPU
//! while normal threads (the embedder's, or other processes') keep every
//! core busy, and a long guest would starve until its timeout. A watch
//! thread looks at the lane's threads while they have guests; one that
//! was ready to run for two looks in a row ([`STARVED`] apart) but ran
//! for less than a quarter of that runs at normal priority for [`LIFT`],
//! then goes back.

use std::cell::Cell;
use std::fs::File;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::thread::Thread;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Handle, Runtime};

use crate::{HostCallError, HostCallFuture};

thread_local! {
    static ON_LANE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is one of the lane's.
pub(crate) fn on_lane() -> bool {
    ON_LANE.with(Cell::get)
}

/// How often the watch looks at the lane's threads while they have
/// guests.
const STARVED: Duration = Duration::from_millis(20);

/// How long a lifted lane thread stays at normal priority.
const LIFT: Duration = Duration::from_millis(50);

pub(crate) struct Lane {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
    watch: Arc<Watch>,
}

impl Lane {
    pub(crate) fn spawn(threads: usize) -> std::io::Result<Lane> {
        let watch = Arc::new(Watch::default());
        let theirs = Arc::clone(&watch);
        let runtime = Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("chatfn-long")
            .on_thread_start(move || {
                ON_LANE.with(|on| on.set(true));
                crate::sched::background();
                theirs.register();
            })
            .enable_all()
            .build()?;
        let theirs = Arc::clone(&watch);
        let thread = std::thread::Builder::new()
            .name("chatfn-lane-watch".into())
            .spawn(move || theirs.run())?;
        let _ = watch.thread.set(thread.thread().clone());
        Ok(Lane {
            runtime: Some(runtime),
            watch,
        })
    }

    fn handle(&self) -> Option<&Handle> {
        self.runtime.as_ref().map(Runtime::handle)
    }

    /// Runs `future` on the current thread until it returns pending with
    /// `moved` set, then on the lane until it completes.
    pub(crate) async fn run<F>(&self, moved: Arc<AtomicBool>, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let mut future: Pin<Box<F>> = Box::pin(future);
        if moved.load(Ordering::Relaxed) {
            return self.finish(future).await;
        }
        let here = std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if moved.load(Ordering::Relaxed) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        })
        .await;
        match here {
            Some(output) => output,
            None => self.finish(future).await,
        }
    }

    /// Runs `future` to completion on the lane.
    async fn finish<F>(&self, future: Pin<Box<F>>) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let Some(lane) = self.handle() else {
            return future.await;
        };
        let _busy = self.watch.busy();
        let mut task = Abort(lane.spawn(future));
        match (&mut task.0).await {
            Ok(output) => output,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // A task is cancelled only by `Abort`'s drop, after which
            // nothing awaits it, or by the lane's shutdown, which waits for
            // the sandbox (and so every invocation) to be dropped.
            Err(e) => unreachable!("the lane's task ended without an output: {e}"),
        }
    }
}

/// Runs a host call on `home` (the executor the invocation started on)
/// when the guest has moved to the lane: I/O and the tasks it spawns
/// (connection drivers a later short invocation may share) stay at the
/// executor's priority.
pub(crate) fn at_home(home: &Handle, call: HostCallFuture) -> HostCallFuture {
    if !on_lane() {
        return call;
    }
    let mut task = Abort(home.spawn(call));
    Box::pin(async move {
        (&mut task.0).await.unwrap_or_else(|e| {
            Err(HostCallError::new(
                "HostCallError",
                format!("the host call failed: {e}"),
            ))
        })
    })
}

/// Cancels the lane's task when the invocation is dropped (a caller that
/// stopped waiting), as dropping the future on the caller's thread would.
struct Abort<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Abort<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        self.watch.stop.store(true, Ordering::Relaxed);
        self.watch.wake();
        // Dropping a runtime blocks, which panics inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Watches the lane's threads for starvation (see the module's doc).
#[derive(Default)]
struct Watch {
    /// The lane's threads: their ids and procfs files.
    threads: Mutex<Vec<Watched>>,
    /// Guests on the lane now; the watch sleeps while there are none.
    guests: AtomicUsize,
    stop: AtomicBool,
    thread: std::sync::OnceLock<Thread>,
}

struct Watched {
    tid: i32,
    /// `/proc/thread-self/stat` and `schedstat` as the thread opened them
    /// (its state; its time on the CPU in ns). Linux adds the time a
    /// thread waited to run only once it runs, so a starving thread shows
    /// as ready (`R`) with a CPU time that does not grow.
    stat: Option<File>,
    schedstat: Option<File>,
    /// CPU time at the last look, and whether it was ready to run then.
    ran: u64,
    ready: bool,
    lifted_until: Option<Instant>,
}

/// Counts a guest on the lane until dropped.
struct Busy<'a>(&'a Watch);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.guests.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Watch {
    /// Called by each lane thread as it starts.
    fn register(&self) {
        let mut watched = Watched {
            tid: crate::sched::thread_id(),
            stat: File::open("/proc/thread-self/stat").ok(),
            schedstat: File::open("/proc/thread-self/schedstat").ok(),
            ran: 0,
            ready: false,
            lifted_until: None,
        };
        watched.ran = watched.read_ran().unwrap_or(0);
        self.threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(watched);
    }

    fn busy(&self) -> Busy<'_> {
        // Waking the watch costs a syscall, paid only by guests that move
        // to the lane (past 1 ms of CPU), and only the first of a group.
        if self.guests.fetch_add(1, Ordering::Relaxed) == 0 {
            self.wake();
        }
        Busy(self)
    }

    fn wake(&self) {
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }

    fn run(&self) {
        let mut last = Instant::now();
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let lifted = self.look(last.elapsed());
            last = Instant::now();
            if self.guests.load(Ordering::Relaxed) == 0 && !lifted {
                std::thread::park();
                // Waiting while idle is no starvation: start afresh.
                self.look(Duration::ZERO);
                last = Instant::now();
            } else {
                std::thread::park_timeout(STARVED);
            }
        }
    }

    /// Lifts the threads that starved over the `elapsed` since the last
    /// look (zero: start afresh), lowers those whose lift is over. Returns
    /// whether any thread is lifted.
    fn look(&self, elapsed: Duration) -> bool {
        let now = Instant::now();
        let mut any = false;
        let mut threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
        for thread in threads.iter_mut() {
            let (Some(ran), Some(ready)) = (thread.read_ran(), thread.read_ready()) else {
                continue;
            };
            let progress = Duration::from_nanos(ran.saturating_sub(thread.ran));
            let starved = thread.ready && ready && !elapsed.is_zero() && progress < elapsed / 4;
            thread.ran = ran;
            thread.ready = ready;
            match thread.lifted_until {
                Some(until) if now >= until => {
                    crate::sched::set_background(thread.tid, true);
                    thread.lifted_until = None;
                }
                Some(_) => any = true,
                None if starved => {
                    tracing::debug!(
                        ran_us = progress.as_micros() as u64,
                        "a long-lane thread starved; it runs at normal priority for a while"
                    );
                    crate::sched::set_background(thread.tid, false);
                    thread.lifted_until = Some(now + LIFT);
                    any = true;
                }
                None => {}
            }
        }
        any
    }
}

impl Watched {
    /// The thread's total time on the CPU, in ns.
    fn read_ran(&self) -> Option<u64> {
        let mut buf = [0u8; 96];
        let text = read(self.schedstat.as_ref()?, &mut buf)?;
        text.split_whitespace().next()?.parse().ok()
    }

    /// Whether the thread is running or ready to run.
    fn read_ready(&self) -> Option<bool> {
        let mut buf = [0u8; 512];
        let text = read(self.stat.as_ref()?, &mut buf)?;
        // `pid (comm) state ...`: comm may hold spaces and parentheses.
        let state = text
            .get(text.rfind(')')? + 1..)?
            .split_whitespace()
            .next()?;
        Some(state == "R")
    }
}

/// Reads a small procfs file from its start.
fn read<'a>(file: &File, buf: &'a mut [u8]) -> Option<&'a str> {
    use std::os::unix::fs::FileExt;
    let n = file.read_at(buf, 0).ok()?;
    std::str::from_utf8(&buf[..n]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::policy;
    use std::time::Duration;

    #[tokio::test]
    async fn a_future_moves_once_flagged_and_gives_its_output_back() {
        let lane = Lane::spawn(1).expect("lane");
        let moved = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&moved);
        let output = lane
            .run(Arc::clone(&moved), async move {
                let before = on_lane();
                flag.store(true, Ordering::Relaxed);
                tokio::task::yield_now().await;
                (before, on_lane(), policy())
            })
            .await;
        assert!(!output.0, "started on the caller's thread");
        assert!(output.1, "finished on the lane");
        if cfg!(target_os = "linux") {
            // SCHED_IDLE is 5; where refused, the thread is niced instead.
            assert!(
                matches!(output.2.as_deref(), Some("5" | "0")),
                "{:?}",
                output.2
            );
        }
    }

    #[tokio::test]
    async fn a_flagged_future_starts_on_the_lane() {
        let lane = Lane::spawn(1).expect("lane");
        let on = lane
            .run(Arc::new(AtomicBool::new(true)), async { on_lane() })
            .await;
        assert!(on);
    }

    #[tokio::test]
    async fn dropping_the_caller_cancels_the_lanes_task() {
        struct Dropped(Arc<AtomicBool>);
        impl Drop for Dropped {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let lane = Lane::spawn(1).expect("lane");
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = Dropped(Arc::clone(&dropped));
        let run = lane.run(Arc::new(AtomicBool::new(true)), async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(50), run)
                .await
                .is_err()
        );
        for _ in 0..100 {
            if dropped.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the lane's task was not cancelled");
    }

    #[tokio::test]
    async fn host_calls_on_the_lane_run_at_home() {
        let lane = Lane::spawn(1).expect("lane");
        let home = Handle::current();
        let served_on_lane = lane
            .run(Arc::new(AtomicBool::new(true)), async move {
                let call: HostCallFuture =
                    Box::pin(async { Ok(serde_json::Value::Bool(on_lane())) });
                at_home(&home, call).await
            })
            .await;
        assert_eq!(served_on_lane, Ok(serde_json::Value::Bool(false)));
    }

    #[tokio::test]
    async fn a_starved_lane_thread_is_lifted_until_its_guest_has_run() {
        // Normal-priority spinners on every core: at SCHED_IDLE alone, the
        // lane's thread would not run until they stop.
        let lane = Lane::spawn(1).expect("lane");
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let spinners: Vec<_> = (0..cores * 2)
            .map(|_| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        // 30 ms of CPU, as a long guest would compute.
        let run = lane.run(Arc::new(AtomicBool::new(true)), async {
            let start = crate::cpu::thread_cpu_ns();
            while crate::cpu::thread_cpu_ns() - start < 30_000_000 {
                std::hint::spin_loop();
            }
        });
        let done = tokio::time::timeout(Duration::from_secs(5), run).await;
        stop.store(true, Ordering::Relaxed);
        for spinner in spinners {
            spinner.join().expect("spinner");
        }
        assert!(done.is_ok(), "the lane's guest starved behind the spinners");
    }
}
