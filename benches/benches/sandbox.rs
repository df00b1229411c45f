//! Start + run of a trivial handler on a fresh instance of its image, and
//! one host-call round trip.
//!
//! Besides criterion's estimates, prints p50/p99 of single invocations
//! (criterion reports means of batches, and start-up cost is a latency).

#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sandbox::{
    HostCall, HostCallFuture, HostCalls, Image, ImageSpec, Limits, NoHostCalls, Sandbox,
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
    trivial: Image,
    host_call: Image,
    event: Box<RawValue>,
    context: Box<RawValue>,
    limits: Limits,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(std::env::temp_dir().join("chatfn-bench-cache")),
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let build = |source: &str| {
        let spec = ImageSpec::new(Script::new("handler.js", source));
        runtime.block_on(sandbox.build_image(&spec)).expect("image")
    };
    let trivial = build("async function handleEvent(event) { return { ok: true, n: event.n }; }");
    let host_call = build(
        "const host = require('chatfn:host'); async function handleEvent(event) { return host.call('echo', event); }",
    );
    Setup {
        runtime,
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
    assert!(outcome.succeeded(), "{:?}", outcome.error);
    elapsed
}

fn percentiles(name: &str, s: &Setup, image: &Image, host: &Arc<dyn HostCalls>) {
    for _ in 0..2_000 {
        invoke_once(s, image, host);
    }
    let mut samples: Vec<Duration> = (0..20_000).map(|_| invoke_once(s, image, host)).collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name}: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs (n = {})",
        at(0.50).as_secs_f64() * 1e6,
        at(0.90).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let none = NoHostCalls::shared();
    let echo: Arc<dyn HostCalls> = Arc::new(Echo);
    percentiles("invoke/trivial", &s, &s.trivial, &none);
    percentiles("invoke/one-host-call", &s, &s.host_call, &echo);

    let mut group = c.benchmark_group("invoke");
    group.bench_function("trivial", |b| b.iter(|| invoke_once(&s, &s.trivial, &none)));
    group.bench_function("one-host-call", |b| {
        b.iter(|| invoke_once(&s, &s.host_call, &echo))
    });
    group.finish();
}

criterion_group!(sandbox_benches, benches);
criterion_main!(sandbox_benches);
