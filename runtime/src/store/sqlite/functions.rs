//! Functions and their versions.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{FUNCTION_COLUMNS, VERSION_COLUMNS, function_row, version_row};
use crate::store::columns::{limits, order};
use crate::store::{
    Function, FunctionPatch, FunctionStore, NewFunction, Page, PageRequest, SortKey, StoreError,
    StoreResult, Version,
};
use crate::time::now_ms;

pub(super) fn get_function(conn: &Connection, app: i64, id: i64) -> StoreResult<Option<Function>> {
    Ok(conn
        .query_row(
            &format!("SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 AND id = ?2"),
            params![app, id],
            function_row,
        )
        .optional()?)
}

impl FunctionStore for SqliteStore {
    fn create_function(&self, app: i64, function: NewFunction) -> StoreResult<Function> {
        self.with(|conn| {
            let created_ms = now_ms();
            let inserted = conn.execute(
                "INSERT INTO functions (app_id, trigger, name, description, enabled, timeout_ms, created_ms, instance_reuse)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7) ON CONFLICT (app_id, trigger) DO NOTHING",
                params![app, function.trigger, function.name, function.description, function.timeout_ms, created_ms, function.instance_reuse.as_str()],
            )?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "a function for trigger type '{}' already exists",
                    function.trigger
                )));
            }
            Ok(Function {
                id: conn.last_insert_rowid(),
                trigger: function.trigger,
                name: function.name,
                description: function.description,
                enabled: true,
                timeout_ms: function.timeout_ms,
                instance_reuse: function.instance_reuse,
                current_version: None,
                created_ms,
            })
        })
    }

    fn list_functions(&self, app: i64, page: PageRequest) -> StoreResult<Page<Function>> {
        self.with(|conn| {
            let total: i64 = conn.query_row("SELECT COUNT(*) FROM functions WHERE app_id = ?1", params![app], |r| r.get(0))?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::Name, "name")]);
            let (size, offset) = limits(&page);
            let mut stmt = conn.prepare(&format!(
                "SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 {order} LIMIT ?2 OFFSET ?3"
            ))?;
            let items = stmt
                .query_map(params![app, size, offset], function_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, total: total.max(0) as u64 })
        })
    }

    fn function(&self, app: i64, id: i64) -> StoreResult<Option<Function>> {
        self.with(|conn| get_function(conn, app, id))
    }

    fn function_for_trigger(&self, app: i64, trigger: &str) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 AND trigger = ?2"),
                    params![app, trigger],
                    function_row,
                )
                .optional()?)
        })
    }

    fn update_function(
        &self,
        app: i64,
        id: i64,
        patch: FunctionPatch,
    ) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(mut function) = get_function(&tx, app, id)? else {
                return Ok(None);
            };
            function.patch(patch);
            tx.execute(
                "UPDATE functions SET enabled = ?1, timeout_ms = ?2, name = ?3, description = ?4, instance_reuse = ?5 WHERE id = ?6",
                params![function.enabled, function.timeout_ms, function.name, function.description, function.instance_reuse.as_str(), id],
            )?;
            tx.commit()?;
            Ok(Some(function))
        })
    }

    fn create_version(
        &self,
        app: i64,
        function: i64,
        handler_script: &str,
        activate: bool,
    ) -> StoreResult<Option<Version>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if get_function(&tx, app, function)?.is_none() {
                return Ok(None);
            }
            let number: i64 = tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE function_id = ?1",
                params![function],
                |r| r.get(0),
            )?;
            let created_ms = now_ms();
            tx.execute(
                "INSERT INTO versions (function_id, number, handler_script, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![function, number, handler_script, created_ms],
            )?;
            let id = tx.last_insert_rowid();
            if activate {
                tx.execute(
                    "UPDATE functions SET current_version = ?1 WHERE id = ?2",
                    params![number, function],
                )?;
            }
            tx.commit()?;
            Ok(Some(Version {
                id,
                function_id: function,
                number,
                handler_script: handler_script.to_owned(),
                created_ms,
            }))
        })
    }

    fn list_versions(
        &self,
        app: i64,
        function: i64,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Version>>> {
        self.with(|conn| {
            if get_function(conn, app, function)?.is_none() {
                return Ok(None);
            }
            let total: i64 =
                conn.query_row("SELECT COUNT(*) FROM versions WHERE function_id = ?1", params![function], |r| r.get(0))?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::VersionNumber, "number")]);
            let (size, offset) = limits(&page);
            let mut stmt = conn.prepare(&format!(
                "SELECT {VERSION_COLUMNS} FROM versions v WHERE v.function_id = ?1 {order} LIMIT ?2 OFFSET ?3"
            ))?;
            let items = stmt
                .query_map(params![function, size, offset], version_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Page { items, total: total.max(0) as u64 }))
        })
    }

    fn version(&self, app: i64, id: i64) -> StoreResult<Option<(Function, Version)>> {
        self.with(|conn| {
            let version = conn
                .query_row(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                         WHERE v.id = ?1 AND f.app_id = ?2"
                    ),
                    params![id, app],
                    version_row,
                )
                .optional()?;
            let Some(version) = version else { return Ok(None) };
            Ok(get_function(conn, app, version.function_id)?.map(|f| (f, version)))
        })
    }

    fn version_by_number(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Version>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                         WHERE v.function_id = ?1 AND v.number = ?2 AND f.app_id = ?3"
                    ),
                    params![function, number, app],
                    version_row,
                )
                .optional()?)
        })
    }

    fn set_current_version(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT v.id FROM versions v JOIN functions f ON f.id = v.function_id
                     WHERE v.function_id = ?1 AND v.number = ?2 AND f.app_id = ?3",
                    params![function, number, app],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Ok(None);
            }
            tx.execute(
                "UPDATE functions SET current_version = ?1 WHERE id = ?2 AND app_id = ?3",
                params![number, function, app],
            )?;
            let function = get_function(&tx, app, function)?;
            tx.commit()?;
            Ok(function)
        })
    }
}
