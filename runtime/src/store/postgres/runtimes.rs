//! Chat runtimes: one row per application, a new revision per change.

use deadpool_postgres::GenericClient;

use super::PostgresStore;
use crate::store::columns::{change_runtime, decode_runtime};
use crate::store::{Runtime, RuntimeChange, RuntimeStore, SealedSecret, StoreError, StoreResult};
use crate::time::now_ms;

/// Locks `app`'s runtime row (made first if missing), so that changes to
/// the runtime from any node are made one after the other and none is
/// lost.
async fn lock_runtime(client: &impl GenericClient, app: i64) -> StoreResult<()> {
    client
        .execute(
            "INSERT INTO runtimes (app_id, revision, dependencies, environment)
             VALUES ($1, 0, '[]', '{}') ON CONFLICT (app_id) DO NOTHING",
            &[&app],
        )
        .await?;
    client
        .execute(
            "SELECT 1 FROM runtimes WHERE app_id = $1 FOR UPDATE",
            &[&app],
        )
        .await?;
    Ok(())
}

async fn get_runtime(client: &impl GenericClient, app: i64) -> StoreResult<Runtime> {
    let row = client
        .query_opt(
            "SELECT revision, dependencies, environment, initialization_script, lockfile
             FROM runtimes WHERE app_id = $1",
            &[&app],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Runtime::default());
    };
    let dependencies: String = row.try_get(1)?;
    let environment: String = row.try_get(2)?;
    decode_runtime(
        row.try_get(0)?,
        &dependencies,
        &environment,
        row.try_get(3)?,
        row.try_get(4)?,
    )
}

impl RuntimeStore for PostgresStore {
    fn runtime(&self, app: i64) -> StoreResult<Runtime> {
        self.run(|client| async move { get_runtime(&client, app).await })
    }

    fn update_runtime(&self, app: i64, change: RuntimeChange) -> StoreResult<Runtime> {
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            lock_runtime(&tx, app).await?;
            let (runtime, dependencies, environment) =
                change_runtime(get_runtime(&tx, app).await?, change)?;
            tx.execute(
                "INSERT INTO runtimes (app_id, revision, dependencies, environment, initialization_script, lockfile)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (app_id) DO UPDATE SET revision = excluded.revision, dependencies = excluded.dependencies,
                   environment = excluded.environment, initialization_script = excluded.initialization_script,
                   lockfile = excluded.lockfile",
                &[&app, &runtime.revision, &dependencies, &environment, &runtime.initialization_script, &runtime.lockfile],
            )
            .await?;
            tx.commit().await?;
            Ok(runtime)
        })
    }

    fn secrets(&self, app: i64) -> StoreResult<Vec<SealedSecret>> {
        self.run(|client| async move {
            client
                .query(
                    "SELECT name, sealed, updated_ms FROM secrets WHERE app_id = $1 ORDER BY name",
                    &[&app],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(SealedSecret {
                        name: row.try_get(0)?,
                        sealed: row.try_get(1)?,
                        updated_ms: row.try_get(2)?,
                    })
                })
                .collect()
        })
    }

    fn change_secrets(
        &self,
        app: i64,
        changes: &[(String, Option<Vec<u8>>)],
        max: usize,
    ) -> StoreResult<()> {
        self.run(|mut client| async move {
            let tx = client.transaction().await?;
            // So the count below holds.
            lock_runtime(&tx, app).await?;
            let now = now_ms();
            for (name, sealed) in changes {
                match sealed {
                    Some(sealed) => {
                        tx.execute(
                            "INSERT INTO secrets (app_id, name, sealed, updated_ms) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (app_id, name) DO UPDATE SET sealed = excluded.sealed, updated_ms = excluded.updated_ms",
                            &[&app, name, sealed, &now],
                        )
                        .await?
                    }
                    None => {
                        tx.execute(
                            "DELETE FROM secrets WHERE app_id = $1 AND name = $2",
                            &[&app, name],
                        )
                        .await?
                    }
                };
            }
            let count: i64 = tx
                .query_one("SELECT COUNT(*) FROM secrets WHERE app_id = $1", &[&app])
                .await?
                .try_get(0)?;
            if usize::try_from(count).unwrap_or(usize::MAX) > max {
                return Err(StoreError::Conflict(format!(
                    "a runtime may have at most {max} secrets"
                )));
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
