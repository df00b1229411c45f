//! `GET /metrics`: the service's counters (see [`crate::metrics`]) and
//! gauges read at scrape time. Aggregated over all applications, so no
//! application key applies; `--metrics-token` can require a token of its
//! own.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::extract::{bearer, hash_key};
use super::{ApiError, AppState};
use crate::metrics::Gauges;

/// How long a scrape's queue counts are reused: counting is a query over
/// every unfinished job, and the endpoint may be open to anyone.
const QUEUE_COUNTS_TTL: Duration = Duration::from_secs(1);

#[utoipa::path(get, path = "/metrics", tag = "service", security(()),
    responses((status = 200, description = "Prometheus text.", content_type = "text/plain", body = String)))]
pub(crate) async fn scrape(
    State(service): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = &service.config.metrics_token {
        // Compared as digests, so the comparison's time says nothing about
        // the token.
        let given = bearer(&headers).map(hash_key);
        if given != Some(hash_key(token)) {
            return Err(ApiError::unauthorized(
                "GET /metrics needs `Authorization: Bearer <metrics token>`",
            ));
        }
    }
    let queue = {
        // One count at a time; the others wait for it and reuse it.
        let mut cached = service.invoker.metrics.queue_counts.lock().await;
        match *cached {
            Some((at, counts)) if at.elapsed() < QUEUE_COUNTS_TTL => counts,
            _ => {
                let counts = service.store(|s| s.queue_totals()).await?;
                *cached = Some((Instant::now(), counts));
                counts
            }
        }
    };
    let (images, image_bytes) = service.invoker.images().kept();
    let gauges = Gauges {
        queue: [
            ("queued", queue.queued),
            ("running", queue.running),
            ("retrying", queue.retrying),
            ("failed", queue.failed),
        ],
        images,
        image_bytes,
        warm_instances: service.invoker.images().sandbox().warm_instances(),
        kept_instances: service.invoker.images().sandbox().kept_instances(),
        bakes_pending: service.invoker.images().sandbox().bakes_pending(),
        idle_slots: service.invoker.images().sandbox().idle_slots(),
    };
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        service.invoker.metrics.render(&gauges),
    )
        .into_response())
}
