//! chatfn against its peers, on this machine, in one run: the same trivial
//! handler (`benches/peers/handler.js`) per invocation
//! - in chatfn: back to back, as the Node.js `vm` loop runs (every
//!   invocation, warm or not), isolated warm starts (a fresh instance the
//!   warm pool made before each), and with instance reuse (one kept
//!   instance serving invocation after invocation);
//! - in Node.js with a fresh `vm` context (the handler evaluated into it),
//!   and in one reused `vm` context (the handler evaluated once: the fair
//!   peer of reuse);
//! - in a fresh Node.js process.
//!
//! `cargo bench -p benches --bench peers` prints a table with chatfn's
//! ratio to each. Needs `node` on the PATH (skips the Node rows otherwise).

#![allow(missing_docs, reason = "a bench binary")]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use benches::{back_to_back, percentile, wait_warm};
use sandbox::{ImageSpec, Limits, NoHostCalls, Reuse, Sandbox, SandboxConfig, Script};
use serde_json::value::to_raw_value;

const SAMPLES: usize = 20_000;
const PROCESS_SAMPLES: usize = 30;

struct Figure {
    name: String,
    p50: Duration,
    p99: Duration,
    n: usize,
}

fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// chatfn back to back (every invocation), isolated warm starts (the
/// pool refilled before each), and reused instances.
fn chatfn() -> [Figure; 3] {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(std::env::temp_dir().join("chatfn-bench-cache")),
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let source = std::fs::read_to_string(peers_dir().join("handler.js")).expect("handler.js");
    let image = runtime
        .block_on(sandbox.build_image(&ImageSpec::new(Script::new("handler.js", source))))
        .expect("image");
    // Steady state: an image in use is baked, and its pool is warm.
    runtime.block_on(image.bake()).expect("bake");
    let event = to_raw_value(&serde_json::json!({ "n": 1 })).expect("json");
    let context = to_raw_value(&serde_json::json!({})).expect("json");
    let limits = Limits::default();
    let invoke = || {
        let started = Instant::now();
        let outcome = runtime
            .block_on(image.invoke(&event, &context, &limits, NoHostCalls::shared()))
            .expect("invocation starts");
        assert!(outcome.succeeded(), "{:?}", outcome.result);
        started.elapsed()
    };
    // An isolated warm start: the pool made the instance before it.
    let isolated = || {
        wait_warm(&image);
        invoke()
    };
    for _ in 0..2_000 {
        isolated();
    }
    let mut samples: Vec<Duration> = (0..SAMPLES).map(|_| isolated()).collect();
    let (mut all, warm) = back_to_back(&image, SAMPLES, invoke);
    let reusing = Limits {
        reuse: Reuse::Sequential {
            max_invocations: u32::MAX,
            max_idle: Duration::from_secs(600),
        },
        ..Limits::default()
    };
    let reused = || {
        let started = Instant::now();
        let outcome = runtime
            .block_on(image.invoke(&event, &context, &reusing, NoHostCalls::shared()))
            .expect("invocation starts");
        let elapsed = started.elapsed();
        assert!(
            outcome.succeeded() && outcome.reused,
            "{:?}",
            outcome.result
        );
        elapsed
    };
    // The first makes the kept instance.
    runtime
        .block_on(image.invoke(&event, &context, &reusing, NoHostCalls::shared()))
        .expect("invocation starts");
    for _ in 0..2_000 {
        reused();
    }
    let mut kept: Vec<Duration> = (0..SAMPLES).map(|_| reused()).collect();
    [
        Figure {
            name: format!(
                "chatfn, back to back (every invocation; {:.0}% found a warm instance)",
                warm.len() as f64 * 100.0 / all.len() as f64
            ),
            p50: percentile(&mut all, 0.5),
            p99: percentile(&mut all, 0.99),
            n: all.len(),
        },
        Figure {
            name: "chatfn, isolated warm starts (the pool refilled before each)".into(),
            p50: percentile(&mut samples, 0.5),
            p99: percentile(&mut samples, 0.99),
            n: SAMPLES,
        },
        Figure {
            name: "chatfn, instance reuse (one kept instance, back to back)".into(),
            p50: percentile(&mut kept, 0.5),
            p99: percentile(&mut kept, 0.99),
            n: SAMPLES,
        },
    ]
}

/// A Node.js peer script's figures (it prints them as JSON).
fn node_vm(script: &str, name: &str) -> Option<Figure> {
    let output = Command::new("node")
        .arg(peers_dir().join(script))
        .arg(SAMPLES.to_string())
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let us = |k: &str| Duration::from_secs_f64(json[k].as_f64().unwrap_or(0.0) / 1e6);
    Some(Figure {
        name: name.into(),
        p50: us("p50_us"),
        p99: us("p99_us"),
        n: json["n"].as_u64().unwrap_or(0) as usize,
    })
}

fn node_process() -> Option<Figure> {
    let script = peers_dir().join("node-process.js");
    let mut samples = Vec::new();
    for _ in 0..PROCESS_SAMPLES {
        let started = Instant::now();
        let output = Command::new("node").arg(&script).output().ok()?;
        samples.push(started.elapsed());
        if !output.status.success() {
            return None;
        }
    }
    Some(Figure {
        name: "Node.js, fresh process per invocation".into(),
        p50: percentile(&mut samples, 0.5),
        p99: percentile(&mut samples, 0.99),
        n: PROCESS_SAMPLES,
    })
}

fn show(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let ours = chatfn();
    let peers: Vec<Figure> = [
        node_vm("node-vm.js", "Node.js, fresh vm context per invocation"),
        node_vm(
            "node-reused.js",
            "Node.js, one reused vm context (handler evaluated once)",
        ),
        node_process(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if peers.is_empty() {
        eprintln!("node not found: only chatfn was measured");
    }
    println!(
        "| runtime | p50 | p99 | samples | chatfn is faster at p50 by (back to back / isolated warm / reused) |"
    );
    println!("|---|---|---|---|---|");
    for figure in &ours {
        println!(
            "| {} | {} | {} | {} | — |",
            figure.name,
            show(figure.p50),
            show(figure.p99),
            figure.n
        );
    }
    let ratio = |peer: &Figure, ours: &Figure| peer.p50.as_secs_f64() / ours.p50.as_secs_f64();
    for peer in &peers {
        println!(
            "| {} | {} | {} | {} | {:.1}× / {:.1}× / {:.1}× |",
            peer.name,
            show(peer.p50),
            show(peer.p99),
            peer.n,
            ratio(peer, &ours[0]),
            ratio(peer, &ours[1]),
            ratio(peer, &ours[2])
        );
    }
}
