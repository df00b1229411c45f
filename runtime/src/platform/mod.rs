//! The platform client handlers get through `context`: `context.getUserApi()`
//! and eleven more, one method per Platform API operation. The guest side is
//! a generated context script that forwards each call to the `platform` host
//! call; the host looks the operation up in the same table, sends it to the
//! application's platform URL with its token, and answers like axios.

mod client;
mod operations;
mod request;
mod script;
mod table;
mod typings;

use std::time::Instant;

use sandbox::HostCallError;
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub(crate) use client::{PlatformClient, Target};
pub(crate) use script::{CONTEXT_SCRIPT_NAME, context_script};
pub(crate) use typings::{event_type_name, typings};

use client::{Failure, Response};

use crate::invocation::CallRecord;

#[derive(Deserialize)]
struct PlatformArgs {
    operation: String,
    #[serde(default)]
    args: Vec<Value>,
}

/// Performs one `platform` host call (`{operation, args}`) against
/// `target`; also returns the call's log record when a request was made.
pub(crate) async fn call(
    client: &PlatformClient,
    target: Option<&Target>,
    args: &str,
) -> (Result<Value, HostCallError>, Option<CallRecord>) {
    let PlatformArgs { operation, args } = match serde_json::from_str(args) {
        Ok(parsed) => parsed,
        Err(e) => return (Err(type_error(format!("invalid platform call: {e}"))), None),
    };
    let Some(op) = table::operation(&operation) else {
        return (
            Err(type_error(format!(
                "unknown platform operation '{operation}'"
            ))),
            None,
        );
    };
    let boundary = format!("chatfn-{:016x}", random_u64());
    let request = match request::build(op, &args, &boundary) {
        Ok(request) => request,
        Err(message) => return (Err(type_error(message)), None),
    };
    let Some(target) = target else {
        return (Err(not_configured()), None);
    };
    // The log shows the path, not the query: it may carry user data.
    let path = request
        .path_and_query
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let started = Instant::now();
    let outcome = client.send(target, request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, result) = match outcome {
        Ok(response) => (Some(response.status), answer(response)),
        Err(failure) => (None, Err(failure_error(&failure))),
    };
    let record = CallRecord::new(op.method.as_str(), path, status, ms, result.as_ref().err());
    (result, Some(record))
}

/// A response as axios gives it: 2xx resolves `{data, status, statusText,
/// headers}`; anything else rejects with an `AxiosError`-shaped error
/// carrying the same object as `response`.
fn answer(response: Response) -> Result<Value, HostCallError> {
    let status = response.status;
    let mut headers = Map::new();
    for (name, value) in &response.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().into(), Value::String(value));
            }
        }
    }
    let is_json = headers
        .get("content-type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.contains("json"));
    let data = if response.body.is_empty() {
        Value::String(String::new())
    } else if is_json {
        serde_json::from_slice(&response.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&response.body).into_owned()))
    } else {
        Value::String(String::from_utf8_lossy(&response.body).into_owned())
    };
    let status_text = hyper::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let response = json!({
        "data": data,
        "status": status,
        "statusText": status_text,
        "headers": headers,
    });
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let code = if status >= 500 {
        "ERR_BAD_RESPONSE"
    } else {
        "ERR_BAD_REQUEST"
    };
    let mut error = axios_error(format!("Request failed with status code {status}"), code);
    error.data.insert("status".into(), json!(status));
    error.data.insert("response".into(), response);
    Err(error)
}

fn failure_error(failure: &Failure) -> HostCallError {
    match failure {
        Failure::Network(detail) => axios_error(format!("Network Error: {detail}"), "ERR_NETWORK"),
        Failure::Timeout(limit) => axios_error(
            format!("timeout of {}ms exceeded", limit.as_millis()),
            "ECONNABORTED",
        ),
        Failure::TooLarge(limit) => axios_error(
            format!("the platform API's response is larger than {limit} bytes"),
            "ERR_RESPONSE_TOO_LARGE",
        ),
    }
}

fn axios_error(message: String, code: &str) -> HostCallError {
    let mut error = HostCallError::new("AxiosError", message);
    error.data.insert("code".into(), json!(code));
    error.data.insert("isAxiosError".into(), json!(true));
    error
}

fn type_error(message: impl Into<String>) -> HostCallError {
    HostCallError::new("TypeError", message)
}

fn not_configured() -> HostCallError {
    let mut error = HostCallError::new(
        "Error",
        "the platform API is not configured: set its URL with `chatfn apps update <id> --platform-url URL --platform-token TOKEN` (or, for `chatfn invoke`, pass --platform-url and --platform-token)",
    );
    error
        .data
        .insert("code".into(), json!("ERR_PLATFORM_NOT_CONFIGURED"));
    error
}

fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // A predictable boundary is only a formatting risk, never a security one.
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// Largest response body: leaves room under the sandbox's 1 MiB host-call
/// result limit for the response's envelope (status, headers).
pub(crate) const MAX_RESPONSE_BYTES: usize = (1 << 20) - (64 << 10);
