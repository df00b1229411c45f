//! The invocation log.

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

    fn max_invocation_id(&self) -> StoreResult<i64> {
        self.with(|conn| {
            Ok(
                // Jobs not run yet have ids but no invocation record.
                conn.query_row(
                    "SELECT MAX((SELECT COALESCE(MAX(id), 0) FROM invocations), (SELECT COALESCE(MAX(id), 0) FROM jobs))",
                    [],
                    |r| r.get(0),
                )?,
            )
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
