//! Which database a node uses: `sqlite:PATH` (the default, under the data
//! directory) or a `postgres://` URL shared by any number of nodes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::postgres::{PostgresStore, PostgresTarget};
use super::{SqliteStore, Store, StoreResult};

/// A database URL, parsed.
#[derive(Clone, Debug)]
pub(crate) enum Database {
    /// A SQLite file: one node.
    Sqlite(PathBuf),
    /// A PostgreSQL database: any number of nodes.
    Postgres(Box<PostgresTarget>),
}

/// Why a database URL was refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid database URL: {0}")]
pub(crate) struct DatabaseError(pub(crate) String);

impl Database {
    /// The default: `chatfn.db` in `data_dir`.
    pub(crate) fn in_data_dir(data_dir: &Path) -> Database {
        Database::Sqlite(data_dir.join("chatfn.db"))
    }

    /// `sqlite:PATH` (also `sqlite://PATH`) or `postgres://…`
    /// (`postgresql://…`), with libpq's `sslmode` and `sslrootcert`.
    pub(crate) fn parse(url: &str) -> Result<Database, DatabaseError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(DatabaseError("sqlite: needs a file path".into()));
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return PostgresTarget::parse(url).map(|t| Database::Postgres(Box::new(t)));
        }
        Err(DatabaseError(
            "expected sqlite:PATH or postgres://USER@HOST/DATABASE".into(),
        ))
    }
}

/// For logs: the backend and where it is, never a password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Database::Postgres(target) => target.fmt(f),
        }
    }
}

/// Opens (creating and migrating) the database. Blocks: call it off the
/// async threads.
pub(crate) fn open(database: &Database) -> StoreResult<Arc<dyn Store>> {
    Ok(match database {
        Database::Sqlite(path) => Arc::new(SqliteStore::open_file(path)?),
        Database::Postgres(target) => Arc::new(PostgresStore::open(target)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_display_without_passwords() {
        let shown = |url: &str| Database::parse(url).map(|d| d.to_string());
        assert_eq!(
            shown("sqlite:/tmp/x.db").ok().as_deref(),
            Some("sqlite:/tmp/x.db")
        );
        assert_eq!(
            shown("sqlite:///tmp/x.db").ok().as_deref(),
            Some("sqlite:/tmp/x.db")
        );
        let pg =
            shown("postgres://chat:s3cret@db.internal:6432/chatfn?sslmode=require").expect("a URL");
        assert!(!pg.contains("s3cret"), "{pg}");
        assert!(
            pg.contains("db.internal:6432") && pg.contains("chatfn"),
            "{pg}"
        );
        for bad in [
            "",
            "sqlite:",
            "mysql://x",
            "postgres://x/y?sslmode=sometimes",
        ] {
            assert!(Database::parse(bad).is_err(), "{bad}");
        }
    }
}
