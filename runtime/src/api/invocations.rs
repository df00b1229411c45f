//! Invocation logs, and test runs of a version.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;

use super::extract::{BY_ID_TIME_OR_VERSION, JsonBody, NEWEST_FIRST, Paging, Tenant};
use super::{ApiError, AppState, ok, path_id, resources};
use crate::invocation::InvocationStatus;
use crate::invoker::Attempt;
use crate::store::InvocationFilter;
use crate::time::parse_iso;
use crate::triggers;

/// `GET /v1/functions/{id}/invocations`: one function's invocations.
#[utoipa::path(get, path = "/v1/functions/{id}/invocations", tag = "invocations",
    summary = "One function's invocations, newest first.",
    params(("id" = i64, Path, description = "The function's id.", minimum = 1), super::extract::InvocationListQuery),
    responses((status = 200, body = resources::InvocationPage)))]
pub(crate) async fn list(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let paging = Paging::from_query(query, BY_ID_TIME_OR_VERSION, NEWEST_FIRST)?;
    let mut filter = filter(&paging)?;
    filter.function = Some(id);
    service.flush_log().await;
    let request = paging.page;
    let page = service
        .store(move |s| {
            if s.function(app.id, id)?.is_none() {
                return Ok(None);
            }
            s.list_invocations(app.id, &filter, request).map(Some)
        })
        .await?;
    let page = page.ok_or_else(|| ApiError::not_found("the function"))?;
    let path = format!("/v1/functions/{id}/invocations");
    Ok(ok(resources::page(
        "invocations",
        page.items.iter().map(resources::invocation).collect(),
        page.total,
        &request,
        &path,
        &paging.query,
    )))
}

/// `GET /v1/invocations`: the application's invocations across functions,
/// newest first, filtered by `functionId`, `type`, `status`,
/// `versionNumber`, `test`, `from` and `to`; `after=ID` pages by cursor.
#[utoipa::path(get, path = "/v1/invocations", tag = "invocations",
    summary = "The application's invocations across functions, newest first.",
    params(super::extract::InvocationListQuery),
    responses((status = 200, body = resources::InvocationPage)))]
pub(crate) async fn list_all(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_query(query, BY_ID_TIME_OR_VERSION, NEWEST_FIRST)?;
    let filter = filter(&paging)?;
    service.flush_log().await;
    let request = paging.page;
    let page = service
        .store(move |s| s.list_invocations(app.id, &filter, request))
        .await?;
    Ok(ok(resources::page(
        "invocations",
        page.items.iter().map(resources::invocation).collect(),
        page.total,
        &request,
        "/v1/invocations",
        &paging.query,
    )))
}

/// The filters of an invocation list, from its query.
fn filter(paging: &Paging) -> Result<InvocationFilter, ApiError> {
    let param = |name: &str| paging.params.get(name).map(String::as_str);
    let time = |name: &str| -> Result<Option<i64>, ApiError> {
        param(name)
            .map(|v| {
                parse_iso(v).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} must be an ISO 8601 time (e.g. 2026-11-21T10:00:00Z), not '{v}'"
                    ))
                })
            })
            .transpose()
    };
    let id = |name: &str| -> Result<Option<i64>, ApiError> {
        param(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("{name} must be a number, not '{v}'"))
                })
            })
            .transpose()
    };
    let trigger = param("type")
        .map(|v| {
            triggers::find(v).map(|t| t.name.to_owned()).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "type must be one of {}, not '{v}'",
                    triggers::names()
                ))
            })
        })
        .transpose()?;
    let test = param("test")
        .map(|v| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ApiError::bad_request(format!(
                "test must be true or false, not '{v}'"
            ))),
        })
        .transpose()?;
    // A bound on ids, in the direction of the first sort key: with the
    // default (id) order, a cursor.
    let after = id("after")?;
    Ok(InvocationFilter {
        function: id("functionId")?,
        trigger,
        status: param("status")
            .map(|v| {
                InvocationStatus::parse(v).ok_or_else(|| {
                    let names: Vec<&str> =
                        InvocationStatus::ALL.iter().map(|s| s.as_str()).collect();
                    ApiError::bad_request(format!(
                        "status must be one of {}, not '{v}'",
                        names.join(", ")
                    ))
                })
            })
            .transpose()?,
        version_number: id("versionNumber")?,
        test,
        from_ms: time("from")?,
        to_ms: time("to")?,
        after,
    })
}

#[utoipa::path(get, path = "/v1/invocations/{id}", tag = "invocations", params(("id" = i64, Path, description = "The invocation's id.", minimum = 1)),
    responses((status = 200, body = resources::InvocationResource)))]
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
#[utoipa::path(post, path = "/v1/function-versions/{id}/invocations", tag = "invocations", params(("id" = i64, Path, description = "The version's id.", minimum = 1)),
    summary = "Test-runs a version (current or not) on an event shaped as its trigger type's.",
    request_body(content = Object, description = "The event."),
    responses((status = 200, body = resources::InvocationResource)))]
pub(crate) async fn test_run(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    JsonBody(event): JsonBody<Box<RawValue>>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function version")?;
    let found = service.store(move |s| s.version(app.id, id)).await?;
    let (function, version) = found.ok_or_else(|| ApiError::not_found("the function version"))?;
    // A test event is shaped as the trigger's would be.
    if let Some(trigger) = triggers::find(&function.trigger) {
        trigger.validate(&event).map_err(ApiError::bad_request)?;
    }
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
                queued: false,
            },
        )
        .await?;
    Ok(ok(resources::invocation(&invocation)))
}

/// `GET /v1/functions/{id}/queue`: the function's non-blocking runs by state.
#[utoipa::path(get, path = "/v1/functions/{id}/queue", tag = "invocations", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    summary = "The function's non-blocking runs by state.",
    responses((status = 200, body = resources::QueueResource)))]
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
    Ok(ok(resources::queue(id, counts)))
}

/// `POST /v1/invocations/{id}/retry`: runs a FAILED non-blocking invocation
/// again, with fresh attempts.
#[utoipa::path(post, path = "/v1/invocations/{id}/retry", tag = "invocations", params(("id" = i64, Path, description = "The invocation's id.", minimum = 1)),
    summary = "Runs a FAILED non-blocking invocation again, with fresh attempts.",
    responses((status = 202, body = resources::Accepted)))]
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
        axum::Json(resources::Accepted { invocation_id: id }),
    )
        .into_response())
}
