//! Deploys that cannot break sign-ins: a handler or runtime change that
//! would not load is refused (422) before it is stored, and what was in
//! force stays in force; a version can be staged, test-run, then made
//! current.

use serde_json::{Value, json};

use crate::server::{Client, Server};
use crate::service::{START, deploy};

fn app(name: &str) -> Client {
    let server = Server::shared();
    server.client(&server.create_app(name, &[]))
}

fn sign_in(client: &Client) -> Value {
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada" }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["result"]["payload"].clone()
}

fn post_version(client: &Client, function: i64, body: Value) -> crate::server::Reply {
    client.json("POST", &format!("/v1/functions/{function}/versions"), &body)
}

#[test]
fn a_handler_that_does_not_load_is_refused_and_the_current_version_stays() {
    let client = app("refused-deploys");
    let function = deploy(
        &client,
        START,
        "async function handleEvent() { return 'v1'; }",
        None,
    );
    assert_eq!(sign_in(&client), json!("v1"));

    let no_handler = post_version(
        &client,
        function,
        json!({ "handlerScript": "const x = 1;\n" }),
    );
    assert_eq!(no_handler.status, 422, "{:?}", no_handler.body);
    assert_eq!(no_handler.body["error"], "FunctionLoadError");
    assert!(
        no_handler.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("handleEvent")),
        "{:?}",
        no_handler.body
    );

    let throws = post_version(
        &client,
        function,
        json!({ "handlerScript": "const a = 1;\nthrow new Error('boom');\nasync function handleEvent() {}\n" }),
    );
    assert_eq!(throws.status, 422, "{:?}", throws.body);
    let cause = &throws.body["cause"];
    assert_eq!(
        (&cause["name"], &cause["message"], &cause["line"]),
        (&json!("Error"), &json!("boom"), &json!(2)),
        "{:?}",
        throws.body
    );

    // A top level that never ends is stopped, and refused.
    let endless = post_version(
        &client,
        function,
        json!({ "handlerScript": "while (true) {}\nasync function handleEvent() {}\n" }),
    );
    assert_eq!(endless.status, 422, "{:?}", endless.body);

    // None was stored; sign-ins run the version that was current.
    let versions = client
        .get(&format!("/v1/functions/{function}/versions"))
        .body;
    assert_eq!(versions["page"]["totalElements"], 1, "{versions}");
    let current = client.get(&format!("/v1/functions/{function}")).body;
    assert_eq!(current["currentVersionNumber"], 1, "{current}");
    assert_eq!(sign_in(&client), json!("v1"));
}

#[test]
fn a_staged_version_goes_live_only_when_made_current() {
    let client = app("staged-deploys");
    let function = deploy(
        &client,
        START,
        "async function handleEvent() { return 'v1'; }",
        None,
    );
    let staged = post_version(
        &client,
        function,
        json!({ "handlerScript": "async function handleEvent() { return 'v2'; }", "activate": false }),
    );
    assert_eq!(staged.status, 201, "{:?}", staged.body);
    assert_eq!(staged.body["versionNumber"], 2, "{:?}", staged.body);
    assert_eq!(sign_in(&client), json!("v1"));

    // Test-run the staged version, then make it current.
    let version_id = staged.body["id"].as_i64().expect("a version id");
    let test = client.json(
        "POST",
        &format!("/v1/function-versions/{version_id}/invocations"),
        &json!({ "username": "ada" }),
    );
    assert_eq!(test.status, 200, "{:?}", test.body);
    assert_eq!(test.body["result"]["payload"], "v2", "{:?}", test.body);
    assert_eq!(test.body["test"], true, "{:?}", test.body);
    let not_an_event = client.json(
        "POST",
        &format!("/v1/function-versions/{version_id}/invocations"),
        &Value::Null,
    );
    assert_eq!(not_an_event.status, 400, "{:?}", not_an_event.body);
    let made = client.json(
        "PUT",
        &format!("/v1/functions/{function}/current-version"),
        &json!({ "versionNumber": 2 }),
    );
    assert_eq!(made.status, 200, "{:?}", made.body);
    assert_eq!(sign_in(&client), json!("v2"));
}

#[test]
fn a_runtime_change_that_would_break_functions_is_refused() {
    let client = app("refused-runtime-changes");
    let env = |vars: Value| client.json("PUT", "/v1/runtimes/nodejs/environment-variables", &vars);
    assert_eq!(env(json!({ "KEY": "k" })).status, 200);
    deploy(
        &client,
        START,
        "if (!process.env.KEY) throw new Error('KEY is not set');\nasync function handleEvent() { return process.env.KEY; }\n",
        None,
    );
    assert_eq!(sign_in(&client), json!("k"));

    // Without KEY the handler's top level throws: the change is refused.
    let dropped = env(json!({}));
    assert_eq!(dropped.status, 422, "{:?}", dropped.body);
    assert_eq!(dropped.body["error"], "RuntimeLoadError");
    assert!(
        dropped.body["message"]
            .as_str()
            .is_some_and(|m| m.contains(START) && m.contains("KEY is not set")),
        "{:?}",
        dropped.body
    );

    // An init script that throws, or never ends, is refused too.
    let init = |script: &str| {
        client.json(
            "PUT",
            "/v1/runtimes/nodejs/initialization-script",
            &json!({ "script": script }),
        )
    };
    let throws = init("const ready = false;\nthrow new Error('init broke');\n");
    assert_eq!(throws.status, 422, "{:?}", throws.body);
    assert_eq!(throws.body["cause"]["line"], 2, "{:?}", throws.body);
    assert!(
        throws.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("initialization") && m.contains("init broke")),
        "{:?}",
        throws.body
    );
    let endless = init("while (true) {}\n");
    assert_eq!(endless.status, 422, "{:?}", endless.body);

    // What was in force still is.
    let runtime = client.get("/v1/runtimes/nodejs").body;
    assert_eq!(runtime["environmentVariables"]["KEY"], "k", "{runtime}");
    assert!(
        runtime["initializationScript"]["script"]
            .as_str()
            .is_none_or(str::is_empty),
        "{runtime}"
    );
    assert_eq!(sign_in(&client), json!("k"));
    // And a change that keeps things working is taken.
    assert_eq!(env(json!({ "KEY": "k2" })).status, 200);
    crate::support::wait_for(std::time::Duration::from_secs(10), || {
        (sign_in(&client) == json!("k2")).then_some(())
    });
}
