//! Functions and their versions.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::PostgresStore;
use crate::store::columns::{limits, order};
use crate::store::{
    Function, FunctionPatch, FunctionStore, InstanceReuse, NewFunction, Page, PageRequest, SortKey,
    StoreError, StoreResult, Version,
};
use crate::time::now_ms;

const FUNCTION_COLUMNS: &str = "id, trigger, name, description, enabled, timeout_ms, current_version, created_ms, instance_reuse";
const VERSION_COLUMNS: &str = "v.id, v.function_id, v.number, v.handler_script, v.created_ms";

fn function_row(row: &Row) -> StoreResult<Function> {
    let timeout_ms: i64 = row.try_get(5)?;
    Ok(Function {
        id: row.try_get(0)?,
        trigger: row.try_get(1)?,
        name: row.try_get(2)?,
        description: row.try_get(3)?,
        enabled: row.try_get(4)?,
        timeout_ms: u32::try_from(timeout_ms).unwrap_or(u32::MAX),
        current_version: row.try_get(6)?,
        created_ms: row.try_get(7)?,
        instance_reuse: InstanceReuse::parse(row.try_get(8)?),
    })
}

fn version_row(row: &Row) -> StoreResult<Version> {
    Ok(Version {
        id: row.try_get(0)?,
        function_id: row.try_get(1)?,
        number: row.try_get(2)?,
        handler_script: row.try_get(3)?,
        created_ms: row.try_get(4)?,
    })
}

/// Function `id` of `app`; locked until the transaction ends with
/// `for_update`.
async fn get_function(
    client: &impl GenericClient,
    app: i64,
    id: i64,
    for_update: bool,
) -> StoreResult<Option<Function>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    client
        .query_opt(
            &format!(
                "SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = $1 AND id = $2{lock}"
            ),
            &[&app, &id],
        )
        .await?
        .as_ref()
        .map(function_row)
        .transpose()
}

impl FunctionStore for PostgresStore {
    fn create_function(&self, app: i64, function: NewFunction) -> StoreResult<Function> {
        self.run(|client| async move {
            let timeout_ms = i64::from(function.timeout_ms);
            let row = client
                .query_opt(
                    &format!(
                        "INSERT INTO functions (app_id, trigger, name, description, enabled, timeout_ms, created_ms, instance_reuse)
                         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7) ON CONFLICT (app_id, trigger) DO NOTHING
                         RETURNING {FUNCTION_COLUMNS}"
                    ),
                    &[&app, &function.trigger, &function.name, &function.description, &timeout_ms, &now_ms(), &function.instance_reuse.as_str()],
                )
                .await?;
            match row {
                Some(row) => function_row(&row),
                None => Err(StoreError::Conflict(format!(
                    "a function for trigger type '{}' already exists",
                    function.trigger
                ))),
            }
        })
    }

    fn list_functions(&self, app: i64, page: PageRequest) -> StoreResult<Page<Function>> {
        self.run(|client| async move {
            let total: i64 = client
                .query_one("SELECT COUNT(*) FROM functions WHERE app_id = $1", &[&app])
                .await?
                .try_get(0)?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::Name, "name")]);
            let (size, offset) = limits(&page);
            let items = client
                .query(
                    &format!("SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = $1 {order} LIMIT $2 OFFSET $3"),
                    &[&app, &size, &offset],
                )
                .await?
                .iter()
                .map(function_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Page { items, total: u64::try_from(total).unwrap_or(0) })
        })
    }

    fn function(&self, app: i64, id: i64) -> StoreResult<Option<Function>> {
        self.run(|client| async move { get_function(&client, app, id, false).await })
    }

    fn function_for_trigger(&self, app: i64, trigger: &str) -> StoreResult<Option<Function>> {
        self.run(|client| async move {
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = $1 AND trigger = $2"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&app, &trigger])
                .await?
                .as_ref()
                .map(function_row)
                .transpose()
        })
    }

    fn update_function(
        &self,
        app: i64,
        id: i64,
        patch: FunctionPatch,
    ) -> StoreResult<Option<Function>> {
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            let Some(mut function) = get_function(&tx, app, id, true).await? else {
                return Ok(None);
            };
            function.patch(patch);
            tx.execute(
                "UPDATE functions SET enabled = $1, timeout_ms = $2, name = $3, description = $4, instance_reuse = $5 WHERE id = $6",
                &[&function.enabled, &i64::from(function.timeout_ms), &function.name, &function.description, &function.instance_reuse.as_str(), &id],
            )
            .await?;
            tx.commit().await?;
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
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            // The function's row lock numbers versions one at a time, whichever
            // node deploys them.
            if get_function(&tx, app, function, true).await?.is_none() {
                return Ok(None);
            }
            let row = tx
                .query_one(
                    &format!(
                        "INSERT INTO versions (function_id, number, handler_script, created_ms)
                         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3 FROM versions WHERE function_id = $1
                         RETURNING {}",
                        VERSION_COLUMNS.replace("v.", "")
                    ),
                    &[&function, &handler_script, &now_ms()],
                )
                .await?;
            let version = version_row(&row)?;
            if activate {
                tx.execute(
                    "UPDATE functions SET current_version = $1 WHERE id = $2",
                    &[&version.number, &function],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(Some(version))
        })
    }

    fn list_versions(
        &self,
        app: i64,
        function: i64,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Version>>> {
        self.run(|client| async move {
            if get_function(&client, app, function, false).await?.is_none() {
                return Ok(None);
            }
            let total: i64 = client
                .query_one("SELECT COUNT(*) FROM versions WHERE function_id = $1", &[&function])
                .await?
                .try_get(0)?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::VersionNumber, "number")]);
            let (size, offset) = limits(&page);
            let items = client
                .query(
                    &format!("SELECT {VERSION_COLUMNS} FROM versions v WHERE v.function_id = $1 {order} LIMIT $2 OFFSET $3"),
                    &[&function, &size, &offset],
                )
                .await?
                .iter()
                .map(version_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(Some(Page { items, total: u64::try_from(total).unwrap_or(0) }))
        })
    }

    fn version(&self, app: i64, id: i64) -> StoreResult<Option<(Function, Version)>> {
        self.run(|client| async move {
            let row = client
                .query_opt(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                         WHERE v.id = $1 AND f.app_id = $2"
                    ),
                    &[&id, &app],
                )
                .await?;
            let Some(version) = row.as_ref().map(version_row).transpose()? else {
                return Ok(None);
            };
            Ok(get_function(&client, app, version.function_id, false)
                .await?
                .map(|f| (f, version)))
        })
    }

    fn version_by_number(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Version>> {
        self.run(|client| async move {
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                     WHERE v.function_id = $1 AND v.number = $2 AND f.app_id = $3"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&function, &number, &app])
                .await?
                .as_ref()
                .map(version_row)
                .transpose()
        })
    }

    fn set_current_version(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Function>> {
        self.run(|client| async move {
            client
                .query_opt(
                    &format!(
                        "UPDATE functions SET current_version = $1
                         WHERE id = $2 AND app_id = $3
                           AND EXISTS (SELECT 1 FROM versions WHERE function_id = $2 AND number = $1)
                         RETURNING {FUNCTION_COLUMNS}"
                    ),
                    &[&number, &function, &app],
                )
                .await?
                .as_ref()
                .map(function_row)
                .transpose()
        })
    }
}
