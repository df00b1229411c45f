//! The API on the in-process router: authentication, tenancy, input
//! errors and the mapping of service errors to statuses. Each test has its
//! own data directory; the compiled guest is shared through one cache.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tower_service::Service as _;

use super::{app, hash_key};
use crate::config::Config;
use crate::service::Service;
use crate::store::{ApplicationStore, SqliteStore, Store};

/// A service and its data directory (kept while any clone lives).
#[derive(Clone)]
struct Api {
    service: Arc<Service>,
    _dir: Arc<tempfile::TempDir>,
}

/// The compiled guest, shared by this process's tests (compiling it takes
/// seconds); a directory of this process's own, as the cache's trust rule
/// asks.
fn guest_cache() -> std::path::PathBuf {
    static CACHE: OnceLock<tempfile::TempDir> = OnceLock::new();
    CACHE
        .get_or_init(|| tempfile::tempdir().expect("a cache directory"))
        .path()
        .to_owned()
}

/// A service on a fresh data directory with applications "a" and "b"
/// (keys `key-a` and `key-b`).
fn api(configure: impl FnOnce(&mut Config)) -> Api {
    api_with(configure, |_| {})
}

/// [`api`], with sandbox settings too.
fn api_with(
    configure: impl FnOnce(&mut Config),
    configure_sandbox: impl FnOnce(&mut SandboxConfig),
) -> Api {
    let dir = tempfile::tempdir().expect("a data directory");
    let mut config = Config::new(dir.path().to_owned());
    configure(&mut config);
    let config = config.validate().expect("a valid config");
    let store = SqliteStore::open(dir.path()).expect("a store");
    for name in ["a", "b"] {
        store
            .create_application(name, &hash_key(&format!("key-{name}")), None, None)
            .expect("an application");
    }
    let mut sandbox = SandboxConfig {
        cache_dir: Some(guest_cache()),
        warm_pool_bytes: 0,
        ..SandboxConfig::default()
    };
    configure_sandbox(&mut sandbox);
    let sandbox = Sandbox::new(sandbox).expect("a sandbox");
    let store: Arc<dyn Store> = Arc::new(store);
    let service = Service::new(store, sandbox, config).expect("a service");
    Api {
        service: Arc::new(service),
        _dir: Arc::new(dir),
    }
}

impl Api {
    async fn call(
        &self,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("a request")).await
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = app(Arc::clone(&self.service))
            .call(request)
            .await
            .expect("routers do not fail");
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        Answer {
            status,
            retry_after,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Creates a function for `trigger` in the application of `key` and
    /// deploys `handler`; returns the function's id.
    async fn deploy(&self, key: &str, trigger: &str, handler: &str) -> i64 {
        let created = self
            .call(
                Some(key),
                "POST",
                "/v1/runtimes/nodejs/functions",
                Some(json!({ "type": trigger, "name": "f", "timeoutMs": 15_000 })),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_i64().expect("an id");
        let deployed = self
            .call(
                Some(key),
                "POST",
                &format!("/v1/functions/{id}/versions"),
                Some(json!({ "handlerScript": handler })),
            )
            .await;
        assert_eq!(deployed.status, StatusCode::CREATED, "{}", deployed.body);
        id
    }

    /// A sign-in event to the application of `key`.
    async fn sign_in(&self, key: &str) -> Answer {
        self.call(
            Some(key),
            "POST",
            &format!("/v1/triggers/{SIGN_IN}"),
            Some(sign_in_event()),
        )
        .await
    }

    /// [`Api::sign_in`] as `key-a`, running on its own; yields its status.
    fn spawn_sign_in(&self) -> tokio::task::JoinHandle<StatusCode> {
        let api = self.clone();
        tokio::spawn(async move { api.sign_in("key-a").await.status })
    }
}

struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    body: Value,
}

const SIGN_IN: &str = "user.attempted.start_session";

fn sign_in_event() -> Value {
    json!({ "username": "ada", "authParams": {} })
}

#[tokio::test]
async fn requests_without_a_valid_key_are_unauthorized() {
    let api = api(|_| {});
    for key in [None, Some(""), Some("key-c")] {
        let answer = api
            .call(key, "GET", "/v1/runtimes/nodejs/functions", None)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(answer.body["error"], "UnauthorizedError");
    }
    let malformed = Request::get("/v1/runtimes/nodejs")
        .header(header::AUTHORIZATION, "Basic a2V5LWE=")
        .body(Body::empty())
        .expect("a request");
    assert_eq!(api.send(malformed).await.status, StatusCode::UNAUTHORIZED);
    let ok = api
        .call(Some("key-a"), "GET", "/v1/runtimes/nodejs", None)
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_application_checks_one_deploy_at_a_time() {
    let api = api(|config| config.build_wait = Duration::from_millis(50));
    // A top level that takes a second to load holds the deploy check.
    let slow = "const end = Date.now() + 1000; while (Date.now() < end) {}\nasync function handleEvent() { return true; }";
    let function_a = api
        .deploy(
            "key-a",
            SIGN_IN,
            "async function handleEvent() { return true; }",
        )
        .await;
    let first = {
        let api = api.clone();
        tokio::spawn(async move {
            api.call(
                Some("key-a"),
                "POST",
                &format!("/v1/functions/{function_a}/versions"),
                Some(json!({ "handlerScript": slow })),
            )
            .await
            .status
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = api
        .call(
            Some("key-a"),
            "POST",
            &format!("/v1/functions/{function_a}/versions"),
            Some(json!({ "handlerScript": "async function handleEvent() { return 2; }" })),
        )
        .await;
    assert_eq!(
        second.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        second.body
    );
    assert_eq!(second.retry_after.as_deref(), Some("1"));
    // Another application deploys meanwhile.
    api.deploy(
        "key-b",
        SIGN_IN,
        "async function handleEvent() { return true; }",
    )
    .await;
    assert_eq!(first.await.expect("the slow deploy"), StatusCode::CREATED);
}

#[tokio::test]
async fn read_only_keys_read_and_rotated_keys_end() {
    let api = api(|config| config.lookup_ttl = Duration::ZERO);
    let function = api
        .deploy(
            "key-a",
            SIGN_IN,
            "async function handleEvent() { return true; }",
        )
        .await;
    let app = api
        .service
        .store
        .application_by_key(&hash_key("key-a"))
        .expect("reads")
        .expect("a key")
        .application
        .id;
    assert!(
        api.service
            .store
            .add_key(app, &hash_key("key-a-read"), true)
            .expect("adds")
    );
    let reader = Some("key-a-read");
    for path in [
        "/v1/runtimes/nodejs/functions".to_owned(),
        format!("/v1/functions/{function}/versions"),
        "/v1/invocations".to_owned(),
    ] {
        let read = api.call(reader, "GET", &path, None).await;
        assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.body);
    }
    let trigger = api
        .call(
            reader,
            "POST",
            &format!("/v1/triggers/{SIGN_IN}"),
            Some(sign_in_event()),
        )
        .await;
    assert_eq!(trigger.status, StatusCode::FORBIDDEN, "{}", trigger.body);
    assert_eq!(trigger.body["error"], "ForbiddenError");
    let deploy = api
        .call(
            reader,
            "POST",
            &format!("/v1/functions/{function}/versions"),
            Some(json!({ "handlerScript": "async function handleEvent() {}" })),
        )
        .await;
    assert_eq!(deploy.status, StatusCode::FORBIDDEN);
    // A rotated key works through its grace period, then not at all.
    let now = crate::time::now_ms();
    assert!(
        api.service
            .store
            .rotate_key(app, &hash_key("key-a-2"), now + 60_000)
            .expect("rotates")
    );
    assert_eq!(api.sign_in("key-a").await.status, StatusCode::OK);
    assert_eq!(api.sign_in("key-a-2").await.status, StatusCode::OK);
    assert!(
        api.service
            .store
            .rotate_key(app, &hash_key("key-a-3"), now - 1)
            .expect("rotates")
    );
    for old in ["key-a", "key-a-2"] {
        assert_eq!(api.sign_in(old).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(api.sign_in("key-a-3").await.status, StatusCode::OK);
    let still = api
        .call(reader, "GET", "/v1/runtimes/nodejs/functions", None)
        .await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "read-only keys outlive rotation"
    );
}

#[tokio::test]
async fn one_application_cannot_see_or_trigger_anothers_functions() {
    let api = api(|_| {});
    let id = api
        .deploy(
            "key-a",
            SIGN_IN,
            "async function handleEvent(event) { return { who: event.username }; }",
        )
        .await;
    let own = api
        .call(Some("key-a"), "GET", &format!("/v1/functions/{id}"), None)
        .await;
    assert_eq!(own.status, StatusCode::OK);
    for path in [
        format!("/v1/functions/{id}"),
        format!("/v1/functions/{id}/versions"),
        format!("/v1/functions/{id}/invocations"),
    ] {
        let theirs = api.call(Some("key-b"), "GET", &path, None).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(theirs.body["error"], "ResourceNotFoundError");
    }
    // B has no function for the trigger: its sign-ins go ahead unhandled.
    let b = api.sign_in("key-b").await;
    assert_eq!(b.status, StatusCode::NO_CONTENT);
    let a = api.sign_in("key-a").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["result"]["payload"]["who"], "ada");
    // The record is A's alone.
    let invocation = a.body["invocationId"].as_i64().expect("an id");
    let path = format!("/v1/invocations/{invocation}");
    assert_eq!(
        api.call(Some("key-a"), "GET", &path, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.call(Some("key-b"), "GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn bad_input_gets_a_4xx_that_says_what_is_wrong() {
    let api = api(|_| {});
    let unknown = api.call(Some("key-a"), "GET", "/v1/nothing", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let trigger = api
        .call(
            Some("key-a"),
            "POST",
            "/v1/triggers/user.did.nothing",
            Some(json!({})),
        )
        .await;
    assert_eq!(trigger.status, StatusCode::NOT_FOUND);
    assert!(
        trigger.body["message"]
            .as_str()
            .is_some_and(|m| m.contains(SIGN_IN))
    );
    let not_json = Request::post(format!("/v1/triggers/{SIGN_IN}"))
        .header(header::AUTHORIZATION, "Bearer key-a")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{"))
        .expect("a request");
    let answer = api.send(not_json).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["error"], "InvalidRequestError");
    let text = Request::post(format!("/v1/triggers/{SIGN_IN}"))
        .header(header::AUTHORIZATION, "Bearer key-a")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("hi"))
        .expect("a request");
    assert_eq!(
        api.send(text).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let id = api
        .call(Some("key-a"), "GET", "/v1/functions/not-a-number", None)
        .await;
    assert_eq!(id.status, StatusCode::NOT_FOUND);
    let broken = api
        .call(
            Some("key-a"),
            "POST",
            "/v1/runtimes/nodejs/functions",
            Some(json!({ "type": SIGN_IN, "name": "f", "timeoutMs": 0 })),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.body);
}

#[tokio::test]
async fn a_saturated_service_answers_503_with_retry_after() {
    let api = api(|config| {
        config.max_concurrency = 1;
        config.queue_wait = Duration::from_millis(50);
    });
    api.deploy(
        "key-a",
        SIGN_IN,
        "async function handleEvent() { await new Promise(r => setTimeout(r, 3000)); return true; }",
    )
    .await;
    api.deploy(
        "key-b",
        SIGN_IN,
        "async function handleEvent() { return true; }",
    )
    .await;
    let slow = api.spawn_sign_in();
    // Wait until the slow run holds the only slot.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let refused = api.sign_in("key-b").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"], "ServiceUnavailableError");
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    assert_eq!(slow.await.expect("the slow run"), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_at_its_cap_gets_429_and_others_run_on() {
    let api = api(|config| {
        config.max_concurrency = 4;
        config.app_concurrency = 1;
        config.max_test_runs = 4;
        config.app_test_runs = 1;
        config.queue_wait = Duration::from_millis(50);
    });
    let slow_a = "async function handleEvent(e) { if (e.username === 'slow') await new Promise(r => setTimeout(r, 3000)); return true; }";
    let function_a = api.deploy("key-a", SIGN_IN, slow_a).await;
    api.deploy(
        "key-b",
        SIGN_IN,
        "async function handleEvent() { return true; }",
    )
    .await;
    let slow = |path: String| {
        let api = api.clone();
        tokio::spawn(async move {
            let event = json!({ "username": "slow", "authParams": {} });
            api.call(Some("key-a"), "POST", &path, Some(event))
                .await
                .status
        })
    };
    let held = slow(format!("/v1/triggers/{SIGN_IN}"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let refused = api.sign_in("key-a").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"], "TooManyRequestsError");
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    // The other tenant is not refused, nor are the tenant's test runs,
    // which have slots of their own.
    assert_eq!(api.sign_in("key-b").await.status, StatusCode::OK);
    let versions = api
        .call(
            Some("key-a"),
            "GET",
            &format!("/v1/functions/{function_a}/versions"),
            None,
        )
        .await;
    let version = versions.body["_embedded"]["versions"][0]["id"]
        .as_i64()
        .expect("a version id");
    let test_path = format!("/v1/function-versions/{version}/invocations");
    let tested = api
        .call(Some("key-a"), "POST", &test_path, Some(sign_in_event()))
        .await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    // Test runs have their own cap.
    let held_test = slow(test_path.clone());
    tokio::time::sleep(Duration::from_millis(800)).await;
    let refused = api
        .call(Some("key-a"), "POST", &test_path, Some(sign_in_event()))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(held.await.expect("the slow run"), StatusCode::OK);
    assert_eq!(held_test.await.expect("the slow test"), StatusCode::OK);
    assert_eq!(api.sign_in("key-a").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_runs_do_not_wait_for_blocking_slots() {
    let api = api(|config| {
        config.max_concurrency = 1;
        config.queue_wait = Duration::from_millis(50);
        config.queue.poll = Duration::from_millis(20);
    });
    api.service.start();
    api.deploy(
        "key-a",
        SIGN_IN,
        "async function handleEvent() { await new Promise(r => setTimeout(r, 6000)); return true; }",
    )
    .await;
    api.deploy(
        "key-a",
        "user.sent.message",
        "async function handleEvent(event) { return event.message.body; }",
    )
    .await;
    let slow = api.spawn_sign_in();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let message =
        json!({ "user": { "id": 1, "name": "ada" }, "message": { "id": 7, "body": "hi" } });
    let accepted = api
        .call(
            Some("key-a"),
            "POST",
            "/v1/triggers/user.sent.message",
            Some(message),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    let id = accepted.body["invocationId"].as_i64().expect("an id");
    // The only blocking slot stays taken for 6 s; the queued run has its own.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(4000);
    loop {
        let record = api
            .call(Some("key-a"), "GET", &format!("/v1/invocations/{id}"), None)
            .await;
        // Readable from its accept, QUEUED then RUNNING, until it ends.
        assert_eq!(record.status, StatusCode::OK, "{}", record.body);
        if record.body["status"] == "SUCCEEDED" {
            assert_eq!(record.body["result"]["payload"], "hi");
            break;
        }
        assert!(
            ["QUEUED", "RUNNING"].contains(&record.body["status"].as_str().unwrap_or_default()),
            "{}",
            record.body
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queued run waited for the blocking slot"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !slow.is_finished(),
        "the blocking run should still hold its slot"
    );
    assert_eq!(slow.await.expect("the slow run"), StatusCode::OK);
}

#[tokio::test]
async fn a_full_instance_pool_answers_503_with_retry_after() {
    let api = api_with(
        |config| config.max_concurrency = 8,
        |sandbox| sandbox.max_instances = 1,
    );
    api.deploy(
        "key-a",
        SIGN_IN,
        "async function handleEvent() { await new Promise(r => setTimeout(r, 3000)); return true; }",
    )
    .await;
    // A blocking slot is free, but once a slow run holds the sandbox's
    // only instance slot, the instance slot is not. Under load the second
    // sign-in may start first and take the slot itself: then try again.
    let mut tries = 0;
    let (refused, slow) = loop {
        let slow = api.spawn_sign_in();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let reply = api.sign_in("key-a").await;
        if reply.status == StatusCode::SERVICE_UNAVAILABLE {
            break (reply, slow);
        }
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let _ = slow.await;
        tries += 1;
        assert!(tries < 10, "the second sign-in always started first");
    };
    assert_eq!(refused.body["error"], "ServiceUnavailableError");
    assert_eq!(refused.retry_after.as_deref(), Some("1"));
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(!message.contains('/'), "{message}");
    assert_eq!(slow.await.expect("the slow run"), StatusCode::OK);
}

fn boom() -> &'static str {
    panic!("a bug")
}

#[tokio::test]
async fn a_panicking_handler_still_answers_500_with_a_request_id() {
    let mut router: axum::Router = axum::Router::new()
        .route("/boom", axum::routing::get(|| async { boom() }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            super::panicked,
        ));
    let response = router
        .call(
            Request::builder()
                .uri("/boom")
                .body(Body::empty())
                .expect("a request"),
        )
        .await
        .expect("routers do not fail");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(body["error"], "InternalServerError");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("(request ") && !message.contains("a bug"),
        "{body}"
    );
}
