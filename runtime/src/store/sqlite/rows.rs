//! SQLite rows to values and back: column lists, row mappers, and the
//! invocation upsert (its JSON columns are [`columns`](crate::store::columns)'s).

use rusqlite::{Connection, Row, params};

use crate::invocation::Invocation;
use crate::store::columns::{
    INVOCATION_COLUMNS, StoredInvocation, encode_invocation, encode_past_attempt,
    next_attempt_number, past_attempts_column,
};
use crate::store::{Application, Function, InstanceReuse, Version};

pub(super) const FUNCTION_COLUMNS: &str = "id, trigger, name, description, enabled, timeout_ms, current_version, created_ms, instance_reuse";

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
        instance_reuse: InstanceReuse::parse(&row.get::<_, String>(8)?),
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

/// Inserts one invocation record, or updates it (an attempt of a queued
/// run, whose record was written QUEUED when it was accepted: its creation
/// time stays) if it is the same function's (inside the caller's
/// transaction). Ids come from one sequence, so a record of another
/// function is never overwritten; the guard keeps it so even if one were
/// reused.
pub(super) fn put_invocation(conn: &Connection, i: &Invocation) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO invocations ({INVOCATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
         ON CONFLICT (id) DO UPDATE SET version_number = excluded.version_number,
           trigger = excluded.trigger, test = excluded.test, args = excluded.args,
           result = excluded.result, error = excluded.error, status = excluded.status,
           logs = excluded.logs, ended_ms = excluded.ended_ms,
           duration_ms = excluded.duration_ms, calls = excluded.calls, attempts = excluded.attempts,
           started_ms = excluded.started_ms, warm = excluded.warm, start_ms = excluded.start_ms,
           reused = excluded.reused
         WHERE invocations.app_id = excluded.app_id AND invocations.function_id = excluded.function_id"
    ))?;
    let encoded =
        encode_invocation(i).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    stmt.execute(params![
        i.id,
        i.app_id,
        i.function_id,
        i.version_number,
        i.trigger,
        i.test,
        i.args.get(),
        encoded.result,
        encoded.error,
        encoded.status,
        encoded.logs,
        i.created_ms,
        i.ended_ms,
        i.duration_ms,
        encoded.calls,
        i.attempts,
        i.started_ms,
        i.warm,
        i.start_ms,
        i.reused
    ])?;
    Ok(())
}

/// Keeps the attempt `record` holds as its invocation's next past attempt
/// (inside the caller's transaction), before a retry replaces it.
pub(super) fn keep_past_attempt(conn: &Connection, record: &Invocation) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
         VALUES (?1, {}, ?2, ?3)",
        next_attempt_number("?1")
    ))?;
    let body = encode_past_attempt(record)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    stmt.execute(params![record.id, record.app_id, body])?;
    Ok(())
}

/// The past attempt of a record left RUNNING by a process that stopped:
/// only its start is known.
pub(super) const ABANDONED_ATTEMPT_FROM_COLUMNS: &str = "json_object('startedMs', started_ms,
   'error', json_object('type', 'CRASH', 'name', 'AbandonedError', 'message', 'the process running this attempt stopped before it ended'),
   'logs', json('[]'), 'calls', json('[]'))";

/// The past attempt a stored record holds, built from its columns (for a
/// re-drive, which replaces a failed record without reading it first).
pub(super) const PAST_ATTEMPT_FROM_COLUMNS: &str = "json_object('startedMs', started_ms, 'endedMs', ended_ms,
   'durationMs', duration_ms, 'warm', CASE WHEN warm IS NULL THEN NULL WHEN warm THEN json('true') ELSE json('false') END,
   'reused', CASE WHEN reused IS NULL THEN NULL WHEN reused THEN json('true') ELSE json('false') END,
   'startMs', start_ms, 'error', json(error), 'logs', json(logs), 'calls', json(calls))";

/// `SELECT {INVOCATION_COLUMNS}` for the invocation record mapper.
pub(super) fn select_invocations() -> String {
    format!(
        "SELECT {INVOCATION_COLUMNS}, {} FROM invocations",
        past_attempts_column("json_group_array(json(body) ORDER BY number)")
    )
}

pub(super) fn invocation_row(row: &Row<'_>) -> rusqlite::Result<Invocation> {
    Ok(StoredInvocation {
        id: row.get(0)?,
        app_id: row.get(1)?,
        function_id: row.get(2)?,
        version_number: row.get(3)?,
        trigger: row.get(4)?,
        test: row.get(5)?,
        args: row.get(6)?,
        result: row.get(7)?,
        error: row.get(8)?,
        status: row.get(9)?,
        logs: row.get(10)?,
        created_ms: row.get(11)?,
        ended_ms: row.get(12)?,
        duration_ms: row.get(13)?,
        calls: row.get(14)?,
        attempts: row.get(15)?,
        started_ms: row.get(16)?,
        warm: row.get(17)?,
        start_ms: row.get(18)?,
        reused: row.get(19)?,
        past_attempts: row.get(20)?,
    }
    .decode())
}
