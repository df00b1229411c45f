//! The invocation log: records written a batch per statement.

use std::collections::HashSet;
use std::ops::Range;

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PostgresStore;
use crate::invocation::{Invocation, InvocationStatus};
use crate::store::columns::{
    INVOCATION_COLUMNS, StoredInvocation, after_bounds, encode_invocation, json_error, limits,
    next_attempt_number, order, past_attempts_column,
};
use crate::store::{
    InvocationFilter, InvocationStore, MAX_SAMPLES, Page, PageRequest, RunSample, SortKey,
    StoreResult,
};

fn invocation_row(row: &Row) -> StoreResult<Invocation> {
    Ok(StoredInvocation {
        id: row.try_get(0)?,
        app_id: row.try_get(1)?,
        function_id: row.try_get(2)?,
        version_number: row.try_get(3)?,
        trigger: row.try_get(4)?,
        test: row.try_get(5)?,
        args: row.try_get(6)?,
        result: row.try_get(7)?,
        error: row.try_get(8)?,
        status: row.try_get(9)?,
        logs: row.try_get(10)?,
        created_ms: row.try_get(11)?,
        ended_ms: row.try_get(12)?,
        duration_ms: row.try_get(13)?,
        calls: row.try_get(14)?,
        attempts: row.try_get(15)?,
        started_ms: row.try_get(16)?,
        warm: row.try_get(17)?,
        start_ms: row.try_get(18)?,
        reused: row.try_get(19)?,
        past_attempts: row.try_get(20)?,
    }
    .decode())
}

/// `SELECT` of records with their past attempts.
fn select_invocations() -> String {
    format!(
        "SELECT {INVOCATION_COLUMNS}, {} FROM invocations",
        past_attempts_column("json_agg(body::json ORDER BY number)::text")
    )
}

/// Keeps the attempts of records (retries) as their invocations' next
/// past attempts, for those whose id `ended` (a CTE) returns: a CTE
/// reading arrays `$first` (ids), `$first+1` (apps), `$first+2` (bodies).
/// Numbers come from one snapshot, so should a stale runner's attempt
/// share a batch with the current one's, the second is dropped rather
/// than failing the batch.
pub(super) fn keep_past_attempts(first: usize, ended: &str) -> String {
    format!(
        "INSERT INTO invocation_attempts (invocation_id, number, app_id, body)
         SELECT p.id, {}, p.app_id, p.body
         FROM UNNEST(${first}::bigint[], ${}::bigint[], ${}::text[]) AS p(id, app_id, body)
         WHERE p.id IN (SELECT id FROM {ended})
         ON CONFLICT DO NOTHING",
        next_attempt_number("p.id"),
        first + 1,
        first + 2
    )
}

/// The past attempt of a record left RUNNING by a node that stopped: only
/// its start is known.
pub(super) const ABANDONED_ATTEMPT_FROM_COLUMNS: &str = "json_build_object('startedMs', started_ms,
   'error', json_build_object('type', 'CRASH', 'name', 'AbandonedError', 'message', 'the node running this attempt stopped before it ended'),
   'logs', json_build_array(), 'calls', json_build_array())::text";

/// The past attempt a stored record holds, built from its columns (for a
/// re-drive, which replaces a failed record without reading it first).
pub(super) const PAST_ATTEMPT_FROM_COLUMNS: &str =
    "json_build_object('startedMs', started_ms, 'endedMs', ended_ms,
   'durationMs', duration_ms, 'warm', warm, 'reused', reused, 'startMs', start_ms, 'error', error::json,
   'logs', logs::json, 'calls', calls::json)::text";

/// The upsert of a batch of records: rows from [`unnest`], inserted, or
/// updated (a later attempt of a queued run) if they are the same
/// function's. Ids come from one sequence, so another function's record is
/// never overwritten; the guard keeps it so even if one were reused.
const UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET version_number = excluded.version_number,
   trigger = excluded.trigger, test = excluded.test, args = excluded.args,
   result = excluded.result, error = excluded.error, status = excluded.status,
   logs = excluded.logs, ended_ms = excluded.ended_ms,
   duration_ms = excluded.duration_ms, calls = excluded.calls, attempts = excluded.attempts,
   started_ms = excluded.started_ms, warm = excluded.warm, start_ms = excluded.start_ms,
   reused = excluded.reused
 WHERE invocations.app_id = excluded.app_id AND invocations.function_id = excluded.function_id";

/// `UNNEST(...)` of a [`Records`]' arrays, as parameters `$first…`, with
/// the invocation columns' names.
pub(super) fn unnest(first: usize) -> String {
    let types = [
        "bigint", "bigint", "bigint", "bigint", "text", "boolean", "text", "text", "text", "text",
        "text", "bigint", "bigint", "float8", "text", "bigint", "bigint", "boolean", "float8",
        "boolean",
    ];
    let arrays: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(n, t)| format!("${}::{t}[]", first + n))
        .collect();
    format!("UNNEST({}) AS r({INVOCATION_COLUMNS})", arrays.join(", "))
}

/// `INSERT … SELECT … FROM {unnest(1)} {UPSERT}`: a batch in one
/// statement, one round trip, which is what lets the database keep up with
/// the blocking path.
fn insert_batch() -> String {
    format!(
        "INSERT INTO invocations ({INVOCATION_COLUMNS}) SELECT {INVOCATION_COLUMNS} FROM {} {UPSERT}",
        unnest(1)
    )
}

/// `INSERT INTO invocations … {UPSERT}` of the rows a query names `r`
/// (for callers that pick which of a batch to write).
pub(super) fn insert_from(rows: &str) -> String {
    format!("INSERT INTO invocations ({INVOCATION_COLUMNS}) SELECT r.* FROM {rows} {UPSERT}")
}

/// A batch of records, column by column: one array parameter each.
#[derive(Default)]
pub(super) struct Records<'a> {
    id: Vec<i64>,
    app_id: Vec<i64>,
    function_id: Vec<i64>,
    version_number: Vec<i64>,
    trigger: Vec<&'a str>,
    test: Vec<bool>,
    args: Vec<&'a str>,
    result: Vec<Option<String>>,
    error: Vec<Option<String>>,
    status: Vec<&'static str>,
    logs: Vec<String>,
    created_ms: Vec<i64>,
    ended_ms: Vec<Option<i64>>,
    duration_ms: Vec<Option<f64>>,
    calls: Vec<String>,
    attempts: Vec<i64>,
    started_ms: Vec<Option<i64>>,
    warm: Vec<Option<bool>>,
    start_ms: Vec<Option<f64>>,
    reused: Vec<Option<bool>>,
}

impl<'a> Records<'a> {
    /// The batch's records; where one appears twice, its last version (a
    /// statement may not update a row twice).
    pub(super) fn new(batch: impl DoubleEndedIterator<Item = &'a Invocation>) -> StoreResult<Self> {
        let mut seen = HashSet::new();
        let mut c = Records::default();
        for i in batch.rev().filter(|i| seen.insert(i.id)) {
            let encoded = encode_invocation(i).map_err(json_error)?;
            c.id.push(i.id);
            c.app_id.push(i.app_id);
            c.function_id.push(i.function_id);
            c.version_number.push(i.version_number);
            c.trigger.push(i.trigger.as_str());
            c.test.push(i.test);
            c.args.push(i.args.get());
            c.result.push(encoded.result);
            c.error.push(encoded.error);
            c.status.push(encoded.status);
            c.logs.push(encoded.logs);
            c.created_ms.push(i.created_ms);
            c.ended_ms.push(i.ended_ms);
            c.duration_ms.push(i.duration_ms);
            c.calls.push(encoded.calls);
            c.attempts.push(i64::from(i.attempts));
            c.started_ms.push(i.started_ms);
            c.warm.push(i.warm);
            c.start_ms.push(i.start_ms);
            c.reused.push(i.reused);
        }
        Ok(c)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The 20 array parameters, in [`unnest`]'s order.
    pub(super) fn params(&self) -> [&(dyn ToSql + Sync); 20] {
        [
            &self.id,
            &self.app_id,
            &self.function_id,
            &self.version_number,
            &self.trigger,
            &self.test,
            &self.args,
            &self.result,
            &self.error,
            &self.status,
            &self.logs,
            &self.created_ms,
            &self.ended_ms,
            &self.duration_ms,
            &self.calls,
            &self.attempts,
            &self.started_ms,
            &self.warm,
            &self.start_ms,
            &self.reused,
        ]
    }
}

impl InvocationStore for PostgresStore {
    fn put_invocations(&self, batch: &[Invocation]) -> StoreResult<()> {
        let records = Records::new(batch.iter())?;
        if records.is_empty() {
            return Ok(());
        }
        self.run(|client| async move {
            let stmt = client.prepare_cached(&insert_batch()).await?;
            client.execute(&stmt, &records.params()).await?;
            Ok(())
        })
    }

    fn list_invocations(
        &self,
        app: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>> {
        self.run(|client| async move {
            let condition = "app_id = $1 AND ($2::bigint IS NULL OR function_id = $2)
                 AND ($3::text IS NULL OR trigger = $3) AND ($4::text IS NULL OR status = $4)
                 AND ($5::bigint IS NULL OR version_number = $5) AND ($6::boolean IS NULL OR test = $6)
                 AND ($7::bigint IS NULL OR created_ms >= $7) AND ($8::bigint IS NULL OR created_ms < $8)";
            let status = filter.status.map(InvocationStatus::as_str);
            let filters: [&(dyn ToSql + Sync); 8] = [
                &app,
                &filter.function,
                &filter.trigger,
                &status,
                &filter.version_number,
                &filter.test,
                &filter.from_ms,
                &filter.to_ms,
            ];
            let total: i64 = client
                .query_one(
                    &format!("SELECT COUNT(*) FROM invocations WHERE {condition}"),
                    &filters,
                )
                .await?
                .try_get(0)?;
            let order = order(
                &page,
                &[
                    (SortKey::CreatedTime, "created_ms"),
                    (SortKey::VersionNumber, "version_number"),
                ],
            );
            let (size, offset) = limits(&page);
            let (below, above) = after_bounds(filter, &page);
            let offset = if filter.after.is_some() { 0 } else { offset };
            let items = client
                .query(
                    &format!(
                        "{} WHERE {condition}
                         AND ($9::bigint IS NULL OR id < $9) AND ($10::bigint IS NULL OR id > $10)
                         {order} LIMIT $11 OFFSET $12",
                        select_invocations()
                    ),
                    &[&filters[..], &[&below, &above, &size, &offset]].concat(),
                )
                .await?
                .iter()
                .map(invocation_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Page {
                items,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
    }

    fn invocation(&self, app: i64, id: i64) -> StoreResult<Option<Invocation>> {
        self.run(|client| async move {
            client
                .query_opt(
                    &format!("{} WHERE app_id = $1 AND id = $2", select_invocations()),
                    &[&app, &id],
                )
                .await?
                .as_ref()
                .map(invocation_row)
                .transpose()
        })
    }

    fn run_samples(&self, app: i64, function: i64, from_ms: i64) -> StoreResult<Vec<RunSample>> {
        self.run(|client| async move {
            let rows = client
                .query(
                    "SELECT created_ms, status, duration_ms, warm FROM invocations
                     WHERE function_id = $1 AND app_id = $2 AND created_ms >= $3 AND NOT test
                     ORDER BY created_ms LIMIT $4",
                    &[&function, &app, &from_ms, &MAX_SAMPLES],
                )
                .await?;
            let mut samples = Vec::with_capacity(rows.len());
            for row in rows {
                let status: String = row.try_get(1)?;
                // A status this version does not know is skipped.
                if let Some(status) = InvocationStatus::parse(&status) {
                    samples.push(RunSample {
                        created_ms: row.try_get(0)?,
                        status,
                        duration_ms: row.try_get(2)?,
                        warm: row.try_get(3)?,
                    });
                }
            }
            Ok(samples)
        })
    }

    fn allocate_invocation_ids(&self, count: u32) -> StoreResult<Range<i64>> {
        self.run(|client| async move {
            let count = i64::from(count);
            let end: i64 = client
                .query_one(
                    "UPDATE sequences SET next = next + $1 WHERE name = 'invocations' RETURNING next",
                    &[&count],
                )
                .await?
                .try_get(0)?;
            Ok(end - count..end)
        })
    }

    fn prune_invocations(&self, keep: u64, before_ms: i64) -> StoreResult<u64> {
        self.run(|client| async move {
            let keep = i64::try_from(keep).unwrap_or(i64::MAX);
            let removed = client
                .query_one(
                    "WITH removed AS (
                       DELETE FROM invocations WHERE id IN (
                         SELECT id FROM (
                           SELECT id, created_ms, status,
                             ROW_NUMBER() OVER (PARTITION BY function_id ORDER BY id DESC) AS n FROM invocations
                         ) ranked WHERE n > $1 OR (created_ms < $2 AND status IN ('SUCCEEDED', 'FAILED')))
                       RETURNING id),
                     attempts AS (
                       DELETE FROM invocation_attempts WHERE invocation_id IN (SELECT id FROM removed))
                     SELECT COUNT(*) FROM removed",
                    &[&keep, &before_ms],
                )
                .await?
                .try_get::<_, i64>(0)?;
            Ok(u64::try_from(removed).unwrap_or(0))
        })
    }
}
