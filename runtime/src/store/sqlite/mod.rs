//! The embedded default: SQLite in WAL mode under the data directory.
//!
//! One file per resource implements its trait; `schema` holds the
//! migrations, `pool` the connections, `rows` the mapping between rows and
//! values.

mod applications;
mod functions;
mod invocations;
mod jobs;
mod pool;
mod rows;
mod runtimes;
mod schema;

use std::path::Path;

use rusqlite::Connection;

use super::{StoreError, StoreResult};
use pool::Pool;

/// The service's data in `<data dir>/chatfn.db`.
pub(crate) struct SqliteStore {
    pool: Pool,
}

impl SqliteStore {
    /// Opens (creating and migrating) `chatfn.db` in `dir`.
    pub(crate) fn open(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::database("creating the data directory", e))?;
        let store = SqliteStore {
            pool: Pool::new(dir.join("chatfn.db")),
        };
        store.with(schema::migrate)?;
        Ok(store)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.pool.with(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ApplicationStore, FunctionStore, NewFunction, PageRequest, Sort, SortKey};

    fn page(size: u64) -> PageRequest {
        PageRequest {
            number: 0,
            size,
            sort: Sort {
                key: SortKey::Id,
                descending: false,
            },
        }
    }

    #[test]
    fn data_is_scoped_to_its_application() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::database("tempdir", e))?;
        let store = SqliteStore::open(dir.path())?;
        let a = store.create_application("a", &[1; 32], None, None)?;
        let b = store.create_application("b", &[2; 32], None, None)?;
        let f = store.create_function(
            a.id,
            NewFunction {
                trigger: "user.sent.message".into(),
                name: "f".into(),
                description: None,
                timeout_ms: 5000,
            },
        )?;
        let v = store
            .create_version(a.id, f.id, "x")?
            .ok_or(StoreError::Schema("no version".into()))?;
        assert_eq!(v.number, 1);
        assert!(store.function(b.id, f.id)?.is_none());
        assert!(store.version(b.id, v.id)?.is_none());
        assert!(store.create_version(b.id, f.id, "y")?.is_none());
        assert!(store.list_versions(b.id, f.id, page(10))?.is_none());
        assert!(store.set_current_version(b.id, f.id, 1)?.is_none());
        assert_eq!(store.list_functions(b.id, page(10))?.total, 0);
        assert_eq!(
            store.application_by_key(&[2; 32])?.map(|a| a.name),
            Some("b".into())
        );
        Ok(())
    }
}
