//! Applications and their keys.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::{APPLICATION_COLUMNS, application_row};
use crate::store::{Application, ApplicationPatch, ApplicationStore, StoreResult};
use crate::time::now_ms;

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
            conn.execute(
                "INSERT INTO applications (name, key_hash, platform_url, platform_token, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, key_hash.as_slice(), platform_url, platform_token, created_ms],
            )?;
            Ok(Application {
                id: conn.last_insert_rowid(),
                name: name.to_owned(),
                platform_url: platform_url.map(str::to_owned),
                platform_token: platform_token.map(str::to_owned),
                created_ms,
            })
        })
    }

    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<Application>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE key_hash = ?1"),
                    params![key_hash.as_slice()],
                    application_row,
                )
                .optional()?)
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
