//! Warm pools and late-bound images: instances made ahead of invocations
//! still serve one invocation each, pools follow traffic and stay within
//! their budget, and baking changes nothing a handler can see.

use std::time::{Duration, Instant};

use std::sync::Arc;

use sandbox::{
    HostCall, HostCallError, HostCallFuture, HostCalls, Image, Sandbox, SandboxConfig, Script,
};
use serde_json::json;

use crate::support::{handler, result, run};

/// A sandbox of its own, so pool sizes are not shared with other tests.
fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::new(SandboxConfig {
        cache_dir: Some(std::env::temp_dir().join("chatfn-sandbox-tests")),
        ..config
    })
    .expect("sandbox")
}

/// Polls `condition` for up to `within`.
async fn eventually(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

const COUNTER: &str =
    "let n = 0; async function handleEvent(e) { n += 1; return { n, id: e.id }; }";

#[tokio::test]
async fn pooled_instances_serve_one_invocation_each() {
    let sandbox = sandbox_with(SandboxConfig::default());
    let image = sandbox.build_image(&handler(COUNTER)).await.expect("build");
    // Late-bound, the build's check of the handler left one instance
    // ready (a baked image from an earlier run's cache has none yet).
    assert!(image.is_baked() || image.warm_instances() == 1);
    for id in 0..10 {
        assert_eq!(
            result(&run(&image, json!({ "id": id })).await),
            json!({ "n": 1, "id": id })
        );
    }
    // The warmer refills the pool of an image in use, off the request path,
    // and counts it in the sandbox's total at its next tick.
    assert!(eventually(Duration::from_secs(2), || image.warm_instances() >= 1).await);
    assert!(eventually(Duration::from_secs(2), || sandbox.warm_instances() >= 1).await);
    for id in 0..30 {
        assert_eq!(
            result(&run(&image, json!({ "id": id })).await),
            json!({ "n": 1, "id": id })
        );
    }
}

#[tokio::test]
async fn an_idle_image_pool_drains_to_zero() {
    let sandbox = sandbox_with(SandboxConfig {
        warm_idle: Duration::from_millis(300),
        ..SandboxConfig::default()
    });
    let image = sandbox
        .build_image(&handler("async function handleEvent() { return 'idle'; }"))
        .await
        .expect("build");
    assert_eq!(result(&run(&image, json!({})).await), json!("idle"));
    assert!(eventually(Duration::from_secs(2), || image.warm_instances() >= 1).await);
    assert!(
        eventually(Duration::from_secs(3), || image.warm_instances() == 0).await,
        "the pool of an idle image keeps {} instances",
        image.warm_instances()
    );
    // It starts cold, and warms up again; each outcome says which it was.
    let cold = run(&image, json!({})).await;
    assert_eq!(result(&cold), json!("idle"));
    assert!(!cold.warm);
    assert!(cold.startup > Duration::ZERO && cold.startup < cold.duration);
    assert!(eventually(Duration::from_secs(2), || image.warm_instances() >= 1).await);
    let warm = run(&image, json!({})).await;
    assert_eq!(result(&warm), json!("idle"));
    assert!(warm.warm);
    assert!(warm.startup < warm.duration);
}

#[tokio::test]
async fn all_pools_together_stay_within_the_budget() {
    let config = SandboxConfig::default();
    // Room for two pooled instances.
    let sandbox = sandbox_with(SandboxConfig {
        warm_pool_bytes: 2 * config.keep_resident_bytes,
        ..config
    });
    let mut images: Vec<Image> = Vec::new();
    for i in 0..4 {
        let source = format!("async function handleEvent() {{ return {i}; }}");
        images.push(sandbox.build_image(&handler(&source)).await.expect("build"));
    }
    let total = |images: &[Image]| images.iter().map(Image::warm_instances).sum::<usize>();
    for _ in 0..3 {
        for (i, image) in images.iter().enumerate() {
            assert_eq!(result(&run(image, json!({})).await), json!(i));
        }
    }
    assert!(
        eventually(Duration::from_secs(2), || total(&images) <= 2).await,
        "pools hold {} instances",
        total(&images)
    );
    // And they stay there while traffic goes on.
    for _ in 0..5 {
        for image in &images {
            run(image, json!({})).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            total(&images) <= 2,
            "pools hold {} instances",
            total(&images)
        );
    }
}

#[tokio::test]
async fn a_late_bound_image_and_its_baked_form_behave_alike() {
    // A cache of its own: the baked image must not be there already.
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    let spec = handler(
        "const started = typeof process; async function handleEvent(e) { return { base, started, twice: e.n * 2, env: process.env.MODE }; }",
    )
    .with_init(Script::new("init.js", "var base = [1, 2].map((x) => x * 10);"))
    .with_env("MODE", "test");
    let image = sandbox.build_image(&spec).await.expect("build");
    let expected = json!({ "base": [10, 20], "started": "object", "twice": 8, "env": "test" });
    assert!(!image.is_baked());
    assert_eq!(result(&run(&image, json!({ "n": 4 })).await), expected);
    image.bake().await.expect("bake");
    assert!(image.is_baked());
    // Instances pooled before the bake and made from it answer the same.
    for _ in 0..20 {
        assert_eq!(result(&run(&image, json!({ "n": 4 })).await), expected);
    }
}

#[tokio::test]
async fn instances_that_load_the_compiled_handler_answer_as_the_first_did() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    // TypeScript, so error positions go through its source map; the
    // handler's own text, which the bytecode keeps.
    let source = "type E = { fail?: boolean };\nexport async function handleEvent(e: E) {\n  if (e.fail) {\n    throw new RangeError(`no ${typeof e}`);\n  }\n  return handleEvent.toString();\n}\n";
    let image = sandbox
        .build_image(&sandbox::ImageSpec::new(Script::new("handler.ts", source)))
        .await
        .expect("build");
    let failure = |outcome: sandbox::Outcome| outcome.result.expect_err("throws").error;
    // The build's instance loaded the source; inline ones load bytecode.
    let from_source = failure(run(&image, json!({ "fail": true })).await);
    let from_bytecode = failure(run_inline(&image, json!({ "fail": true })).await);
    assert_eq!(from_bytecode, from_source);
    assert_eq!(
        (from_source.name.as_str(), from_source.message.as_str()),
        ("RangeError", "no object")
    );
    // The TypeScript line of the throw (through the source map).
    assert_eq!(from_source.line, Some(4));
    let text = result(&run_inline(&image, json!({})).await);
    assert!(
        text.as_str()
            .is_some_and(|t| t.starts_with("async function handleEvent(e)")),
        "{text}"
    );
    assert!(!image.is_baked());
    image.bake().await.expect("bake");
    assert_eq!(result(&run(&image, json!({})).await), text);
}

#[tokio::test]
async fn a_quick_handler_used_now_and_then_stays_late_bound() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    let image = sandbox
        .build_image(&handler("async function handleEvent(e) { return e.n; }"))
        .await
        .expect("build");
    // 20 invocations a second for a second and a half: its loads take
    // well under a share of a core worth a snapshot of its own.
    for n in 0..30 {
        assert_eq!(result(&run(&image, json!({ "n": n })).await), json!(n));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!image.is_baked());
    assert_eq!(sandbox.bakes_pending(), 0);
}

#[tokio::test]
async fn a_late_bound_handler_sees_its_environment_at_its_top_level() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    // No init script: the runtime snapshot leaves the environment out and
    // each load sets it (from source, then from bytecode).
    let source = "const mode = process.env.MODE;\nasync function handleEvent() { return [mode, process.env.MODE, Object.keys(process.env)]; }";
    let mut images = Vec::new();
    for mode in ["a", "b"] {
        let spec = handler(source).with_env("MODE", mode);
        images.push((sandbox.build_image(&spec).await.expect("build"), mode));
    }
    for (image, mode) in &images {
        assert!(!image.is_baked());
        for _ in 0..3 {
            assert_eq!(
                result(&run_inline(image, json!({})).await),
                json!([mode, mode, ["MODE"]])
            );
        }
    }
    let (baked, mode) = &images[1];
    baked.bake().await.expect("bake");
    assert!(baked.is_baked());
    assert_eq!(
        result(&run(baked, json!({})).await),
        json!([mode, mode, ["MODE"]])
    );
}

#[tokio::test]
async fn handlers_on_one_runtime_share_its_snapshot() {
    let sandbox = sandbox_with(SandboxConfig::default());
    let runtime = |source: &str| {
        handler(source).with_init(Script::new("init.js", "globalThis.shared = 'from init';"))
    };
    let a = sandbox
        .build_image(&runtime(
            "async function handleEvent() { return ['a', shared]; }",
        ))
        .await
        .expect("build a");
    let b = sandbox
        .build_image(&runtime(
            "async function handleEvent() { return ['b', shared]; }",
        ))
        .await
        .expect("build b");
    assert_ne!(a.id(), b.id());
    // Both late-bound on the same compiled runtime snapshot: neither holds
    // more than its compiled handler.
    assert!(!a.is_baked() && !b.is_baked());
    assert!(a.private_bytes() < 64 << 10, "{}", a.private_bytes());
    assert_eq!(result(&run(&a, json!({})).await), json!(["a", "from init"]));
    assert_eq!(result(&run(&b, json!({})).await), json!(["b", "from init"]));
}

/// A sandbox with a cache directory of its own (nothing baked yet).
fn fresh_sandbox(config: SandboxConfig) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..config
    })
    .expect("sandbox");
    (dir, sandbox)
}

/// Invokes `image` so the next invocation finds its pool empty.
async fn run_inline(image: &Image, event: serde_json::Value) -> sandbox::Outcome {
    while image.warm_instances() > 0 {
        run(image, event.clone()).await;
    }
    run(image, event).await
}

#[tokio::test]
async fn a_handler_that_throws_while_loading_fails_only_that_invocation() {
    // Each instance loads the handler anew; this one throws on about half
    // of its loads. The build's load has to succeed, so retry the build.
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    let mut image = None;
    for attempt in 0..40 {
        let spec = handler(&format!(
            "if (crypto.getRandomValues(new Uint8Array(1))[0] < 128) throw new Error('unlucky {attempt}');\nasync function handleEvent() {{ return 'loaded'; }}"
        ));
        if let Ok(built) = sandbox.build_image(&spec).await {
            image = Some((built, attempt));
            break;
        }
    }
    let (image, attempt) = image.expect("a build whose load succeeded");
    assert!(!image.is_baked());
    let (mut failed, mut succeeded) = (0, 0);
    // Each inline run loads the handler anew (a quick load, so nothing
    // bakes it at these rates).
    for _ in 0..40 {
        if failed > 0 && succeeded > 0 {
            break;
        }
        let outcome = run_inline(&image, json!({})).await;
        match &outcome.result {
            Ok(_) => succeeded += 1,
            Err(failure) => {
                assert_eq!(failure.kind, sandbox::ErrorKind::Exception);
                assert_eq!(failure.error.message, format!("unlucky {attempt}"));
                failed += 1;
            }
        }
    }
    // A load that always or never throws is a bug.
    assert!(
        failed > 0 && succeeded > 0,
        "{failed} failed, {succeeded} succeeded"
    );
}

#[tokio::test]
async fn running_out_of_memory_while_loading_is_a_memory_limit() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    // 24 MiB at the top level: fine at build time, over a 16 MiB limit.
    let image = sandbox
        .build_image(&handler(
            "const big = 'x'.repeat(24 << 20); async function handleEvent() { return big.length; }",
        ))
        .await
        .expect("build");
    let limits = sandbox::Limits {
        memory_bytes: 16 << 20,
        ..sandbox::Limits::default()
    };
    for _ in 0..2 {
        let outcome =
            crate::support::run_with(&image, json!({}), &limits, sandbox::NoHostCalls::shared())
                .await;
        let kind = outcome.result.expect_err("over the limit").kind;
        assert_eq!(kind, sandbox::ErrorKind::MemoryLimit);
    }
    assert_eq!(result(&run(&image, json!({})).await), json!(24 << 20));
}

#[tokio::test]
async fn instances_too_large_to_keep_warm_are_not_pooled() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig::default());
    let large = sandbox
        .build_image(&handler(
            "const big = 'x'.repeat(16 << 20); async function handleEvent() { return big.length; }",
        ))
        .await
        .expect("build");
    let small = sandbox
        .build_image(&handler("async function handleEvent() { return 'small'; }"))
        .await
        .expect("build");
    assert_eq!(
        large.warm_instances(),
        0,
        "the build's instance is not kept"
    );
    assert_eq!(small.warm_instances(), 1);
    for _ in 0..5 {
        assert_eq!(result(&run(&large, json!({})).await), json!(16 << 20));
        assert_eq!(result(&run(&small, json!({})).await), json!("small"));
    }
    // The warmer refills the small image's pool, never the large one's
    // while it is late-bound. (Its slow loads, back to back, may get it
    // baked; then its megabytes are in its snapshot and its instances are
    // small.)
    assert!(eventually(Duration::from_secs(2), || small.warm_instances() >= 1).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(large.is_baked() || large.warm_instances() == 0);
}

#[tokio::test]
async fn hot_images_are_baked_in_the_background_in_order_and_a_failed_bake_changes_nothing() {
    // Bakes snapshot under the init memory limit, which this handler's top
    // level exceeds (instances load it under the engine's).
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig {
        init_memory_bytes: 24 << 20,
        max_memory_bytes: 64 << 20,
        ..SandboxConfig::default()
    });
    let unbakeable = sandbox
        .build_image(&handler(
            "const big = 'x'.repeat(28 << 20); async function handleEvent() { return big.length; }",
        ))
        .await
        .expect("build");
    let bakeable = sandbox
        .build_image(&handler(
            "async function handleEvent(e) { return e.n + 1; }",
        ))
        .await
        .expect("build");
    // The unbakeable image's load is slow (megabytes at its top level), so
    // it is queued at its 8th invocation, first.
    for _ in 0..8 {
        assert_eq!(result(&run(&unbakeable, json!({})).await), json!(28 << 20));
    }
    // The other's load is quick: it is queued once its loads take a share
    // of a core, as they soon do when it is invoked back to back.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut n = 0;
    while !bakeable.is_baked() && Instant::now() < deadline {
        assert_eq!(
            result(&run(&bakeable, json!({ "n": n })).await),
            json!(n + 1)
        );
        n += 1;
    }
    assert!(bakeable.is_baked(), "the hot image was baked");
    // Baked into the disk cache and mapped from it, the image holds only
    // wasmtime's tables privately, not its megabytes of code and data.
    let private = bakeable.private_bytes();
    assert!((64 << 10..2 << 20).contains(&private), "{private} bytes");
    // One bake at a time, in order: the first one has ended, and failed.
    assert!(!unbakeable.is_baked());
    assert_eq!(result(&run(&unbakeable, json!({})).await), json!(28 << 20));
    assert_eq!(result(&run(&bakeable, json!({ "n": 41 })).await), json!(42));
}

/// Holds every host call until the test adds permits; counts arrivals.
struct Gate {
    permits: Arc<tokio::sync::Semaphore>,
    arrived: Arc<std::sync::atomic::AtomicUsize>,
}

impl HostCalls for Gate {
    fn call(&self, _call: HostCall) -> HostCallFuture {
        self.arrived
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let permits = Arc::clone(&self.permits);
        Box::pin(async move {
            let _permit = permits
                .acquire()
                .await
                .map_err(|_| HostCallError::new("ClosedError", "the gate closed"))?;
            Ok(json!("through"))
        })
    }
}

/// Finished instances wait for the reaper holding their slots: in a small
/// pool, as many waiting as the reaper's usual backlog would leave none
/// for the next invocation.
#[tokio::test]
async fn a_small_pool_serves_invocations_back_to_back() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig {
        max_instances: 8,
        warm_per_image: 2,
        ..SandboxConfig::default()
    });
    let image = sandbox
        .build_image(&handler("async function handleEvent(e) { return e.n; }"))
        .await
        .expect("build");
    for n in 0..2_000 {
        let outcome = image
            .invoke(
                &crate::support::raw(&json!({ "n": n })),
                &crate::support::raw(&json!({})),
                &sandbox::Limits::default(),
                sandbox::NoHostCalls::shared(),
            )
            .await
            .unwrap_or_else(|e| panic!("invocation {n}: {e}"));
        assert_eq!(result(&outcome), json!(n));
    }
}

#[tokio::test]
async fn with_every_slot_busy_an_invocation_is_refused_and_the_pool_recovers() {
    let (_dir, sandbox) = fresh_sandbox(SandboxConfig {
        max_instances: 4,
        ..SandboxConfig::default()
    });
    let image = sandbox
        .build_image(&handler(
            "const host = require('chatfn:host'); async function handleEvent() { return host.call('wait', {}); }",
        ))
        .await
        .expect("build");
    let gate = Gate {
        permits: Arc::new(tokio::sync::Semaphore::new(0)),
        arrived: Arc::default(),
    };
    let (permits, arrived) = (Arc::clone(&gate.permits), Arc::clone(&gate.arrived));
    let host: Arc<dyn HostCalls> = Arc::new(gate);
    let invoke = |image: Image, host: Arc<dyn HostCalls>| async move {
        image
            .invoke(
                &crate::support::raw(&json!({})),
                &crate::support::raw(&json!({})),
                &sandbox::Limits::default(),
                host,
            )
            .await
    };
    // Four invocations waiting on the host hold all four slots. Each takes
    // an instance the warmer pooled, so none races the warmer for a slot.
    let mut running = Vec::new();
    for n in 1..=4 {
        assert!(eventually(Duration::from_secs(5), || image.warm_instances() >= 1).await);
        running.push(tokio::spawn(invoke(image.clone(), Arc::clone(&host))));
        assert!(
            eventually(Duration::from_secs(5), || {
                arrived.load(std::sync::atomic::Ordering::SeqCst) == n
            })
            .await
        );
    }
    match invoke(image.clone(), Arc::clone(&host)).await {
        Err(sandbox::Error::PoolExhausted { max_instances }) => assert_eq!(max_instances, 4),
        other => panic!("expected PoolExhausted, got {:?}", other.map(|o| o.result)),
    }
    // The warmer finds no slot either, and keeps out of the way.
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(image.warm_instances(), 0);
    permits.add_permits(4);
    for invocation in running {
        let outcome = invocation.await.expect("task").expect("ran");
        assert_eq!(result(&outcome), json!("through"));
    }
    // Slots come back: the pool refills and invocations run again.
    assert!(eventually(Duration::from_secs(5), || image.warm_instances() >= 1).await);
    permits.add_permits(1);
    let outcome = invoke(image.clone(), host).await.expect("ran");
    assert_eq!(result(&outcome), json!("through"));
}
