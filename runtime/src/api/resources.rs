//! JSON resources (camelCase, with HAL `_links`) and HAL pages.

use serde_json::{Map, Value, json};

use crate::invocation::{Invocation, InvocationStatus};
use crate::store::{Function, Page, PageRequest, Runtime, Version};
use crate::time::iso;

pub(crate) const RUNTIME_VERSION: &str = concat!("chatfn-", env!("CARGO_PKG_VERSION"));

fn link(href: String) -> Value {
    json!({ "href": href })
}

pub(crate) fn runtime(app: i64, runtime: &Runtime) -> Value {
    let dependencies: Vec<Value> = runtime
        .dependencies
        .iter()
        .map(|d| json!({ "name": d.name, "version": d.version, "defaultDependency": false }))
        .collect();
    let mut value = json!({
        "id": app,
        "type": "NODEJS",
        "version": RUNTIME_VERSION,
        "revision": runtime.revision,
        "dependencies": dependencies,
        "environmentVariables": runtime.environment,
        "_links": { "self": link("/v1/runtimes/nodejs".into()), "functions": link("/v1/runtimes/nodejs/functions".into()) },
    });
    if let Some(script) = &runtime.initialization_script {
        value["initializationScript"] = json!({ "script": script });
    }
    value
}

pub(crate) fn function(app: i64, f: &Function) -> Value {
    let mut value = json!({
        "id": f.id,
        "type": f.trigger,
        "runtime": { "id": app, "type": "NODEJS", "version": RUNTIME_VERSION },
        "name": f.name,
        "enabled": f.enabled,
        "timeoutMs": f.timeout_ms,
        "currentVersionNumber": f.current_version.unwrap_or(0),
        "createdTime": iso(f.created_ms),
        "_links": {
            "self": link(format!("/v1/functions/{}", f.id)),
            "versions": link(format!("/v1/functions/{}/versions", f.id)),
            "currentVersion": link(format!("/v1/functions/{}/current-version", f.id)),
            "invocations": link(format!("/v1/functions/{}/invocations", f.id)),
        },
    });
    if let Some(description) = &f.description {
        value["description"] = json!(description);
    }
    value
}

pub(crate) fn version(v: &Version) -> Value {
    json!({
        "id": v.id,
        "functionId": v.function_id,
        "versionNumber": v.number,
        "handlerScript": v.handler_script,
        "createdTime": iso(v.created_ms),
        "_links": {
            "self": link(format!("/v1/function-versions/{}", v.id)),
            "function": link(format!("/v1/functions/{}", v.function_id)),
        },
    })
}

pub(crate) fn invocation(i: &Invocation) -> Value {
    json!({
        "id": i.id,
        "functionId": i.function_id,
        "versionNumber": i.version_number,
        "type": i.trigger,
        "test": i.test,
        "args": i.args,
        "result": i.result().map(|payload| json!({ "payload": payload })),
        "error": i.error(),
        "status": i.status(),
        "logs": i.logs,
        "calls": i.calls,
        "attempts": attempts(i),
        "createdTime": iso(i.created_ms),
        "startedTime": i.started_ms.map(iso),
        "endedTime": i.ended_ms.map(iso),
        "durationMs": i.duration_ms,
        "warmStart": i.warm,
        "startMs": i.start_ms,
        "runMs": run_ms(i.duration_ms, i.start_ms),
        "_links": {
            "self": link(format!("/v1/invocations/{}", i.id)),
            "function": link(format!("/v1/functions/{}", i.function_id)),
        },
    })
}

/// Every attempt, oldest first: the past ones, then the record's own
/// unless it is one of them already (a retry waiting) or none has started.
fn attempts(i: &Invocation) -> Vec<Value> {
    let mut list: Vec<Value> = i
        .past_attempts
        .iter()
        .enumerate()
        .map(|(n, a)| {
            json!({
                "number": n + 1,
                "status": if a.error.is_some() { InvocationStatus::Failed } else { InvocationStatus::Succeeded },
                "startedTime": a.started_ms.map(iso),
                "endedTime": a.ended_ms.map(iso),
                "durationMs": a.duration_ms,
                "warmStart": a.warm,
                "startMs": a.start_ms,
                "runMs": run_ms(a.duration_ms, a.start_ms),
                "error": a.error,
                "logs": a.logs,
                "calls": a.calls,
            })
        })
        .collect();
    let status = i.status();
    if !matches!(
        status,
        InvocationStatus::Queued | InvocationStatus::Retrying
    ) {
        list.push(json!({
            "number": list.len() + 1,
            "status": status,
            "startedTime": i.started_ms.map(iso),
            "endedTime": i.ended_ms.map(iso),
            "durationMs": i.duration_ms,
            "warmStart": i.warm,
            "startMs": i.start_ms,
            "runMs": run_ms(i.duration_ms, i.start_ms),
            "error": i.error(),
            "logs": i.logs,
            "calls": i.calls,
        }));
    }
    list
}

/// The handler's own run: all but the start.
fn run_ms(duration_ms: Option<f64>, start_ms: Option<f64>) -> Option<f64> {
    Some((duration_ms? - start_ms?).max(0.0))
}

/// A HAL page: `_embedded.<name>`, `page`, and `_links` that keep the
/// request's other query parameters.
pub(crate) fn page<T>(
    name: &str,
    page: &Page<T>,
    request: &PageRequest,
    path: &str,
    query: &[(String, String)],
    render: impl Fn(&T) -> Value,
) -> Value {
    let total_pages = page.total.div_ceil(request.size);
    let href = |number: u64| {
        let mut query: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "size")
            .cloned()
            .collect();
        query.push(("page".into(), number.to_string()));
        query.push(("size".into(), request.size.to_string()));
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    };
    let mut links = Map::new();
    links.insert("self".into(), link(href(request.number)));
    links.insert("first".into(), link(href(0)));
    if total_pages > 0 {
        links.insert("last".into(), link(href(total_pages - 1)));
    }
    if request.number + 1 < total_pages {
        links.insert("next".into(), link(href(request.number + 1)));
    }
    if request.number > 0 {
        links.insert("prev".into(), link(href(request.number - 1)));
    }
    let items: Vec<Value> = page.items.iter().map(render).collect();
    json!({
        "_embedded": { name: items },
        "page": {
            "size": request.size,
            "totalElements": page.total,
            "totalPages": total_pages,
            "number": request.number,
        },
        "_links": links,
    })
}

/// Percent-encodes a query component.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
