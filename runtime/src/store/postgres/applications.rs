//! Applications and their keys.

use tokio_postgres::Row;

use super::PostgresStore;
use crate::store::{Application, ApplicationPatch, ApplicationStore, StoreResult};
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
            let row = client
                .query_one(
                    &format!(
                        "INSERT INTO applications (name, key_hash, platform_url, platform_token, created_ms)
                         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
                    ),
                    &[&name, &key_hash.as_slice(), &platform_url, &platform_token, &now_ms()],
                )
                .await?;
            application(&row)
        })
    }

    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<Application>> {
        self.run(|client| async move {
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM applications WHERE key_hash = $1"
                ))
                .await?;
            client
                .query_opt(&stmt, &[&key_hash.as_slice()])
                .await?
                .as_ref()
                .map(application)
                .transpose()
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
