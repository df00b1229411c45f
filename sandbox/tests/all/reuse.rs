//! Instance reuse: module scope survives between invocations of one image
//! on a kept instance, what belonged to an invocation does not, and an
//! instance is retired after a failure, at its memory high-water mark, at
//! its invocation count, when idle, and never serves another image.

use std::sync::Arc;
use std::time::Duration;

use sandbox::{HostCall, HostCallFuture, HostCalls, Image, Limits, NoHostCalls, Outcome, Reuse};
use serde_json::{Value, json};

use crate::support::{handler, image, new_sandbox, raw, result, run_with, sandbox};

fn reusing(max_invocations: u32, max_idle: Duration) -> Limits {
    Limits {
        reuse: Reuse::Sequential {
            max_invocations,
            max_idle,
        },
        ..Limits::default()
    }
}

fn reuse() -> Limits {
    reusing(1000, Duration::from_secs(60))
}

async fn run(image: &Image, event: Value, limits: &Limits) -> Outcome {
    run_with(image, event, limits, NoHostCalls::shared()).await
}

const COUNTER: &str = r#"
let n = 0;
async function handleEvent(e) {
  n += 1;
  if (e.fail === 'throw') throw new Error('no');
  if (e.fail === 'timeout') await new Promise(() => setInterval(() => {}, 1000));
  if (e.fail === 'memory') { const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length); }
  return n;
}"#;

#[tokio::test]
async fn module_scope_survives_on_a_kept_instance() {
    let image = image(&handler(COUNTER)).await;
    let limits = reuse();
    let first = run(&image, json!({}), &limits).await;
    assert_eq!(result(&first), json!(1));
    assert!(!first.reused);
    for expected in 2..=20 {
        let outcome = run(&image, json!({}), &limits).await;
        assert_eq!(result(&outcome), json!(expected));
        assert!(outcome.reused && outcome.warm);
    }
    assert_eq!(image.kept_instances(), 1);
    // Without reuse, every invocation starts from the snapshot again, and
    // leaves the kept instance alone.
    for _ in 0..3 {
        let outcome = run(&image, json!({}), &Limits::default()).await;
        assert_eq!(result(&outcome), json!(1));
        assert!(!outcome.reused);
    }
    assert_eq!(result(&run(&image, json!({}), &limits).await), json!(21));
}

#[tokio::test]
async fn a_failed_invocation_retires_its_instance() {
    let image = image(&handler(COUNTER)).await;
    let limits = Limits {
        timeout: Duration::from_millis(300),
        memory_bytes: 16 << 20,
        ..reuse()
    };
    for fail in ["throw", "timeout", "memory"] {
        assert_eq!(result(&run(&image, json!({}), &limits).await), json!(1));
        assert_eq!(result(&run(&image, json!({}), &limits).await), json!(2));
        let failed = run(&image, json!({ "fail": fail }), &limits).await;
        assert!(!failed.succeeded(), "{fail}: {:?}", failed.result);
        assert!(failed.reused);
        assert_eq!(image.kept_instances(), 0, "{fail}");
        let next = run(&image, json!({}), &limits).await;
        assert_eq!(result(&next), json!(1), "after {fail}");
        assert!(!next.reused);
        // Start the next round from a fresh instance too.
        drop(run(&image, json!({ "fail": "throw" }), &limits).await);
    }
}

#[tokio::test]
async fn what_belonged_to_an_invocation_does_not_carry_over() {
    let source = r#"
const host = require('chatfn:host');
let fired = false;
async function handleEvent(e, context) {
  if (e.step === 1) {
    setTimeout(() => { fired = true; }, 1);
    setInterval(() => { fired = true; }, 2);
    host.call('echo', { from: 1 });
    console.count('calls');
    for (let i = 0; i < 5000; i++) console.log('filling the log budget', i);
    return { env: process.env.SECRET, base: process.env.BASE, context: context.n };
  }
  if (e.step === 3) return new Promise(() => {});
  await new Promise((resolve) => setTimeout(resolve, 20));
  const echoed = await host.call('echo', { from: 2 });
  console.count('calls');
  console.log('still logging');
  return { fired, echoed, env: process.env.SECRET ?? null, base: process.env.BASE, context: context.n };
}"#;
    let image = image(&handler(source).with_env("BASE", "image")).await;
    let limits = reuse();
    let host: Arc<dyn HostCalls> = Arc::new(Echo);
    let first = image
        .invoke_with_env(
            &raw(&json!({ "step": 1 })),
            &raw(&json!({ "n": 1 })),
            Some(&raw(&json!({ "SECRET": "s1", "BASE": "secret" }))),
            &limits,
            Arc::clone(&host),
        )
        .await
        .expect("runs");
    assert_eq!(
        result(&first),
        json!({ "env": "s1", "base": "secret", "context": 1 })
    );
    assert!(
        first
            .logs
            .last()
            .expect("logs")
            .message
            .contains("log limit")
    );
    tokio::time::sleep(Duration::from_millis(30)).await;
    let second = image
        .invoke(
            &raw(&json!({ "step": 2 })),
            &raw(&json!({ "n": 2 })),
            &limits,
            Arc::clone(&host),
        )
        .await
        .expect("runs");
    assert!(second.reused);
    assert_eq!(
        result(&second),
        json!({ "fired": false, "echoed": { "from": 2 }, "env": null, "base": "image", "context": 2 })
    );
    let lines: Vec<&str> = second.logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(lines, ["calls: 1", "still logging"]);
    // A host call left running by the last invocation is not one this one
    // waits on: a promise nothing can settle is reported as such.
    let host: Arc<dyn HostCalls> = Arc::new(Echo);
    assert!(
        result(&run_with(&image, json!({ "step": 1 }), &limits, Arc::clone(&host)).await)
            .is_object()
    );
    let stuck = run_with(&image, json!({ "step": 3 }), &limits, host).await;
    assert!(stuck.reused);
    assert_eq!(
        stuck.error_kind(),
        Some(sandbox::ErrorKind::Unsettled),
        "{:?}",
        stuck.result
    );
}

/// Each kind of leftover on its own (the prelude skips the reset when an
/// invocation left none, so each must say it left one), then an invocation
/// that looks for it.
#[tokio::test]
async fn each_kind_of_leftover_is_cleared_on_its_own() {
    let source = r#"
let fired = false;
async function handleEvent(e) {
  switch (e.leave) {
    case 'group': console.group(); return null;
    case 'time': console.time('t'); return null;
    case 'count': console.count('c'); return null;
    case 'timer': setTimeout(() => { fired = true; }, 1); return null;
  }
  console.log('line');
  console.timeEnd('t');
  console.count('c');
  await new Promise((resolve) => setTimeout(resolve, 10));
  return { fired, since: Math.round(performance.now()) };
}"#;
    let image = image(&handler(source)).await;
    let limits = reuse();
    for leave in ["group", "time", "count", "timer"] {
        let left = run(&image, json!({ "leave": leave }), &limits).await;
        assert!(left.succeeded(), "{leave}: {:?}", left.result);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let probe = run(&image, json!({}), &limits).await;
        assert!(probe.reused, "{leave}");
        let lines: Vec<&str> = probe.logs.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            lines,
            ["line", "No such label 't' for console.timeEnd()", "c: 1"],
            "after {leave}"
        );
        let result = result(&probe);
        assert_eq!(result["fired"], false, "after {leave}");
        // performance.now() counts from this invocation's start, not the
        // instance's or the last invocation's.
        let since = result["since"].as_i64().unwrap_or(-1);
        assert!((10..1000).contains(&since), "after {leave}: {since}");
    }
}

struct Echo;

impl HostCalls for Echo {
    fn call(&self, call: HostCall) -> HostCallFuture {
        let value: Value = serde_json::from_str(call.args.get()).unwrap_or_default();
        Box::pin(async move { Ok(value) })
    }
}

#[tokio::test]
async fn a_growing_heap_is_retired_before_the_limit() {
    // 1 MiB more kept in module scope per invocation, under a 24 MiB limit.
    let source = r#"
const kept = [];
async function handleEvent() {
  kept.push('y'.repeat(1 << 20) + kept.length);
  return kept.length;
}"#;
    let image = image(&handler(source)).await;
    let limits = Limits {
        memory_bytes: 24 << 20,
        ..reuse()
    };
    let mut counts = Vec::new();
    for _ in 0..60 {
        counts.push(result(&run(&image, json!({}), &limits).await));
    }
    let most = counts.iter().filter_map(Value::as_u64).max().unwrap_or(0);
    assert!(
        (2..24).contains(&most),
        "kept growing to {most}: {counts:?}"
    );
    // Retired and started again, more than once.
    assert!(
        counts.iter().filter(|n| **n == json!(1)).count() >= 3,
        "{counts:?}"
    );
}

#[tokio::test]
async fn an_instance_serves_at_most_max_invocations() {
    let image = image(&handler(COUNTER)).await;
    let limits = reusing(3, Duration::from_secs(60));
    let mut counts = Vec::new();
    for _ in 0..7 {
        counts.push(result(&run(&image, json!({}), &limits).await));
    }
    assert_eq!(counts, [1, 2, 3, 1, 2, 3, 1].map(|n| json!(n)));
}

#[tokio::test]
async fn an_idle_kept_instance_is_retired() {
    let image = image(&handler(COUNTER)).await;
    let limits = reusing(1000, Duration::from_millis(150));
    assert_eq!(result(&run(&image, json!({}), &limits).await), json!(1));
    assert_eq!(result(&run(&image, json!({}), &limits).await), json!(2));
    assert_eq!(image.kept_instances(), 1);
    // The warmer retires it at its next tick past the idle time.
    let mut waited = Duration::ZERO;
    while image.kept_instances() > 0 && waited < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    assert_eq!(image.kept_instances(), 0);
    let next = run(&image, json!({}), &limits).await;
    assert_eq!(result(&next), json!(1));
    assert!(!next.reused);
}

#[tokio::test]
async fn images_never_share_instances() {
    // Two images of one spec (as two functions with the same handler would
    // be), and a second version: each counts on its own.
    let spec = handler(COUNTER);
    let first = image(&spec).await;
    let twin = sandbox().build_image(&spec).await.expect("image");
    let next_version = image(&handler(&format!("{COUNTER}\n// v2"))).await;
    let limits = reuse();
    for expected in 1..=3 {
        assert_eq!(
            result(&run(&first, json!({}), &limits).await),
            json!(expected)
        );
    }
    assert_eq!(result(&run(&twin, json!({}), &limits).await), json!(1));
    assert_eq!(
        result(&run(&next_version, json!({}), &limits).await),
        json!(1)
    );
    assert_eq!(result(&run(&first, json!({}), &limits).await), json!(4));
}

#[tokio::test]
async fn the_sandbox_counts_kept_instances_over_its_images() {
    // A sandbox of its own: the shared one's count moves with other tests.
    let sandbox = new_sandbox();
    let first = sandbox.build_image(&handler(COUNTER)).await.expect("image");
    let second = sandbox
        .build_image(&handler(&format!("{COUNTER}\n// second")))
        .await
        .expect("image");
    assert_eq!(sandbox.kept_instances(), 0);
    let limits = reuse();
    for image in [&first, &second, &first] {
        assert!(run(image, json!({}), &limits).await.succeeded());
    }
    assert_eq!(sandbox.kept_instances(), 2);
    first.retire_kept();
    assert_eq!(sandbox.kept_instances(), 1);
    assert!(
        !run(&second, json!({ "fail": "throw" }), &limits)
            .await
            .succeeded()
    );
    assert_eq!(
        sandbox.kept_instances(),
        0,
        "a failed run retires its instance"
    );
}

#[tokio::test]
async fn overlapping_invocations_get_instances_of_their_own() {
    let source = r#"
let n = 0;
async function handleEvent() {
  const mine = ++n;
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { mine, n };
}"#;
    let image = image(&handler(source)).await;
    let limits = reuse();
    let runs = (0..4).map(|_| run(&image, json!({}), &limits));
    for outcome in futures_util::future::join_all(runs).await {
        // Each saw only its own increment: no instance ran two at once.
        assert_eq!(result(&outcome), json!({ "mine": 1, "n": 1 }));
    }
    assert_eq!(image.kept_instances(), 4);
    let next = run(&image, json!({}), &limits).await;
    assert!(next.reused);
    assert_eq!(result(&next), json!({ "mine": 2, "n": 2 }));
}

#[tokio::test]
async fn reuse_settings_are_checked() {
    let image = image(&handler(COUNTER)).await;
    for limits in [
        reusing(0, Duration::from_secs(1)),
        reusing(1, Duration::ZERO),
    ] {
        let refused = image
            .invoke(
                &raw(&json!({})),
                &raw(&json!({})),
                &limits,
                NoHostCalls::shared(),
            )
            .await;
        assert!(refused.is_err());
    }
}
