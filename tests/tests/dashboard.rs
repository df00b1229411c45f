//! The dashboard: its page and files as served (policy, caching, nothing
//! from elsewhere), CORS for dashboards hosted elsewhere, the handler check
//! its editor uses, and the whole of it in headless Chromium
//! (`tests/browser/dashboard.mjs`, with playwright-core, which
//! `scripts/test` installs and names in `CHATFN_PLAYWRIGHT`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::server::Server;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> ureq::http::Response<ureq::Body> {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    agent()
        .run(builder.body(()).expect("a request"))
        .expect("the server answers")
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_page_and_its_files_are_served_with_a_strict_policy() {
    let server = Server::shared();
    let mut page = request("GET", &format!("{}/", server.base), &[]);
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let policy = header(&page, "content-security-policy");
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let body = page.body_mut().read_to_string().expect("the page");
    assert!(body.contains("<script type=\"importmap\">"), "{body}");
    assert!(body.contains("/assets/app/main.js"));

    // Each file revalidates (a new binary's dashboard shows at once) and a
    // known one answers 304.
    let url = format!("{}/assets/app/main.js", server.base);
    let script = request("GET", &url, &[]);
    assert_eq!(script.status(), 200);
    assert!(header(&script, "content-type").starts_with("text/javascript"));
    assert_eq!(header(&script, "cache-control"), "no-cache");
    assert_eq!(header(&script, "x-content-type-options"), "nosniff");
    let etag = header(&script, "etag");
    assert!(etag.starts_with('"'), "{etag}");
    let again = request("GET", &url, &[("If-None-Match", &etag)]);
    assert_eq!(again.status(), 304);

    let vendored = request(
        "GET",
        &format!(
            "{}/assets/vendor/@codemirror/view/dist/index.js",
            server.base
        ),
        &[],
    );
    assert_eq!(vendored.status(), 200);
    for missing in [
        "/assets/nope.js",
        "/assets/../Cargo.toml",
        "/assets/vendor/package-lock.json",
    ] {
        let response = request("GET", &format!("{}{missing}", server.base), &[]);
        assert_eq!(response.status(), 404, "{missing}");
    }
}

#[test]
fn only_the_origins_given_may_call_the_api_from_a_page() {
    let server = Server::start_with(&["--cors-origin", "https://dash.example.com"]);
    let key = server.create_app("cors", &[]);
    let url = format!("{}/v1/runtimes/nodejs", server.base);
    let preflight = |origin: &str| {
        request(
            "OPTIONS",
            &url,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "PUT"),
                (
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                ),
            ],
        )
    };
    let allowed = preflight("https://dash.example.com");
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        "https://dash.example.com"
    );
    assert!(header(&allowed, "access-control-allow-methods").contains("PUT"));
    assert!(
        header(&allowed, "access-control-allow-headers")
            .to_ascii_lowercase()
            .contains("authorization")
    );
    assert_eq!(header(&allowed, "access-control-allow-credentials"), "");
    let other = preflight("https://evil.example.net");
    assert_eq!(header(&other, "access-control-allow-origin"), "");

    let bearer = format!("Bearer {key}");
    let read = request(
        "GET",
        &url,
        &[
            ("Origin", "https://dash.example.com"),
            ("Authorization", &bearer),
        ],
    );
    assert_eq!(read.status(), 200);
    assert_eq!(
        header(&read, "access-control-allow-origin"),
        "https://dash.example.com"
    );

    // The shared server was given no origin: no page elsewhere may call it.
    let shared = Server::shared();
    let response = request(
        "GET",
        &format!("{}/v1/runtimes/nodejs", shared.base),
        &[("Origin", "https://dash.example.com")],
    );
    assert_eq!(header(&response, "access-control-allow-origin"), "");
}

#[test]
fn a_bad_cors_origin_is_refused_at_start() {
    let output = Command::new(crate::support::chatfn_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--cors-origin", "*"])
        .env(
            "CHATFN_DATA_DIR",
            tempfile::tempdir().expect("tempdir").path(),
        )
        .output()
        .expect("chatfn runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--cors-origin"), "{stderr}");
}

#[test]
fn a_handler_is_checked_at_its_line_without_being_stored() {
    let server = Server::shared();
    let client = server.client(&server.create_app("handler checks", &[]));
    let check = |script: &str| {
        client.json(
            "POST",
            "/v1/runtimes/nodejs/handler-checks",
            &json!({ "handlerScript": script }),
        )
    };

    let fine = check("async function handleEvent(event: { user: object }) { return 1; }");
    assert_eq!(fine.status, 200, "{:?}", fine.body);
    assert_eq!(fine.body, json!({ "loads": true }));

    let syntax = check("async function handleEvent(event) {\n  return 1 +;\n}\n");
    assert_eq!(syntax.status, 400, "{:?}", syntax.body);
    assert_eq!(syntax.body["error"], "CompileError");
    assert_eq!(syntax.body["cause"]["line"], 2, "{:?}", syntax.body);
    assert!(syntax.body["cause"]["column"].as_u64().is_some());
    assert_eq!(syntax.body["cause"]["file"], "handler.ts");

    let throws = check("const x = 1;\nnull.boom;\nasync function handleEvent() {}\n");
    assert_eq!(throws.status, 422, "{:?}", throws.body);
    assert_eq!(throws.body["error"], "FunctionLoadError");
    assert_eq!(throws.body["cause"]["line"], 2, "{:?}", throws.body);

    let missing = check("const notAHandler = 1;");
    assert_eq!(missing.status, 422, "{:?}", missing.body);

    let functions = client.get("/v1/runtimes/nodejs/functions");
    assert_eq!(functions.body["page"]["totalElements"], 0, "nothing stored");
}

/// Where the browser test's screenshots go: `target/dashboard-screenshots`.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("dashboard-screenshots")
}

#[test]
fn the_dashboard_works_in_a_real_browser() {
    let chromium =
        std::env::var_os("CHATFN_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
    let playwright = std::env::var_os("CHATFN_PLAYWRIGHT");
    let Some(playwright) = playwright.filter(|_| Path::new(&chromium).exists()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the browser test: install chromium and set CHATFN_PLAYWRIGHT (scripts/test does both)"
        );
        eprintln!("skipped: CHATFN_PLAYWRIGHT (playwright-core) or {chromium:?} is missing");
        return;
    };
    let server = Server::start();
    let key = server.create_app("dashboard", &[]);
    let id = server.app_id("dashboard").to_string();
    let reader = server.apps(&["add-key", &id, "--read-only"]);
    assert!(reader.status.success(), "{reader:?}");
    let reader: serde_json::Value = serde_json::from_slice(&reader.stdout).expect("JSON");
    let reader = reader["key"].as_str().expect("a key");
    let shots = screenshot_dir();
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("a screenshot directory");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/dashboard.mjs");
    let output = Command::new("node")
        .arg(&script)
        .env("CHATFN_URL", &server.base)
        .env("CHATFN_KEY", &key)
        .env("CHATFN_READ_ONLY_KEY", reader)
        .env("CHATFN_SCREENSHOTS", &shots)
        .env("CHATFN_PLAYWRIGHT", &playwright)
        .env("CHATFN_CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("dashboard: all steps passed"));
    for page in [
        "sign-in",
        "functions",
        "function",
        "function-syntax-error",
        "tail",
        "invocation",
        "invocations",
        "runtime",
        "queue",
        "functions-narrow",
    ] {
        let png = shots.join(format!("{page}.png"));
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 5_000,
            "{page}.png is a picture"
        );
    }
}

#[test]
fn the_resolved_tree_lists_every_installed_package() {
    let server = Server::shared();
    let client = server.client(&server.create_app("resolved tree", &[]));
    let empty = client.get("/v1/runtimes/nodejs/resolved-dependencies");
    assert_eq!(empty.status, 200, "{:?}", empty.body);
    assert_eq!(empty.body, json!({ "packages": [] }));
    let installed = client.json(
        "PUT",
        "/v1/runtimes/nodejs/dependencies",
        &json!([{ "name": "debug", "version": "^4" }]),
    );
    assert_eq!(installed.status, 200, "{:?}", installed.body);
    let tree = client.get("/v1/runtimes/nodejs/resolved-dependencies").body;
    let packages = tree["packages"].as_array().expect("packages");
    let names: Vec<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["debug", "ms"], "{tree}");
    assert_eq!(packages[0]["location"], "node_modules/debug");
    assert!(packages[0]["dependencies"]["ms"].is_string(), "{tree}");
    assert!(
        packages[1]["integrity"]
            .as_str()
            .is_some_and(|i| i.starts_with("sha512-"))
    );
}

#[test]
fn a_key_tells_its_application_and_what_it_may_do() {
    let server = Server::start();
    let key = server.create_app("who am i", &[]);
    let id = server.app_id("who am i");
    let full = server.client(&key).get("/v1/application");
    assert_eq!(full.status, 200, "{:?}", full.body);
    assert_eq!(full.body["id"], id);
    assert_eq!(full.body["name"], "who am i");
    assert_eq!(full.body["access"], "FULL");
    assert!(full.body.get("key").is_none() && full.body.get("platformToken").is_none());
    let reader = server.apps(&["add-key", &id.to_string(), "--read-only"]);
    let reader: serde_json::Value = serde_json::from_slice(&reader.stdout).expect("JSON");
    let read_only = server
        .client(reader["key"].as_str().expect("a key"))
        .get("/v1/application");
    assert_eq!(read_only.body["access"], "READ_ONLY");
    assert_eq!(
        server.client("chatfn_nope").get("/v1/application").status,
        401
    );
}
