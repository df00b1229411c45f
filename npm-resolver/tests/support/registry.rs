//! A test npm registry on loopback: recorded packuments and real tarballs
//! from `tests/fixtures` (see `scripts/record-npm-fixtures.py`), packages
//! made up by the tests, and faults on demand. Shared by this crate's tests
//! and the end-to-end tests (through `#[path]`).

#![allow(dead_code, reason = "each test crate uses part of it")]

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

const RECORDED_FROM: &str = "https://registry.npmjs.org";

#[derive(Default)]
struct Data {
    /// name → packument (tarball URLs point at the recorded registry).
    packuments: BTreeMap<String, Value>,
    /// file name → tarball bytes.
    tarballs: HashMap<String, Vec<u8>>,
    /// Paths requested, in order.
    requests: Vec<String>,
    /// path → statuses to answer before serving normally.
    faults: HashMap<String, Vec<u16>>,
}

struct Shared {
    data: Mutex<Data>,
    base: String,
}

impl Shared {
    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running test registry; stops when dropped.
pub(crate) struct TestRegistry {
    pub(crate) url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestRegistry {
    /// Serves the recorded fixtures.
    pub(crate) fn start() -> TestRegistry {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the registry");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Arc::new(Shared {
            data: Mutex::new(load_fixtures()),
            base: url.clone(),
        });
        let app = Router::new()
            .route("/tarballs/{file}", get(serve_tarball))
            .route("/{name}", get(packument))
            .route("/{scope}/{name}", get(scoped_packument))
            .with_state(Arc::clone(&shared));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the registry");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        TestRegistry {
            url,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Paths requested so far.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.shared.data().requests.clone()
    }

    /// Answers the next requests for `path` with `statuses`, in order.
    pub(crate) fn fail(&self, path: &str, statuses: &[u16]) {
        self.shared
            .data()
            .faults
            .insert(path.to_owned(), statuses.to_vec());
    }

    /// Publishes `name@version` made of `files` (paths under `package/`,
    /// with contents) and `manifest` fields; returns its integrity.
    pub(crate) fn publish(
        &self,
        name: &str,
        version: &str,
        manifest: Value,
        files: &[(&str, &str)],
    ) -> String {
        let mut package_json = manifest.clone();
        package_json["name"] = json!(name);
        package_json["version"] = json!(version);
        let mut entries: Vec<(String, Vec<u8>)> = vec![(
            "package/package.json".into(),
            serde_json::to_vec_pretty(&package_json).expect("json"),
        )];
        for (path, contents) in files {
            entries.push((format!("package/{path}"), contents.as_bytes().to_vec()));
        }
        self.publish_tarball(name, version, manifest, tarball(&entries))
    }

    /// Publishes `name@version` with the given tarball bytes (which may be
    /// malicious); returns the integrity the packument lists.
    pub(crate) fn publish_tarball(
        &self,
        name: &str,
        version: &str,
        manifest: Value,
        tgz: Vec<u8>,
    ) -> String {
        let integrity = format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&tgz))
        );
        let file = format!("{}-{version}.tgz", name.replace('/', "-"));
        let mut data = self.shared.data();
        data.tarballs.insert(file.clone(), tgz);
        let packument = data
            .packuments
            .entry(name.to_owned())
            .or_insert_with(|| json!({ "name": name, "dist-tags": {}, "versions": {} }));
        let mut manifest = manifest;
        manifest["name"] = json!(name);
        manifest["version"] = json!(version);
        manifest["dist"] = json!({
            "tarball": format!("{RECORDED_FROM}/{name}/-/{file}"),
            "integrity": integrity,
        });
        packument["versions"][version] = manifest;
        packument["dist-tags"]["latest"] = json!(version);
        integrity
    }

    /// Replaces a published tarball's bytes, keeping the listed integrity.
    pub(crate) fn tamper(&self, name: &str, version: &str) {
        let file = format!("{}-{version}.tgz", name.replace('/', "-"));
        if let Some(bytes) = self.shared.data().tarballs.get_mut(&file) {
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
        }
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn fixtures() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../npm-resolver/tests/fixtures"
    ))
}

fn load_fixtures() -> Data {
    let mut data = Data::default();
    let read_dir = |dir: &str| {
        std::fs::read_dir(fixtures().join(dir))
            .unwrap_or_else(|e| panic!("fixtures/{dir}: {e}"))
            .filter_map(Result::ok)
            .map(|e| e.path())
    };
    for path in read_dir("packuments") {
        let packument: Value =
            serde_json::from_slice(&std::fs::read(&path).expect("a packument")).expect("json");
        let name = packument["name"].as_str().expect("a name").to_owned();
        data.packuments.insert(name, packument);
    }
    for path in read_dir("tarballs") {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .expect("a name")
            .to_owned();
        data.tarballs
            .insert(file, std::fs::read(&path).expect("a tarball"));
    }
    data
}

/// Records the request and applies a pending fault.
fn arrive(shared: &Shared, path: &str) -> Option<Response> {
    let mut data = shared.data();
    data.requests.push(path.to_owned());
    let statuses = data.faults.get_mut(path)?;
    if statuses.is_empty() {
        return None;
    }
    let status = statuses.remove(0);
    Some(
        StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
    )
}

async fn packument(State(shared): State<Arc<Shared>>, UrlPath(name): UrlPath<String>) -> Response {
    serve_packument(&shared, &name)
}

async fn scoped_packument(
    State(shared): State<Arc<Shared>>,
    UrlPath((scope, name)): UrlPath<(String, String)>,
) -> Response {
    serve_packument(&shared, &format!("{scope}/{name}"))
}

fn serve_packument(shared: &Shared, name: &str) -> Response {
    if let Some(fault) = arrive(shared, &format!("/{name}")) {
        return fault;
    }
    let Some(packument) = shared.data().packuments.get(name).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({ "error": "Not found" })),
        )
            .into_response();
    };
    // Tarballs come from this registry.
    let text = packument.to_string().replace(
        &format!("{RECORDED_FROM}/"),
        &format!("{}/tarballs-of/", shared.base),
    );
    let text = rewrite_tarball_paths(&text, &shared.base);
    ([("content-type", "application/json")], text).into_response()
}

/// `<base>/tarballs-of/<name>/-/<file>` → `<base>/tarballs/<file>`.
fn rewrite_tarball_paths(text: &str, base: &str) -> String {
    let prefix = format!("{base}/tarballs-of/");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&prefix) {
        out.push_str(&rest[..i]);
        let after = &rest[i + prefix.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let file = after[..end].rsplit('/').next().unwrap_or_default();
        out.push_str(&format!("{base}/tarballs/{file}"));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

async fn serve_tarball(
    State(shared): State<Arc<Shared>>,
    UrlPath(file): UrlPath<String>,
) -> Response {
    if let Some(fault) = arrive(&shared, &format!("/tarballs/{file}")) {
        return fault;
    }
    match shared.data().tarballs.get(&file) {
        Some(bytes) => Body::from(bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A .tgz of `entries` (path, contents), paths written as given (so tests
/// can make hostile ones).
pub(crate) fn tarball(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (path, contents) in entries {
        tar.extend_from_slice(&header(path, contents.len(), b'0', ""));
        tar.extend_from_slice(contents);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    gzip(&tar)
}

/// A .tgz with one symlink entry `path` → `target`.
pub(crate) fn tarball_with_link(path: &str, target: &str) -> Vec<u8> {
    let mut tar = header(path, 0, b'2', target).to_vec();
    tar.resize(tar.len() + 1024, 0);
    gzip(&tar)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A ustar header, written by hand: `tar::Builder` refuses the hostile
/// paths these tests need.
fn header(path: &str, size: usize, kind: u8, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..path.len().min(100)].copy_from_slice(&path.as_bytes()[..path.len().min(100)]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len().min(100)].copy_from_slice(&link.as_bytes()[..link.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}
