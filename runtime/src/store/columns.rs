//! What both backends write into their columns and read back: an
//! invocation record's JSON columns, a runtime's, and the paging clauses.
//! Each backend only moves these values in and out of its rows, so a
//! record reads the same from either.

use sandbox::GuestError;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{PageRequest, Runtime, RuntimeChange, SortKey, StoreError};
use crate::invocation::{
    FailureKind, Invocation, InvocationError, InvocationStatus, PastAttempt, Pending,
};

/// `ORDER BY` for a page: the requested key if `allowed` maps it to a
/// column, else the id; the id breaks ties so pages never overlap.
pub(super) fn order(page: &PageRequest, allowed: &[(SortKey, &str)]) -> String {
    let term = |sort: &super::Sort| {
        let column = allowed
            .iter()
            .find(|(key, _)| *key == sort.key)
            .map_or("id", |(_, column)| column);
        let direction = if sort.descending { "DESC" } else { "ASC" };
        (column, direction)
    };
    let (column, direction) = term(&page.sort);
    let mut order = format!("ORDER BY {column} {direction}");
    if let Some((column, direction)) = page.then.as_ref().map(term) {
        order.push_str(&format!(", {column} {direction}"));
    }
    order.push_str(&format!(", id {direction}"));
    order
}

/// The id bound of a cursor (see [`InvocationFilter::after`]): records with
/// ids below it when the list is newest first, above it otherwise.
pub(super) fn after_bounds(
    filter: &super::InvocationFilter,
    page: &PageRequest,
) -> (Option<i64>, Option<i64>) {
    match (filter.after, page.sort.descending) {
        (Some(id), true) => (Some(id), None),
        (Some(id), false) => (None, Some(id)),
        (None, _) => (None, None),
    }
}

/// (LIMIT, OFFSET) of a page.
pub(super) fn limits(page: &PageRequest) -> (i64, i64) {
    let size = i64::try_from(page.size).unwrap_or(i64::MAX);
    let offset = i64::try_from(page.number.saturating_mul(page.size)).unwrap_or(i64::MAX);
    (size, offset)
}

pub(super) fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Schema(format!("stored JSON is unreadable: {e}"))
}

/// The invocation columns, in the order both backends list them.
pub(super) const INVOCATION_COLUMNS: &str = "id, app_id, function_id, version_number, trigger, test, args, result, error, status, logs, created_ms, ended_ms, duration_ms, calls, attempts, started_ms, warm, start_ms, reused";

/// The past attempts' column a select adds after [`INVOCATION_COLUMNS`]:
/// one statement reads a record and its attempts from one snapshot.
/// `{agg}` is the dialect's JSON array aggregate over `body`.
pub(super) fn past_attempts_column(agg: &str) -> String {
    format!(
        "(SELECT {agg} FROM invocation_attempts a WHERE a.invocation_id = invocations.id) AS past_attempts"
    )
}

/// The next attempt number of invocation `{id}` (an SQL expression).
pub(super) fn next_attempt_number(id: &str) -> String {
    format!(
        "COALESCE((SELECT MAX(number) FROM invocation_attempts x WHERE x.invocation_id = {id}), 0) + 1"
    )
}

/// `SET` terms that clear a record's attempt (kept as a past attempt
/// first, where it ended), for the next one.
pub(super) const CLEAR_ATTEMPT: &str = "result = NULL, error = NULL, logs = '[]', calls = '[]', \
    ended_ms = NULL, duration_ms = NULL, warm = NULL, start_ms = NULL, reused = NULL";

/// The attempt a record holds, as stored in `invocation_attempts.body`.
pub(super) fn encode_past_attempt(i: &Invocation) -> Result<String, serde_json::Error> {
    serde_json::to_string(&PastAttempt::of(i))
}

/// The `result` column: the handler's value under `payload`, as the chat
/// platform stores results.
#[derive(Serialize, Deserialize)]
struct StoredResult<'a> {
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// An invocation record's columns that are not plain values.
pub(super) struct EncodedInvocation {
    pub(super) result: Option<String>,
    pub(super) error: Option<String>,
    pub(super) status: &'static str,
    pub(super) logs: String,
    pub(super) calls: String,
}

/// The JSON columns of `i`.
pub(super) fn encode_invocation(i: &Invocation) -> Result<EncodedInvocation, serde_json::Error> {
    Ok(EncodedInvocation {
        result: i
            .result()
            .map(|payload| serde_json::to_string(&StoredResult { payload }))
            .transpose()?,
        error: i.error().map(serde_json::to_string).transpose()?,
        status: i.status().as_str(),
        logs: serde_json::to_string(&i.logs)?,
        calls: serde_json::to_string(&i.calls)?,
    })
}

/// An invocation row as read, before its JSON columns are parsed.
pub(super) struct StoredInvocation {
    pub(super) id: i64,
    pub(super) app_id: i64,
    pub(super) function_id: i64,
    pub(super) version_number: i64,
    pub(super) trigger: String,
    pub(super) test: bool,
    pub(super) args: String,
    pub(super) result: Option<String>,
    pub(super) error: Option<String>,
    pub(super) status: String,
    pub(super) logs: String,
    pub(super) created_ms: i64,
    pub(super) ended_ms: Option<i64>,
    pub(super) duration_ms: Option<f64>,
    pub(super) calls: String,
    pub(super) attempts: i64,
    pub(super) started_ms: Option<i64>,
    pub(super) warm: Option<bool>,
    pub(super) reused: Option<bool>,
    pub(super) start_ms: Option<f64>,
    /// A JSON array of the past attempts' bodies, oldest first (`NULL` or
    /// `[]` when there are none).
    pub(super) past_attempts: Option<String>,
}

/// A stored JSON column as `T`; what does not read as `T` (written by a
/// build with other kinds, say) becomes `fallback` and a warning, rather
/// than failing the whole page it is on.
fn lenient<'a, T: Deserialize<'a>>(id: i64, column: &str, text: &'a str, fallback: T) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| {
        tracing::warn!(invocation = id, column, "unreadable stored JSON: {e}");
        fallback
    })
}

impl StoredInvocation {
    /// The record, read leniently (see [`lenient`]).
    pub(super) fn decode(self) -> Invocation {
        let id = self.id;
        let status = InvocationStatus::parse(&self.status);
        let unreadable = || InvocationError {
            kind: FailureKind::Crash,
            error: GuestError::new("Error", "the stored error is unreadable"),
        };
        let pending = match status {
            Some(InvocationStatus::Queued) => Some(Pending::Queued),
            Some(InvocationStatus::Running) => Some(Pending::Running),
            Some(InvocationStatus::Retrying) => Some(Pending::Retrying),
            _ => None,
        };
        let outcome = match status {
            Some(InvocationStatus::Queued | InvocationStatus::Running) => None,
            // The failed attempt's error, while the next one waits.
            Some(InvocationStatus::Retrying) => self
                .error
                .as_deref()
                .map(|text| Err(lenient(id, "error", text, unreadable()))),
            Some(InvocationStatus::Succeeded) => Some(Ok(self
                .result
                .as_deref()
                .and_then(|text| {
                    lenient::<Option<StoredResult<'_>>>(id, "result", text, None)
                        .map(|r| r.payload.to_owned())
                })
                .unwrap_or_default())),
            Some(InvocationStatus::Failed) | None => Some(Err(self
                .error
                .as_deref()
                .map_or_else(unreadable, |text| lenient(id, "error", text, unreadable())))),
        };
        Invocation {
            id,
            app_id: self.app_id,
            function_id: self.function_id,
            version_number: self.version_number,
            trigger: self.trigger,
            test: self.test,
            args: RawValue::from_string(self.args).unwrap_or_default(),
            outcome,
            logs: lenient(id, "logs", &self.logs, Vec::new()),
            created_ms: self.created_ms,
            ended_ms: self.ended_ms,
            duration_ms: self.duration_ms,
            calls: lenient(id, "calls", &self.calls, Vec::new()),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            pending,
            started_ms: self.started_ms,
            warm: self.warm,
            reused: self.reused,
            start_ms: self.start_ms,
            past_attempts: self
                .past_attempts
                .as_deref()
                .map(|text| lenient(id, "past_attempts", text, Vec::new()))
                .unwrap_or_default(),
        }
    }
}

/// A runtime from its row (revision, dependencies, environment,
/// initialization script, lockfile).
pub(super) fn decode_runtime(
    revision: i64,
    dependencies: &str,
    environment: &str,
    initialization_script: Option<String>,
    lockfile: Option<String>,
) -> Result<Runtime, StoreError> {
    Ok(Runtime {
        revision,
        dependencies: serde_json::from_str(dependencies).map_err(json_error)?,
        environment: serde_json::from_str(environment).map_err(json_error)?,
        initialization_script,
        lockfile,
    })
}

/// `runtime` with `change` made, at the next revision; and its
/// (dependencies, environment) columns.
pub(super) fn change_runtime(
    runtime: Runtime,
    change: RuntimeChange,
) -> Result<(Runtime, String, String), StoreError> {
    let runtime = runtime.changed(change);
    let dependencies = serde_json::to_string(&runtime.dependencies).map_err(json_error)?;
    let environment = serde_json::to_string(&runtime.environment).map_err(json_error)?;
    Ok((runtime, dependencies, environment))
}
