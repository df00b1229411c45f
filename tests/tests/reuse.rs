//! Instance reuse (`instanceReuse: sequential`) through the service: module
//! scope survives between a function's invocations, and never crosses
//! versions, runtime changes, functions or applications.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::metrics::{scrape, value};
use crate::server::{Client, Server};
use crate::service::START;

/// A loopback OAuth-style token endpoint: every request gets a new token
/// and is counted.
struct TokenServer {
    url: String,
    issued: Arc<AtomicUsize>,
}

impl TokenServer {
    fn start() -> TokenServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let url = format!(
            "http://{}/token",
            listener.local_addr().expect("an address")
        );
        let issued = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&issued);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    let body = json!({ "access_token": format!("token-{n}"), "expires_in": 3600 })
                        .to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = (&stream).write_all(response.as_bytes());
                });
            }
        });
        TokenServer { url, issued }
    }

    fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

/// The client-credentials pattern: a token fetched once and cached in
/// module scope.
const TOKEN_CACHING: &str = r#"
let token: string | undefined;
let uses = 0;
async function handleEvent(event: any) {
  if (!token) {
    const response = await fetch(event.authParams.tokenUrl, { method: 'POST', body: 'grant_type=client_credentials' });
    token = (await response.json()).access_token;
  }
  uses += 1;
  return { token, uses };
}
"#;

fn create(client: &Client, reuse: Option<&str>) -> i64 {
    let mut body = json!({ "type": START, "name": "sign-in" });
    if let Some(reuse) = reuse {
        body["instanceReuse"] = json!(reuse);
    }
    let created = client.json("POST", "/v1/runtimes/nodejs/functions", &body);
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_i64().expect("function id")
}

fn deploy_version(client: &Client, function: i64, handler: &str) {
    let version = client.json(
        "POST",
        &format!("/v1/functions/{function}/versions"),
        &json!({ "handlerScript": handler }),
    );
    assert_eq!(version.status, 201, "{:?}", version.body);
}

fn sign_in(client: &Client, auth: Value) -> Value {
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada", "authParams": auth }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

#[test]
fn a_token_cached_in_module_scope_is_fetched_once_with_reuse() {
    let tokens = TokenServer::start();
    let server = Server::start_with(&["--fetch-allow", "127.0.0.0/8"]);
    let client = server.client(&server.create_app("reuse-token", &[]));
    let function = create(&client, Some("sequential"));
    assert_eq!(
        client.get(&format!("/v1/functions/{function}")).body["instanceReuse"],
        "sequential"
    );
    deploy_version(&client, function, TOKEN_CACHING);
    let auth = json!({ "tokenUrl": tokens.url });
    let mut last = Value::Null;
    for _ in 0..100 {
        last = sign_in(&client, auth.clone());
    }
    assert_eq!(tokens.issued(), 1, "one token for 100 sign-ins");
    assert_eq!(
        last["result"]["payload"],
        json!({ "token": "token-1", "uses": 100 })
    );
    // The record says so: the last run was on a reused instance.
    let id = last["invocationId"].as_i64().expect("invocation id");
    let record = client.get(&format!("/v1/invocations/{id}")).body;
    assert_eq!(
        (&record["warmStart"], &record["reusedInstance"]),
        (&json!(true), &json!(true)),
        "{record}"
    );
    assert_eq!(record["attempts"][0]["reusedInstance"], true);
    // The instance waits for the next sign-in, and the metrics show it.
    assert_eq!(value(&scrape(&server), "chatfn_kept_instances"), 1.0);

    // Turned off: every invocation starts from the snapshot and fetches.
    let patched = client.json(
        "PATCH",
        &format!("/v1/functions/{function}"),
        &json!({ "instanceReuse": "none" }),
    );
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body["instanceReuse"], "none");
    for _ in 0..100 {
        last = sign_in(&client, auth.clone());
    }
    assert_eq!(tokens.issued(), 101, "a token per sign-in without reuse");
    assert_eq!(last["result"]["payload"]["uses"], 1);
    let id = last["invocationId"].as_i64().expect("invocation id");
    let record = client.get(&format!("/v1/invocations/{id}")).body;
    assert_eq!(record["reusedInstance"], false, "{record}");
    assert_eq!(
        value(&scrape(&server), "chatfn_kept_instances"),
        0.0,
        "turned off, the kept instance was retired"
    );

    // A mode the server does not know is a client error.
    let refused = client.json(
        "PATCH",
        &format!("/v1/functions/{function}"),
        &json!({ "instanceReuse": "parallel" }),
    );
    assert_eq!(refused.status, 400, "{:?}", refused.body);
}

const COUNTER: &str = r#"
let n = 0;
async function handleEvent(event: any) {
  n += 1;
  if (event.authParams.fail) throw new Error('denied');
  return { version: VERSION, n, mode: process.env.MODE ?? null };
}
"#;

fn counter(version: u32) -> String {
    format!("const VERSION = {version};\n{COUNTER}")
}

fn count(client: &Client) -> Value {
    sign_in(client, json!({}))["result"]["payload"].clone()
}

#[test]
fn versions_runtimes_failures_and_applications_never_share_an_instance() {
    let server = Server::shared();
    let client = server.client(&server.create_app("reuse-versions", &[]));
    let function = create(&client, Some("sequential"));
    deploy_version(&client, function, &counter(1));
    for n in 1..=3 {
        assert_eq!(
            count(&client),
            json!({ "version": 1, "n": n, "mode": null })
        );
    }
    // A new version starts from its own snapshot.
    deploy_version(&client, function, &counter(2));
    assert_eq!(
        count(&client),
        json!({ "version": 2, "n": 1, "mode": null })
    );
    assert_eq!(
        count(&client),
        json!({ "version": 2, "n": 2, "mode": null })
    );
    // A rollback too: version 1's instance from before is not used.
    let rollback = client.json(
        "PUT",
        &format!("/v1/functions/{function}/current-version"),
        &json!({ "versionNumber": 1 }),
    );
    assert_eq!(rollback.status, 200, "{:?}", rollback.body);
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 1, "mode": null })
    );
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 2, "mode": null })
    );
    // So does a runtime change.
    let env = client.json(
        "PUT",
        "/v1/runtimes/nodejs/environment-variables",
        &json!({ "MODE": "blue" }),
    );
    assert_eq!(env.status, 200, "{:?}", env.body);
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 1, "mode": "blue" })
    );
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 2, "mode": "blue" })
    );
    // A thrown error (a denied sign-in) retires the instance.
    let denied = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada", "authParams": { "fail": true } }),
    );
    assert_eq!(denied.status, 422, "{:?}", denied.body);
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 1, "mode": "blue" })
    );

    // Another application with the same handler counts on its own.
    let other = server.client(&server.create_app("reuse-other", &[]));
    let other_function = create(&other, Some("sequential"));
    deploy_version(&other, other_function, &counter(1));
    assert_eq!(count(&other), json!({ "version": 1, "n": 1, "mode": null }));
    assert_eq!(
        count(&client),
        json!({ "version": 1, "n": 2, "mode": "blue" })
    );
    assert_eq!(count(&other), json!({ "version": 1, "n": 2, "mode": null }));
}
