//! `chatfn serve` over HTTP on loopback, one keep-alive HTTP/1.1 connection:
//! - `http/blocking-trigger`: one `POST /v1/triggers/user.attempted.start_session`
//!   answered 200 (auth, lookup, a fresh instance, the invocation logged);
//! - `http-deploy/handler-only`: deploy latency, from `POST
//!   /v1/functions/{id}/versions` with a new handler to the first trigger
//!   that the new version answers. (Not `deploy/…`: that is the sandbox
//!   bench's in-process deploy, and criterion keeps one history per name.)
//!
//! The server is a release `chatfn serve` (built first, so the figures are
//! the shipped binary's), on a fresh data directory. Besides criterion's
//! estimates, prints p50/p90/p99 of single requests and single deploys
//! (criterion reports means of batches, and both are latencies).
//!
//! `cargo bench -p benches --bench http`

#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use benches::print_percentiles;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use e2e::Serve;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode};
use serde_json::{Value, json};

const START: &str = "/v1/triggers/user.attempted.start_session";
/// The event `benches/wrk/blocking.lua` sends, so both measure the same request.
const START_EVENT: &str = r#"{"username":"ada","authParams":{}}"#;
const TRIGGER_SAMPLES: usize = 5_000;
const DEPLOY_SAMPLES: usize = 50;

/// Builds the release `chatfn` (so the figures are the shipped binary's)
/// and starts `chatfn serve` on a fresh data directory.
fn start_server() -> Serve {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_owned();
    // Cargo sets CARGO for the processes it runs; a bare `cargo` is the
    // fallback when the bench binary is started by hand.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "runtime"])
        .current_dir(&root)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release -p runtime failed");
    let data = tempfile::tempdir().expect("tempdir");
    Serve::start(&root.join("target/release/chatfn"), data, &[])
}

/// One keep-alive HTTP/1.1 connection, driven from a current-thread
/// runtime: the bench thread both sends and runs the connection, as a
/// single-connection client would.
struct Client {
    runtime: tokio::runtime::Runtime,
    sender: SendRequest<Full<Bytes>>,
    authority: String,
    authorization: String,
}

impl Client {
    fn connect(authority: &str, key: &str) -> Client {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("runtime");
        let (sender, connection) = runtime
            .block_on(benches::connect_http1(authority))
            .expect("a connection to chatfn serve");
        runtime.spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("connection to chatfn serve failed: {e}");
            }
        });
        Client {
            runtime,
            sender,
            authority: authority.to_owned(),
            authorization: format!("Bearer {key}"),
        }
    }

    /// POSTs a JSON body; returns the status and the response body.
    fn post(&mut self, path: &str, body: impl Into<Bytes>) -> (StatusCode, Bytes) {
        let request = Request::post(path)
            .header(HOST, &self.authority)
            .header(AUTHORIZATION, &self.authorization)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(body.into()))
            .expect("request");
        let sender = &mut self.sender;
        self.runtime.block_on(async move {
            sender.ready().await.expect("the connection stays open");
            let response = sender.send_request(request).await.expect("a response");
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("the response body")
                .to_bytes();
            (status, body)
        })
    }

    /// POSTs JSON and parses the JSON answer, asserting `expected`.
    fn post_json(&mut self, path: &str, body: &Value, expected: StatusCode) -> Value {
        let (status, reply) = self.post(path, body.to_string());
        assert_eq!(
            status,
            expected,
            "POST {path}: {}",
            String::from_utf8_lossy(&reply)
        );
        serde_json::from_slice(&reply).expect("a JSON answer")
    }
}

struct Setup {
    // Dropped after the client, so the connection closes before the kill.
    client: Client,
    versions_path: String,
    /// The constant the next deployed handler returns: every version differs.
    next: u64,
    /// Trigger answers from an older version after a deploy had answered.
    stale: u64,
    _server: Serve,
}

fn setup() -> Setup {
    let server = start_server();
    let key = server.create_app("http bench", &[]);
    let mut client = Client::connect(server.authority(), &key);
    let function = client.post_json(
        "/v1/runtimes/nodejs/functions",
        &json!({ "type": "user.attempted.start_session", "name": "blocking" }),
        StatusCode::CREATED,
    );
    let id = function["id"].as_i64().expect("a function id");
    let versions_path = format!("/v1/functions/{id}/versions");
    client.post_json(
        &versions_path,
        &json!({ "handlerScript": "async function handleEvent(e) { return { allowed: true }; }" }),
        StatusCode::CREATED,
    );
    Setup {
        client,
        versions_path,
        next: 0,
        stale: 0,
        _server: server,
    }
}

fn trigger_once(s: &mut Setup) -> Duration {
    let started = Instant::now();
    let (status, body) = s.client.post(START, START_EVENT);
    let elapsed = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    elapsed
}

/// One deploy: a handler returning a constant no earlier version returned,
/// then triggers until one answers with it. The whole interval is the
/// deploy latency a chat server's operator sees.
fn deploy_once(s: &mut Setup) -> Duration {
    s.next += 1;
    let n = s.next;
    let handler =
        format!("async function handleEvent(e) {{ return {{ allowed: true, n: {n} }}; }}");
    let body = json!({ "handlerScript": handler }).to_string();
    let started = Instant::now();
    let (status, reply) = s.client.post(&s.versions_path, body);
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    // The new version is current once the POST answers; the loop is there
    // in case a cached lookup still routes an event to the old one.
    loop {
        let (status, reply) = s.client.post(START, START_EVENT);
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply)
        );
        let reply: Value = serde_json::from_slice(&reply).expect("a JSON answer");
        if reply["result"]["payload"]["n"].as_u64() == Some(n) {
            return started.elapsed();
        }
        s.stale += 1;
    }
}

fn benches(c: &mut Criterion) {
    let mut s = setup();

    for _ in 0..500 {
        trigger_once(&mut s);
    }
    let samples = (0..TRIGGER_SAMPLES).map(|_| trigger_once(&mut s)).collect();
    print_percentiles("http/blocking-trigger", samples);
    for _ in 0..5 {
        deploy_once(&mut s);
    }
    let samples = (0..DEPLOY_SAMPLES).map(|_| deploy_once(&mut s)).collect();
    print_percentiles("http-deploy/handler-only", samples);
    println!(
        "http-deploy/handler-only: {} answers from an older version after a deploy",
        s.stale
    );

    let mut group = c.benchmark_group("http");
    group.bench_function("blocking-trigger", |b| b.iter(|| trigger_once(&mut s)));
    group.finish();

    let mut group = c.benchmark_group("http-deploy");
    // A deploy takes milliseconds: fewer, longer samples fit the default
    // measurement time.
    group.sample_size(20);
    group.bench_function("handler-only", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| deploy_once(&mut s)).sum())
    });
    group.finish();
}

criterion_group!(http_benches, benches);
criterion_main!(http_benches);
