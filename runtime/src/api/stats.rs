//! `GET /v1/functions/{id}/stats`: a function's recent statistics.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::extract::{Tenant, query_pairs};
use super::{ApiError, AppState, ok, path_id};
use crate::stats::{self, Stats, Window};
use crate::time::now_ms;

#[utoipa::path(get, path = "/v1/functions/{id}/stats", tag = "functions",
    summary = "A function's ended runs over the last hour, day or week (test runs aside): counts, error rate, duration percentiles and warm-start share, in all and per minute (1h) or hour (24h, 7d).",
    params(
        ("id" = i64, Path, description = "The function's id.", minimum = 1),
        ("window" = inline(Option<Window>), Query, description = "1h (the default), 24h or 7d."),
    ),
    responses((status = 200, body = Stats)))]
pub(crate) async fn retrieve(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let query = query_pairs(query)?;
    let mut window = Window::Hour;
    for (name, value) in query {
        if name != "window" {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter '{name}'; stats take window"
            )));
        }
        window = Window::parse(&value).ok_or_else(|| {
            ApiError::bad_request(format!("window must be {}, not '{value}'", Window::NAMES))
        })?;
    }
    service.flush_log().await;
    let now = now_ms();
    let from = now - window.length_ms();
    let samples = service
        .store(move |s| {
            if s.function(app.id, id)?.is_none() {
                return Ok(None);
            }
            s.run_samples(app.id, id, from).map(Some)
        })
        .await?;
    let samples = samples.ok_or_else(|| ApiError::not_found("the function"))?;
    Ok(ok(stats::compute(id, window, now, &samples)))
}
