//! The invocation log.

use std::ops::Range;

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{invocation_row, limits, order, put_invocation, select_invocations};
use crate::invocation::{Invocation, InvocationStatus};
use crate::store::{InvocationFilter, InvocationStore, Page, PageRequest, SortKey, StoreResult};

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
        function: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>> {
        self.with(|conn| {
            let condition = "app_id = ?1 AND function_id = ?2 AND (?3 IS NULL OR status = ?3)
                 AND (?4 IS NULL OR created_ms >= ?4) AND (?5 IS NULL OR created_ms < ?5)";
            let status = filter.status.map(InvocationStatus::as_str);
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM invocations WHERE {condition}"),
                params![app, function, status, filter.from_ms, filter.to_ms],
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
            let mut stmt = conn.prepare(&format!(
                "{} WHERE {condition} {order} LIMIT ?6 OFFSET ?7",
                select_invocations()
            ))?;
            let items = stmt
                .query_map(
                    params![
                        app,
                        function,
                        status,
                        filter.from_ms,
                        filter.to_ms,
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

    fn prune_invocations(&self, keep: u64) -> StoreResult<u64> {
        self.with(|conn| {
            let keep = i64::try_from(keep).unwrap_or(i64::MAX);
            let removed = conn.execute(
                "DELETE FROM invocations WHERE id IN (
                   SELECT id FROM (
                     SELECT id, ROW_NUMBER() OVER (PARTITION BY function_id ORDER BY id DESC) AS n FROM invocations
                   ) WHERE n > ?1)",
                params![keep],
            )?;
            Ok(removed as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::params;
    use sandbox::{GuestError, LogEntry, LogLevel};
    use serde_json::value::RawValue;

    use super::*;
    use crate::invocation::{CallRecord, FailureKind, InvocationError};

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).expect("JSON")
    }

    fn record(id: i64, outcome: Option<Result<Box<RawValue>, InvocationError>>) -> Invocation {
        Invocation {
            id,
            app_id: 1,
            function_id: 2,
            version_number: 3,
            trigger: "user.attempted.start_session".into(),
            test: false,
            args: raw(r#"{"username":"ada"}"#),
            outcome,
            logs: vec![LogEntry {
                level: LogLevel::Warn,
                message: "hi".into(),
            }],
            calls: vec![CallRecord::new(
                "GET",
                "/v1/users".into(),
                Some(200),
                1.5,
                None,
            )],
            created_ms: 10,
            ended_ms: Some(12),
            duration_ms: Some(2.0),
            attempts: 1,
        }
    }

    #[test]
    fn records_read_back_as_written() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        let failed = InvocationError {
            kind: FailureKind::Timeout,
            error: GuestError::new("TimeoutError", "too slow"),
        };
        store.put_invocations(&[
            record(1, Some(Ok(raw(r#"{"b":1,"a":[true]}"#)))),
            record(2, Some(Err(failed.clone()))),
            record(3, None),
        ])?;
        let read = |id| store.invocation(1, id).map(|i| i.expect("a record"));
        let ok = read(1)?;
        assert_eq!(
            ok.result().map(RawValue::get),
            Some(r#"{"b":1,"a":[true]}"#)
        );
        assert_eq!(ok.status(), InvocationStatus::Succeeded);
        assert_eq!(ok.logs, record(1, None).logs);
        assert_eq!(ok.calls, record(1, None).calls);
        assert_eq!(ok.args.get(), r#"{"username":"ada"}"#);
        assert_eq!(read(2)?.error(), Some(&failed));
        assert_eq!(read(3)?.status(), InvocationStatus::Running);
        Ok(())
    }

    #[test]
    fn a_row_this_build_cannot_read_fully_still_reads() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        store.with(|conn| {
            conn.execute(
                "INSERT INTO invocations (id, app_id, function_id, version_number, trigger, test, args, result, error, status, logs, created_ms, calls, attempts)
                 VALUES (7, 1, 2, 1, 't', 0, '{}', NULL, ?1, 'FAILED', 'not json', 0, '[{\"odd\":1}]', 1)",
                params![r#"{"type":"SOME_NEW_KIND","name":"E","message":"m"}"#],
            )?;
            Ok(())
        })?;
        let page = store.list_invocations(
            1,
            2,
            &InvocationFilter::default(),
            PageRequest {
                number: 0,
                size: 10,
                sort: crate::store::Sort {
                    key: SortKey::Id,
                    descending: false,
                },
            },
        )?;
        let odd = &page.items[0];
        let error = odd.error().expect("an error");
        assert_eq!(
            (error.kind, error.error.message.as_str()),
            (FailureKind::Crash, "m")
        );
        assert!(odd.logs.is_empty() && odd.calls.is_empty());
        Ok(())
    }

    #[test]
    fn a_later_attempt_updates_its_record_but_never_another_functions() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        store.put_invocations(&[record(1, None)])?;
        let mut second = record(1, Some(Ok(raw("2"))));
        second.attempts = 2;
        store.put_invocations(&[second])?;
        let read = store.invocation(1, 1)?.expect("a record");
        assert_eq!(
            (read.attempts, read.result().map(RawValue::get)),
            (2, Some("2"))
        );
        let mut intruder = record(1, Some(Ok(raw("\"mine\""))));
        intruder.function_id = 99;
        store.put_invocations(&[intruder])?;
        let read = store.invocation(1, 1)?.expect("a record");
        assert_eq!(
            (read.function_id, read.result().map(RawValue::get)),
            (2, Some("2"))
        );
        Ok(())
    }

    #[test]
    fn ids_continue_after_a_database_from_before_the_sequence() -> StoreResult<()> {
        let dir =
            tempfile::tempdir().map_err(|e| crate::store::StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        store.put_invocations(&[record(500, None)])?;
        store.with(|conn| {
            conn.execute_batch(
                "INSERT INTO jobs (id, app_id, function_id, version_number, trigger, event, state, attempts, next_run_ms, created_ms)
                 VALUES (700, 1, 2, 1, 't', '{}', 'queued', 0, 0, 0);
                 DROP TABLE sequences; PRAGMA user_version = 5;",
            )?;
            Ok(())
        })?;
        drop(store);
        let store = SqliteStore::open(dir.path())?;
        assert_eq!(store.allocate_invocation_ids(3)?, 701..704);
        Ok(())
    }
}
