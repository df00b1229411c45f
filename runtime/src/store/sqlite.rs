//! The embedded default: SQLite in WAL mode under the data directory.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::jobs::{Job, JobOutcome, NewJob, QueueCounts};
use super::sqlite_jobs;
use super::{
    Application, ApplicationPatch, Function, FunctionPatch, Invocation, InvocationFilter,
    InvocationStatus, NewFunction, Page, PageRequest, Runtime, RuntimeChange, SortKey, Store,
    StoreError, StoreResult, Version,
};
use crate::time::now_ms;

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
];

pub(crate) struct SqliteStore {
    path: PathBuf,
    /// Idle connections; SQLite serialises writers itself (WAL lets readers
    /// go on meanwhile).
    pool: Mutex<Vec<Connection>>,
}

impl SqliteStore {
    /// Opens (creating and migrating) `chatfn.db` in `dir`.
    pub(crate) fn open(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Database(format!("cannot create {}: {e}", dir.display())))?;
        let store = SqliteStore {
            path: dir.join("chatfn.db"),
            pool: Mutex::new(Vec::new()),
        };
        let mut conn = store.connect()?;
        migrate(&mut conn)?;
        store.give_back(conn);
        Ok(store)
    }

    fn connect(&self) -> StoreResult<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // NORMAL is durable against process crashes in WAL mode; only an OS
        // crash can lose the last commits. Reads go through a memory map and
        // a 16 MiB page cache per connection rather than a read() per page.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -16384; PRAGMA mmap_size = 268435456;",
        )?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < 16 {
            pool.push(conn);
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = self
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = f(&mut conn);
        self.give_back(conn);
        result
    }
}

fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Database(format!(
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

fn order(page: &PageRequest, allowed: &[(SortKey, &str)]) -> String {
    let column = allowed
        .iter()
        .find(|(key, _)| *key == page.sort.key)
        .map_or("id", |(_, column)| column);
    let direction = if page.sort.descending { "DESC" } else { "ASC" };
    format!("ORDER BY {column} {direction}, id {direction}")
}

fn limits(page: &PageRequest) -> (i64, i64) {
    let size = i64::try_from(page.size).unwrap_or(i64::MAX);
    let offset = i64::try_from(page.number.saturating_mul(page.size)).unwrap_or(i64::MAX);
    (size, offset)
}

fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored JSON is unreadable: {e}"))
}

const FUNCTION_COLUMNS: &str =
    "id, trigger, name, description, enabled, timeout_ms, current_version, created_ms";

fn function_row(row: &Row<'_>) -> rusqlite::Result<Function> {
    Ok(Function {
        id: row.get(0)?,
        trigger: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        enabled: row.get(4)?,
        timeout_ms: row.get(5)?,
        current_version: row.get(6)?,
        created_ms: row.get(7)?,
    })
}

const VERSION_COLUMNS: &str = "v.id, v.function_id, v.number, v.handler_script, v.created_ms";

fn version_row(row: &Row<'_>) -> rusqlite::Result<Version> {
    Ok(Version {
        id: row.get(0)?,
        function_id: row.get(1)?,
        number: row.get(2)?,
        handler_script: row.get(3)?,
        created_ms: row.get(4)?,
    })
}

const APPLICATION_COLUMNS: &str = "id, name, platform_url, platform_token, created_ms";

fn application_row(r: &Row<'_>) -> rusqlite::Result<Application> {
    Ok(Application {
        id: r.get(0)?,
        name: r.get(1)?,
        platform_url: r.get(2)?,
        platform_token: r.get(3)?,
        created_ms: r.get(4)?,
    })
}

const INVOCATION_COLUMNS: &str = "id, app_id, function_id, version_number, trigger, test, args, result, error, status, logs, created_ms, ended_ms, duration_ms, calls, attempts";

/// Inserts or replaces one invocation record (inside the caller's
/// transaction).
pub(super) fn put_invocation(conn: &Connection, i: &Invocation) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO invocations ({INVOCATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?;
    stmt.execute(params![
        i.id,
        i.app_id,
        i.function_id,
        i.version_number,
        i.trigger,
        i.test,
        i.args,
        i.result,
        i.error,
        i.status.as_str(),
        i.logs,
        i.created_ms,
        i.ended_ms,
        i.duration_ms,
        i.calls,
        i.attempts
    ])?;
    Ok(())
}

fn invocation_row(row: &Row<'_>) -> rusqlite::Result<Invocation> {
    let status: String = row.get(9)?;
    Ok(Invocation {
        id: row.get(0)?,
        app_id: row.get(1)?,
        function_id: row.get(2)?,
        version_number: row.get(3)?,
        trigger: row.get(4)?,
        test: row.get(5)?,
        args: row.get(6)?,
        result: row.get(7)?,
        error: row.get(8)?,
        status: InvocationStatus::parse(&status).unwrap_or(InvocationStatus::Failed),
        logs: row.get(10)?,
        created_ms: row.get(11)?,
        ended_ms: row.get(12)?,
        duration_ms: row.get(13)?,
        calls: row.get(14)?,
        attempts: row.get(15)?,
    })
}

fn get_function(conn: &Connection, app: i64, id: i64) -> StoreResult<Option<Function>> {
    Ok(conn
        .query_row(
            &format!("SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 AND id = ?2"),
            params![app, id],
            function_row,
        )
        .optional()?)
}

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

impl Store for SqliteStore {
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
            if let Some(name) = patch.name {
                app.name = name;
            }
            if let Some(url) = patch.platform_url {
                app.platform_url = url;
            }
            if let Some(token) = patch.platform_token {
                app.platform_token = token;
            }
            tx.execute(
                "UPDATE applications SET name = ?2, platform_url = ?3, platform_token = ?4 WHERE id = ?1",
                params![id, app.name, app.platform_url, app.platform_token],
            )?;
            tx.commit()?;
            Ok(Some(app))
        })
    }

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

    fn create_function(&self, app: i64, function: NewFunction) -> StoreResult<Function> {
        self.with(|conn| {
            let created_ms = now_ms();
            let inserted = conn.execute(
                "INSERT INTO functions (app_id, trigger, name, description, enabled, timeout_ms, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6) ON CONFLICT (app_id, trigger) DO NOTHING",
                params![app, function.trigger, function.name, function.description, function.timeout_ms, created_ms],
            )?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "a function for trigger type '{}' already exists",
                    function.trigger
                )));
            }
            Ok(Function {
                id: conn.last_insert_rowid(),
                trigger: function.trigger,
                name: function.name,
                description: function.description,
                enabled: true,
                timeout_ms: function.timeout_ms,
                current_version: None,
                created_ms,
            })
        })
    }

    fn list_functions(&self, app: i64, page: PageRequest) -> StoreResult<Page<Function>> {
        self.with(|conn| {
            let total: i64 = conn.query_row("SELECT COUNT(*) FROM functions WHERE app_id = ?1", params![app], |r| r.get(0))?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::Name, "name")]);
            let (size, offset) = limits(&page);
            let mut stmt = conn.prepare(&format!(
                "SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 {order} LIMIT ?2 OFFSET ?3"
            ))?;
            let items = stmt
                .query_map(params![app, size, offset], function_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, total: total.max(0) as u64 })
        })
    }

    fn function(&self, app: i64, id: i64) -> StoreResult<Option<Function>> {
        self.with(|conn| get_function(conn, app, id))
    }

    fn function_for_trigger(&self, app: i64, trigger: &str) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {FUNCTION_COLUMNS} FROM functions WHERE app_id = ?1 AND trigger = ?2"),
                    params![app, trigger],
                    function_row,
                )
                .optional()?)
        })
    }

    fn update_function(
        &self,
        app: i64,
        id: i64,
        patch: FunctionPatch,
    ) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(mut function) = get_function(&tx, app, id)? else {
                return Ok(None);
            };
            if let Some(enabled) = patch.enabled {
                function.enabled = enabled;
            }
            if let Some(timeout_ms) = patch.timeout_ms {
                function.timeout_ms = timeout_ms;
            }
            if let Some(name) = patch.name {
                function.name = name;
            }
            if let Some(description) = patch.description {
                function.description = Some(description);
            }
            tx.execute(
                "UPDATE functions SET enabled = ?1, timeout_ms = ?2, name = ?3, description = ?4 WHERE id = ?5",
                params![function.enabled, function.timeout_ms, function.name, function.description, id],
            )?;
            tx.commit()?;
            Ok(Some(function))
        })
    }

    fn create_version(
        &self,
        app: i64,
        function: i64,
        handler_script: &str,
    ) -> StoreResult<Option<Version>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            if get_function(&tx, app, function)?.is_none() {
                return Ok(None);
            }
            let number: i64 = tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE function_id = ?1",
                params![function],
                |r| r.get(0),
            )?;
            let created_ms = now_ms();
            tx.execute(
                "INSERT INTO versions (function_id, number, handler_script, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![function, number, handler_script, created_ms],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "UPDATE functions SET current_version = ?1 WHERE id = ?2",
                params![number, function],
            )?;
            tx.commit()?;
            Ok(Some(Version {
                id,
                function_id: function,
                number,
                handler_script: handler_script.to_owned(),
                created_ms,
            }))
        })
    }

    fn list_versions(
        &self,
        app: i64,
        function: i64,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Version>>> {
        self.with(|conn| {
            if get_function(conn, app, function)?.is_none() {
                return Ok(None);
            }
            let total: i64 =
                conn.query_row("SELECT COUNT(*) FROM versions WHERE function_id = ?1", params![function], |r| r.get(0))?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::VersionNumber, "number")]);
            let (size, offset) = limits(&page);
            let mut stmt = conn.prepare(&format!(
                "SELECT {VERSION_COLUMNS} FROM versions v WHERE v.function_id = ?1 {order} LIMIT ?2 OFFSET ?3"
            ))?;
            let items = stmt
                .query_map(params![function, size, offset], version_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(Page { items, total: total.max(0) as u64 }))
        })
    }

    fn version(&self, app: i64, id: i64) -> StoreResult<Option<(Function, Version)>> {
        self.with(|conn| {
            let version = conn
                .query_row(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                         WHERE v.id = ?1 AND f.app_id = ?2"
                    ),
                    params![id, app],
                    version_row,
                )
                .optional()?;
            let Some(version) = version else { return Ok(None) };
            Ok(get_function(conn, app, version.function_id)?.map(|f| (f, version)))
        })
    }

    fn version_by_number(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Version>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {VERSION_COLUMNS} FROM versions v JOIN functions f ON f.id = v.function_id
                         WHERE v.function_id = ?1 AND v.number = ?2 AND f.app_id = ?3"
                    ),
                    params![function, number, app],
                    version_row,
                )
                .optional()?)
        })
    }

    fn set_current_version(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Function>> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT v.id FROM versions v JOIN functions f ON f.id = v.function_id
                     WHERE v.function_id = ?1 AND v.number = ?2 AND f.app_id = ?3",
                    params![function, number, app],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Ok(None);
            }
            tx.execute(
                "UPDATE functions SET current_version = ?1 WHERE id = ?2 AND app_id = ?3",
                params![number, function, app],
            )?;
            let function = get_function(&tx, app, function)?;
            tx.commit()?;
            Ok(function)
        })
    }

    fn put_invocations(&self, batch: &[Invocation]) -> StoreResult<()> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for invocation in batch {
                put_invocation(&tx, invocation)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn list_invocations(
        &self,
        app: i64,
        function: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>> {
        self.with(|conn| {
            let condition = "app_id = ?1 AND function_id = ?2 AND (?3 IS NULL OR status = ?3)
                 AND (?4 IS NULL OR created_ms >= ?4) AND (?5 IS NULL OR created_ms < ?5)";
            let status = filter.status.map(InvocationStatus::as_str);
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM invocations WHERE {condition}"),
                params![app, function, status, filter.from_ms, filter.to_ms],
                |r| r.get(0),
            )?;
            let order = order(&page, &[(SortKey::CreatedTime, "created_ms"), (SortKey::VersionNumber, "version_number")]);
            let (size, offset) = limits(&page);
            let mut stmt = conn.prepare(&format!(
                "SELECT {INVOCATION_COLUMNS} FROM invocations WHERE {condition} {order} LIMIT ?6 OFFSET ?7"
            ))?;
            let items = stmt
                .query_map(
                    params![app, function, status, filter.from_ms, filter.to_ms, size, offset],
                    invocation_row,
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page { items, total: total.max(0) as u64 })
        })
    }

    fn invocation(&self, app: i64, id: i64) -> StoreResult<Option<Invocation>> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {INVOCATION_COLUMNS} FROM invocations WHERE app_id = ?1 AND id = ?2"
                    ),
                    params![app, id],
                    invocation_row,
                )
                .optional()?)
        })
    }

    fn max_invocation_id(&self) -> StoreResult<i64> {
        self.with(|conn| {
            Ok(
                // Jobs not run yet have ids but no invocation record.
                conn.query_row(
                    "SELECT MAX((SELECT COALESCE(MAX(id), 0) FROM invocations), (SELECT COALESCE(MAX(id), 0) FROM jobs))",
                    [],
                    |r| r.get(0),
                )?,
            )
        })
    }

    fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<Vec<i64>> {
        self.with(|conn| sqlite_jobs::enqueue(conn, jobs))
    }

    fn claim_jobs(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
        skip_apps: &[i64],
    ) -> StoreResult<Vec<Job>> {
        self.with(|conn| sqlite_jobs::claim(conn, now_ms, lease_ms, limit, skip_apps))
    }

    fn end_jobs(&self, outcomes: &[JobOutcome]) -> StoreResult<()> {
        self.with(|conn| sqlite_jobs::end(conn, outcomes))
    }

    fn queue_counts(&self, app: i64, function: i64) -> StoreResult<QueueCounts> {
        self.with(|conn| sqlite_jobs::counts(conn, app, function))
    }

    fn queue_totals(&self) -> StoreResult<QueueCounts> {
        self.with(|conn| sqlite_jobs::totals(conn))
    }

    fn redrive_job(&self, app: i64, id: i64, now_ms: i64) -> StoreResult<bool> {
        self.with(|conn| sqlite_jobs::redrive(conn, app, id, now_ms))
    }

    fn prune_done_jobs(&self, before_ms: i64) -> StoreResult<u64> {
        self.with(|conn| sqlite_jobs::prune_done(conn, before_ms))
    }

    fn prune_invocations(&self, keep: u64) -> StoreResult<u64> {
        self.with(|conn| {
            let keep = i64::try_from(keep).unwrap_or(i64::MAX);
            let removed = conn.execute(
                "DELETE FROM invocations WHERE id IN (
                   SELECT id FROM (
                     SELECT id, ROW_NUMBER() OVER (PARTITION BY function_id ORDER BY id DESC) AS n FROM invocations
                   ) WHERE n > ?1)",
                params![keep],
            )?;
            Ok(removed as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Sort;

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
        let dir = tempfile::tempdir().map_err(|e| StoreError::Database(e.to_string()))?;
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
            .ok_or(StoreError::Database("no version".into()))?;
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
