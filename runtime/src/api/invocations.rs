//! Invocation logs, and test runs of a version.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;

use super::extract::{BY_ID_TIME_OR_VERSION, JsonBody, Paging, Tenant};
use super::{ApiError, AppState, ok, path_id, resources};
use crate::invocation::InvocationStatus;
use crate::invoker::Attempt;
use crate::store::InvocationFilter;
use crate::time::parse_iso;

pub(crate) async fn list(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let paging = Paging::from_query(query, BY_ID_TIME_OR_VERSION)?;
    let time = |name: &str| -> Result<Option<i64>, ApiError> {
        paging
            .params
            .get(name)
            .map(|v| {
                parse_iso(v).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be an ISO 8601 time (e.g. 2026-11-21T10:00:00Z), not '{v}'"
                    ))
                })
            })
            .transpose()
    };
    let filter = InvocationFilter {
        status: paging
            .params
            .get("status")
            .map(|v| {
                InvocationStatus::parse(v).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "status must be RUNNING, SUCCEEDED or FAILED, not '{v}'"
                    ))
                })
            })
            .transpose()?,
        from_ms: time("from")?,
        to_ms: time("to")?,
    };
    service.flush_log().await;
    let request = paging.page;
    let page = service
        .store(move |s| {
            if s.function(app.id, id)?.is_none() {
                return Ok(None);
            }
            s.list_invocations(app.id, id, &filter, request).map(Some)
        })
        .await?;
    let page = page.ok_or_else(|| ApiError::not_found("the function"))?;
    let path = format!("/v1/functions/{id}/invocations");
    Ok(ok(resources::page(
        "invocations",
        &page,
        &request,
        &path,
        &paging.params,
        resources::invocation,
    )))
}

pub(crate) async fn retrieve(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the invocation")?;
    service.flush_log().await;
    let invocation = service.store(move |s| s.invocation(app.id, id)).await?;
    let invocation = invocation.ok_or_else(|| ApiError::not_found("the invocation"))?;
    Ok(ok(resources::invocation(&invocation)))
}

/// Runs a version on an event (whether or not it is current) and records
/// the invocation as a test.
pub(crate) async fn test_run(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    JsonBody(event): JsonBody<Box<RawValue>>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function version")?;
    let found = service.store(move |s| s.version(app.id, id)).await?;
    let (function, version) = found.ok_or_else(|| ApiError::not_found("the function version"))?;
    let invocation_id = service.next_invocation_id().await?;
    let invocation = service
        .run(
            &app.application,
            &function,
            &version,
            &event,
            Attempt {
                id: invocation_id,
                number: 1,
                test: true,
            },
        )
        .await?;
    Ok(ok(resources::invocation(&invocation)))
}

/// `GET /v1/functions/{id}/queue`: the function's non-blocking runs by state.
pub(crate) async fn queue(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let counts = service
        .store(move |s| {
            if s.function(app.id, id)?.is_none() {
                return Ok(None);
            }
            s.queue_counts(app.id, id).map(Some)
        })
        .await?
        .ok_or_else(|| ApiError::not_found("the function"))?;
    Ok(ok(serde_json::json!({
        "queued": counts.queued,
        "running": counts.running,
        "retrying": counts.retrying,
        "failed": counts.failed,
        "_links": {
            "function": { "href": format!("/v1/functions/{id}") },
            "invocations": { "href": format!("/v1/functions/{id}/invocations") },
        },
    })))
}

/// `POST /v1/invocations/{id}/retry`: runs a FAILED non-blocking invocation
/// again, with fresh attempts.
pub(crate) async fn redrive(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the invocation")?;
    let now = crate::time::now_ms();
    let queued = service
        .store(move |s| s.redrive_job(app.id, id, now))
        .await?;
    if !queued {
        return Err(ApiError::not_found("a failed non-blocking invocation"));
    }
    service.queue.wake();
    Ok((
        axum::http::StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({ "invocationId": id })),
    )
        .into_response())
}
