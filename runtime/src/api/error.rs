//! API errors, shaped like the Platform API's: `{error, message,
//! explanation?, timestamp}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;
use crate::time::{iso, now_ms};

#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) message: String,
    pub(crate) explanation: Option<String>,
    pub(crate) retry_after: Option<u32>,
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
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "ConflictError", message)
            }
            StoreError::Database(message) => ApiError::internal(message),
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a str>,
    timestamp: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: self.error,
            message: &self.message,
            explanation: self.explanation.as_deref(),
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
