//! The command line's client of a chatfn server's API: JSON calls and the
//! live tail's event stream, over HTTP or HTTPS, with an application key.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

use crate::outbound::{self, CappedError, PoolSettings};

/// The largest answer read (an invocation page with its logs is far less).
const MAX_ANSWER_BYTES: usize = 64 << 20;
/// A call that has not answered by then has failed; installs of large
/// dependency lists are the slowest calls.
const CALL_TIMEOUT: Duration = Duration::from_secs(330);

/// Why a call gave no answer it could use.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientError {
    /// The server could not be reached, or broke off.
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    /// The server answered with an error.
    #[error("{status} {error}: {message}")]
    Api {
        status: u16,
        error: String,
        message: String,
        /// The whole error body (`cause`, `explanation`, …).
        body: Value,
    },
}

impl ClientError {
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            ClientError::Network { .. } => None,
        }
    }

    /// A refused handler's or script's error, as `file:line:column:
    /// name: message`, when the server placed it.
    pub(crate) fn placed_cause(&self) -> Option<String> {
        let ClientError::Api { body, .. } = self else {
            return None;
        };
        let cause = body.get("cause")?;
        let file = cause["file"].as_str().unwrap_or("handler.ts");
        let line = cause["line"].as_u64()?;
        let column = cause["column"].as_u64().unwrap_or(1);
        Some(format!(
            "{file}:{line}:{column}: {}: {}",
            cause["name"].as_str().unwrap_or("Error"),
            cause["message"].as_str().unwrap_or_default()
        ))
    }
}

/// A server and the key to use on it.
pub(crate) struct ApiClient {
    base: String,
    key: String,
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl ApiClient {
    pub(crate) fn new(base: &str, key: &str) -> ApiClient {
        ApiClient {
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
            http: outbound::https_client(HttpConnector::new(), PoolSettings::default()),
        }
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        extra: &[(header::HeaderName, String)],
    ) -> Result<Request<Full<Bytes>>, ClientError> {
        let url = format!("{}{path}", self.base);
        let uri: Uri = url.parse().map_err(|e| ClientError::Network {
            url: url.clone(),
            message: format!("not a URL: {e}"),
        })?;
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.key))
            .header(
                header::USER_AGENT,
                concat!("chatfn-cli/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in extra {
            builder = builder.header(name, value);
        }
        let body = match body {
            Some(value) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(value.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        builder.body(body).map_err(|e| ClientError::Network {
            url,
            message: format!("the request could not be made: {e}"),
        })
    }

    /// A JSON call; an error status becomes [`ClientError::Api`].
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let request = self.request(method, path, body, &[])?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| network(&url, outbound::describe(&e)))?;
            let status = response.status();
            let bytes = outbound::read_capped(response.into_body(), MAX_ANSWER_BYTES)
                .await
                .map_err(|e| match e {
                    CappedError::TooLarge(limit) => {
                        network(&url, format!("the answer is larger than {limit} bytes"))
                    }
                    read @ CappedError::Read(_) => network(&url, read.to_string()),
                })?;
            answer(status, &bytes)
        };
        tokio::time::timeout(CALL_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| Err(network(&url, "no answer in time".into())))
    }

    pub(crate) async fn get(&self, path: &str) -> Result<Value, ClientError> {
        self.call(Method::GET, path, None).await
    }

    /// Opens an event stream (`text/event-stream`), resuming after
    /// `last_event_id`.
    pub(crate) async fn events(
        &self,
        path: &str,
        last_event_id: Option<&str>,
    ) -> Result<EventStream, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut extra = vec![(header::ACCEPT, "text/event-stream".to_owned())];
        if let Some(id) = last_event_id {
            extra.push((
                header::HeaderName::from_static("last-event-id"),
                id.to_owned(),
            ));
        }
        let request = self.request(Method::GET, path, None, &extra)?;
        let response = tokio::time::timeout(Duration::from_secs(30), self.http.request(request))
            .await
            .map_err(|_| network(&url, "no answer in time".into()))?
            .map_err(|e| network(&url, outbound::describe(&e)))?;
        let status = response.status();
        if !status.is_success() {
            let bytes = outbound::read_capped(response.into_body(), 1 << 20)
                .await
                .unwrap_or_default();
            return Err(answer(status, &bytes)
                .err()
                .unwrap_or_else(|| network(&url, format!("the stream answered {status}"))));
        }
        Ok(EventStream {
            body: response.into_body(),
            text: String::new(),
            pending: Event::default(),
        })
    }
}

fn network(url: &str, message: String) -> ClientError {
    ClientError::Network {
        url: url.to_owned(),
        message,
    }
}

fn answer(status: StatusCode, bytes: &[u8]) -> Result<Value, ClientError> {
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    };
    if status.is_success() {
        return Ok(body);
    }
    Err(ClientError::Api {
        status: status.as_u16(),
        error: body["error"].as_str().unwrap_or("Error").to_owned(),
        message: body["message"]
            .as_str()
            .map_or_else(|| body.to_string(), str::to_owned),
        body,
    })
}

/// One Server-Sent Event.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) event: String,
    pub(crate) id: Option<String>,
    pub(crate) data: String,
}

/// A response body read as Server-Sent Events.
pub(crate) struct EventStream {
    body: hyper::body::Incoming,
    text: String,
    pending: Event,
}

impl EventStream {
    /// The next event; `None` when the stream ends or breaks.
    pub(crate) async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = parse_events(&mut self.text, &mut self.pending) {
                return Some(event);
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.text.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return None,
            }
        }
    }
}

/// Takes whole lines off `text` into `pending`; returns an event once a
/// blank line ends one that has data. Comments (heartbeats) are skipped.
fn parse_events(text: &mut String, pending: &mut Event) -> Option<Event> {
    while let Some(end) = text.find('\n') {
        let line: String = text.drain(..=end).collect();
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            if pending.data.is_empty() {
                pending.event.clear();
                continue;
            }
            let mut event = std::mem::take(pending);
            pending.id.clone_from(&event.id);
            if event.event.is_empty() {
                event.event = "message".into();
            }
            event.data.pop();
            return Some(event);
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => pending.event = value.to_owned(),
            "id" => pending.id = Some(value.to_owned()),
            "data" => {
                pending.data.push_str(value);
                pending.data.push('\n');
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_across_chunks_and_heartbeats_skipped() {
        let mut text = String::new();
        let mut pending = Event::default();
        text.push_str(": heartbeat\n\nevent: invocation\nid: ab-1\ndata: {\"a\":");
        assert_eq!(parse_events(&mut text, &mut pending), None);
        text.push_str("1}\n\nevent: gap\r\ndata: line one\r\ndata: line two\r\n\r\n");
        let first = parse_events(&mut text, &mut pending).expect("an event");
        assert_eq!(
            first,
            Event {
                event: "invocation".into(),
                id: Some("ab-1".into()),
                data: "{\"a\":1}".into()
            }
        );
        let second = parse_events(&mut text, &mut pending).expect("an event");
        assert_eq!(second.event, "gap");
        assert_eq!(second.id.as_deref(), Some("ab-1"), "the last id carries on");
        assert_eq!(second.data, "line one\nline two");
        assert_eq!(parse_events(&mut text, &mut pending), None);
    }

    #[test]
    fn a_refused_handler_is_placed_at_its_line() {
        let error = answer(
            StatusCode::BAD_REQUEST,
            br#"{"error":"CompileError","message":"the script does not compile (1 error)","cause":{"name":"SyntaxError","message":"Expression expected","file":"handler.ts","line":2,"column":14}}"#,
        )
        .expect_err("an error");
        assert_eq!(error.status(), Some(400));
        assert_eq!(
            error.placed_cause().as_deref(),
            Some("handler.ts:2:14: SyntaxError: Expression expected")
        );
        assert_eq!(
            error.to_string(),
            "400 CompileError: the script does not compile (1 error)"
        );
    }
}
