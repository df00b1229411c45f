//! Application keys from the command line: read-only keys, rotation and
//! deletion, as a running server sees them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::server::Server;
use crate::service::deploy;
use crate::support::wait_for;

const SIGN_IN: &str = "user.attempted.start_session";

fn printed(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn keys_are_added_rotated_and_deleted_with_their_application() {
    let server = Server::start();
    let key = server.create_app("keys", &[]);
    let other = server.create_app("other", &[]);
    let id = server.app_id("keys");
    let client = server.client(&key);
    deploy(
        &client,
        SIGN_IN,
        "async function handleEvent() { return true; }",
        None,
    );
    let sign_in = |key: &str| {
        server
            .client(key)
            .json(
                "POST",
                &format!("/v1/triggers/{SIGN_IN}"),
                &json!({ "username": "ada" }),
            )
            .status
    };

    // A read-only key lists and reads, and changes nothing.
    let reader = printed(&server.apps(&["add-key", &id.to_string(), "--read-only"]));
    let reader = server.client(reader["key"].as_str().expect("a key"));
    assert_eq!(reader.get("/v1/runtimes/nodejs/functions").status, 200);
    let refused = reader.json(
        "POST",
        &format!("/v1/triggers/{SIGN_IN}"),
        &json!({ "username": "ada" }),
    );
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.body["error"], "ForbiddenError");

    // After a rotation the new key works and the old one stops within the
    // server's lookup cache (5 s).
    let rotated = printed(&server.apps(&["rotate-key", &id.to_string()]));
    let new_key = rotated["key"].as_str().expect("a key").to_owned();
    assert_eq!(sign_in(&new_key), 200);
    wait_for(Duration::from_secs(10), || {
        (sign_in(&key) == 401).then_some(())
    });

    // Deleting asks for confirmation, then takes the application's keys.
    let unconfirmed = server.apps(&["delete", &id.to_string()]);
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert_eq!(sign_in(&new_key), 200, "nothing was deleted");
    let deleted = server.apps(&["delete", &id.to_string(), "--yes"]);
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
    wait_for(Duration::from_secs(10), || {
        (sign_in(&new_key) == 401).then_some(())
    });
    assert_eq!(
        server
            .client(&other)
            .get("/v1/runtimes/nodejs/functions")
            .status,
        200,
        "the other application is untouched"
    );
    let missing = server.apps(&["rotate-key", &id.to_string()]);
    assert_eq!(missing.status.code(), Some(2));
}
