//! Secrets: handlers read them from `process.env`; nothing else ever shows
//! them (API answers, records, logs, metrics, files on disk).

use std::process::Stdio;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::server::Server;
use crate::service::deploy;

const SIGN_IN: &str = "user.attempted.start_session";
/// A value that appears nowhere but where it was put.
const VALUE: &str = "sk_live_9f2c4e1a7b3d5f60";

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn secrets_reach_handlers_and_nothing_else() {
    let log_path = std::env::temp_dir().join(format!("chatfn-secrets-{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path).expect("a log file");
    let server = Server::start_logging("debug", Stdio::from(log));
    let key = server.create_app("secrets", &[]);
    let client = server.client(&key);
    // The initialization script runs when the image is built, before any
    // invocation: it must not see secrets.
    let init = client.json(
        "PUT",
        "/v1/runtimes/nodejs/initialization-script",
        &json!({ "script": "globalThis.seenAtInit = process.env.STRIPE_KEY ?? null;" }),
    );
    assert_eq!(init.status, 200, "{:?}", init.body);
    // The handler proves it sees the value by its hash, so the value is in
    // no event, result or record.
    deploy(
        &client,
        SIGN_IN,
        "async function handleEvent(e) {\n  const seen = process.env.STRIPE_KEY || '';\n  const hash = require('crypto').createHash('sha256').update(seen).digest('hex');\n  return { matches: hash === e.expected, atInit: seenAtInit };\n}",
        None,
    );
    let set = client.json(
        "PUT",
        "/v1/runtimes/nodejs/secrets",
        &json!({ "STRIPE_KEY": VALUE, "OTHER": "x" }),
    );
    assert_eq!(set.status, 200, "{:?}", set.body);
    let names: Vec<&str> = set.body["secrets"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["OTHER", "STRIPE_KEY"]);
    let expected: String = Sha256::digest(VALUE.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{SIGN_IN}"),
        &json!({ "username": "ada", "expected": expected }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body["result"]["payload"],
        json!({ "matches": true, "atInit": null })
    );

    // Removing one keeps the other; bad names are refused.
    let removed = client.json(
        "PUT",
        "/v1/runtimes/nodejs/secrets",
        &json!({ "OTHER": null }),
    );
    assert_eq!(removed.status, 200);
    assert_eq!(removed.body["secrets"].as_array().map(Vec::len), Some(1));
    let bad = client.json(
        "PUT",
        "/v1/runtimes/nodejs/secrets",
        &json!({ "1BAD": "x" }),
    );
    assert_eq!(bad.status, 400, "{:?}", bad.body);

    // A read-only key cannot see them, not even their names.
    let id = server.app_id("secrets");
    let reader = server.apps(&["add-key", &id.to_string(), "--read-only"]);
    let reader: Value = serde_json::from_slice(&reader.stdout).expect("JSON");
    let reader = server.client(reader["key"].as_str().expect("a key"));
    assert_eq!(reader.get("/v1/runtimes/nodejs/secrets").status, 403);

    // Nothing shows the value: API answers, invocation records, metrics,
    // the server's log at debug level, or any file under the data
    // directory (database, images, packages).
    let mut seen = String::new();
    for path in [
        "/v1/runtimes/nodejs",
        "/v1/runtimes/nodejs/secrets",
        "/v1/runtimes/nodejs/functions",
        "/v1/invocations",
    ] {
        seen.push_str(&client.get(path).body.to_string());
    }
    seen.push_str(&crate::metrics::scrape(&server));
    assert!(!seen.contains(VALUE), "an answer shows the secret");
    let logged = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    assert!(logged.contains("secrets changed"), "the log is there");
    assert!(!logged.contains(VALUE), "the log shows the secret");
    let files = files_containing(server.data.path(), VALUE.as_bytes());
    assert!(files.is_empty(), "files hold the secret: {files:?}");
}

#[test]
fn a_runtime_past_its_number_of_secrets_is_refused_and_keeps_its_own() {
    let server = Server::shared();
    let client = server.client(&server.create_app("many-secrets", &[]));
    let secrets = |range: std::ops::Range<u32>| {
        let body: serde_json::Map<String, Value> = range
            .map(|i| (format!("SECRET_{i}"), json!(format!("value {i}"))))
            .collect();
        client.json("PUT", "/v1/runtimes/nodejs/secrets", &Value::Object(body))
    };
    let full = secrets(0..64);
    assert_eq!(full.status, 200, "{:?}", full.body);
    let over = secrets(64..65);
    assert_eq!(over.status, 409, "{:?}", over.body);
    assert_eq!(over.body["error"], "ConflictError");
    assert!(
        over.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 64 secrets")),
        "{:?}",
        over.body
    );
    let listed = client.get("/v1/runtimes/nodejs/secrets");
    assert_eq!(listed.status, 200);
    assert!(
        !listed.body.to_string().contains("SECRET_64"),
        "{}",
        listed.body
    );
    assert!(
        listed.body.to_string().contains("SECRET_63"),
        "{}",
        listed.body
    );
    // Replacing one at the limit is not adding one.
    let replaced = client.json(
        "PUT",
        "/v1/runtimes/nodejs/secrets",
        &json!({ "SECRET_0": "new value", "SECRET_1": null, "SECRET_64": "fits now" }),
    );
    assert_eq!(replaced.status, 200, "{:?}", replaced.body);
}
