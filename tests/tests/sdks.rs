//! Popular SDKs, run as chat functions and compared with Node 20: each case
//! in `tests/sdk/cases` requires an SDK and exercises it offline (webhook
//! signatures, tokens, formatting, request building) and against a refused
//! port (what error the SDK sees). The expected value is always Node's own
//! output for the same case, from an `npm install` of the same versions.
//!
//! The SDKs and their whole dependency trees are recorded in the test
//! registry (`scripts/record-npm-fixtures.py` reads `tests/sdk/sdks.json`).
//! `CHATFN_LIVE_NPM=1` runs the same cases, plus the `liveOnly` ones, against
//! the public registry. Cases marked `pending` in the manifest do not work in
//! chatfn yet: for them the test asserts they still differ, so that one
//! starting to work is noticed and its `pending` dropped.
//!
//! The `builtin-*` cases compare Node's built-in modules and web APIs the
//! same way. Cases also get `event.server`, a loopback HTTP server
//! (`tests/sdk/server.js`), and `event.redisPort`, a `redis-server` the test
//! starts (cases that `need` it are skipped, with a message, where Debian's
//! `redis-server` is not installed; CI installs it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::registry::TestRegistry;
use crate::support::*;

const PUBLIC_REGISTRY: &str = "https://registry.npmjs.org";

struct Case {
    name: String,
    deps: Vec<Value>,
    pending: Option<String>,
    /// Programs the case needs besides Node (`redis-server`).
    needs: Vec<String>,
}

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk")
}

/// The manifest's cases; `liveOnly` ones only when `live`.
fn cases(live: bool) -> Vec<Case> {
    let text = std::fs::read_to_string(sdk_dir().join("sdks.json")).expect("tests/sdk/sdks.json");
    let manifest: Vec<Value> = serde_json::from_str(&text).expect("sdks.json is JSON");
    manifest
        .into_iter()
        .filter(|c| live || c["liveOnly"] != json!(true))
        .map(|c| Case {
            name: c["case"].as_str().expect("a case name").to_owned(),
            deps: c["deps"].as_array().expect("deps").clone(),
            pending: c["pending"].as_str().map(str::to_owned),
            needs: c["needs"]
                .as_array()
                .map(|n| {
                    n.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Node ≥ 20.19 (which `require`s ES modules, as chatfn does) and npm, or
/// why not.
fn node_and_npm() -> Result<(), String> {
    let version = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .ok_or_else(|| format!("`{tool}` is not available"))
    };
    let node = version("node")?;
    version("npm")?;
    let numbers: Vec<u32> = node
        .trim_start_matches('v')
        .split('.')
        .filter_map(|n| n.parse().ok())
        .collect();
    if numbers.len() < 2 || (numbers[0], numbers[1]) < (20, 19) {
        return Err(format!("node {node} is older than 20.19"));
    }
    Ok(())
}

/// `http://127.0.0.1:PORT` where nothing listens (a port just released).
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A child process the test started, stopped (by its pid) when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `tests/sdk/server.js` on loopback, and its base URL.
fn start_http_server() -> (Running, String) {
    use std::io::BufRead;
    let mut child = Command::new("node")
        .arg(sdk_dir().join("server.js"))
        .arg("0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start tests/sdk/server.js");
    let stdout = child.stdout.take().expect("its stdout");
    let running = Running(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server's port");
    let port: u16 = line.trim().parse().expect("a port number");
    (running, format!("http://127.0.0.1:{port}"))
}

/// A `redis-server` on a free loopback port, if the program is installed.
fn start_redis() -> Option<(Running, u16)> {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
        listener.local_addr().expect("an address").port()
    };
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let running = Running(child);
    wait_for(std::time::Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    Some((running, port))
}

/// Installs every case's deps into `dir` with one `npm install`.
fn npm_install(dir: &Path, cases: &[Case], registry: &str) {
    let mut dependencies = BTreeMap::new();
    for case in cases {
        for dep in &case.deps {
            let name = dep["name"].as_str().expect("a dep name");
            let version = dep["version"].as_str().expect("a dep version");
            let previous = dependencies.insert(name.to_owned(), json!(version));
            assert!(
                previous.is_none_or(|p| p == json!(version)),
                "{name} is pinned to two versions: the cases share one node_modules"
            );
        }
    }
    let package = json!({ "name": "sdk-cases", "version": "0.0.0", "private": true, "dependencies": dependencies });
    std::fs::write(dir.join("package.json"), package.to_string()).expect("write package.json");
    let output = Command::new("npm")
        .current_dir(dir)
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-package-lock",
            "--loglevel=error",
            "--registry",
            registry,
            "--cache",
        ])
        .arg(dir.join(".npm-cache"))
        .output()
        .expect("run npm install");
    assert!(
        output.status.success(),
        "npm install failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The case's result in Node: the last line `node-run.js` prints.
fn run_in_node(case: &Case, modules: &Path, event: &str) -> Result<Value, String> {
    let output = Command::new("node")
        .arg(sdk_dir().join("node-run.js"))
        .arg(case_file(case))
        .arg(modules)
        .arg(event)
        // The sandbox has no local zone or locale of its own.
        .env("TZ", "UTC")
        .env("LC_ALL", "en_US.UTF-8")
        .output()
        .map_err(|e| format!("run node: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .filter(|_| output.status.success())
        .ok_or_else(|| {
            format!(
                "node failed ({}): {stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

fn case_file(case: &Case) -> PathBuf {
    sdk_dir().join("cases").join(format!("{}.js", case.name))
}

/// The case's result in chatfn: the handler's payload, or what went wrong.
fn run_in_chatfn(
    case: &Case,
    cache: &tempfile::TempDir,
    registry: &str,
    event: &str,
) -> Result<Value, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let deps = write(
        &dir,
        "deps.json",
        &Value::Array(case.deps.clone()).to_string(),
    );
    let output: Output = chatfn(cache)
        .arg("invoke")
        .arg(case_file(case))
        .arg("--deps")
        .arg(&deps)
        .args(["--npm-registry", registry])
        .args(["--fetch-allow", "127.0.0.1"])
        // Generous: this compares behaviour, and a loaded CI machine runs
        // the biggest SDKs' first load (up to 2 s alone) many times slower.
        .args(["--timeout-ms", "60000", "--event", event])
        .output()
        .expect("run chatfn invoke");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .ok_or_else(|| {
            format!(
                "no result ({}): {stdout}{}",
                output.status,
                last_lines(&String::from_utf8_lossy(&output.stderr), 5)
            )
        })?;
    match &line["result"] {
        Value::Object(result) if result.contains_key("payload") => Ok(result["payload"].clone()),
        _ => {
            let e = &line["error"];
            Err(format!(
                "{} {}: {} (at {}:{})",
                e["type"].as_str().unwrap_or("?"),
                e["name"].as_str().unwrap_or("?"),
                e["message"].as_str().unwrap_or("?"),
                e["file"].as_str().unwrap_or("?"),
                e["line"]
            ))
        }
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn sdks_behave_as_in_node() {
    if let Err(why) = node_and_npm() {
        eprintln!("skipped: {why}");
        return;
    }
    let live = std::env::var_os("CHATFN_LIVE_NPM").is_some();
    let test_registry = (!live).then(TestRegistry::start);
    let registry = test_registry
        .as_ref()
        .map_or(PUBLIC_REGISTRY, |r| r.url.as_str());
    let (_server, server_url) = start_http_server();
    let redis = start_redis();
    let mut cases = cases(live);
    if redis.is_none() {
        let needing: Vec<&str> = cases
            .iter()
            .filter(|c| c.needs.iter().any(|n| n == "redis-server"))
            .map(|c| c.name.as_str())
            .collect();
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is missing (scripts/setup.sh installs it); needed by {needing:?}"
        );
        eprintln!("redis-server is not installed: skipping {needing:?}");
        cases.retain(|c| !c.needs.iter().any(|n| n == "redis-server"));
    }
    let event = json!({
        "refused": refused_url(),
        "server": server_url,
        "redisPort": redis.as_ref().map(|(_, port)| *port),
    })
    .to_string();
    let node_dir = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");

    // Node installs and runs every case on one thread while chatfn runs them
    // on the others (the first alone, to build the shared image cache).
    let slots: Vec<Mutex<Option<Result<Value, String>>>> =
        cases.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(1);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    // The threads share these by reference.
    let (all, slots_ref, next, cache) = (&cases, &slots, &next, &cache);
    let (event, node_dir) = (event.as_str(), node_dir.path());
    let in_node: Vec<Result<Value, String>> = std::thread::scope(|scope| {
        let node = scope.spawn(move || {
            npm_install(node_dir, all, registry);
            all.iter()
                .map(|case| run_in_node(case, node_dir, event))
                .collect()
        });
        let run = move |i: usize| {
            let result = run_in_chatfn(&all[i], cache, registry, event);
            *slots_ref[i].lock().expect("a result slot") = Some(result);
        };
        run(0);
        for _ in 0..workers {
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= all.len() {
                        break;
                    }
                    run(i);
                }
            });
        }
        node.join().expect("the node thread")
    });
    let in_chatfn = slots;

    let mut report = Vec::new();
    let mut failed = Vec::new();
    for ((case, node), chatfn) in cases.iter().zip(in_node).zip(in_chatfn) {
        let chatfn = chatfn
            .into_inner()
            .expect("a result slot")
            .expect("chatfn ran");
        let line = match (node, &case.pending) {
            (Err(e), _) => Err(format!("FAIL {}: Node could not run it: {e}", case.name)),
            (Ok(node), None) if chatfn.as_ref() == Ok(&node) => Ok(format!("ok   {}", case.name)),
            (Ok(node), None) => Err(format!(
                "FAIL {}: differs from Node\n{}",
                case.name,
                difference(&node, &chatfn)
            )),
            (Ok(node), Some(_)) if chatfn.as_ref() == Ok(&node) => Err(format!(
                "FAIL {}: now behaves as in Node: drop its \"pending\" in tests/sdk/sdks.json",
                case.name
            )),
            (Ok(node), Some(why)) => Ok(format!(
                "pending {} ({why}):\n{}",
                case.name,
                difference(&node, &chatfn)
            )),
        };
        match line {
            Ok(line) => report.push(line),
            Err(line) => {
                report.push(line.clone());
                failed.push(line);
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        failed.is_empty(),
        "{} of {} SDK cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

/// Node's result against chatfn's, key by key when both are objects.
fn difference(node: &Value, chatfn: &Result<Value, String>) -> String {
    match (node, chatfn) {
        (Value::Object(n), Ok(Value::Object(c))) => {
            let keys: std::collections::BTreeSet<&String> = n.keys().chain(c.keys()).collect();
            keys.into_iter()
                .filter(|k| n.get(*k) != c.get(*k))
                .map(|k| {
                    let show =
                        |v: Option<&Value>| v.map_or("(absent)".to_owned(), Value::to_string);
                    format!(
                        "  {k}:\n    node:   {}\n    chatfn: {}",
                        show(n.get(k)),
                        show(c.get(k))
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        (_, Ok(c)) => format!("  node:   {node}\n  chatfn: {c}"),
        (_, Err(e)) => format!("  node:   {node}\n  chatfn: no payload: {e}"),
    }
}
