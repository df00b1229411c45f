//! The HTTP API, shaped like the Platform API: application-scoped by bearer
//! key, HAL pages, errors as `{error, message, explanation?, timestamp}`.

mod error;
mod extract;
mod functions;
mod invocations;
mod metrics;
mod resources;
mod runtime;
#[cfg(test)]
mod tests;
mod triggers;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;

pub(crate) use error::ApiError;
pub(crate) use extract::hash_key;

use crate::service::Service;

pub(crate) type AppState = Arc<Service>;

const OPENAPI: &str = include_str!("openapi.json");

/// `GET /healthz`: 200 while this node can serve, 503 (with the reason)
/// while its database is out of reach, so a load balancer sends requests
/// elsewhere.
async fn health(
    axum::extract::State(service): axum::extract::State<AppState>,
) -> axum::response::Response {
    match service.health().await {
        Ok(()) => "ok".into_response(),
        Err(reason) => {
            tracing::warn!("unhealthy: {reason}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unhealthy", "reason": reason })),
            )
                .into_response()
        }
    }
}

/// The HTTP API of `service`, to serve or to call in-process.
pub fn app(service: Arc<Service>) -> Router {
    let body_limit = service.config.max_body_bytes;
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics::scrape))
        .route(
            "/v1/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
        .route("/v1/runtimes/nodejs", get(runtime::retrieve))
        .route(
            "/v1/runtimes/nodejs/dependencies",
            put(runtime::update_dependencies),
        )
        .route(
            "/v1/runtimes/nodejs/environment-variables",
            put(runtime::update_environment),
        )
        .route(
            "/v1/runtimes/nodejs/initialization-script",
            put(runtime::update_initialization_script),
        )
        .route(
            "/v1/runtimes/nodejs/functions",
            get(functions::list).post(functions::create),
        )
        .route(
            "/v1/functions/{id}",
            get(functions::retrieve).patch(functions::update),
        )
        .route(
            "/v1/functions/{id}/current-version",
            get(functions::current_version).put(functions::set_current_version),
        )
        .route(
            "/v1/functions/{id}/versions",
            get(functions::list_versions).post(functions::create_version),
        )
        .route(
            "/v1/function-versions/{id}",
            get(functions::retrieve_version),
        )
        .route(
            "/v1/function-versions/{id}/invocations",
            post(invocations::test_run),
        )
        .route("/v1/functions/{id}/invocations", get(invocations::list))
        .route("/v1/invocations", get(invocations::list_all))
        .route("/v1/invocations/{id}", get(invocations::retrieve))
        .route("/v1/functions/{id}/queue", get(invocations::queue))
        .route("/v1/invocations/{id}/retry", post(invocations::redrive))
        .route("/v1/triggers/{trigger}", post(triggers::trigger))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundError",
                "no such route",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowedError",
                "this route does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            body_limit,
            refuse_oversized,
        ))
        .layer(CatchPanicLayer::custom(panicked))
        .with_state(service)
}

/// The answer when a handler panics (a bug: the panic is logged with an
/// id the client sees), rather than a connection dropped with no answer.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    let mut id = [0u8; 6];
    let _ = getrandom::fill(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    tracing::error!(request = %id, "a request handler panicked: {what}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        format!("the server failed to handle this request (request {id}); it has been logged"),
    )
    .into_response()
}

/// Refuses a body whose declared length is past the limit before any of it
/// is read: the client (with `Expect: 100-continue`) never sends it, and one
/// that sends anyway gets the 413 rather than a connection reset mid-upload.
/// Bodies without a length are still cut off by `DefaultBodyLimit`.
async fn refuse_oversized(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeError",
            format!("the body is larger than {limit} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Parses a path id, answering 404 for ids that cannot exist.
pub(crate) fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(what))
}

/// Wraps a serializable value in a `200` JSON response.
pub(crate) fn ok<T: serde::Serialize>(value: T) -> axum::response::Response {
    axum::Json(value).into_response()
}
