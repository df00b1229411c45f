//! The embedded default: SQLite in WAL mode under the data directory.
//!
//! One file per resource implements its trait; `pool` holds the
//! connections, `rows` the mapping between rows and values.

mod applications;
mod functions;
mod invocations;
mod jobs;
mod pool;
mod rows;
mod runtimes;

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::schema::{MIGRATIONS, check_not_newer};
use super::{Change, Shared, StoreError, StoreResult};
use pool::Pool;

/// The service's data in one SQLite file (`<data dir>/chatfn.db` by default).
pub(crate) struct SqliteStore {
    pool: Pool,
}

impl SqliteStore {
    /// Opens (creating and migrating) `chatfn.db` in `dir`.
    #[cfg(test)]
    pub(crate) fn open(dir: &Path) -> StoreResult<SqliteStore> {
        SqliteStore::open_file(&dir.join("chatfn.db"))
    }

    /// Opens (creating and migrating) the database file `path`.
    pub(crate) fn open_file(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::database("creating the database's directory", e))?;
        }
        let store = SqliteStore {
            pool: Pool::new(path.to_owned()),
        };
        store.with(migrate)?;
        Ok(store)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.pool.with(f)
    }
}

/// One node's database: nothing to hear from others.
impl Shared for SqliteStore {
    fn changes(&self) -> Option<tokio::sync::broadcast::Receiver<Change>> {
        None
    }

    fn ping(&self) -> StoreResult<()> {
        self.with(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
    }
}

/// Brings the database up to this build's schema; refuses a newer one.
/// Each step reads the version inside its own write transaction, so two
/// processes opening one file together apply each migration once.
fn migrate(conn: &mut Connection) -> StoreResult<()> {
    for (n, migration) in MIGRATIONS.iter().enumerate() {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let applied = usize::try_from(applied).unwrap_or(0);
        check_not_newer(applied)?;
        if applied > n {
            continue;
        }
        tx.execute_batch(migration.sqlite)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(n + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}
