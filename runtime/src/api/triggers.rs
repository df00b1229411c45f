//! `POST /v1/triggers/{type}`: the chat server reports an event.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;

use super::extract::{Tenant, body_error};
use super::{ApiError, AppState, resources};
use crate::invocation::{FailureKind, InvocationStatus};
use crate::invoker::Attempt;
use crate::store::NewJob;
use crate::triggers;

#[utoipa::path(post, path = "/v1/triggers/{trigger}", tag = "triggers",
    params(("trigger" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "A redelivered event's key: the same key gets the first event's invocation.")),
    request_body(content = Object),
    responses(
        (status = 200, description = "The handler's value (a blocking trigger).", body = resources::TriggerResult),
        (status = 202, description = "Accepted: it runs later (a non-blocking trigger).", body = resources::Accepted),
        (status = 204, description = "No enabled function for this trigger type: go ahead."),
        (status = 422, description = "The handler threw: deny.", body = TriggerFailure),
        (status = 504, description = "The handler timed out: deny.", body = TriggerFailure)))]
pub(crate) async fn trigger(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(trigger): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(kind) = triggers::find(&trigger) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundError",
            format!(
                "'{trigger}' is not a trigger type; the trigger types are: {}",
                triggers::names()
            ),
        ));
    };
    let body = body.map_err(|e| body_error(&e, service.config.max_body_bytes, "event"))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.is_empty() && !content_type.contains("json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeError",
            format!("the event must be JSON, not '{content_type}'"),
        ));
    }
    let raw: Box<RawValue> = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the event is not valid JSON: {e}")))?;
    kind.validate(&raw).map_err(ApiError::bad_request)?;
    // Checked whether or not a function runs it: a bad key is the sender's
    // mistake either way.
    let idempotency_key = if kind.blocking {
        None
    } else {
        idempotency_key(&headers)?
    };

    let Some(deployment) = service.deployment(app.id, kind.name).await? else {
        // Nothing to run: the chat server goes ahead as if allowed.
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let id = service.next_invocation_id().await?;
    if !kind.blocking {
        // Durable before the 202: the queue runs it (and retries it) later.
        let job = NewJob {
            id,
            app_id: app.id,
            function_id: deployment.function.id,
            version_number: deployment.version.number,
            trigger: kind.name.to_owned(),
            event: raw.get().to_owned(),
            idempotency_key,
            created_ms: crate::time::now_ms(),
        };
        let id = service.queue.accept(job).await?;
        return Ok((
            StatusCode::ACCEPTED,
            axum::Json(resources::Accepted { invocation_id: id }),
        )
            .into_response());
    }
    let invocation = service
        .run(
            &app.application,
            &deployment.function,
            &deployment.version,
            &raw,
            Attempt {
                id,
                number: 1,
                test: false,
                queued: false,
            },
        )
        .await?;
    let Some(error) = invocation.error() else {
        return Ok(axum::Json(resources::TriggerResult::of(id, &invocation)).into_response());
    };
    let (status, error_name) = match error.kind {
        FailureKind::Timeout | FailureKind::CpuLimit => {
            (StatusCode::GATEWAY_TIMEOUT, "FunctionTimeoutError")
        }
        _ => (StatusCode::UNPROCESSABLE_ENTITY, "FunctionFailedError"),
    };
    let body = TriggerFailure {
        error: error_name,
        message: error.summary(),
        timestamp: crate::time::iso(crate::time::now_ms()),
        invocation_id: id,
        status: InvocationStatus::Failed,
        invocation_error: error,
    };
    Ok((status, axum::Json(body)).into_response())
}

/// A blocking trigger's answer when the handler threw or timed out: the
/// chat server denies.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerFailure<'a> {
    /// `FunctionFailedError` or `FunctionTimeoutError`.
    error: &'static str,
    message: String,
    #[schema(format = DateTime)]
    timestamp: String,
    invocation_id: i64,
    /// Always `FAILED`.
    status: InvocationStatus,
    #[schema(value_type = resources::InvocationErrorSchema)]
    invocation_error: &'a crate::invocation::InvocationError,
}

/// The `Idempotency-Key` header: up to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (b' '..=b'~').contains(&b))
        })
        .ok_or_else(|| {
            ApiError::bad_request(
                "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_owned()))
}
