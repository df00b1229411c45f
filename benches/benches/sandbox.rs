//! Starts, as the project defines them, each with a trivial handler run to
//! its result:
//! - `start/warm`: the instance was made by the warm pool before the
//!   invocation (the bench waits for the pool between samples);
//! - `start/back-to-back` (printed only): invocations back to back, as a
//!   hot function sees them; all of them, and the warm ones apart;
//! - `start/reused`: instance reuse, one kept instance serving invocation
//!   after invocation (printed only);
//! - `start/inline`: the pool is empty, the invocation instantiates;
//! - `start/cold`: a process-fresh engine loads the image's precompiled
//!   artifact from disk (mmap) and runs its first invocation;
//! - `deploy/handler-only`: a new handler on an existing runtime, from
//!   building its image to its first result;
//! - `host-call/round-trip`: a handler making one host call, less the
//!   trivial handler's start.
//!
//! Besides criterion's estimates, prints p50/p99 of single invocations
//! (criterion reports means of batches, and start-up cost is a latency).

#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::{back_to_back, percentile, print_percentiles, wait_warm};
use criterion::{Criterion, criterion_group, criterion_main};
use sandbox::{
    HostCall, HostCallFuture, HostCalls, Image, ImageSpec, Limits, NoHostCalls, Reuse, Sandbox,
    SandboxConfig, Script,
};
use serde_json::value::{RawValue, to_raw_value};

struct Echo;

impl HostCalls for Echo {
    fn call(&self, call: HostCall) -> HostCallFuture {
        let value = serde_json::from_str(call.args.get()).unwrap_or_default();
        Box::pin(async move { Ok(value) })
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    cache_dir: PathBuf,
    sandbox: Sandbox,
    trivial: Image,
    host_call: Image,
    event: Box<RawValue>,
    context: Box<RawValue>,
    limits: Limits,
}

const TRIVIAL: &str = "async function handleEvent(event) { return { ok: true, n: event.n }; }";

fn config(cache_dir: &Path) -> SandboxConfig {
    SandboxConfig {
        cache_dir: Some(cache_dir.to_path_buf()),
        ..SandboxConfig::default()
    }
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let cache_dir = std::env::temp_dir().join("chatfn-bench-cache");
    let sandbox = Sandbox::new(config(&cache_dir)).expect("sandbox");
    let build = |source: &str| {
        let spec = ImageSpec::new(Script::new("handler.js", source));
        let image = runtime.block_on(sandbox.build_image(&spec)).expect("image");
        // Steady state: the image in use has been baked.
        runtime.block_on(image.bake()).expect("bake");
        image
    };
    let trivial = build(TRIVIAL);
    let host_call = build(
        "const host = require('chatfn:host'); async function handleEvent(event) { return host.call('echo', event); }",
    );
    Setup {
        runtime,
        cache_dir,
        sandbox,
        trivial,
        host_call,
        event: to_raw_value(&serde_json::json!({ "n": 1 })).expect("json"),
        context: to_raw_value(&serde_json::json!({})).expect("json"),
        limits: Limits::default(),
    }
}

fn invoke_once(s: &Setup, image: &Image, host: &Arc<dyn HostCalls>) -> Duration {
    let started = Instant::now();
    let outcome = s
        .runtime
        .block_on(image.invoke(&s.event, &s.context, &s.limits, host.clone()))
        .expect("invocation starts");
    let elapsed = started.elapsed();
    assert!(outcome.succeeded(), "{:?}", outcome.result);
    elapsed
}

/// A warm start: an instance the pool made before the invocation.
fn warm_once(s: &Setup, image: &Image, host: &Arc<dyn HostCalls>) -> Duration {
    wait_warm(image);
    invoke_once(s, image, host)
}

/// A cold start: a fresh engine, the image's artifact on disk.
fn cold_once(s: &Setup) -> (Duration, Duration) {
    let started = Instant::now();
    let sandbox = Sandbox::new(config(&s.cache_dir)).expect("sandbox");
    let engine = started.elapsed();
    let started = Instant::now();
    let spec = ImageSpec::new(Script::new("handler.js", TRIVIAL));
    let image = s
        .runtime
        .block_on(sandbox.build_image(&spec))
        .expect("image");
    assert!(image.is_baked(), "the artifact is on disk");
    invoke_once(s, &image, &NoHostCalls::shared());
    (engine, started.elapsed())
}

/// A handler-only deploy: a handler never built before, on the runtime
/// the other images use, to its first result.
fn deploy_once(s: &Setup, n: u64) -> Duration {
    let source = format!("async function handleEvent(event) {{ return {{ deployed: {n} }}; }}");
    let spec = ImageSpec::new(Script::new("handler.js", source));
    let started = Instant::now();
    let image = s
        .runtime
        .block_on(s.sandbox.build_image(&spec))
        .expect("image");
    invoke_once(s, &image, &NoHostCalls::shared());
    started.elapsed()
}

/// A new late-bound image of the trivial handler: its first invocation
/// (on the instance its build checked the handler in) and one that
/// instantiates and loads the handler inline.
fn late_bound_once(s: &Setup, n: u64, none: &Arc<dyn HostCalls>) -> (Duration, Duration) {
    // (A comment would not do: the compiler drops it, and the image would
    // be the baked trivial one.)
    let source = format!(
        "async function handleEvent(event) {{ return {{ ok: true, n: event.n, v: {n} }}; }}"
    );
    let image = s
        .runtime
        .block_on(
            s.sandbox
                .build_image(&ImageSpec::new(Script::new("handler.js", source))),
        )
        .expect("image");
    assert!(!image.is_baked());
    let warm = warm_once(s, &image, none);
    if image.warm_instances() > 0 {
        invoke_once(s, &image, none);
    }
    let inline = invoke_once(s, &image, none);
    assert!(!image.is_baked());
    (warm, inline)
}

fn deploy_counter() -> u64 {
    // Distinct handlers across runs too, so none is in the disk cache.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let none = NoHostCalls::shared();
    let echo: Arc<dyn HostCalls> = Arc::new(Echo);
    for _ in 0..2_000 {
        warm_once(&s, &s.trivial, &none);
    }
    print_percentiles(
        "start/warm",
        (0..20_000)
            .map(|_| warm_once(&s, &s.trivial, &none))
            .collect(),
    );
    let (all, warm) = back_to_back(&s.trivial, 20_000, || invoke_once(&s, &s.trivial, &none));
    let share = warm.len() as f64 / all.len() as f64;
    print_percentiles("start/back-to-back (every invocation)", all);
    print_percentiles(
        &format!(
            "start/back-to-back, warm ones ({:.0}% of them)",
            share * 100.0
        ),
        warm,
    );
    // Instance reuse: one kept instance serving invocation after
    // invocation (the first one makes it).
    let reusing = Limits {
        reuse: Reuse::Sequential {
            max_invocations: u32::MAX,
            max_idle: Duration::from_secs(600),
        },
        ..Limits::default()
    };
    let reused_once = || {
        let started = Instant::now();
        let outcome = s
            .runtime
            .block_on(
                s.trivial
                    .invoke(&s.event, &s.context, &reusing, none.clone()),
            )
            .expect("invocation starts");
        let elapsed = started.elapsed();
        assert!(outcome.succeeded(), "{:?}", outcome.result);
        elapsed
    };
    for _ in 0..2_000 {
        reused_once();
    }
    print_percentiles("start/reused", (0..20_000).map(|_| reused_once()).collect());
    s.trivial.retire_kept();
    print_percentiles(
        "start/inline",
        (0..20_000)
            .map(|_| {
                // Take the pool's instance first, so this one instantiates.
                if s.trivial.warm_instances() > 0 {
                    invoke_once(&s, &s.trivial, &none);
                }
                invoke_once(&s, &s.trivial, &none)
            })
            .collect(),
    );
    // The trivial handler late-bound (each instance of its runtime's
    // snapshot loads it): a warm start, and an instance made inline,
    // which loads the handler on the request path. A fresh image each
    // time, as a late-bound image bakes after a few invocations.
    let (warm, inline): (Vec<Duration>, Vec<Duration>) = (0..2_000)
        .map(|_| late_bound_once(&s, deploy_counter(), &none))
        .unzip();
    print_percentiles("start/warm, late-bound", warm);
    print_percentiles("start/inline, late-bound", inline);
    let cold: Vec<(Duration, Duration)> = (0..50).map(|_| cold_once(&s)).collect();
    print_percentiles("engine/new", cold.iter().map(|c| c.0).collect());
    print_percentiles("start/cold", cold.iter().map(|c| c.1).collect());
    let base = deploy_counter();
    print_percentiles(
        "deploy/handler-only",
        (0..200).map(|i| deploy_once(&s, base + i)).collect(),
    );
    for _ in 0..2_000 {
        warm_once(&s, &s.host_call, &echo);
    }
    let mut trivial: Vec<Duration> = (0..20_000)
        .map(|_| warm_once(&s, &s.trivial, &none))
        .collect();
    let mut one_call: Vec<Duration> = (0..20_000)
        .map(|_| warm_once(&s, &s.host_call, &echo))
        .collect();
    let round_trip = percentile(&mut one_call, 0.5).saturating_sub(percentile(&mut trivial, 0.5));
    print_percentiles("invoke/one-host-call", one_call);
    println!(
        "host-call/round-trip: p50 {:.1} µs (one-host-call p50 less trivial p50)",
        round_trip.as_secs_f64() * 1e6
    );

    let mut group = c.benchmark_group("start");
    group.bench_function("warm", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| warm_once(&s, &s.trivial, &none)).sum())
    });
    group.bench_function("cold", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| cold_once(&s).1).sum())
    });
    group.finish();

    let mut group = c.benchmark_group("deploy");
    group.sample_size(20);
    let counter = std::cell::Cell::new(deploy_counter() + 1_000_000);
    group.bench_function("handler-only", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    counter.set(counter.get() + 1);
                    deploy_once(&s, counter.get())
                })
                .sum()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("host-call");
    group.bench_function("one-host-call", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| warm_once(&s, &s.host_call, &echo)).sum())
    });
    group.finish();
}

criterion_group!(sandbox_benches, benches);
criterion_main!(sandbox_benches);
