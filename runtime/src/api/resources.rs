//! JSON resources (camelCase, with HAL `_links`) and HAL pages. Each is a
//! type that serializes as the API answers and describes itself in the
//! OpenAPI document, so the two cannot drift apart.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::invocation::{CallRecord, Invocation, InvocationError, InvocationStatus, PastAttempt};
use crate::store::{Function, InstanceReuse, PageRequest, QueueCounts, Runtime, Version};
use crate::time::iso;

pub(crate) const RUNTIME_VERSION: &str = concat!("chatfn-", env!("CARGO_PKG_VERSION"));

/// A HAL link.
#[derive(Serialize, ToSchema)]
pub(crate) struct Link {
    href: String,
}

fn link(href: String) -> Link {
    Link { href }
}

/// A resource's links by relation.
#[derive(Serialize, ToSchema, Default)]
#[serde(transparent)]
pub(crate) struct Links(BTreeMap<&'static str, Link>);

impl Links {
    fn insert(&mut self, rel: &'static str, link: Link) {
        self.0.insert(rel, link);
    }
}

fn links<const N: usize>(pairs: [(&'static str, String); N]) -> Links {
    Links(
        pairs
            .into_iter()
            .map(|(rel, href)| (rel, link(href)))
            .collect(),
    )
}

/// `NODEJS`, the only runtime type.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum RuntimeType {
    Nodejs,
}

/// The application's chat runtime.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct RuntimeResource {
    /// The application's id.
    id: i64,
    #[serde(rename = "type")]
    kind: RuntimeType,
    /// chatfn's version.
    version: &'static str,
    /// Counts changes; a function's image is rebuilt for each.
    revision: i64,
    dependencies: Vec<DependencyResource>,
    environment_variables: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    initialization_script: Option<InitializationScript>,
    #[serde(rename = "_links")]
    links: Links,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct DependencyResource {
    name: String,
    /// The version range asked for.
    version: String,
    /// Always false: chatfn installs no dependency of its own.
    default_dependency: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InitializationScript {
    script: String,
}

pub(crate) fn runtime(app: i64, runtime: &Runtime) -> RuntimeResource {
    RuntimeResource {
        id: app,
        kind: RuntimeType::Nodejs,
        version: RUNTIME_VERSION,
        revision: runtime.revision,
        dependencies: runtime
            .dependencies
            .iter()
            .map(|d| DependencyResource {
                name: d.name.clone(),
                version: d.version.clone(),
                default_dependency: false,
            })
            .collect(),
        environment_variables: runtime.environment.clone(),
        initialization_script: runtime.initialization_script.as_ref().map(|script| {
            InitializationScript {
                script: script.clone(),
            }
        }),
        links: links([
            ("self", "/v1/runtimes/nodejs".into()),
            ("functions", "/v1/runtimes/nodejs/functions".into()),
        ]),
    }
}

/// The runtime a function runs on, in brief.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuntimeRef {
    id: i64,
    #[serde(rename = "type")]
    kind: RuntimeType,
    version: &'static str,
}

/// A function: the handler of one trigger type, with its versions.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct FunctionResource {
    id: i64,
    /// Its trigger type.
    #[serde(rename = "type")]
    #[schema(example = "user.attempted.start_session")]
    trigger: String,
    runtime: RuntimeRef,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    description: Option<String>,
    enabled: bool,
    timeout_ms: u32,
    /// `none`: every invocation on a never-used instance (nothing survives
    /// it). `sequential`: an instance serves one invocation at a time and
    /// is kept for the next ones of the same version, module scope and
    /// all.
    instance_reuse: InstanceReuse,
    /// 0 until a version is deployed.
    current_version_number: i64,
    #[schema(format = DateTime)]
    created_time: String,
    #[serde(rename = "_links")]
    links: Links,
}

pub(crate) fn function(app: i64, f: &Function) -> FunctionResource {
    FunctionResource {
        id: f.id,
        trigger: f.trigger.clone(),
        runtime: RuntimeRef {
            id: app,
            kind: RuntimeType::Nodejs,
            version: RUNTIME_VERSION,
        },
        name: f.name.clone(),
        description: f.description.clone(),
        enabled: f.enabled,
        timeout_ms: f.timeout_ms,
        instance_reuse: f.instance_reuse,
        current_version_number: f.current_version.unwrap_or(0),
        created_time: iso(f.created_ms),
        links: links([
            ("self", format!("/v1/functions/{}", f.id)),
            ("versions", format!("/v1/functions/{}/versions", f.id)),
            (
                "currentVersion",
                format!("/v1/functions/{}/current-version", f.id),
            ),
            ("invocations", format!("/v1/functions/{}/invocations", f.id)),
        ]),
    }
}

/// A deployed handler: versions number up from 1 per function.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionResource {
    id: i64,
    function_id: i64,
    version_number: i64,
    handler_script: String,
    #[schema(format = DateTime)]
    created_time: String,
    #[serde(rename = "_links")]
    links: Links,
}

pub(crate) fn version(v: &Version) -> VersionResource {
    VersionResource {
        id: v.id,
        function_id: v.function_id,
        version_number: v.number,
        handler_script: v.handler_script.clone(),
        created_time: iso(v.created_ms),
        links: links([
            ("self", format!("/v1/function-versions/{}", v.id)),
            ("function", format!("/v1/functions/{}", v.function_id)),
        ]),
    }
}

/// An error as the guest reported it (or the sandbox about it), with its
/// position in the handler or init script when known.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes sandbox::GuestError in the document")]
pub(crate) struct GuestErrorSchema {
    /// The JS error's name (`TypeError`, …), or a sandbox name for limits.
    name: String,
    message: String,
    #[schema(nullable = false)]
    stack: Option<String>,
    #[schema(nullable = false)]
    file: Option<String>,
    #[schema(nullable = false, minimum = 1)]
    line: Option<u32>,
    #[schema(nullable = false, minimum = 1)]
    column: Option<u32>,
}

/// Why an invocation failed: its kind, then the guest error's fields.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes InvocationError in the document")]
pub(crate) struct InvocationErrorSchema {
    #[serde(rename = "type")]
    #[schema(value_type = String, pattern = "^(TIMEOUT|CPU_LIMIT|MEMORY_LIMIT|EXCEPTION|CRASH|INVALID_RESULT|UNSETTLED|INIT_ERROR)$")]
    kind: String,
    name: String,
    message: String,
    #[schema(nullable = false)]
    stack: Option<String>,
    #[schema(nullable = false)]
    file: Option<String>,
    #[schema(nullable = false, minimum = 1)]
    line: Option<u32>,
    #[schema(nullable = false, minimum = 1)]
    column: Option<u32>,
}

/// One console line.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "describes sandbox::LogEntry in the document")]
pub(crate) struct LogEntrySchema {
    #[schema(value_type = String, pattern = "^(debug|log|info|warn|error)$")]
    level: String,
    message: String,
}

/// The handler's value.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InvocationResult<'a> {
    /// Any JSON value.
    #[schema(value_type = Value)]
    payload: &'a RawValue,
}

/// One attempt of an invocation.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct AttemptResource<'a> {
    /// From 1.
    number: usize,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    status: InvocationStatus,
    #[schema(format = DateTime)]
    started_time: Option<String>,
    #[schema(format = DateTime)]
    ended_time: Option<String>,
    /// From its start to its end, image build included.
    duration_ms: Option<f64>,
    /// Whether it ran on an instance made ahead of time (by the warm pool,
    /// or kept from an earlier invocation).
    warm_start: Option<bool>,
    /// Whether that instance had served earlier invocations of the
    /// version (the function's `instanceReuse`).
    reused_instance: Option<bool>,
    /// Getting to `handleEvent`: the image (built if it was not), then an
    /// instance.
    start_ms: Option<f64>,
    /// The handler itself: `durationMs - startMs`.
    run_ms: Option<f64>,
    #[schema(value_type = Option<InvocationErrorSchema>)]
    error: Option<&'a InvocationError>,
    #[schema(value_type = Vec<LogEntrySchema>)]
    logs: &'a [sandbox::LogEntry],
    calls: &'a [CallRecord],
}

/// One run of a function version, and every attempt at it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct InvocationResource<'a> {
    id: i64,
    function_id: i64,
    version_number: i64,
    /// The trigger type.
    #[serde(rename = "type")]
    trigger: &'a str,
    /// Run through the test endpoint, not by a trigger.
    test: bool,
    /// The event.
    #[schema(value_type = Value)]
    args: &'a RawValue,
    result: Option<InvocationResult<'a>>,
    /// The last attempt's error.
    #[schema(value_type = Option<InvocationErrorSchema>)]
    error: Option<&'a InvocationError>,
    status: InvocationStatus,
    /// The last attempt's console output.
    #[schema(value_type = Vec<LogEntrySchema>)]
    logs: &'a [sandbox::LogEntry],
    /// The last attempt's outbound calls.
    calls: &'a [CallRecord],
    /// Every attempt, oldest first.
    attempts: Vec<AttemptResource<'a>>,
    #[schema(format = DateTime)]
    created_time: String,
    #[schema(format = DateTime)]
    started_time: Option<String>,
    #[schema(format = DateTime)]
    ended_time: Option<String>,
    duration_ms: Option<f64>,
    warm_start: Option<bool>,
    reused_instance: Option<bool>,
    start_ms: Option<f64>,
    run_ms: Option<f64>,
    #[serde(rename = "_links")]
    links: Links,
}

pub(crate) fn invocation(i: &Invocation) -> InvocationResource<'_> {
    InvocationResource {
        id: i.id,
        function_id: i.function_id,
        version_number: i.version_number,
        trigger: &i.trigger,
        test: i.test,
        args: &i.args,
        result: i.result().map(|payload| InvocationResult { payload }),
        error: i.error(),
        status: i.status(),
        logs: &i.logs,
        calls: &i.calls,
        attempts: attempts(i),
        created_time: iso(i.created_ms),
        started_time: i.started_ms.map(iso),
        ended_time: i.ended_ms.map(iso),
        duration_ms: i.duration_ms,
        warm_start: i.warm,
        reused_instance: i.reused,
        start_ms: i.start_ms,
        run_ms: run_ms(i.duration_ms, i.start_ms),
        links: links([
            ("self", format!("/v1/invocations/{}", i.id)),
            ("function", format!("/v1/functions/{}", i.function_id)),
        ]),
    }
}

/// Every attempt, oldest first: the past ones, then the record's own
/// unless it is one of them already (a retry waiting) or none has started.
fn attempts(i: &Invocation) -> Vec<AttemptResource<'_>> {
    let mut list: Vec<AttemptResource<'_>> = i
        .past_attempts
        .iter()
        .enumerate()
        .map(|(n, a): (usize, &PastAttempt)| AttemptResource {
            number: n + 1,
            status: if a.error.is_some() {
                InvocationStatus::Failed
            } else {
                InvocationStatus::Succeeded
            },
            started_time: a.started_ms.map(iso),
            ended_time: a.ended_ms.map(iso),
            duration_ms: a.duration_ms,
            warm_start: a.warm,
            reused_instance: a.reused,
            start_ms: a.start_ms,
            run_ms: run_ms(a.duration_ms, a.start_ms),
            error: a.error.as_ref(),
            logs: &a.logs,
            calls: &a.calls,
        })
        .collect();
    let status = i.status();
    if !matches!(
        status,
        InvocationStatus::Queued | InvocationStatus::Retrying
    ) {
        list.push(AttemptResource {
            number: list.len() + 1,
            status,
            started_time: i.started_ms.map(iso),
            ended_time: i.ended_ms.map(iso),
            duration_ms: i.duration_ms,
            warm_start: i.warm,
            reused_instance: i.reused,
            start_ms: i.start_ms,
            run_ms: run_ms(i.duration_ms, i.start_ms),
            error: i.error(),
            logs: &i.logs,
            calls: &i.calls,
        });
    }
    list
}

/// The handler's own run: all but the start.
fn run_ms(duration_ms: Option<f64>, start_ms: Option<f64>) -> Option<f64> {
    Some((duration_ms? - start_ms?).max(0.0))
}

/// A function's non-blocking runs by state.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueueResource {
    /// Waiting for their first attempt.
    queued: u64,
    running: u64,
    /// Waiting for another attempt after a failure.
    retrying: u64,
    /// Out of attempts, until re-driven.
    failed: u64,
    #[serde(rename = "_links")]
    links: Links,
}

pub(crate) fn queue(function: i64, counts: QueueCounts) -> QueueResource {
    QueueResource {
        queued: counts.queued,
        running: counts.running,
        retrying: counts.retrying,
        failed: counts.failed,
        links: links([
            ("function", format!("/v1/functions/{function}")),
            (
                "invocations",
                format!("/v1/functions/{function}/invocations"),
            ),
        ]),
    }
}

/// A non-blocking event, accepted (or re-driven): it runs later.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct Accepted {
    pub(crate) invocation_id: i64,
}

/// A blocking trigger's answer when the handler succeeded.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerResult<'a> {
    pub(crate) invocation_id: i64,
    /// Always `SUCCEEDED`.
    pub(crate) status: InvocationStatus,
    pub(crate) result: Option<InvocationResult<'a>>,
}

impl<'a> TriggerResult<'a> {
    pub(crate) fn of(id: i64, invocation: &'a Invocation) -> TriggerResult<'a> {
        TriggerResult {
            invocation_id: id,
            status: InvocationStatus::Succeeded,
            result: invocation
                .result()
                .map(|payload| InvocationResult { payload }),
        }
    }
}

/// Page metadata.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code, reason = "describes `page` in the document")]
pub(crate) struct PageMeta {
    size: u64,
    total_elements: u64,
    total_pages: u64,
    number: u64,
}

/// Declares a HAL page of `$item`s under `_embedded.$name`, for the
/// document ([`page`] writes it).
macro_rules! hal_page {
    ($page:ident, $embedded:ident, $name:ident, $item:ty) => {
        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code, reason = "describes a page in the document")]
        pub(crate) struct $embedded {
            $name: Vec<$item>,
        }

        #[derive(ToSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code, reason = "describes a page in the document")]
        pub(crate) struct $page {
            #[serde(rename = "_embedded")]
            embedded: $embedded,
            page: PageMeta,
            #[serde(rename = "_links")]
            links: Links,
        }
    };
}

hal_page!(FunctionPage, FunctionsEmbedded, functions, FunctionResource);
hal_page!(VersionPage, VersionsEmbedded, versions, VersionResource);
hal_page!(
    InvocationPage,
    InvocationsEmbedded,
    invocations,
    InvocationResource<'static>
);

/// A HAL page: `_embedded.<name>`, `page`, and `_links` that keep the
/// request's other query parameters.
pub(crate) fn page<R: Serialize>(
    name: &str,
    items: Vec<R>,
    total: u64,
    request: &PageRequest,
    path: &str,
    query: &[(String, String)],
) -> Value {
    let total_pages = total.div_ceil(request.size);
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
    let mut links = Links::default();
    links.insert("self", link(href(request.number)));
    links.insert("first", link(href(0)));
    if total_pages > 0 {
        links.insert("last", link(href(total_pages - 1)));
    }
    if request.number + 1 < total_pages {
        links.insert("next", link(href(request.number + 1)));
    }
    if request.number > 0 {
        links.insert("prev", link(href(request.number - 1)));
    }
    json!({
        "_embedded": { name: items },
        "page": {
            "size": request.size,
            "totalElements": total,
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
