//! Chat runtimes: one row per application, a new revision per change.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use crate::store::columns::{change_runtime, decode_runtime};
use crate::store::{Runtime, RuntimeChange, RuntimeStore, SealedSecret, StoreError, StoreResult};
use crate::time::now_ms;

fn get_runtime(conn: &Connection, app: i64) -> StoreResult<Runtime> {
    let row = conn
        .query_row(
            "SELECT revision, dependencies, environment, initialization_script, lockfile FROM runtimes WHERE app_id = ?1",
            params![app],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((revision, dependencies, environment, initialization_script, lockfile)) = row else {
        return Ok(Runtime::default());
    };
    decode_runtime(
        revision,
        &dependencies,
        &environment,
        initialization_script,
        lockfile,
    )
}

impl RuntimeStore for SqliteStore {
    fn runtime(&self, app: i64) -> StoreResult<Runtime> {
        self.with(|conn| get_runtime(conn, app))
    }

    fn update_runtime(&self, app: i64, change: RuntimeChange) -> StoreResult<Runtime> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (runtime, dependencies, environment) =
                change_runtime(get_runtime(&tx, app)?, change)?;
            tx.execute(
                "INSERT INTO runtimes (app_id, revision, dependencies, environment, initialization_script, lockfile) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (app_id) DO UPDATE SET revision = excluded.revision, dependencies = excluded.dependencies,
                 environment = excluded.environment, initialization_script = excluded.initialization_script,
                 lockfile = excluded.lockfile",
                params![app, runtime.revision, dependencies, environment, runtime.initialization_script, runtime.lockfile],
            )?;
            tx.commit()?;
            Ok(runtime)
        })
    }

    fn secrets(&self, app: i64) -> StoreResult<Vec<SealedSecret>> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT name, sealed, updated_ms FROM secrets WHERE app_id = ?1 ORDER BY name",
            )?;
            let rows = stmt.query_map(params![app], |r| {
                Ok(SealedSecret {
                    name: r.get(0)?,
                    sealed: r.get(1)?,
                    updated_ms: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn change_secrets(
        &self,
        app: i64,
        changes: &[(String, Option<Vec<u8>>)],
        max: usize,
    ) -> StoreResult<()> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = now_ms();
            for (name, sealed) in changes {
                match sealed {
                    Some(sealed) => tx.execute(
                        "INSERT INTO secrets (app_id, name, sealed, updated_ms) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (app_id, name) DO UPDATE SET sealed = excluded.sealed, updated_ms = excluded.updated_ms",
                        params![app, name, sealed, now],
                    )?,
                    None => tx.execute(
                        "DELETE FROM secrets WHERE app_id = ?1 AND name = ?2",
                        params![app, name],
                    )?,
                };
            }
            let count: i64 = tx.query_row(
                "SELECT COUNT(*) FROM secrets WHERE app_id = ?1",
                params![app],
                |r| r.get(0),
            )?;
            if usize::try_from(count).unwrap_or(usize::MAX) > max {
                return Err(StoreError::Conflict(format!(
                    "a runtime may have at most {max} secrets"
                )));
            }
            tx.commit()?;
            Ok(())
        })
    }
}
