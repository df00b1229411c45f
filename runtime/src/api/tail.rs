//! `GET /v1/invocations/stream`: the live tail, as Server-Sent Events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::extract::{Tenant, query_pairs};
use super::{ApiError, AppState, resources};
use crate::invocation::InvocationStatus;
use crate::tail::{Change, MAX_SUBSCRIBERS, Subscription};
use crate::triggers;

/// A comment line this often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Which changes a client wants.
#[derive(Default)]
struct Filter {
    function: Option<i64>,
    status: Option<InvocationStatus>,
    trigger: Option<String>,
}

impl Filter {
    fn parse(query: Vec<(String, String)>) -> Result<Filter, ApiError> {
        let mut filter = Filter::default();
        for (name, value) in query {
            match name.as_str() {
                "functionId" => {
                    filter.function = Some(value.parse().map_err(|_| {
                        ApiError::bad_request(format!("functionId must be a number, not '{value}'"))
                    })?);
                }
                "status" => {
                    filter.status = Some(InvocationStatus::parse(&value).ok_or_else(|| {
                        let names: Vec<&str> =
                            InvocationStatus::ALL.iter().map(|s| s.as_str()).collect();
                        ApiError::bad_request(format!(
                            "status must be one of {}, not '{value}'",
                            names.join(", ")
                        ))
                    })?);
                }
                "type" => {
                    let trigger = triggers::find(&value).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "type must be one of {}, not '{value}'",
                            triggers::names()
                        ))
                    })?;
                    filter.trigger = Some(trigger.name.to_owned());
                }
                other => {
                    return Err(ApiError::bad_request(format!(
                        "unknown query parameter '{other}'; the stream takes functionId, status and type"
                    )));
                }
            }
        }
        Ok(filter)
    }

    fn wants(&self, change: &Change) -> bool {
        let record = &change.record;
        self.function.is_none_or(|f| f == record.function_id)
            && self.status.is_none_or(|s| s == record.status())
            && self.trigger.as_deref().is_none_or(|t| t == record.trigger)
    }
}

#[utoipa::path(get, path = "/v1/invocations/stream", tag = "invocations",
    summary = "The application's invocations as they change (queued, running, retrying, ended), as Server-Sent Events.",
    description = "Each `invocation` event's data is the invocation resource, as `GET /v1/invocations/{id}` would answer it at that moment; its id resumes the stream (`Last-Event-ID`) without losing changes, within the last 1,024 changes of the application and a minute after a disconnect. A `gap` event says changes may have been missed (the stream was resumed on another node, after a restart or too late): read `GET /v1/invocations` to catch up. A client that falls 1,024 changes behind gets a `dropped` event and is disconnected. Comment lines every 15 s keep the connection alive.",
    params(
        ("functionId" = Option<i64>, Query, description = "Only this function's invocations.", minimum = 1),
        ("status" = Option<String>, Query, description = "Only changes to this status (QUEUED, RUNNING, RETRYING, SUCCEEDED or FAILED)."),
        ("type" = Option<String>, Query, description = "Only this trigger type's invocations."),
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received, to resume after it."),
    ),
    responses((status = 200, description = "A stream of `invocation` events.", content_type = "text/event-stream", body = String),
        (status = 429, description = "The application has 16 streams open already.", body = super::error::ErrorBody)))]
pub(crate) async fn stream(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let query = query_pairs(query)?;
    let filter = Filter::parse(query)?;
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let tail = std::sync::Arc::clone(&service.tail);
    let subscription = tail.subscribe(app.id, last.as_deref()).map_err(|_| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsError",
            format!("the application has {MAX_SUBSCRIBERS} streams open already; close one"),
        )
    })?;
    let events = events(subscription, filter, move |change| tail.event_id(change));
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response())
}

/// The stream of one subscription: a `gap` event if changes may be
/// missing, what was missed, then changes as they come, until the client
/// falls too far behind.
fn events(
    mut subscription: Subscription,
    filter: Filter,
    event_id: impl Fn(&Change) -> String + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let missed = std::mem::take(&mut subscription.missed);
    let gap = subscription.gap;
    let to_event = move |change: &Change| {
        Event::default()
            .event("invocation")
            .id(event_id(change))
            .json_data(resources::invocation(&change.record))
            .unwrap_or_else(|_| Event::default().comment("an unserializable record was skipped"))
    };
    let first = gap.then(|| {
        Event::default()
            .event("gap")
            .data("changes may have been missed; read GET /v1/invocations to catch up")
    });
    let missed: Vec<Event> = missed
        .iter()
        .filter(|c| filter.wants(c))
        .map(&to_event)
        .collect();
    // The subscription lives as long as the stream: it counts the client.
    let live = stream::unfold(
        (subscription, filter, to_event, false),
        |(mut subscription, filter, to_event, done)| async move {
            if done {
                return None;
            }
            loop {
                match subscription.live.recv().await {
                    Ok(change) if filter.wants(&change) => {
                        let event = to_event(&change);
                        return Some((event, (subscription, filter, to_event, false)));
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        let event = Event::default()
                            .event("dropped")
                            .data("this client fell too far behind and is disconnected; reconnect with Last-Event-ID");
                        return Some((event, (subscription, filter, to_event, true)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    stream::iter(first.into_iter().chain(missed))
        .chain(live)
        .map(Ok)
}
