//! API errors, shaped like the Platform API's: `{error, message,
//! explanation?, timestamp}`. [`From<Error>`](ApiError#impl-From<Error>-for-ApiError)
//! is the one table from the service's typed errors to statuses and stable
//! error names; no 5xx answer carries an internal message (those are
//! logged).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use sandbox::GuestError;

use crate::error::Error;
use crate::images::BuildFailure;
use crate::store::StoreError;
use crate::time::{iso, now_ms};

#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) message: String,
    pub(crate) explanation: Option<String>,
    pub(crate) retry_after: Option<u32>,
    /// The guest error behind a refused deploy, with its position.
    pub(crate) cause: Option<Box<GuestError>>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            error,
            message: message.into(),
            explanation: None,
            retry_after: None,
            cause: None,
        }
    }

    /// 422 `error`: a handler or init script that does not load, so what
    /// was sent is not stored. An engine failure is not the client's: 500
    /// (503 when every instance is busy).
    pub(crate) fn refused(error: &'static str, what: &str, failure: BuildFailure) -> ApiError {
        match failure {
            BuildFailure::Engine(e) => match &*e {
                sandbox::Error::PoolExhausted { .. } => {
                    ApiError::unavailable("every sandbox instance is in use; retry shortly", e)
                }
                _ => ApiError::internal(format_args!("checking a deploy: {e:#}")),
            },
            BuildFailure::Dependencies(e) => match &*e {
                npm_resolver::Error::Registry { .. } => {
                    tracing::warn!("answering 502: {e}");
                    ApiError::new(
                        StatusCode::BAD_GATEWAY,
                        "RegistryError",
                        "the npm registry failed while installing the dependencies; retry shortly",
                    )
                }
                npm_resolver::Error::Io { .. } => ApiError::internal(&e),
                other => ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "DependencyError",
                    other.to_string(),
                ),
            },
            other => {
                let cause = other.guest_error();
                let at = match (&cause.file, cause.line, cause.column) {
                    (Some(file), Some(line), Some(column)) => format!(" ({file}:{line}:{column})"),
                    (Some(file), Some(line), None) => format!(" ({file}:{line})"),
                    _ => String::new(),
                };
                let mut api = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    error,
                    format!("{what}: {}: {}{at}", cause.name, cause.message),
                );
                if let Some(stack) = &cause.stack {
                    api = api.with_explanation(stack.clone());
                }
                api.cause = Some(Box::new(cause));
                api
            }
        }
    }

    pub(crate) fn with_explanation(mut self, explanation: impl Into<String>) -> ApiError {
        self.explanation = Some(explanation.into());
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidRequestError", message)
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundError",
            format!("{what} was not found"),
        )
    }

    /// 403: the key is valid but may not do this.
    pub(crate) fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "ForbiddenError", message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UnauthorizedError", message)
    }

    pub(crate) fn internal(message: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {message}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "the server failed to handle this request; it has been logged",
        )
    }

    /// A 503 that tells the client when to come back.
    fn unavailable(message: &str, cause: impl std::fmt::Display) -> ApiError {
        tracing::warn!("answering 503: {cause}");
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableError",
                message,
            )
        }
    }
}

/// The table: each cause, its status and its stable name.
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::Store(StoreError::Conflict(message)) => {
                ApiError::new(StatusCode::CONFLICT, "ConflictError", message)
            }
            Error::Store(e @ StoreError::Busy) => {
                ApiError::unavailable("the database is busy; retry shortly", e)
            }
            Error::Store(e @ StoreError::Unavailable(_)) => {
                ApiError::unavailable("the database is unreachable; retry shortly", e)
            }
            Error::Saturated => {
                ApiError::unavailable("every invocation slot is busy; retry shortly", e)
            }
            e @ Error::AppAtCap { .. } => ApiError {
                retry_after: Some(1),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequestsError",
                    format!("{e}, its most at once; retry shortly"),
                )
            },
            Error::Sandbox(e @ sandbox::Error::PoolExhausted { .. }) => {
                ApiError::unavailable("every sandbox instance is in use; retry shortly", e)
            }
            Error::Dependencies(e) => dependency_error(e),
            e @ (Error::Store(_) | Error::Sandbox(_) | Error::Stopped(_)) => {
                ApiError::internal(format_args!("{e:#}"))
            }
        }
    }
}

/// The registry failing is a bad gateway, and the package store failing an
/// internal error; anything else is the dependency list's fault.
fn dependency_error(e: npm_resolver::Error) -> ApiError {
    match e {
        npm_resolver::Error::Registry { .. } => {
            // The registry's URL (perhaps an internal mirror) and the
            // transport's error chain stay in the log.
            tracing::warn!("answering 502: {e}");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "RegistryError",
                "the npm registry failed while installing the dependencies; retry shortly",
            )
        }
        npm_resolver::Error::Io { .. } => ApiError::internal(e),
        other => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "DependencyError",
            other.to_string(),
        ),
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        Error::Store(e).into()
    }
}

/// Every error answer: a stable name, a message, and (for a refused
/// deploy) the guest error behind it with its position.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorBody<'a> {
    /// `InvalidRequestError`, `ResourceNotFoundError`, `FunctionLoadError`, …
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    explanation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<super::resources::GuestErrorSchema>)]
    cause: Option<&'a GuestError>,
    #[schema(format = DateTime)]
    timestamp: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.error,
            message: &self.message,
            explanation: self.explanation.as_deref(),
            cause: self.cause.as_deref(),
            timestamp: iso(now_ms()),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(e: Error) -> (StatusCode, &'static str, String, Option<u32>) {
        let api = ApiError::from(e);
        (api.status, api.error, api.message, api.retry_after)
    }

    #[test]
    fn saturation_is_a_503_with_retry_after() {
        for e in [
            Error::Saturated,
            Error::Store(StoreError::Busy),
            Error::Store(StoreError::Unavailable("refused".into())),
            Error::Sandbox(sandbox::Error::PoolExhausted { max_instances: 4 }),
        ] {
            let (status, name, _, retry) = mapped(e);
            assert_eq!(
                (status, name, retry),
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailableError",
                    Some(1)
                )
            );
        }
    }

    #[test]
    fn internal_failures_say_nothing_of_the_server() {
        let io = std::io::Error::other("disk on fire");
        for e in [
            Error::Store(StoreError::database("reading /srv/chatfn/chatfn.db", io)),
            Error::Dependencies(npm_resolver::Error::Io {
                context: "reading /srv/chatfn/npm/x".into(),
                source: std::io::Error::other("denied"),
            }),
            Error::Store(StoreError::Schema("schema 9".into())),
            Error::Sandbox(sandbox::Error::InvalidConfig {
                message: "/etc/secret".into(),
            }),
        ] {
            let (status, name, message, _) = mapped(e);
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(name, "InternalServerError");
            assert!(!message.contains('/'), "{message}");
        }
    }

    #[test]
    fn client_mistakes_keep_their_message() {
        let (status, name, message, _) = mapped(Error::Store(StoreError::Conflict("taken".into())));
        assert_eq!(
            (status, name, message.as_str()),
            (StatusCode::CONFLICT, "ConflictError", "taken")
        );
        let (status, name, _, _) = mapped(Error::Dependencies(npm_resolver::Error::NotFound {
            name: "left-pad-9".into(),
        }));
        assert_eq!(
            (status, name),
            (StatusCode::UNPROCESSABLE_ENTITY, "DependencyError")
        );
        let (status, name, message, _) =
            mapped(Error::Dependencies(npm_resolver::Error::Registry {
                url: "http://10.0.0.7:4873/left-pad".into(),
                message: "client error (Connect)".into(),
            }));
        assert_eq!((status, name), (StatusCode::BAD_GATEWAY, "RegistryError"));
        assert!(!message.contains("10.0.0.7"), "{message}");
    }
}
