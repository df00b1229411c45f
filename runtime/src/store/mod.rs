//! Storage: applications, chat runtimes, functions, versions, invocation
//! records and queued jobs. Every query is scoped by application id, so one
//! tenant's data is out of reach of another's requests by construction.
//!
//! One trait per resource ([`ApplicationStore`], [`RuntimeStore`],
//! [`FunctionStore`], [`InvocationStore`], [`JobStore`]); [`Store`] is all
//! of them. They are synchronous (call them from `spawn_blocking`, e.g.
//! through [`blocking`]): SQLite is a blocking library, and the
//! PostgreSQL backend drives its async client on a runtime of its own, so
//! a storage call never runs on (or stalls) the threads serving requests.
//! This module and its backends are the only places that write SQL; the
//! schema of both is in `schema`, their shared column encodings in
//! `columns`.

mod columns;
mod database;
mod jobs;
mod postgres;
mod schema;
mod sqlite;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::invocation::{Invocation, InvocationStatus};

pub(crate) use database::{Database, DatabaseError, open};
pub(crate) use jobs::{ClaimRequest, Job, JobEnd, JobOutcome, JobStore, NewJob, QueueCounts};
#[cfg(test)]
use postgres::PostgresStore;
pub(crate) use sqlite::SqliteStore;

/// `Result` with a [`StoreError`].
pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// Why a read or write failed.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// A uniqueness rule was broken (e.g. a second function for a trigger
    /// type); the message is for the client.
    #[error("{0}")]
    Conflict(String),
    /// The database stayed locked or out of connections for the whole wait.
    #[error("the database is busy")]
    Busy,
    /// The database server could not be reached (or stopped answering).
    #[error("the database is unreachable: {0}")]
    Unavailable(String),
    /// The database failed.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: &'static str,
        /// The driver's error.
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
    /// The database holds what this build cannot read (a newer schema,
    /// unreadable stored JSON).
    #[error("{0}")]
    Schema(String),
    /// The worker that runs storage calls has stopped.
    #[error("the storage worker has stopped")]
    Stopped,
}

impl StoreError {
    /// Whether the failure is the database's state (busy, out of reach, its
    /// worker gone) rather than a refusal of what was written: worth
    /// retrying as it is.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Busy | StoreError::Unavailable(_) | StoreError::Stopped
        )
    }

    pub(crate) fn database(
        context: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Database {
            context,
            source: Arc::new(source),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::database("SQLite failed", e),
        }
    }
}

/// Runs `f` against `store` off the async threads.
pub(crate) async fn blocking<S: ?Sized + Send + Sync + 'static, T: Send + 'static>(
    store: &Arc<S>,
    f: impl FnOnce(&S) -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .map_err(|_| StoreError::Stopped)?
}

#[derive(Clone, Debug)]
pub(crate) struct Application {
    pub(crate) id: i64,
    pub(crate) name: String,
    /// Base URL of the chat server's Platform API, for `context.get*Api()`.
    pub(crate) platform_url: Option<String>,
    pub(crate) platform_token: Option<String>,
    pub(crate) created_ms: i64,
}

/// What a key gives: its application, and whether it may change anything.
#[derive(Clone, Debug)]
pub(crate) struct KeyHolder {
    pub(crate) application: std::sync::Arc<Application>,
    /// Reads only: lists and records, never a deploy, a trigger, a run or
    /// a change.
    pub(crate) read_only: bool,
    /// A rotated key's end (ms since the epoch); `None` for a current key.
    pub(crate) expires_ms: Option<i64>,
}

impl KeyHolder {
    /// Whether the key still works at `now_ms`.
    pub(crate) fn valid_at(&self, now_ms: i64) -> bool {
        self.expires_ms.is_none_or(|end| now_ms < end)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Dependency {
    pub(crate) name: String,
    pub(crate) version: String,
}

/// An application's chat runtime. Every change makes a new revision; images
/// are built from (revision, function version).
#[derive(Clone, Debug, Default)]
pub(crate) struct Runtime {
    pub(crate) revision: i64,
    pub(crate) dependencies: Vec<Dependency>,
    pub(crate) environment: BTreeMap<String, String>,
    pub(crate) initialization_script: Option<String>,
    /// The dependencies resolved (an npm-resolver lockfile, JSON); `None`
    /// when there are none.
    pub(crate) lockfile: Option<String>,
}

/// One part of a runtime, replaced as a whole.
#[derive(Clone, Debug)]
pub(crate) enum RuntimeChange {
    /// The dependencies and their lockfile.
    Dependencies(Vec<Dependency>, Option<String>),
    Environment(BTreeMap<String, String>),
    InitializationScript(String),
}

impl Runtime {
    /// This runtime with `change` made, at the next revision.
    pub(crate) fn changed(mut self, change: RuntimeChange) -> Runtime {
        match change {
            RuntimeChange::Dependencies(deps, lockfile) => {
                self.dependencies = deps;
                self.lockfile = lockfile;
            }
            RuntimeChange::Environment(env) => self.environment = env,
            RuntimeChange::InitializationScript(script) => {
                self.initialization_script = Some(script).filter(|s| !s.trim().is_empty());
            }
        }
        self.revision += 1;
        self
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Function {
    pub(crate) id: i64,
    pub(crate) trigger: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) enabled: bool,
    pub(crate) timeout_ms: u32,
    pub(crate) instance_reuse: InstanceReuse,
    pub(crate) current_version: Option<i64>,
    pub(crate) created_ms: i64,
}

/// Whether a function's invocations share warm instances (one at a time),
/// keeping module scope between them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InstanceReuse {
    /// Every invocation on a never-used instance.
    #[default]
    None,
    /// An instance serves one invocation at a time and is kept for the
    /// next ones of the same version.
    Sequential,
}

impl InstanceReuse {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InstanceReuse::None => "none",
            InstanceReuse::Sequential => "sequential",
        }
    }

    /// The stored text; anything else (a later build's mode) reads as
    /// `None`, the safe one.
    pub(crate) fn parse(text: &str) -> InstanceReuse {
        match text {
            "sequential" => InstanceReuse::Sequential,
            _ => InstanceReuse::None,
        }
    }
}

pub(crate) struct NewFunction {
    pub(crate) trigger: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) timeout_ms: u32,
    pub(crate) instance_reuse: InstanceReuse,
}

/// Changes to an application; `None` leaves a field as it is.
#[derive(Default)]
pub(crate) struct ApplicationPatch {
    pub(crate) name: Option<String>,
    /// `Some(None)` removes the platform URL.
    pub(crate) platform_url: Option<Option<String>>,
    pub(crate) platform_token: Option<Option<String>>,
}

#[derive(Default)]
pub(crate) struct FunctionPatch {
    pub(crate) enabled: Option<bool>,
    pub(crate) timeout_ms: Option<u32>,
    pub(crate) instance_reuse: Option<InstanceReuse>,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
}

impl Function {
    /// Makes the changes `patch` names (for a backend to store).
    pub(crate) fn patch(&mut self, patch: FunctionPatch) {
        if let Some(enabled) = patch.enabled {
            self.enabled = enabled;
        }
        if let Some(timeout_ms) = patch.timeout_ms {
            self.timeout_ms = timeout_ms;
        }
        if let Some(reuse) = patch.instance_reuse {
            self.instance_reuse = reuse;
        }
        if let Some(name) = patch.name {
            self.name = name;
        }
        if let Some(description) = patch.description {
            self.description = Some(description);
        }
    }
}

impl Application {
    /// Makes the changes `patch` names (for a backend to store).
    pub(crate) fn patch(&mut self, patch: ApplicationPatch) {
        if let Some(name) = patch.name {
            self.name = name;
        }
        if let Some(url) = patch.platform_url {
            self.platform_url = url;
        }
        if let Some(token) = patch.platform_token {
            self.platform_token = token;
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Version {
    pub(crate) id: i64,
    pub(crate) function_id: i64,
    pub(crate) number: i64,
    pub(crate) handler_script: String,
    pub(crate) created_ms: i64,
}

/// A 0-based page request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageRequest {
    pub(crate) number: u64,
    pub(crate) size: u64,
    pub(crate) sort: Sort,
    /// A second key, for ties of the first (the id breaks the rest).
    pub(crate) then: Option<Sort>,
}

/// A sort key the store knows, and its direction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sort {
    pub(crate) key: SortKey,
    pub(crate) descending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortKey {
    Id,
    CreatedTime,
    Name,
    VersionNumber,
}

pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: u64,
}

/// Which invocation records a list shows; `None` is no condition.
#[derive(Clone, Debug, Default)]
pub(crate) struct InvocationFilter {
    pub(crate) function: Option<i64>,
    pub(crate) trigger: Option<String>,
    pub(crate) status: Option<InvocationStatus>,
    pub(crate) version_number: Option<i64>,
    /// Test runs only (`true`) or triggered runs only (`false`).
    pub(crate) test: Option<bool>,
    pub(crate) from_ms: Option<i64>,
    pub(crate) to_ms: Option<i64>,
    /// A cursor: only records after this id in the list's id order
    /// (smaller ids when the list is newest first). Lists sorted by id only.
    pub(crate) after: Option<i64>,
}

/// Applications (tenants) and their keys.
pub(crate) trait ApplicationStore: Send + Sync {
    /// Adds an application whose key hashes to `key_hash`.
    fn create_application(
        &self,
        name: &str,
        key_hash: &[u8; 32],
        platform_url: Option<&str>,
        platform_token: Option<&str>,
    ) -> StoreResult<Application>;
    /// The holder of a key: its application and what the key may do.
    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<KeyHolder>>;
    /// Adds a key to application `id`; false when there is none.
    fn add_key(&self, id: i64, key_hash: &[u8; 32], read_only: bool) -> StoreResult<bool>;
    /// Gives application `id` a new full key. Its other full keys stop
    /// working at `old_keys_until_ms` (at once if that has passed); false
    /// when there is no application `id`.
    fn rotate_key(&self, id: i64, key_hash: &[u8; 32], old_keys_until_ms: i64)
    -> StoreResult<bool>;
    /// Deletes application `id` with everything it owns: keys, runtime,
    /// functions, versions, invocation records and jobs. False when there
    /// is none.
    fn delete_application(&self, id: i64) -> StoreResult<bool>;
    /// Every application, by id.
    fn applications(&self) -> StoreResult<Vec<Application>>;
    /// Application `id`.
    fn application(&self, id: i64) -> StoreResult<Option<Application>>;
    /// `None` when there is no application `id`.
    fn update_application(
        &self,
        id: i64,
        patch: ApplicationPatch,
    ) -> StoreResult<Option<Application>>;
}

/// Each application's chat runtime.
pub(crate) trait RuntimeStore: Send + Sync {
    /// The runtime of `app` (an empty one at revision 0 if never set).
    fn runtime(&self, app: i64) -> StoreResult<Runtime>;
    /// Replaces one part of the runtime, making a new revision.
    fn update_runtime(&self, app: i64, change: RuntimeChange) -> StoreResult<Runtime>;
    /// The runtime's secrets, sealed, by name.
    fn secrets(&self, app: i64) -> StoreResult<Vec<SealedSecret>>;
    /// Sets (`Some`) or removes (`None`) secrets by name, in one commit;
    /// a [`StoreError::Conflict`] if the runtime would then have more than
    /// `max` secrets.
    fn change_secrets(
        &self,
        app: i64,
        changes: &[(String, Option<Vec<u8>>)],
        max: usize,
    ) -> StoreResult<()>;
}

/// A secret as stored: sealed by the service, never opened by the store.
#[derive(Clone, Debug)]
pub(crate) struct SealedSecret {
    pub(crate) name: String,
    pub(crate) sealed: Vec<u8>,
    pub(crate) updated_ms: i64,
}

/// Functions and their versions.
pub(crate) trait FunctionStore: Send + Sync {
    /// Adds a function; a [`StoreError::Conflict`] if its trigger type has one.
    fn create_function(&self, app: i64, function: NewFunction) -> StoreResult<Function>;
    /// A page of `app`'s functions.
    fn list_functions(&self, app: i64, page: PageRequest) -> StoreResult<Page<Function>>;
    /// Function `id` of `app`.
    fn function(&self, app: i64, id: i64) -> StoreResult<Option<Function>>;
    /// The function of `app` for a trigger type.
    fn function_for_trigger(&self, app: i64, trigger: &str) -> StoreResult<Option<Function>>;
    /// `None` when `app` has no function `id`.
    fn update_function(
        &self,
        app: i64,
        id: i64,
        patch: FunctionPatch,
    ) -> StoreResult<Option<Function>>;
    /// Adds a version with the next number, current if `activate` (else
    /// staged: stored, to be test-run or made current later).
    fn create_version(
        &self,
        app: i64,
        function: i64,
        handler_script: &str,
        activate: bool,
    ) -> StoreResult<Option<Version>>;
    /// A page of a function's versions; `None` when there is no such function.
    fn list_versions(
        &self,
        app: i64,
        function: i64,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Version>>>;
    /// Version `id` of `app`, with its function.
    fn version(&self, app: i64, id: i64) -> StoreResult<Option<(Function, Version)>>;
    /// Version `number` of a function.
    fn version_by_number(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Version>>;
    /// Makes an existing version current again (rollback).
    fn set_current_version(
        &self,
        app: i64,
        function: i64,
        number: i64,
    ) -> StoreResult<Option<Function>>;
}

/// The invocation log.
pub(crate) trait InvocationStore: Send + Sync {
    /// Writes a batch of invocation records (new or updated) in one commit.
    fn put_invocations(&self, batch: &[Invocation]) -> StoreResult<()>;
    /// A page of `app`'s invocation records that pass `filter`.
    fn list_invocations(
        &self,
        app: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>>;
    /// Invocation `id` of `app`.
    fn invocation(&self, app: i64, id: i64) -> StoreResult<Option<Invocation>>;
    /// Reserves `count` new invocation (and job) ids for the caller; no
    /// other caller, on this node or another, gets any of them.
    fn allocate_invocation_ids(&self, count: u32) -> StoreResult<std::ops::Range<i64>>;
    /// Keeps each function's newest `keep` invocations, and of those only
    /// the finished ones created at or after `before_ms` (and every one
    /// still under way); returns how many went.
    fn prune_invocations(&self, keep: u64, before_ms: i64) -> StoreResult<u64>;
    /// What statistics read of `function`'s runs created at or after
    /// `from_ms` (test runs aside), oldest first, at most [`MAX_SAMPLES`].
    fn run_samples(&self, app: i64, function: i64, from_ms: i64) -> StoreResult<Vec<RunSample>>;
}

/// One run as statistics read it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RunSample {
    pub(crate) created_ms: i64,
    pub(crate) status: InvocationStatus,
    pub(crate) duration_ms: Option<f64>,
    pub(crate) warm: Option<bool>,
}

/// Runs statistics read at most (a function keeps 10,000 records by
/// default).
pub(crate) const MAX_SAMPLES: i64 = 100_000;

/// A change made to an application's data, as another node reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Something of this application changed: its settings, runtime or
    /// functions.
    Application(i64),
    /// Changes may have been missed (the feed reconnected): anything
    /// cached may be stale.
    Unknown,
}

/// Invocations a node changed (their records are committed), as it told
/// the others: for their live tails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Announced {
    /// The announcing node's name: a node skips its own.
    pub(crate) from: String,
    pub(crate) app: i64,
    pub(crate) ids: Vec<i64>,
}

/// What a backend shared by several nodes tells each of them.
pub(crate) trait Shared: Send + Sync {
    /// Changes committed by any node (this one included), as they happen;
    /// `None` for a backend that only one node uses.
    fn changes(&self) -> Option<tokio::sync::broadcast::Receiver<Change>>;
    /// Invocation changes any node announced (this one included); `None`
    /// for a backend that only one node uses.
    fn announced(&self) -> Option<tokio::sync::broadcast::Receiver<Announced>> {
        None
    }
    /// Tells every node that these invocations of `app` changed. Nothing
    /// to do for a backend that only one node uses.
    fn announce(&self, _from: &str, _app: i64, _ids: &[i64]) -> StoreResult<()> {
        Ok(())
    }
    /// Whether the database answers now (for `/healthz`).
    fn ping(&self) -> StoreResult<()>;
}

/// Everything the service stores.
pub(crate) trait Store:
    ApplicationStore + RuntimeStore + FunctionStore + InvocationStore + JobStore + Shared
{
}

impl<T: ApplicationStore + RuntimeStore + FunctionStore + InvocationStore + JobStore + Shared> Store
    for T
{
}
