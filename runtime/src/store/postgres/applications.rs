//! Applications and their keys.

use tokio_postgres::Row;

use super::PostgresStore;
use crate::store::{Application, ApplicationPatch, ApplicationStore, KeyHolder, StoreResult};
use crate::time::now_ms;

const COLUMNS: &str = "id, name, platform_url, platform_token, created_ms";

fn application(row: &Row) -> StoreResult<Application> {
    Ok(Application {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        platform_url: row.try_get(2)?,
        platform_token: row.try_get(3)?,
        created_ms: row.try_get(4)?,
    })
}

impl ApplicationStore for PostgresStore {
    fn create_application(
        &self,
        name: &str,
        key_hash: &[u8; 32],
        platform_url: Option<&str>,
        platform_token: Option<&str>,
    ) -> StoreResult<Application> {
        self.run(|client| async move {
            // One statement: the application and its first key together.
            let row = client
                .query_one(
                    &format!(
                        "WITH app AS (
                           INSERT INTO applications (name, key_hash, platform_url, platform_token, created_ms)
                           VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}),
                         key AS (
                           INSERT INTO application_keys (key_hash, app_id, read_only, created_ms)
                           SELECT $2, id, false, created_ms FROM app)
                         SELECT {COLUMNS} FROM app"
                    ),
                    &[&name, &key_hash.as_slice(), &platform_url, &platform_token, &now_ms()],
                )
                .await?;
            application(&row)
        })
    }

    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<KeyHolder>> {
        self.run(|client| async move {
            // Only the key's own columns come from `k`, so the
            // application's need no prefix.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS}, k.read_only, k.expires_ms FROM applications JOIN
                       (SELECT app_id, read_only, expires_ms FROM application_keys WHERE key_hash = $1) k
                       ON id = k.app_id"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&key_hash.as_slice()])
                .await?
                .as_ref()
                .map(|row| {
                    Ok(KeyHolder {
                        application: std::sync::Arc::new(application(row)?),
                        read_only: row.try_get(5)?,
                        expires_ms: row.try_get(6)?,
                    })
                })
                .transpose()
        })
    }

    fn add_key(&self, id: i64, key_hash: &[u8; 32], read_only: bool) -> StoreResult<bool> {
        self.run(|client| async move {
            let added = client
                .execute(
                    "INSERT INTO application_keys (key_hash, app_id, read_only, created_ms)
                     SELECT $1, id, $3, $4 FROM applications WHERE id = $2",
                    &[&key_hash.as_slice(), &id, &read_only, &now_ms()],
                )
                .await?;
            Ok(added == 1)
        })
    }

    fn rotate_key(
        &self,
        id: i64,
        key_hash: &[u8; 32],
        old_keys_until_ms: i64,
    ) -> StoreResult<bool> {
        self.run(|client| async move {
            let now = now_ms();
            // One statement, so one transaction: the old keys end and the
            // new one starts together.
            let rows = client
                .query(
                    "WITH app AS (
                       UPDATE applications SET key_hash = $2 WHERE id = $1 RETURNING id),
                     ended AS (
                       DELETE FROM application_keys
                       WHERE app_id IN (SELECT id FROM app) AND NOT read_only AND $3::bigint <= $4::bigint),
                     graced AS (
                       UPDATE application_keys SET expires_ms = LEAST(COALESCE(expires_ms, $3), $3)
                       WHERE app_id IN (SELECT id FROM app) AND NOT read_only AND $3::bigint > $4::bigint),
                     added AS (
                       INSERT INTO application_keys (key_hash, app_id, read_only, created_ms)
                       SELECT $2, id, false, $4 FROM app)
                     SELECT id FROM app",
                    &[&id, &key_hash.as_slice(), &old_keys_until_ms, &now],
                )
                .await?;
            Ok(!rows.is_empty())
        })
    }

    fn delete_application(&self, id: i64) -> StoreResult<bool> {
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            // Referring rows first: versions refer to functions, which
            // (like the runtime) refer to the application.
            for sql in [
                "DELETE FROM application_keys WHERE app_id = $1",
                "DELETE FROM secrets WHERE app_id = $1",
                "DELETE FROM invocation_attempts WHERE app_id = $1",
                "DELETE FROM invocations WHERE app_id = $1",
                "DELETE FROM jobs WHERE app_id = $1",
                "DELETE FROM versions WHERE function_id IN (SELECT id FROM functions WHERE app_id = $1)",
                "DELETE FROM functions WHERE app_id = $1",
                "DELETE FROM runtimes WHERE app_id = $1",
            ] {
                tx.execute(sql, &[&id]).await?;
            }
            let deleted = tx
                .execute("DELETE FROM applications WHERE id = $1", &[&id])
                .await?;
            tx.commit().await?;
            Ok(deleted == 1)
        })
    }

    fn applications(&self) -> StoreResult<Vec<Application>> {
        self.run(|client| async move {
            client
                .query(
                    &format!("SELECT {COLUMNS} FROM applications ORDER BY id"),
                    &[],
                )
                .await?
                .iter()
                .map(application)
                .collect()
        })
    }

    fn application(&self, id: i64) -> StoreResult<Option<Application>> {
        self.run(|client| async move {
            let stmt = client
                .prepare_cached(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
                .await?;
            client
                .query_opt(&stmt, &[&id])
                .await?
                .as_ref()
                .map(application)
                .transpose()
        })
    }

    fn update_application(
        &self,
        id: i64,
        patch: ApplicationPatch,
    ) -> StoreResult<Option<Application>> {
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            let Some(row) = tx
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM applications WHERE id = $1 FOR UPDATE"),
                    &[&id],
                )
                .await?
            else {
                return Ok(None);
            };
            let mut app = application(&row)?;
            app.patch(patch);
            tx.execute(
                "UPDATE applications SET name = $2, platform_url = $3, platform_token = $4 WHERE id = $1",
                &[&id, &app.name, &app.platform_url, &app.platform_token],
            )
            .await?;
            tx.commit().await?;
            Ok(Some(app))
        })
    }
}
