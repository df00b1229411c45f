//! The HTTP API, shaped like the Platform API: application-scoped by bearer
//! key, HAL pages, errors as `{error, message, explanation?, timestamp}`.

mod application;
mod dashboard;
mod error;
mod extract;
mod functions;
mod invocations;
mod metrics;
mod openapi;
mod resources;
mod runtime;
mod secrets;
mod stats;
mod tail;
#[cfg(test)]
mod tests;
mod triggers;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use error::ApiError;
pub(crate) use extract::hash_key;

use crate::service::Service;

pub(crate) type AppState = Arc<Service>;

/// `GET /healthz`: 200 while this node can serve, 503 (with the reason)
/// while its database is out of reach, so a load balancer sends requests
/// elsewhere.
#[utoipa::path(get, path = "/healthz", tag = "service", security(()),
    responses((status = 200, description = "`ok`", content_type = "text/plain", body = String),
        (status = 503, description = "The database is out of reach.", body = Object)))]
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

/// `GET /v1/openapi.json`: this document, made once.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "service", security(()),
    responses((status = 200, description = "The OpenAPI document.", body = Object)))]
async fn document(
    axum::extract::State(service): axum::extract::State<AppState>,
) -> axum::response::Response {
    let document = service
        .api_document
        .get_or_init(|| document_of(&service).to_string());
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.clone(),
    )
        .into_response()
}

/// The routes, each with its part of the OpenAPI document: one
/// `routes!` per path.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(health))
        .routes(routes!(document))
        .routes(routes!(metrics::scrape))
        .routes(routes!(application::retrieve))
        .routes(routes!(runtime::retrieve))
        .routes(routes!(runtime::update_dependencies))
        .routes(routes!(runtime::resolved))
        .routes(routes!(runtime::update_environment))
        .routes(routes!(runtime::update_initialization_script))
        .routes(routes!(secrets::list, secrets::update))
        .routes(routes!(functions::list, functions::create))
        .routes(routes!(functions::retrieve, functions::update))
        .routes(routes!(
            functions::current_version,
            functions::set_current_version
        ))
        .routes(routes!(functions::list_versions, functions::create_version))
        .routes(routes!(functions::check_handler))
        .routes(routes!(functions::retrieve_version))
        .routes(routes!(stats::retrieve))
        .routes(routes!(invocations::test_run))
        .routes(routes!(invocations::list))
        .routes(routes!(invocations::list_all))
        .routes(routes!(tail::stream))
        .routes(routes!(invocations::retrieve))
        .routes(routes!(invocations::queue))
        .routes(routes!(invocations::redrive))
        .routes(routes!(triggers::trigger))
}

/// The OpenAPI document of the API `service` serves.
pub(crate) fn document_of(service: &Service) -> serde_json::Value {
    let (_, doc) = routes().split_for_parts();
    openapi::finish(doc, service.config.max_timeout_ms)
}

/// The HTTP API of `service`, to serve or to call in-process.
pub fn app(service: Arc<Service>) -> Router {
    let body_limit = service.config.max_body_bytes;
    let cors = cors(&service.config.cors_origins);
    let (router, _) = routes().split_for_parts();
    router
        .route("/", axum::routing::get(dashboard::index))
        .route("/assets/{*path}", axum::routing::get(dashboard::asset))
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
        .layer(cors)
        .with_state(service)
}

/// Cross-origin access for dashboards served elsewhere (`--cors-origin`):
/// only the origins given, and no cookies (keys travel in a header). With
/// none given, browsers keep other origins out.
fn cors(origins: &[axum::http::HeaderValue]) -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        .allow_origin(origins.to_vec())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::RETRY_AFTER, header::LOCATION])
        .max_age(std::time::Duration::from_secs(600))
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
