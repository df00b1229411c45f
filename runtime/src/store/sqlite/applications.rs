//! Applications and their keys.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{APPLICATION_COLUMNS, application_row};
use crate::store::{Application, ApplicationPatch, ApplicationStore, KeyHolder, StoreResult};
use crate::time::now_ms;

/// The application of the key `?1`, and the key's own columns as `k`
/// (only those, so the application's columns need no prefix).
const KEY_HOLDER_FROM: &str = "FROM applications JOIN
    (SELECT app_id, read_only, expires_ms FROM application_keys WHERE key_hash = ?1) k ON id = k.app_id";

impl ApplicationStore for SqliteStore {
    fn create_application(
        &self,
        name: &str,
        key_hash: &[u8; 32],
        platform_url: Option<&str>,
        platform_token: Option<&str>,
    ) -> StoreResult<Application> {
        self.with(|conn| {
            let created_ms = now_ms();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO applications (name, key_hash, platform_url, platform_token, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, key_hash.as_slice(), platform_url, platform_token, created_ms],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO application_keys (key_hash, app_id, read_only, created_ms) VALUES (?1, ?2, 0, ?3)",
                params![key_hash.as_slice(), id, created_ms],
            )?;
            tx.commit()?;
            Ok(Application {
                id,
                name: name.to_owned(),
                platform_url: platform_url.map(str::to_owned),
                platform_token: platform_token.map(str::to_owned),
                created_ms,
            })
        })
    }

    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<KeyHolder>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {APPLICATION_COLUMNS}, k.read_only, k.expires_ms {KEY_HOLDER_FROM}"
                    ),
                    params![key_hash.as_slice()],
                    |r| {
                        Ok(KeyHolder {
                            application: std::sync::Arc::new(application_row(r)?),
                            read_only: r.get(5)?,
                            expires_ms: r.get(6)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    fn add_key(&self, id: i64, key_hash: &[u8; 32], read_only: bool) -> StoreResult<bool> {
        self.with(|conn| {
            let added = conn.execute(
                "INSERT INTO application_keys (key_hash, app_id, read_only, created_ms)
                 SELECT ?1, id, ?3, ?4 FROM applications WHERE id = ?2",
                params![key_hash.as_slice(), id, read_only, now_ms()],
            )?;
            Ok(added == 1)
        })
    }

    fn rotate_key(
        &self,
        id: i64,
        key_hash: &[u8; 32],
        old_keys_until_ms: i64,
    ) -> StoreResult<bool> {
        self.with(|conn| {
            let now = now_ms();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx.execute(
                "UPDATE applications SET key_hash = ?2 WHERE id = ?1",
                params![id, key_hash.as_slice()],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            if old_keys_until_ms <= now {
                tx.execute(
                    "DELETE FROM application_keys WHERE app_id = ?1 AND NOT read_only",
                    params![id],
                )?;
            } else {
                tx.execute(
                    "UPDATE application_keys SET expires_ms = MIN(COALESCE(expires_ms, ?2), ?2)
                     WHERE app_id = ?1 AND NOT read_only",
                    params![id, old_keys_until_ms],
                )?;
            }
            tx.execute(
                "INSERT INTO application_keys (key_hash, app_id, read_only, created_ms) VALUES (?1, ?2, 0, ?3)",
                params![key_hash.as_slice(), id, now],
            )?;
            tx.commit()?;
            Ok(true)
        })
    }

    fn delete_application(&self, id: i64) -> StoreResult<bool> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for sql in [
                "DELETE FROM application_keys WHERE app_id = ?1",
                "DELETE FROM secrets WHERE app_id = ?1",
                "DELETE FROM invocation_attempts WHERE app_id = ?1",
                "DELETE FROM invocations WHERE app_id = ?1",
                "DELETE FROM jobs WHERE app_id = ?1",
                "DELETE FROM versions WHERE function_id IN (SELECT id FROM functions WHERE app_id = ?1)",
                "DELETE FROM functions WHERE app_id = ?1",
                "DELETE FROM runtimes WHERE app_id = ?1",
            ] {
                tx.execute(sql, params![id])?;
            }
            let deleted = tx.execute("DELETE FROM applications WHERE id = ?1", params![id])?;
            tx.commit()?;
            Ok(deleted == 1)
        })
    }

    fn application(&self, id: i64) -> StoreResult<Option<Application>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"),
                    params![id],
                    application_row,
                )
                .optional()?)
        })
    }

    fn applications(&self) -> StoreResult<Vec<Application>> {
        self.with(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications ORDER BY id"
            ))?;
            let rows = stmt.query_map([], application_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn update_application(
        &self,
        id: i64,
        patch: ApplicationPatch,
    ) -> StoreResult<Option<Application>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(mut app) = tx
                .query_row(
                    &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = ?1"),
                    params![id],
                    application_row,
                )
                .optional()?
            else {
                return Ok(None);
            };
            app.patch(patch);
            tx.execute(
                "UPDATE applications SET name = ?2, platform_url = ?3, platform_token = ?4 WHERE id = ?1",
                params![id, app.name, app.platform_url, app.platform_token],
            )?;
            tx.commit()?;
            Ok(Some(app))
        })
    }
}
