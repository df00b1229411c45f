//! A test chat server: the Platform API endpoints the tests use, over real
//! HTTP on loopback, recording every request it receives.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// One request the chat server received.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    /// Path and query, as sent.
    pub(crate) uri: String,
    pub(crate) authorization: Option<String>,
    pub(crate) content_type: Option<String>,
    /// The body as JSON (`null` when empty, a string when not JSON).
    pub(crate) body: Value,
}

#[derive(Default)]
struct Data {
    requests: Vec<Recorded>,
    /// name -> user
    users: BTreeMap<String, Value>,
    /// channel id -> member user ids
    members: BTreeMap<i64, Vec<i64>>,
    /// Bodies posted to `/v1/channels/{id}/events`, in arrival order.
    events: Vec<Value>,
}

struct Shared {
    token: String,
    data: Mutex<Data>,
}

impl Shared {
    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A chat server accepting `Bearer <token>`; stops when dropped.
pub(crate) struct ChatServer {
    pub(crate) base: String,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl ChatServer {
    pub(crate) fn start(token: &str) -> ChatServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the chat server");
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            data: Mutex::default(),
        });
        let app = Router::new()
            .route("/v1/users", get(list_or_check_users).post(create_user))
            .route("/v1/users/{id}", get(retrieve_user))
            .route("/v1/channels/{id}/members", post(add_channel_member))
            .route("/v1/channels/{id}/events", post(send_channel_event))
            .fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&shared),
                record_and_authorize,
            ))
            .with_state(Arc::clone(&shared));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the chat server");
        let base = format!(
            "http://{}",
            listener.local_addr().expect("the chat server's address")
        );
        runtime.spawn(async move { axum::serve(listener, app).await });
        ChatServer {
            base,
            shared,
            _runtime: runtime,
        }
    }

    /// Every request so far, in arrival order.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.shared.data().requests.clone()
    }

    /// Adds a user directly (as if created earlier); returns its id.
    pub(crate) fn add_user(&self, name: &str) -> i64 {
        let mut data = self.shared.data();
        let id = 1000 + data.users.len() as i64;
        data.users.insert(
            name.to_owned(),
            json!({ "id": id, "name": name, "displayName": name }),
        );
        id
    }

    /// Event bodies posted to any channel, in arrival order.
    pub(crate) fn events(&self) -> Vec<Value> {
        self.shared.data().events.clone()
    }

    /// The user ids added to `channel`.
    pub(crate) fn members(&self, channel: i64) -> Vec<i64> {
        self.shared
            .data()
            .members
            .get(&channel)
            .cloned()
            .unwrap_or_default()
    }
}

fn api_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        axum::Json(
            json!({ "error": error, "message": message, "timestamp": "2026-11-21T00:00:00Z" }),
        ),
    )
        .into_response()
}

/// Records the request, then lets only the right bearer token through.
async fn record_and_authorize(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header("authorization");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    shared.data().requests.push(Recorded {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        authorization: authorization.clone(),
        content_type: header("content-type"),
        body,
    });
    if authorization.as_deref() != Some(&format!("Bearer {}", shared.token)) {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "UnauthorizedError",
            "Full authentication is required",
        );
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// `HEAD /v1/users?name=` is "check user exists"; `GET` lists.
async fn list_or_check_users(
    State(shared): State<Arc<Shared>>,
    method: Method,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let data = shared.data();
    let users: Vec<Value> = data
        .users
        .values()
        .filter(|u| query.get("name").is_none_or(|n| u["name"] == **n))
        .cloned()
        .collect();
    if method == Method::HEAD {
        return if users.is_empty() {
            StatusCode::NOT_FOUND.into_response()
        } else {
            StatusCode::OK.into_response()
        };
    }
    let total = users.len();
    axum::Json(json!({
        "_embedded": { "users": users },
        "page": { "size": 25, "totalElements": total, "totalPages": 1, "number": 0 },
    }))
    .into_response()
}

async fn create_user(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return api_error(StatusCode::BAD_REQUEST, "ClientError", "invalid JSON");
    };
    let Some(name) = body["name"].as_str() else {
        return api_error(StatusCode::BAD_REQUEST, "ClientError", "name is required");
    };
    let mut data = shared.data();
    if data.users.contains_key(name) {
        return api_error(
            StatusCode::CONFLICT,
            "DuplicateResourceError",
            "user exists",
        );
    }
    let id = 1000 + data.users.len() as i64;
    let user = json!({ "id": id, "name": name, "displayName": body["displayName"] });
    data.users.insert(name.to_owned(), user.clone());
    (StatusCode::CREATED, axum::Json(user)).into_response()
}

async fn retrieve_user(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let data = shared.data();
    match data
        .users
        .values()
        .find(|u| u["id"].as_i64() == id.parse().ok())
    {
        Some(user) => axum::Json(user.clone()).into_response(),
        None => api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundError",
            "Resource not found",
        ),
    }
}

async fn add_channel_member(
    State(shared): State<Arc<Shared>>,
    Path(channel): Path<i64>,
    body: Bytes,
) -> Response {
    let Some(user) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b["id"].as_i64())
    else {
        return api_error(StatusCode::BAD_REQUEST, "ClientError", "id is required");
    };
    let mut data = shared.data();
    if !data.users.values().any(|u| u["id"] == user) {
        return api_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundError",
            "Resource not found",
        );
    }
    data.members.entry(channel).or_default().push(user);
    axum::Json(json!({ "id": channel, "type": "PUBLIC", "name": format!("channel-{channel}") }))
        .into_response()
}

async fn send_channel_event(
    State(shared): State<Arc<Shared>>,
    Path(_channel): Path<i64>,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.data().events.push(body);
    StatusCode::NO_CONTENT.into_response()
}

async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFoundError",
        "Resource not found",
    )
}
