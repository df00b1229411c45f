//! The platform client in handlers (`context.getUserApi()` and the rest)
//! against a test chat server over real HTTP.

use serde_json::{Value, json};

use crate::chat_server::{ChatServer, Recorded};
use crate::server::{Client, Server};
use crate::service::{START, deploy};

/// The `UserAttemptedStartSessionEvent` handler from the Platform API docs,
/// verbatim.
const SPEC_HANDLER: &str = "const logs = [];\n\nasync function handleEvent(event: UserAttemptedStartSessionEvent, context: Context) {\n let email = event.username;\n let displayName = event.authParams.displayName || email;\n\n let userApi = context.getUserApi();\n\n logs.push('Hello ' + event.username);\n\n await userApi.getUserExists(email)\n .catch(async () => {\n let user = await userApi.createUser(\n {\n 'name': email,\n 'displayName': displayName\n }\n );\n\n let channelApi = context.getChannelApi();\n\n await channelApi.createChannelMember(702, { 'id': user.data.id });\n });\n\n return logs;\n}";

/// An application whose platform API is `chat` (or `url`), with `token`:
/// given in a file (as an operator should) unless it is `t0ken`, which
/// goes on the command line.
fn app_for(name: &str, url: Option<&str>, token: Option<&str>) -> Client {
    let server = Server::shared();
    let mut extra = Vec::new();
    if let Some(url) = url {
        extra.extend(["--platform-url".to_owned(), url.to_owned()]);
    }
    let mut token_file = tempfile::NamedTempFile::new().expect("a temporary file");
    match token {
        Some("t0ken") => extra.extend(["--platform-token".to_owned(), "t0ken".to_owned()]),
        Some(token) => {
            std::io::Write::write_all(&mut token_file, format!("{token}\n").as_bytes())
                .expect("writes the token");
            extra.push("--platform-token-file".to_owned());
            extra.push(token_file.path().display().to_string());
        }
        None => {}
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    server.client(&server.create_app(name, &extra))
}

fn start(client: &Client, username: &str) -> Value {
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": username, "authParams": { "displayName": "Ada L." } }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

fn summary(requests: &[Recorded]) -> Vec<(String, String, Option<String>, Value)> {
    requests
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.uri.clone(),
                r.authorization.clone(),
                r.body.clone(),
            )
        })
        .collect()
}

#[test]
fn the_spec_start_session_handler_calls_the_chat_server() {
    let chat = ChatServer::start("platform-secret");
    let client = app_for("spec", Some(&chat.base), Some("platform-secret"));
    deploy(&client, START, SPEC_HANDLER, None);

    let reply = start(&client, "ada@example.com");
    assert_eq!(reply["result"]["payload"], json!(["Hello ada@example.com"]));
    let bearer = Some("Bearer platform-secret".to_string());
    assert_eq!(
        summary(&chat.requests()),
        [
            (
                "HEAD".into(),
                "/v1/users?name=ada%40example.com".into(),
                bearer.clone(),
                Value::Null
            ),
            (
                "POST".into(),
                "/v1/users".into(),
                bearer.clone(),
                json!({ "name": "ada@example.com", "displayName": "Ada L." })
            ),
            (
                "POST".into(),
                "/v1/channels/702/members".into(),
                bearer.clone(),
                json!({ "id": 1000 })
            ),
        ]
    );
    assert_eq!(
        chat.requests()[1].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(chat.members(702), [1000]);

    // The invocation log shows each call: method, path (no query), status.
    let id = reply["invocationId"].as_i64().expect("invocation id");
    let invocation = client.get(&format!("/v1/invocations/{id}")).body;
    let calls: Vec<(Value, Value, Value)> = invocation["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| (c["method"].clone(), c["path"].clone(), c["status"].clone()))
        .collect();
    assert_eq!(
        calls,
        [
            (json!("HEAD"), json!("/v1/users"), json!(404)),
            (json!("POST"), json!("/v1/users"), json!(201)),
            (json!("POST"), json!("/v1/channels/702/members"), json!(200)),
        ]
    );
    assert!(invocation["calls"][0]["durationMs"].as_f64().is_some());

    // Now the user exists: one HEAD and nothing else.
    start(&client, "ada@example.com");
    let requests = chat.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        (requests[3].method.as_str(), requests[3].uri.as_str()),
        ("HEAD", "/v1/users?name=ada%40example.com")
    );
}

const AXIOS_LIKE: &str = r#"
async function handleEvent(event: any, context: any) {
  const users = context.getUserApi();
  const found = await users.retrieveUser(event.authParams.id);
  const alias = await users.getUser(event.authParams.id);
  const describe = (e: any) => ({
    name: e.name, message: e.message, code: e.code, isAxiosError: e.isAxiosError,
    status: e.response && e.response.status, data: e.response && e.response.data,
  });
  const missing = await users.retrieveUser(424242).then(() => 'resolved', describe);
  const bad = await users.retrieveUser().then(() => 'resolved', describe);
  const list = await users.listUsers(0, 25, undefined, event.username);
  return {
    found: { status: found.status, statusText: found.statusText, data: found.data, type: found.headers['content-type'] },
    same: alias.data.id === found.data.id,
    missing, bad,
    listed: list.data._embedded.users.map((u: any) => u.name),
    apis: Object.keys(Object.getPrototypeOf(context)).filter((k) => /^get\w+Api$/.test(k)).sort(),
    sameObject: context.getUserApi() === users,
  };
}
"#;

#[test]
fn responses_resolve_and_reject_like_axios() {
    let chat = ChatServer::start("t0ken");
    let grace = chat.add_user("grace");
    let client = app_for("axios-like", Some(&chat.base), Some("t0ken"));
    deploy(&client, START, AXIOS_LIKE, None);
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "grace", "authParams": { "id": grace } }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let out = &reply.body["result"]["payload"];
    assert_eq!(
        out["found"],
        json!({
            "status": 200, "statusText": "OK", "type": "application/json",
            "data": { "id": grace, "name": "grace", "displayName": "grace" },
        })
    );
    assert_eq!(out["same"], true);
    assert_eq!(
        out["missing"],
        json!({
            "name": "AxiosError", "message": "Request failed with status code 404",
            "code": "ERR_BAD_REQUEST", "isAxiosError": true, "status": 404,
            "data": { "error": "ResourceNotFoundError", "message": "Resource not found", "timestamp": "2026-11-21T00:00:00Z" },
        })
    );
    assert_eq!(out["bad"]["name"], "TypeError");
    assert_eq!(
        out["bad"]["message"],
        "retrieveUser: argument 1 (id) is required"
    );
    assert_eq!(out["listed"], json!(["grace"]));
    assert_eq!(
        out["apis"],
        json!([
            "getAnalyticsApi",
            "getApplicationApi",
            "getChannelApi",
            "getChatSessionApi",
            "getFunctionApi",
            "getImportApi",
            "getJobApi",
            "getMessageApi",
            "getRuntimeApi",
            "getThreadApi",
            "getUserApi",
            "getUserSessionApi"
        ])
    );
    assert_eq!(out["sameObject"], true);
    // The argument error never reached the chat server.
    let uris: Vec<String> = chat.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        uris,
        [
            format!("/v1/users/{grace}"),
            format!("/v1/users/{grace}"),
            "/v1/users/424242".into(),
            "/v1/users?page=0&size=25&name=grace".into(),
        ]
    );
}

const REPORT_ERROR: &str = r#"
async function handleEvent(event: any, context: any) {
  return await context.getUserApi().checkUserExists(event.username)
    .then((r: any) => ({ status: r.status }),
          (e: any) => ({ name: e.name, code: e.code, message: e.message, status: e.response ? e.response.status : null,
                         error: e.response ? e.response.data.error : null }));
}
"#;

fn report(client: &Client) -> Value {
    deploy(client, START, REPORT_ERROR, None);
    start(client, "ada")["result"]["payload"].clone()
}

#[test]
fn platform_failures_are_clear_errors() {
    // No platform URL configured.
    let out = report(&app_for("no-platform", None, None));
    assert_eq!(out["code"], "ERR_PLATFORM_NOT_CONFIGURED");
    assert!(
        out["message"]
            .as_str()
            .is_some_and(|m| m.contains("--platform-url")),
        "{out}"
    );

    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let out = report(&app_for(
        "unreachable",
        Some(&format!("http://127.0.0.1:{port}")),
        Some("x"),
    ));
    assert_eq!(
        (&out["name"], &out["code"]),
        (&json!("AxiosError"), &json!("ERR_NETWORK"))
    );
    assert_eq!(out["status"], Value::Null);

    // The wrong token: the chat server's 401 comes back as it is (a HEAD
    // response has no body, so no `data.error`).
    let chat = ChatServer::start("right");
    let out = report(&app_for("wrong-token", Some(&chat.base), Some("wrong")));
    assert_eq!(
        (&out["status"], &out["code"], &out["error"]),
        (&json!(401), &json!("ERR_BAD_REQUEST"), &Value::Null)
    );
}

#[test]
fn each_application_calls_its_own_platform_with_its_own_token() {
    let (one, two) = (ChatServer::start("one"), ChatServer::start("two"));
    for (chat, token) in [(&one, "one"), (&two, "two")] {
        let client = app_for(token, Some(&chat.base), Some(token));
        assert_eq!(report(&client)["status"], 404);
    }
    for (chat, token) in [(&one, "one"), (&two, "two")] {
        let auth: Vec<Option<String>> = chat
            .requests()
            .into_iter()
            .map(|r| r.authorization)
            .collect();
        assert_eq!(auth, [Some(format!("Bearer {token}"))]);
    }
}

const FETCHER: &str = r#"
async function handleEvent(event: any) {
  const out: any[] = [];
  for (const url of event.authParams.urls) {
    try {
      const r = await fetch(url, { headers: { authorization: 'Bearer t0ken' } });
      out.push({ status: r.status, body: await r.json() });
    } catch (e: any) {
      out.push({ error: e.message, code: e.cause && e.cause.code });
    }
  }
  return out;
}
"#;

fn fetch_all(client: &Client, urls: &[String]) -> Value {
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada", "authParams": { "urls": urls } }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

#[test]
fn fetch_refuses_internal_addresses_unless_the_operator_allows_them() {
    let chat = ChatServer::start("t0ken");
    chat.add_user("grace");
    let port = chat.base.rsplit(':').next().unwrap_or_default().to_owned();
    let users = format!("{}/v1/users?name=grace", chat.base);

    // By default loopback is internal: refused, by address and by name.
    let client = app_for("fetch-denied", None, None);
    deploy(&client, START, FETCHER, None);
    let out = fetch_all(
        &client,
        &[users.clone(), format!("http://localhost:{port}/v1/users")],
    );
    for result in out["result"]["payload"].as_array().expect("results") {
        assert_eq!(result["error"], "fetch failed", "{result}");
        assert_eq!(result["code"], "ERR_EGRESS_DENIED", "{result}");
    }
    assert!(
        chat.requests().is_empty(),
        "nothing reached the chat server"
    );

    // An operator may allow an internal network; other internal ranges
    // stay closed.
    let server = Server::start_with(&["--fetch-allow", "127.0.0.0/8"]);
    let client = server.client(&server.create_app("fetch-allowed", &[]));
    deploy(&client, START, FETCHER, None);
    let out = fetch_all(&client, &[users, "http://10.0.0.1/".into()]);
    let results = &out["result"]["payload"];
    assert_eq!(results[0]["status"], 200, "{results}");
    assert_eq!(results[0]["body"]["_embedded"]["users"][0]["name"], "grace");
    assert_eq!(results[1]["code"], "ERR_EGRESS_DENIED", "{results}");
    let requests = chat.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].authorization.as_deref(), Some("Bearer t0ken"));

    // The invocation log shows the fetch without its query.
    let id = out["invocationId"].as_i64().expect("id");
    let calls = client.get(&format!("/v1/invocations/{id}")).body["calls"].clone();
    assert_eq!(calls[0]["method"], "GET");
    assert_eq!(calls[0]["path"], format!("{}/v1/users", chat.base));
    assert_eq!(calls[0]["status"], 200);
    assert_eq!(calls[1]["error"], "ERR_EGRESS_DENIED");

    // Requests per invocation are bounded.
    let many: Vec<String> = (0..21).map(|_| format!("{}/v1/users", chat.base)).collect();
    let out = fetch_all(&client, &many);
    let results = out["result"]["payload"].as_array().expect("results");
    assert!(
        results[..20].iter().all(|r| r["status"] == 200),
        "{results:?}"
    );
    assert_eq!(results[20]["code"], "ERR_FETCH_LIMIT");
}

/// A loopback HTTP server: `/echo` answers the request's headers as JSON;
/// any other path redirects (302) to `target` (or to `/echo` on itself).
fn redirector(target: Option<String>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let target = target.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                let mut headers = serde_json::Map::new();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        headers.insert(name.trim().to_ascii_lowercase(), json!(value.trim()));
                    }
                }
                let response = if path == "/echo" {
                    let body = Value::Object(headers).to_string();
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    let location = target.unwrap_or_else(|| "/echo".into());
                    format!(
                        "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                };
                let _ = (&stream).write_all(response.as_bytes());
            });
        }
    });
    base
}

#[test]
fn redirects_keep_credentials_with_their_origin() {
    let other = redirector(None);
    let cross = redirector(Some(format!("{other}/echo")));
    let same = redirector(None);
    let server = Server::start_with(&["--fetch-allow", "127.0.0.0/8"]);
    let client = server.client(&server.create_app("fetch-redirects", &[]));
    deploy(
        &client,
        START,
        r#"
async function handleEvent(event: any) {
  const headers = { authorization: 'Bearer s3cret', cookie: 'session=1', 'x-other': 'kept' };
  const out: any[] = [];
  for (const url of event.authParams.urls) {
    const r = await fetch(url, { headers });
    out.push({ redirected: r.redirected, seen: await r.json() });
  }
  return out;
}
"#,
        None,
    );
    let out = fetch_all(
        &client,
        &[format!("{cross}/start"), format!("{same}/start")],
    );
    let results = &out["result"]["payload"];
    // To another origin: the credentials are dropped, the rest goes on.
    assert_eq!(results[0]["redirected"], true, "{results}");
    let seen = &results[0]["seen"];
    assert_eq!(seen["x-other"], "kept", "{seen}");
    assert!(
        seen.get("authorization").is_none() && seen.get("cookie").is_none(),
        "{seen}"
    );
    // On the same origin they stay.
    let seen = &results[1]["seen"];
    assert_eq!(seen["authorization"], "Bearer s3cret", "{seen}");
    assert_eq!(seen["cookie"], "session=1", "{seen}");
}
