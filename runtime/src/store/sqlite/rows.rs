//! Rows to values and back: column lists, row mappers, paging clauses, and
//! how an invocation record is written down (its JSON columns).

use rusqlite::{Connection, Row, params};
use sandbox::GuestError;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::invocation::{FailureKind, Invocation, InvocationError, InvocationStatus};
use crate::store::{Application, Function, PageRequest, SortKey, StoreError, Version};

pub(super) fn order(page: &PageRequest, allowed: &[(SortKey, &str)]) -> String {
    let column = allowed
        .iter()
        .find(|(key, _)| *key == page.sort.key)
        .map_or("id", |(_, column)| column);
    let direction = if page.sort.descending { "DESC" } else { "ASC" };
    format!("ORDER BY {column} {direction}, id {direction}")
}

pub(super) fn limits(page: &PageRequest) -> (i64, i64) {
    let size = i64::try_from(page.size).unwrap_or(i64::MAX);
    let offset = i64::try_from(page.number.saturating_mul(page.size)).unwrap_or(i64::MAX);
    (size, offset)
}

pub(super) fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Schema(format!("stored JSON is unreadable: {e}"))
}

pub(super) const FUNCTION_COLUMNS: &str =
    "id, trigger, name, description, enabled, timeout_ms, current_version, created_ms";

pub(super) fn function_row(row: &Row<'_>) -> rusqlite::Result<Function> {
    Ok(Function {
        id: row.get(0)?,
        trigger: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        enabled: row.get(4)?,
        timeout_ms: row.get(5)?,
        current_version: row.get(6)?,
        created_ms: row.get(7)?,
    })
}

pub(super) const VERSION_COLUMNS: &str =
    "v.id, v.function_id, v.number, v.handler_script, v.created_ms";

pub(super) fn version_row(row: &Row<'_>) -> rusqlite::Result<Version> {
    Ok(Version {
        id: row.get(0)?,
        function_id: row.get(1)?,
        number: row.get(2)?,
        handler_script: row.get(3)?,
        created_ms: row.get(4)?,
    })
}

pub(super) const APPLICATION_COLUMNS: &str = "id, name, platform_url, platform_token, created_ms";

pub(super) fn application_row(r: &Row<'_>) -> rusqlite::Result<Application> {
    Ok(Application {
        id: r.get(0)?,
        name: r.get(1)?,
        platform_url: r.get(2)?,
        platform_token: r.get(3)?,
        created_ms: r.get(4)?,
    })
}

const INVOCATION_COLUMNS: &str = "id, app_id, function_id, version_number, trigger, test, args, result, error, status, logs, created_ms, ended_ms, duration_ms, calls, attempts";

/// The `result` column: the handler's value under `payload`, as the chat
/// platform stores results.
#[derive(Serialize, Deserialize)]
struct StoredResult<'a> {
    #[serde(borrow)]
    payload: &'a RawValue,
}

fn to_json(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
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

/// Inserts one invocation record, or updates it (a later attempt of a
/// queued run) if it is the same function's (inside the caller's
/// transaction). Ids come from one sequence, so a record of another
/// function is never overwritten; the guard keeps it so even if one were
/// reused.
pub(super) fn put_invocation(conn: &Connection, i: &Invocation) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO invocations ({INVOCATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (id) DO UPDATE SET version_number = excluded.version_number,
           trigger = excluded.trigger, test = excluded.test, args = excluded.args,
           result = excluded.result, error = excluded.error, status = excluded.status,
           logs = excluded.logs, created_ms = excluded.created_ms, ended_ms = excluded.ended_ms,
           duration_ms = excluded.duration_ms, calls = excluded.calls, attempts = excluded.attempts
         WHERE invocations.app_id = excluded.app_id AND invocations.function_id = excluded.function_id"
    ))?;
    let result = i
        .result()
        .map(|payload| to_json(&StoredResult { payload }))
        .transpose()?;
    let error = i.error().map(to_json).transpose()?;
    stmt.execute(params![
        i.id,
        i.app_id,
        i.function_id,
        i.version_number,
        i.trigger,
        i.test,
        i.args.get(),
        result,
        error,
        i.status().as_str(),
        to_json(&i.logs)?,
        i.created_ms,
        i.ended_ms,
        i.duration_ms,
        to_json(&i.calls)?,
        i.attempts
    ])?;
    Ok(())
}

/// `SELECT {INVOCATION_COLUMNS}` for the invocation record mapper.
pub(super) fn select_invocations() -> String {
    format!("SELECT {INVOCATION_COLUMNS} FROM invocations")
}

pub(super) fn invocation_row(row: &Row<'_>) -> rusqlite::Result<Invocation> {
    let id: i64 = row.get(0)?;
    let args: String = row.get(6)?;
    let result: Option<String> = row.get(7)?;
    let error: Option<String> = row.get(8)?;
    let status: String = row.get(9)?;
    let logs: String = row.get(10)?;
    let calls: String = row.get(14)?;
    let outcome = match InvocationStatus::parse(&status) {
        Some(InvocationStatus::Running) => None,
        Some(InvocationStatus::Succeeded) => Some(Ok(result
            .as_deref()
            .and_then(|text| {
                lenient::<Option<StoredResult<'_>>>(id, "result", text, None)
                    .map(|r| r.payload.to_owned())
            })
            .unwrap_or_default())),
        Some(InvocationStatus::Failed) | None => {
            let unreadable = || InvocationError {
                kind: FailureKind::Crash,
                error: GuestError::new("Error", "the stored error is unreadable"),
            };
            Some(Err(error.as_deref().map_or_else(unreadable, |text| {
                lenient(id, "error", text, unreadable())
            })))
        }
    };
    Ok(Invocation {
        id,
        app_id: row.get(1)?,
        function_id: row.get(2)?,
        version_number: row.get(3)?,
        trigger: row.get(4)?,
        test: row.get(5)?,
        args: RawValue::from_string(args).unwrap_or_default(),
        outcome,
        logs: lenient(id, "logs", &logs, Vec::new()),
        created_ms: row.get(11)?,
        ended_ms: row.get(12)?,
        duration_ms: row.get(13)?,
        calls: lenient(id, "calls", &calls, Vec::new()),
        attempts: row.get(15)?,
    })
}
