//! The schema, as migrations applied in order; `PRAGMA user_version`
//! counts them.

use rusqlite::{Connection, TransactionBehavior};

use crate::store::{StoreError, StoreResult};

/// Schema migrations, applied in order; `PRAGMA user_version` counts them.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash BLOB NOT NULL UNIQUE,
    platform_url TEXT,
    platform_token TEXT,
    created_ms INTEGER NOT NULL
);
CREATE TABLE runtimes (
    app_id INTEGER PRIMARY KEY REFERENCES applications(id),
    revision INTEGER NOT NULL,
    dependencies TEXT NOT NULL,
    environment TEXT NOT NULL,
    initialization_script TEXT
);
CREATE TABLE functions (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL REFERENCES applications(id),
    trigger TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    enabled INTEGER NOT NULL,
    timeout_ms INTEGER NOT NULL,
    current_version INTEGER,
    created_ms INTEGER NOT NULL,
    UNIQUE (app_id, trigger)
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    function_id INTEGER NOT NULL REFERENCES functions(id),
    number INTEGER NOT NULL,
    handler_script TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (function_id, number)
);
CREATE TABLE invocations (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    function_id INTEGER NOT NULL,
    version_number INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    test INTEGER NOT NULL,
    args TEXT NOT NULL,
    result TEXT,
    error TEXT,
    status TEXT NOT NULL,
    logs TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    duration_ms REAL
);
CREATE INDEX invocations_by_function ON invocations (function_id, id);
CREATE INDEX invocations_by_function_time ON invocations (function_id, created_ms);
"#,
    r#"
ALTER TABLE invocations ADD COLUMN calls TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
ALTER TABLE runtimes ADD COLUMN lockfile TEXT;
"#,
    r#"
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    function_id INTEGER NOT NULL,
    version_number INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    event TEXT NOT NULL,
    idempotency_key TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_run_ms INTEGER NOT NULL,
    lease_until_ms INTEGER,
    last_error TEXT,
    created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (app_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE INDEX jobs_by_function ON jobs (function_id, state);
ALTER TABLE invocations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
"#,
    r#"
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
"#,
    r#"
CREATE TABLE sequences (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
INSERT INTO sequences (name, next) SELECT 'invocations',
    MAX((SELECT COALESCE(MAX(id), 0) FROM invocations), (SELECT COALESCE(MAX(id), 0) FROM jobs)) + 1;
"#,
];

/// Brings the database up to this build's schema; refuses a newer one.
pub(super) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Schema(format!(
            "the database is from a newer chatfn (schema {applied}, this one knows {})",
            MIGRATIONS.len()
        )));
    }
    for (n, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(migration)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(n + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}
