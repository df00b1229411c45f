//! Every budget ends cleanly, with its own error kind.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sandbox::{ErrorKind, Failure, Limits, NoHostCalls};
use serde_json::json;

use crate::support::*;

fn limits(timeout_ms: u64) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        ..Limits::default()
    }
}

#[tokio::test]
async fn infinite_loop_times_out_near_the_limit() {
    let image = image(&handler("async function handleEvent() { for (;;) {} }")).await;
    let started = Instant::now();
    let outcome = run_with(&image, json!({}), &limits(200), NoHostCalls::shared()).await;
    let elapsed = started.elapsed();
    assert_eq!(
        outcome.error_kind(),
        Some(ErrorKind::Timeout),
        "{:?}",
        outcome.result
    );
    // Not a benchmark: only that the loop was stopped, not left running.
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_loop_on_a_starved_long_lane_still_times_out_on_time() {
    // Busy threads at normal priority on every core: the long lane's
    // threads, at the lowest priority, get next to no CPU, and neither
    // does the guest's own timer there. The caller answers regardless.
    let image = image(&handler("async function handleEvent() { for (;;) {} }")).await;
    let stop = Arc::new(AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let hogs: Vec<_> = (0..cores * 4)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    let started = Instant::now();
    let outcome = run_with(&image, json!({}), &limits(300), NoHostCalls::shared()).await;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for hog in hogs {
        hog.join().expect("hog");
    }
    assert_eq!(
        outcome.error_kind(),
        Some(ErrorKind::Timeout),
        "{:?}",
        outcome.result
    );
    assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
}

#[tokio::test]
async fn waiting_forever_on_a_timer_chain_times_out() {
    let image = image(&handler(
        "async function handleEvent() { await new Promise(() => setInterval(() => {}, 10)); }",
    ))
    .await;
    let outcome = run_with(&image, json!({}), &limits(150), NoHostCalls::shared()).await;
    assert_eq!(outcome.error_kind(), Some(ErrorKind::Timeout));
}

#[tokio::test]
async fn a_busy_loop_runs_out_of_cpu_time_before_its_timeout() {
    let image = image(&handler("async function handleEvent() { for (;;) {} }")).await;
    let limits = Limits {
        cpu_time: Duration::from_millis(100),
        ..limits(5000)
    };
    let started = Instant::now();
    let outcome = run_with(&image, json!({}), &limits, NoHostCalls::shared()).await;
    assert_eq!(
        outcome.error_kind(),
        Some(ErrorKind::CpuLimit),
        "{:?}",
        outcome.result
    );
    let Err(failure) = &outcome.result else {
        unreachable!()
    };
    assert_eq!(failure.error.name, "CpuLimitError");
    assert!(
        outcome.cpu >= Duration::from_millis(100),
        "{:?}",
        outcome.cpu
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn waiting_costs_no_cpu_time() {
    // 300 ms of timers against a 50 ms CPU budget.
    let image = image(&handler(
        "async function handleEvent() { for (let i = 0; i < 3; i++) await new Promise(r => setTimeout(r, 100)); return 'rested'; }",
    ))
    .await;
    let limits = Limits {
        cpu_time: Duration::from_millis(50),
        ..limits(5000)
    };
    let outcome = run_with(&image, json!({}), &limits, NoHostCalls::shared()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.result);
    assert!(outcome.cpu < Duration::from_millis(50), "{:?}", outcome.cpu);
    assert!(outcome.duration >= Duration::from_millis(300));
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_limit() {
    let image = image(&handler(
        "async function handleEvent() { const hoard = []; for (;;) hoard.push('x'.repeat(1 << 16) + hoard.length); }",
    ))
    .await;
    let limits = Limits {
        memory_bytes: 32 << 20,
        ..Limits::default()
    };
    let outcome = run_with(&image, json!({}), &limits, NoHostCalls::shared()).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::MemoryLimit, "{error:?}");
    assert!(error.message.contains("32 MiB"), "{}", error.message);
}

#[tokio::test]
async fn typed_array_bomb_hits_the_memory_limit() {
    let image = image(&handler(
        "async function handleEvent() { const keep = []; for (;;) keep.push(new Uint8Array(8 << 20)); }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(
        outcome.error_kind(),
        Some(ErrorKind::MemoryLimit),
        "{:?}",
        outcome.result
    );
}

#[tokio::test]
async fn deep_recursion_is_a_crash() {
    let image = image(&handler(
        "function down(n) { return down(n + 1) + 1; } async function handleEvent() { return down(0); }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::Crash, "{error:?}");
    assert!(error.message.contains("stack"), "{}", error.message);
}

#[tokio::test]
async fn a_promise_that_never_settles_is_an_error_not_a_hang() {
    let image = image(&handler(
        "async function handleEvent() { await new Promise(() => {}); }",
    ))
    .await;
    let started = Instant::now();
    let outcome = run_with(&image, json!({}), &limits(10_000), NoHostCalls::shared()).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::Unsettled);
    assert!(error.message.contains("never settles"), "{}", error.message);
    // Detected at once, not by the 10 s timeout.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_unref_timer_does_not_keep_a_dead_promise_alive() {
    let image = image(&handler(
        "async function handleEvent() { setTimeout(() => {}, 60000).unref(); await new Promise(() => {}); }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(outcome.error_kind(), Some(ErrorKind::Unsettled));
}

#[tokio::test]
async fn log_volume_is_capped() {
    let image = image(&handler(
        "async function handleEvent() { for (let i = 0; i < 10000; i++) console.log('line ' + i + ' ' + 'x'.repeat(100)); return 'finished'; }",
    ))
    .await;
    let limits = Limits {
        max_log_bytes: 4096,
        ..Limits::default()
    };
    let outcome = run_with(&image, json!({}), &limits, NoHostCalls::shared()).await;
    assert_eq!(result(&outcome), json!("finished"));
    let kept: usize = outcome.logs.iter().map(|l| l.message.len()).sum();
    assert!(kept < 4096 + 200, "{kept}");
    let last = outcome.logs.last().expect("logs");
    assert!(last.message.contains("log limit"), "{}", last.message);
    assert_eq!(
        outcome.logs[0].message,
        format!("line 0 {}", "x".repeat(100))
    );
}

#[tokio::test]
async fn a_flood_of_empty_log_lines_is_capped_by_count() {
    let image = image(&handler(
        "async function handleEvent() { for (let i = 0; i < 200000; i++) console.log(''); return 'finished'; }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(result(&outcome), json!("finished"));
    // 64 KiB at 32 bytes an entry, and the notice.
    assert!(outcome.logs.len() <= 2049, "{} entries", outcome.logs.len());
    assert!(outcome.logs.len() > 1000, "{} entries", outcome.logs.len());
    let last = outcome.logs.last().expect("logs");
    assert!(last.message.contains("log limit"), "{}", last.message);
}

#[tokio::test]
async fn oversized_result_is_invalid() {
    let image = image(&handler(
        "async function handleEvent(e) { return 'y'.repeat(e.n); }",
    ))
    .await;
    let limits = Limits {
        max_result_bytes: 1000,
        ..Limits::default()
    };
    let small = run_with(&image, json!({ "n": 100 }), &limits, NoHostCalls::shared()).await;
    assert!(small.succeeded());
    let big = run_with(&image, json!({ "n": 5000 }), &limits, NoHostCalls::shared()).await;
    let Failure { kind, error } = big.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::InvalidResult);
    assert!(
        error.message.contains("limit is 1000 bytes"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn huge_error_messages_are_bounded() {
    let image = image(&handler(
        "async function handleEvent() { throw new Error('e'.repeat(1 << 20)); }",
    ))
    .await;
    let outcome = run(&image, json!({})).await;
    let Failure { kind, error } = outcome.result.expect_err("failed");
    assert_eq!(kind, ErrorKind::Exception);
    assert!(error.message.len() < 100_000, "{}", error.message.len());
}

#[tokio::test]
async fn invalid_limits_are_refused_before_running() {
    let image = image(&handler("async function handleEvent() { return 1; }")).await;
    let limits = Limits {
        memory_bytes: 64 << 30,
        ..Limits::default()
    };
    let refused = image
        .invoke(
            &raw(&json!({})),
            &raw(&json!({})),
            &limits,
            NoHostCalls::shared(),
        )
        .await;
    assert!(matches!(refused, Err(sandbox::Error::InvalidLimits { .. })));
}
