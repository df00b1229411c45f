//! The invocation log.

use std::ops::Range;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{invocation_row, put_invocation, select_invocations};
use crate::invocation::{Invocation, InvocationStatus};
use crate::store::columns::{after_bounds, limits, order};
use crate::store::{
    InvocationFilter, InvocationStore, MAX_SAMPLES, Page, PageRequest, RunSample, SortKey,
    StoreResult,
};

impl InvocationStore for SqliteStore {
    fn put_invocations(&self, batch: &[Invocation]) -> StoreResult<()> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for invocation in batch {
                put_invocation(&tx, invocation)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn list_invocations(
        &self,
        app: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>> {
        self.with(|conn| {
            let condition = "app_id = ?1 AND (?2 IS NULL OR function_id = ?2)
                 AND (?3 IS NULL OR trigger = ?3) AND (?4 IS NULL OR status = ?4)
                 AND (?5 IS NULL OR version_number = ?5) AND (?6 IS NULL OR test = ?6)
                 AND (?7 IS NULL OR created_ms >= ?7) AND (?8 IS NULL OR created_ms < ?8)";
            let status = filter.status.map(InvocationStatus::as_str);
            let filters = params![
                app,
                filter.function,
                filter.trigger,
                status,
                filter.version_number,
                filter.test,
                filter.from_ms,
                filter.to_ms
            ];
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM invocations WHERE {condition}"),
                filters,
                |r| r.get(0),
            )?;
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
            let mut stmt = conn.prepare(&format!(
                "{} WHERE {condition} AND (?9 IS NULL OR id < ?9) AND (?10 IS NULL OR id > ?10)
                 {order} LIMIT ?11 OFFSET ?12",
                select_invocations()
            ))?;
            let items = stmt
                .query_map(
                    params![
                        app,
                        filter.function,
                        filter.trigger,
                        status,
                        filter.version_number,
                        filter.test,
                        filter.from_ms,
                        filter.to_ms,
                        below,
                        above,
                        size,
                        offset
                    ],
                    invocation_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page {
                items,
                total: total.max(0) as u64,
            })
        })
    }

    fn invocation(&self, app: i64, id: i64) -> StoreResult<Option<Invocation>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("{} WHERE app_id = ?1 AND id = ?2", select_invocations()),
                    params![app, id],
                    invocation_row,
                )
                .optional()?)
        })
    }

    fn run_samples(&self, app: i64, function: i64, from_ms: i64) -> StoreResult<Vec<RunSample>> {
        self.with(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT created_ms, status, duration_ms, warm FROM invocations
                 WHERE function_id = ?1 AND app_id = ?2 AND created_ms >= ?3 AND test = 0
                 ORDER BY created_ms LIMIT ?4",
            )?;
            let rows =
                statement.query_map(params![function, app, from_ms, MAX_SAMPLES], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<f64>>(2)?,
                        row.get::<_, Option<bool>>(3)?,
                    ))
                })?;
            let mut samples = Vec::new();
            for row in rows {
                let (created_ms, status, duration_ms, warm) = row?;
                // A status this version does not know is skipped.
                if let Some(status) = InvocationStatus::parse(&status) {
                    samples.push(RunSample {
                        created_ms,
                        status,
                        duration_ms,
                        warm,
                    });
                }
            }
            Ok(samples)
        })
    }

    fn allocate_invocation_ids(&self, count: u32) -> StoreResult<Range<i64>> {
        self.with(|conn| {
            let end: i64 = conn.query_row(
                "UPDATE sequences SET next = next + ?1 WHERE name = 'invocations' RETURNING next",
                params![count],
                |r| r.get(0),
            )?;
            Ok(end - i64::from(count)..end)
        })
    }

    /// Finds the records to drop in a read transaction, then deletes them
    /// a batch per write transaction. One statement doing both held the
    /// write lock for the whole scan (about 0.5 s over a few hundred
    /// thousand records), and every commit of the invocation log and the
    /// queue waited behind it.
    fn prune_invocations(&self, keep: u64, before_ms: i64) -> StoreResult<u64> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let mut removed = 0;
        loop {
            // Each with whether it is past the newest `keep` of its
            // function, which stays true as newer records come.
            let doomed: Vec<(i64, bool)> = self.with(|conn| {
                let mut select = conn.prepare_cached(
                    "SELECT id, n > ?1 FROM (
                       SELECT id, created_ms, status,
                         ROW_NUMBER() OVER (PARTITION BY function_id ORDER BY id DESC) AS n FROM invocations
                     ) WHERE n > ?1 OR (created_ms < ?2 AND status IN ('SUCCEEDED', 'FAILED'))
                     LIMIT ?3",
                )?;
                let ids = select
                    .query_map(params![keep, before_ms, PRUNE_SCAN], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(ids)
            })?;
            for batch in doomed.chunks(PRUNE_BATCH) {
                removed += self.with(|conn| {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let mut n = 0;
                    {
                        // Old but not past the newest: only if it is still
                        // finished (a redrive since the scan queues it again).
                        let mut record = tx.prepare_cached(
                            "DELETE FROM invocations WHERE id = ?1
                               AND (?2 OR status IN ('SUCCEEDED', 'FAILED'))",
                        )?;
                        let mut attempts = tx.prepare_cached(
                            "DELETE FROM invocation_attempts WHERE invocation_id = ?1",
                        )?;
                        for &(id, past_newest) in batch {
                            if record.execute(params![id, past_newest])? == 1 {
                                n += 1;
                                attempts.execute([id])?;
                            }
                        }
                    }
                    tx.commit()?;
                    Ok(n)
                })?;
            }
            if doomed.len() < PRUNE_SCAN as usize {
                return Ok(removed);
            }
        }
    }
}

/// Records a prune finds per scan; it scans again while a scan fills up.
/// (Small in tests, so that they go through several scans and batches.)
const PRUNE_SCAN: i64 = if cfg!(test) { 7 } else { 50_000 };
/// Records deleted per write transaction: a few milliseconds of the write
/// lock each.
const PRUNE_BATCH: usize = if cfg!(test) { 3 } else { 256 };

#[cfg(test)]
mod tests {
    //! What only SQLite's history needs; the rest of the log's tests are
    //! in the suite both backends run (`store::tests`).
    use serde_json::value::RawValue;

    use super::*;

    fn record(id: i64) -> Invocation {
        Invocation {
            id,
            app_id: 1,
            function_id: 2,
            version_number: 3,
            trigger: "user.attempted.start_session".into(),
            test: false,
            args: RawValue::from_string("{}".into()).expect("JSON"),
            outcome: None,
            logs: Vec::new(),
            calls: Vec::new(),
            created_ms: 10,
            ended_ms: None,
            duration_ms: None,
            attempts: 1,
            pending: None,
            started_ms: None,
            warm: None,
            reused: None,
            start_ms: None,
            past_attempts: Vec::new(),
        }
    }

    #[test]
    fn a_prune_over_several_scans_keeps_each_functions_newest() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        // Two functions, 20 records each, interleaved.
        let records: Vec<Invocation> = (1..=40)
            .map(|id| Invocation {
                function_id: 2 + id % 2,
                ..record(id)
            })
            .collect();
        store.put_invocations(&records)?;
        assert_eq!(store.prune_invocations(4, 0)?, 32);
        let left: Vec<(i64, i64)> = store.with(|conn| {
            let mut rows = conn.prepare("SELECT function_id, id FROM invocations ORDER BY id")?;
            let left = rows
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(left)
        })?;
        assert_eq!(
            left,
            [
                (3, 33),
                (2, 34),
                (3, 35),
                (2, 36),
                (3, 37),
                (2, 38),
                (3, 39),
                (2, 40)
            ]
        );
        assert_eq!(store.prune_invocations(4, 0)?, 0);
        Ok(())
    }

    #[test]
    fn ids_continue_after_a_database_from_before_the_sequence() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        store.put_invocations(&[record(500)])?;
        store.with(|conn| {
            conn.execute_batch(
                "INSERT INTO jobs (id, app_id, function_id, version_number, trigger, event, state, attempts, next_run_ms, created_ms)
                 VALUES (700, 1, 2, 1, 't', '{}', 'queued', 0, 0, 0);
                 DROP TABLE sequences; DROP TABLE invocation_attempts; DROP INDEX jobs_queued_by_app; DROP TABLE application_keys; DROP TABLE secrets;
                 ALTER TABLE invocations DROP COLUMN started_ms;
                 ALTER TABLE invocations DROP COLUMN warm;
                 ALTER TABLE invocations DROP COLUMN start_ms;
                 ALTER TABLE invocations DROP COLUMN reused;
                 ALTER TABLE functions DROP COLUMN instance_reuse;
                 PRAGMA user_version = 5;",
            )?;
            Ok(())
        })?;
        drop(store);
        let store = SqliteStore::open(dir.path())?;
        assert_eq!(store.allocate_invocation_ids(3)?, 701..704);
        Ok(())
    }
}
