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

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::{HostCallError, HostCallFuture};

thread_local! {
    static ON_LANE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is one of the lane's.
pub(crate) fn on_lane() -> bool {
    ON_LANE.with(Cell::get)
}

pub(crate) struct Lane {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
}

impl Lane {
    pub(crate) fn spawn(threads: usize) -> std::io::Result<Lane> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("chatfn-long")
            .on_thread_start(|| {
                ON_LANE.with(|on| on.set(true));
                crate::sched::background();
            })
            .enable_all()
            .build()?;
        Ok(Lane {
            runtime: Some(runtime),
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
        // Dropping a runtime blocks, which panics inside an async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The scheduling policy of the calling thread, from procfs.
    fn policy() -> Option<String> {
        let sched = std::fs::read_to_string("/proc/thread-self/sched").ok()?;
        let line = sched.lines().find(|l| l.starts_with("policy"))?;
        Some(line.rsplit(':').next()?.trim().to_string())
    }

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
}
