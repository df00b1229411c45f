//! Chat runtimes: one row per application, a new revision per change.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use super::rows::json_error;
use crate::store::{Runtime, RuntimeChange, RuntimeStore, StoreResult};

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
    Ok(Runtime {
        revision,
        dependencies: serde_json::from_str(&dependencies).map_err(json_error)?,
        environment: serde_json::from_str(&environment).map_err(json_error)?,
        initialization_script,
        lockfile,
    })
}

impl RuntimeStore for SqliteStore {
    fn runtime(&self, app: i64) -> StoreResult<Runtime> {
        self.with(|conn| get_runtime(conn, app))
    }

    fn update_runtime(&self, app: i64, change: RuntimeChange) -> StoreResult<Runtime> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut runtime = get_runtime(&tx, app)?;
            match change {
                RuntimeChange::Dependencies(deps, lockfile) => {
                    runtime.dependencies = deps;
                    runtime.lockfile = lockfile;
                }
                RuntimeChange::Environment(env) => runtime.environment = env,
                RuntimeChange::InitializationScript(script) => {
                    runtime.initialization_script = Some(script).filter(|s| !s.trim().is_empty());
                }
            }
            runtime.revision += 1;
            let dependencies = serde_json::to_string(&runtime.dependencies).map_err(json_error)?;
            let environment = serde_json::to_string(&runtime.environment).map_err(json_error)?;
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
}
