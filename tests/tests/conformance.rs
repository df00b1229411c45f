//! The API against its own OpenAPI document: Schemathesis (pinned, from
//! PyPI; `scripts/test` installs it and names it in `CHATFN_SCHEMATHESIS`)
//! runs every check on every operation of a live server with an
//! application, a function and a version in place, and must find nothing.

use std::process::Command;

use crate::server::Server;
use crate::service::{START, deploy};

#[test]
fn the_api_matches_its_openapi_document() {
    let Some(st) = std::env::var_os("CHATFN_SCHEMATHESIS") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the conformance check: set CHATFN_SCHEMATHESIS (scripts/test does)"
        );
        eprintln!("skipped: CHATFN_SCHEMATHESIS (a schemathesis `st`) is not set");
        return;
    };
    let server = Server::start();
    let key = server.create_app("conformance", &[]);
    let client = server.client(&key);
    deploy(
        &client,
        START,
        "async function handleEvent(event) { return { allowed: true, user: event.username }; }",
        None,
    );
    deploy(
        &client,
        "user.sent.message",
        "async function handleEvent(event) { console.log('sent'); return 1; }",
        None,
    );
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/schemathesis.toml");
    // It keeps a cache where it runs: in the server's throwaway directory.
    let output = Command::new(st)
        .current_dir(server.data.path())
        .arg("--config-file")
        .arg(config)
        .args(["run", &format!("{}/v1/openapi.json", server.base)])
        .args(["-H", &format!("Authorization: Bearer {key}")])
        .args(["--max-time", "150", "--workers", "2", "--seed", "1"])
        .args(["--request-timeout", "10", "--generation-database", "none"])
        .args(["--no-color"])
        .output()
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    // The summary, for the log of a run that passed too.
    let summary: String = report
        .lines()
        .rev()
        .take(30)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("{summary}");
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
