//! `chatfn serve` over real HTTP: functions, versions, triggers, invocation
//! logs, runtime, tenancy and input errors.

use std::time::Duration;

use serde_json::{Value, json};

use crate::server::{Client, Server};
use crate::support::wait_for;

fn app(name: &str) -> Client {
    let server = Server::shared();
    server.client(&server.create_app(name, &[]))
}

/// Creates a function for `trigger` with `handler` deployed; returns its id.
pub(crate) fn deploy(
    client: &Client,
    trigger: &str,
    handler: &str,
    timeout_ms: Option<u32>,
) -> i64 {
    let mut body = json!({ "type": trigger, "name": format!("fn for {trigger}") });
    if let Some(t) = timeout_ms {
        body["timeoutMs"] = json!(t);
    }
    let created = client.json("POST", "/v1/runtimes/nodejs/functions", &body);
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("function id");
    let version = client.json(
        "POST",
        &format!("/v1/functions/{id}/versions"),
        &json!({ "handlerScript": handler }),
    );
    assert_eq!(version.status, 201, "{:?}", version.body);
    id
}

pub(crate) const START: &str = "user.attempted.start_session";

fn start_event(user: &str) -> Value {
    json!({ "username": user, "authParams": { "password": "x" } })
}

#[test]
fn a_blocking_trigger_runs_the_current_version_and_is_logged() {
    let client = app("blocking");
    let function = deploy(
        &client,
        START,
        "async function handleEvent(event: { username: string }, context: any) {\n  console.log('hi', event.username);\n  return { allowed: true, user: event.username, fn: context.functionType };\n}\n",
        None,
    );
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &start_event("ada"),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "SUCCEEDED");
    assert_eq!(
        reply.body["result"],
        json!({ "payload": { "allowed": true, "user": "ada", "fn": START } })
    );
    let id = reply.body["invocationId"].as_i64().expect("invocation id");

    let invocation = client.get(&format!("/v1/invocations/{id}"));
    assert_eq!(invocation.status, 200);
    let i = &invocation.body;
    assert_eq!(
        (i["functionId"].as_i64(), i["versionNumber"].as_i64()),
        (Some(function), Some(1))
    );
    assert_eq!(i["status"], "SUCCEEDED");
    assert_eq!(i["args"], start_event("ada"));
    assert_eq!(i["logs"], json!([{ "level": "log", "message": "hi ada" }]));
    assert_eq!(i["type"], START);
    assert!(
        i["durationMs"].as_f64().is_some()
            && i["createdTime"].is_string()
            && i["endedTime"].is_string()
    );
    // Start and run times apart, and whether the instance was pooled.
    let times = |i: &Value| {
        (
            i["durationMs"].as_f64().unwrap_or(-1.0),
            i["startMs"].as_f64().unwrap_or(-1.0),
            i["runMs"].as_f64().unwrap_or(-1.0),
        )
    };
    let (duration, start, run) = times(i);
    assert!(
        start >= 0.0 && run >= 0.0 && (start + run - duration).abs() < 0.01,
        "{i}"
    );
    assert!(
        i["warmStart"].is_boolean() && i["startedTime"].is_string(),
        "{i}"
    );
    assert_eq!(i["attempts"].as_array().map(Vec::len), Some(1), "{i}");
    assert_eq!(i["attempts"][0]["status"], "SUCCEEDED");

    let list = client.get(&format!("/v1/functions/{function}/invocations"));
    assert_eq!(list.body["page"]["totalElements"], 1);
    assert_eq!(
        list.body["_embedded"]["invocations"][0]["id"].as_i64(),
        Some(id)
    );

    // The warmer keeps instances of a function in use ready: soon every
    // start is warm.
    wait_for(Duration::from_secs(10), || {
        let reply = client.json("POST", &format!("/v1/triggers/{START}"), &start_event("bo"));
        let id = reply.body["invocationId"].as_i64()?;
        let record = client.get(&format!("/v1/invocations/{id}")).body;
        (record["warmStart"] == true).then_some(())
    });
}

#[test]
fn a_throwing_handler_denies_with_422_and_a_loop_times_out_with_504() {
    let client = app("failing");
    let function = deploy(
        &client,
        START,
        "async function handleEvent(event) {\n  if (event.username === 'loop') { while (true) {} }\n  if (event.username !== 'ok') throw new Error(`not allowed: ${event.username}`);\n  return 'ok';\n}\n",
        Some(300),
    );
    let denied = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &start_event("mallory"),
    );
    assert_eq!(denied.status, 422, "{:?}", denied.body);
    assert_eq!(denied.body["error"], "FunctionFailedError");
    assert_eq!(denied.body["message"], "Error: not allowed: mallory");
    assert_eq!(denied.body["invocationError"]["line"], 3);
    let id = denied.body["invocationId"].as_i64().expect("id");
    let record = client.get(&format!("/v1/invocations/{id}")).body;
    assert_eq!(record["status"], "FAILED");
    assert_eq!(record["error"]["type"], "EXCEPTION");
    assert_eq!(record["error"]["message"], "not allowed: mallory");

    let looped = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &start_event("loop"),
    );
    assert_eq!(looped.status, 504, "{:?}", looped.body);
    assert_eq!(looped.body["error"], "FunctionTimeoutError");
    let next = client.json("POST", &format!("/v1/triggers/{START}"), &start_event("ok"));
    assert_eq!(
        next.status, 200,
        "the service goes on after a timeout: {:?}",
        next.body
    );

    let failed = client.get(&format!(
        "/v1/functions/{function}/invocations?status=FAILED"
    ));
    assert_eq!(failed.body["page"]["totalElements"], 2);
    let succeeded = client.get(&format!(
        "/v1/functions/{function}/invocations?status=succeeded"
    ));
    assert_eq!(succeeded.body["page"]["totalElements"], 1);
}

#[test]
fn versions_increase_and_can_be_rolled_back() {
    let client = app("versions");
    let function = deploy(
        &client,
        START,
        "async function handleEvent() { return 1; }",
        None,
    );
    for n in 2..=3 {
        let v = client.json(
            "POST",
            &format!("/v1/functions/{function}/versions"),
            &json!({ "handler_script": format!("async function handleEvent() {{ return {n}; }}") }),
        );
        assert_eq!((v.status, v.body["versionNumber"].as_i64()), (201, Some(n)));
    }
    let run = || {
        client
            .json("POST", &format!("/v1/triggers/{START}"), &start_event("a"))
            .body["result"]["payload"]
            .clone()
    };
    assert_eq!(run(), json!(3));
    assert_eq!(
        client
            .get(&format!("/v1/functions/{function}/current-version"))
            .body["versionNumber"],
        3
    );

    let rolled = client.json(
        "PUT",
        &format!("/v1/functions/{function}/current-version"),
        &json!({ "versionNumber": 1 }),
    );
    assert_eq!(
        (rolled.status, rolled.body["currentVersionNumber"].as_i64()),
        (200, Some(1))
    );
    assert_eq!(run(), json!(1));
    let missing = client.json(
        "PUT",
        &format!("/v1/functions/{function}/current-version"),
        &json!({ "versionNumber": 9 }),
    );
    assert_eq!(missing.status, 404);

    // A version that does not compile is refused and not created.
    let bad = client.json(
        "POST",
        &format!("/v1/functions/{function}/versions"),
        &json!({ "handlerScript": "function handleEvent( {" }),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["error"], "CompileError");
    assert!(
        bad.body["explanation"]
            .as_str()
            .unwrap_or("")
            .starts_with("handler.ts:1:"),
        "{:?}",
        bad.body
    );

    let page = client.get(&format!(
        "/v1/functions/{function}/versions?size=2&sort=versionNumber,desc"
    ));
    assert_eq!(page.status, 200);
    let numbers: Vec<i64> = page.body["_embedded"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["versionNumber"].as_i64())
        .collect();
    assert_eq!(numbers, [3, 2]);
    assert_eq!(
        page.body["page"],
        json!({ "size": 2, "totalElements": 3, "totalPages": 2, "number": 0 })
    );
    assert!(
        page.body["_links"]["next"]["href"]
            .as_str()
            .unwrap_or("")
            .contains("page=1")
    );

    // A version can be run as a test, whether or not it is current.
    let v2 = client
        .get(&format!(
            "/v1/functions/{function}/versions?sort=versionNumber,asc&page=1&size=1"
        ))
        .body["_embedded"]["versions"][0]["id"]
        .clone();
    let test = client.json(
        "POST",
        &format!("/v1/function-versions/{v2}/invocations"),
        &start_event("t"),
    );
    assert_eq!(
        (
            test.status,
            &test.body["result"]["payload"],
            &test.body["test"]
        ),
        (200, &json!(2), &json!(true))
    );

    // Disabled functions do not run: the chat server goes ahead (204).
    let off = client.json(
        "PATCH",
        &format!("/v1/functions/{function}"),
        &json!({ "enabled": false }),
    );
    assert_eq!((off.status, &off.body["enabled"]), (200, &json!(false)));
    assert_eq!(
        client
            .json("POST", &format!("/v1/triggers/{START}"), &start_event("a"))
            .status,
        204
    );
}

#[test]
fn environment_and_initialization_script_reach_the_handler() {
    let client = app("runtime");
    let env = client.json(
        "PUT",
        "/v1/runtimes/nodejs/environment-variables",
        &json!({ "REGION": "eu-west-1", "TOKEN": "s3cret" }),
    );
    assert_eq!(env.status, 200, "{:?}", env.body);
    let init = client.json(
        "PUT",
        "/v1/runtimes/nodejs/initialization-script",
        &json!({ "script": "const greeting: string = 'hello from init';\nvar region = process.env.REGION;\n" }),
    );
    assert_eq!(init.status, 200, "{:?}", init.body);
    deploy(
        &client,
        START,
        "async function handleEvent() { return [greeting, region, process.env.TOKEN]; }",
        None,
    );
    let reply = client.json("POST", &format!("/v1/triggers/{START}"), &start_event("a"));
    assert_eq!(
        reply.body["result"]["payload"],
        json!(["hello from init", "eu-west-1", "s3cret"]),
        "{:?}",
        reply.body
    );

    // Changing the runtime rebuilds what it affects.
    client.json(
        "PUT",
        "/v1/runtimes/nodejs/environment-variables",
        &json!({ "REGION": "us-east-1" }),
    );
    let reply = client.json("POST", &format!("/v1/triggers/{START}"), &start_event("a"));
    assert_eq!(
        reply.body["result"]["payload"],
        json!(["hello from init", "us-east-1", null])
    );

    let runtime = client.get("/v1/runtimes/nodejs").body;
    assert_eq!(runtime["type"], "NODEJS");
    assert_eq!(
        runtime["environmentVariables"],
        json!({ "REGION": "us-east-1" })
    );
    assert!(runtime["initializationScript"]["script"].as_str().is_some());

    let bad = client.json(
        "PUT",
        "/v1/runtimes/nodejs/initialization-script",
        &json!({ "script": "import x from 'y';\nawait x;" }),
    );
    assert_eq!(
        (bad.status, &bad.body["error"]),
        (400, &json!("CompileError"))
    );
    let deps = client.json(
        "PUT",
        "/v1/runtimes/nodejs/dependencies",
        &json!([{ "name": "dayjs", "version": "^1.11.0" }]),
    );
    assert_eq!(
        (deps.status, &deps.body["dependencies"][0]["name"]),
        (200, &json!("dayjs"))
    );
}

#[test]
fn a_non_blocking_trigger_is_accepted_and_runs_later() {
    let client = app("nonblocking");
    let function = deploy(
        &client,
        "user.sent.message",
        "async function handleEvent(e) { return e.message.body; }",
        None,
    );
    let accepted = client.json(
        "POST",
        "/v1/triggers/user.sent.message",
        &json!({ "user": { "id": 1 }, "message": { "body": "hello" } }),
    );
    assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    let id = accepted.body["invocationId"].as_i64().expect("id");
    let mut record = Value::Null;
    for _ in 0..200 {
        record = client.get(&format!("/v1/invocations/{id}")).body;
        if record["status"] == "SUCCEEDED" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(record["result"]["payload"], "hello", "{record:?}");
    assert_eq!(record["functionId"].as_i64(), Some(function));
    // No function for a type: nothing runs.
    let none = client.json(
        "POST",
        "/v1/triggers/user.read.message",
        &json!({ "user": {}, "message": {} }),
    );
    assert_eq!(none.status, 204);
}

#[test]
fn one_application_cannot_see_or_touch_another() {
    let owner = app("owner");
    let other = app("other");
    let function = deploy(
        &owner,
        START,
        "async function handleEvent() { return 'mine'; }",
        None,
    );
    let invocation = owner
        .json("POST", &format!("/v1/triggers/{START}"), &start_event("a"))
        .body["invocationId"]
        .clone();
    let version = owner
        .get(&format!("/v1/functions/{function}/current-version"))
        .body["id"]
        .clone();
    for (method, path, body) in [
        ("GET", format!("/v1/functions/{function}"), None),
        (
            "PATCH",
            format!("/v1/functions/{function}"),
            Some(json!({ "enabled": false })),
        ),
        (
            "GET",
            format!("/v1/functions/{function}/current-version"),
            None,
        ),
        (
            "PUT",
            format!("/v1/functions/{function}/current-version"),
            Some(json!({ "versionNumber": 1 })),
        ),
        ("GET", format!("/v1/functions/{function}/versions"), None),
        (
            "POST",
            format!("/v1/functions/{function}/versions"),
            Some(json!({ "handlerScript": "async function handleEvent() {}" })),
        ),
        ("GET", format!("/v1/function-versions/{version}"), None),
        (
            "POST",
            format!("/v1/function-versions/{version}/invocations"),
            Some(json!({})),
        ),
        ("GET", format!("/v1/functions/{function}/invocations"), None),
        ("GET", format!("/v1/invocations/{invocation}"), None),
    ] {
        let reply = match &body {
            Some(body) => other.json(method, &path, body),
            None => other.get(&path),
        };
        assert_eq!(reply.status, 404, "{method} {path}: {:?}", reply.body);
    }
    // The other application's trigger does not run the owner's function.
    assert_eq!(
        other
            .json("POST", &format!("/v1/triggers/{START}"), &start_event("a"))
            .status,
        204
    );
    assert_eq!(
        other.get("/v1/runtimes/nodejs/functions").body["page"]["totalElements"],
        0
    );
    // And the owner's function is untouched.
    assert_eq!(
        owner.get(&format!("/v1/functions/{function}")).body["enabled"],
        true
    );

    let server = Server::shared();
    for key in ["", "nope"] {
        let reply = server.client(key).get("/v1/runtimes/nodejs");
        assert_eq!(
            (reply.status, &reply.body["error"]),
            (401, &json!("UnauthorizedError"))
        );
    }
}

#[test]
fn bad_input_gets_a_clear_4xx() {
    let client = app("inputs");
    deploy(
        &client,
        START,
        "async function handleEvent() { return 1; }",
        None,
    );
    let cases: Vec<(u16, Reply)> = vec![
        (
            400,
            client.send(
                "POST",
                &format!("/v1/triggers/{START}"),
                Some(("application/json", "{not json")),
            ),
        ),
        (
            404,
            client.json("POST", "/v1/triggers/user.did.something", &json!({})),
        ),
        (
            400,
            client.json(
                "POST",
                &format!("/v1/triggers/{START}"),
                &json!({ "user": "no username" }),
            ),
        ),
        (
            413,
            client.announce(&format!("/v1/triggers/{START}"), 2 << 20),
        ),
        (
            413,
            client.announce("/v1/runtimes/nodejs/functions", 2 << 20),
        ),
        (
            415,
            client.send(
                "POST",
                "/v1/runtimes/nodejs/functions",
                Some(("text/plain", "{}")),
            ),
        ),
        (
            400,
            client.json(
                "POST",
                "/v1/runtimes/nodejs/functions",
                &json!({ "type": "nope", "name": "x" }),
            ),
        ),
        (
            409,
            client.json(
                "POST",
                "/v1/runtimes/nodejs/functions",
                &json!({ "type": START, "name": "again" }),
            ),
        ),
        (
            400,
            client.json(
                "POST",
                "/v1/runtimes/nodejs/functions",
                &json!({ "type": START }),
            ),
        ),
        (400, client.get("/v1/runtimes/nodejs/functions?size=0")),
        (
            400,
            client.get("/v1/runtimes/nodejs/functions?sort=password,asc"),
        ),
        (404, client.get("/v1/functions/not-a-number")),
        (404, client.get("/v1/nothing-here")),
        (
            400,
            client.json(
                "PUT",
                "/v1/runtimes/nodejs/environment-variables",
                &json!({ "1BAD": "x" }),
            ),
        ),
    ];
    for (n, (want, reply)) in cases.into_iter().enumerate() {
        assert_eq!(reply.status, want, "case {n}: {:?}", reply.body);
        assert!(
            reply.body["error"].is_string()
                && reply.body["message"].is_string()
                && reply.body["timestamp"].is_string(),
            "case {n}: {:?}",
            reply.body
        );
    }
    // Accepted media types and snake_case fields.
    let vnd = client.send(
        "POST",
        "/v1/runtimes/nodejs/functions",
        Some((
            "application/vnd.chatkitty+json",
            r#"{"type":"user.sent.message","name":"m","timeout_ms":1000}"#,
        )),
    );
    assert_eq!(
        (vnd.status, &vnd.body["timeoutMs"]),
        (201, &json!(1000)),
        "{:?}",
        vnd.body
    );
    // The document is generated from the code: every trigger type has its
    // path, the error schema is shared, and bodies refuse unknown fields.
    let doc = client.get("/v1/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.body;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{doc}"
    );
    assert!(doc["paths"]["/v1/triggers/user.sent.message"]["post"]["responses"]["202"].is_object());
    assert!(doc["paths"]["/v1/invocations"]["get"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["CreateFunction"]["additionalProperties"],
        false
    );
}

use crate::server::Reply;

#[test]
fn the_application_wide_log_filters_sorts_and_pages_by_cursor() {
    let client = app("app-wide-log");
    let start = deploy(
        &client,
        START,
        "async function handleEvent(e) { return e.username; }",
        None,
    );
    for user in ["a", "b", "c"] {
        let reply = client.json("POST", &format!("/v1/triggers/{START}"), &start_event(user));
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    let sent = deploy(
        &client,
        "user.sent.message",
        "async function handleEvent(e) { return e.message.id; }",
        None,
    );
    let version = client.get(&format!("/v1/functions/{sent}/versions")).body["_embedded"]
        ["versions"][0]["id"]
        .as_i64()
        .expect("a version id");
    for n in 1..=2 {
        let event = json!({ "user": { "id": 1 }, "message": { "id": n } });
        let run = client.json(
            "POST",
            &format!("/v1/function-versions/{version}/invocations"),
            &event,
        );
        assert_eq!(run.status, 200, "{:?}", run.body);
        assert_eq!(run.body["result"]["payload"], n, "{:?}", run.body);
    }
    let ids = |query: &str| -> (u64, Vec<i64>) {
        let reply = client.get(&format!("/v1/invocations{query}"));
        assert_eq!(reply.status, 200, "{query}: {:?}", reply.body);
        let items = reply.body["_embedded"]["invocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (
            reply.body["page"]["totalElements"].as_u64().unwrap_or(0),
            items.iter().filter_map(|i| i["id"].as_i64()).collect(),
        )
    };
    let (total, all) = ids("");
    assert_eq!(total, 5);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    assert_eq!(ids(&format!("?type={START}")).0, 3);
    let (tests, test_ids) = ids(&format!("?test=true&functionId={sent}"));
    assert_eq!((tests, test_ids.len()), (2, 2));
    assert_eq!(ids("?sort=createdTime,desc&sort=id,desc").0, 5);
    // After the second newest, the next two, whatever arrives meanwhile.
    let (_, next) = ids(&format!("?after={}&size=2", all[1]));
    assert_eq!(next, all[2..4]);
    // With another order, `after` bounds the ids in its direction.
    let (_, newer) = ids(&format!("?after={}&sort=createdTime,asc", all[2]));
    assert_eq!(newer, [all[1], all[0]]);
    for bad in ["?type=nope", "?after=x", "?test=maybe", "?from=12"] {
        let reply = client.get(&format!("/v1/invocations{bad}"));
        assert_eq!(reply.status, 400, "{bad}: {:?}", reply.body);
    }
    // Another application sees none of them.
    assert_eq!(
        app("app-wide-log-other").get("/v1/invocations").body["page"]["totalElements"],
        0
    );
    // The per-function log is newest first too.
    let per_function = client
        .get(&format!("/v1/functions/{start}/invocations"))
        .body;
    let first = per_function["_embedded"]["invocations"][0]["id"].as_i64();
    assert_eq!(first, Some(all[2]), "{per_function}");
}
