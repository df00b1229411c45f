//! Storage: applications, chat runtimes, functions, versions and invocation
//! logs. Every query is scoped by application id, so one tenant's data is
//! out of reach of another's requests by construction.
//!
//! [`Store`] is synchronous (call it from `spawn_blocking`) so that both an
//! embedded database and a blocking PostgreSQL client can implement it.

mod jobs;
mod sqlite;
mod sqlite_jobs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use jobs::{Job, JobEnd, JobOutcome, NewJob, QueueCounts};
pub(crate) use sqlite::SqliteStore;

/// `Result` with a [`StoreError`].
pub(crate) type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// A uniqueness rule was broken (e.g. a second function for a trigger type).
    #[error("{0}")]
    Conflict(String),
    /// The database failed.
    #[error("storage failed: {0}")]
    Database(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Database(e.to_string())
    }
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
pub(crate) enum RuntimeChange {
    /// The dependencies and their lockfile.
    Dependencies(Vec<Dependency>, Option<String>),
    Environment(BTreeMap<String, String>),
    InitializationScript(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Function {
    pub(crate) id: i64,
    pub(crate) trigger: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) enabled: bool,
    pub(crate) timeout_ms: u32,
    pub(crate) current_version: Option<i64>,
    pub(crate) created_ms: i64,
}

pub(crate) struct NewFunction {
    pub(crate) trigger: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) timeout_ms: u32,
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
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Version {
    pub(crate) id: i64,
    pub(crate) function_id: i64,
    pub(crate) number: i64,
    pub(crate) handler_script: String,
    pub(crate) created_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum InvocationStatus {
    Running,
    Succeeded,
    Failed,
}

impl InvocationStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Running => "RUNNING",
            InvocationStatus::Succeeded => "SUCCEEDED",
            InvocationStatus::Failed => "FAILED",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<InvocationStatus> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Some(InvocationStatus::Running),
            "SUCCEEDED" => Some(InvocationStatus::Succeeded),
            "FAILED" => Some(InvocationStatus::Failed),
            _ => None,
        }
    }
}

/// One run of a function version. JSON columns are kept as JSON text.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    pub(crate) id: i64,
    pub(crate) app_id: i64,
    pub(crate) function_id: i64,
    pub(crate) version_number: i64,
    pub(crate) trigger: String,
    /// Run through the test endpoint, not by a trigger.
    pub(crate) test: bool,
    pub(crate) args: String,
    pub(crate) result: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) status: InvocationStatus,
    pub(crate) logs: String,
    pub(crate) created_ms: i64,
    pub(crate) ended_ms: Option<i64>,
    pub(crate) duration_ms: Option<f64>,
    /// Platform API calls made, as a JSON array of `{method, path, status,
    /// durationMs}`.
    pub(crate) calls: String,
    /// Which run this is (non-blocking triggers are retried).
    pub(crate) attempts: u32,
}

/// A 0-based page request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageRequest {
    pub(crate) number: u64,
    pub(crate) size: u64,
    pub(crate) sort: Sort,
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

#[derive(Clone, Debug, Default)]
pub(crate) struct InvocationFilter {
    pub(crate) status: Option<InvocationStatus>,
    pub(crate) from_ms: Option<i64>,
    pub(crate) to_ms: Option<i64>,
}

pub(crate) trait Store: Send + Sync + 'static {
    fn create_application(
        &self,
        name: &str,
        key_hash: &[u8; 32],
        platform_url: Option<&str>,
        platform_token: Option<&str>,
    ) -> StoreResult<Application>;
    fn application_by_key(&self, key_hash: &[u8; 32]) -> StoreResult<Option<Application>>;
    fn applications(&self) -> StoreResult<Vec<Application>>;
    fn application(&self, id: i64) -> StoreResult<Option<Application>>;
    /// `None` when there is no application `id`.
    fn update_application(
        &self,
        id: i64,
        patch: ApplicationPatch,
    ) -> StoreResult<Option<Application>>;

    fn runtime(&self, app: i64) -> StoreResult<Runtime>;
    fn update_runtime(&self, app: i64, change: RuntimeChange) -> StoreResult<Runtime>;

    fn create_function(&self, app: i64, function: NewFunction) -> StoreResult<Function>;
    fn list_functions(&self, app: i64, page: PageRequest) -> StoreResult<Page<Function>>;
    fn function(&self, app: i64, id: i64) -> StoreResult<Option<Function>>;
    fn function_for_trigger(&self, app: i64, trigger: &str) -> StoreResult<Option<Function>>;
    fn update_function(
        &self,
        app: i64,
        id: i64,
        patch: FunctionPatch,
    ) -> StoreResult<Option<Function>>;

    /// Adds a version with the next number and makes it current.
    fn create_version(
        &self,
        app: i64,
        function: i64,
        handler_script: &str,
    ) -> StoreResult<Option<Version>>;
    fn list_versions(
        &self,
        app: i64,
        function: i64,
        page: PageRequest,
    ) -> StoreResult<Option<Page<Version>>>;
    fn version(&self, app: i64, id: i64) -> StoreResult<Option<(Function, Version)>>;
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

    /// Writes a batch of invocation records (new or updated) in one commit.
    fn put_invocations(&self, batch: &[Invocation]) -> StoreResult<()>;
    fn list_invocations(
        &self,
        app: i64,
        function: i64,
        filter: &InvocationFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Invocation>>;
    fn invocation(&self, app: i64, id: i64) -> StoreResult<Option<Invocation>>;
    /// The largest invocation id stored (ids are allocated in memory).
    fn max_invocation_id(&self) -> StoreResult<i64>;
    /// Accepts events for later runs, in one commit; returns their ids.
    fn enqueue_jobs(&self, jobs: &[NewJob]) -> StoreResult<Vec<i64>>;
    /// Leases due jobs to the caller.
    fn claim_jobs(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
        skip_apps: &[i64],
    ) -> StoreResult<Vec<Job>>;
    /// Records how claimed runs ended, in one commit.
    fn end_jobs(&self, outcomes: &[JobOutcome]) -> StoreResult<()>;
    fn queue_counts(&self, app: i64, function: i64) -> StoreResult<QueueCounts>;
    /// Jobs of every application by state.
    fn queue_totals(&self) -> StoreResult<QueueCounts>;
    /// Queues a failed job again; false when it is not a failed job of `app`.
    fn redrive_job(&self, app: i64, id: i64, now_ms: i64) -> StoreResult<bool>;
    /// Forgets finished jobs accepted before `before_ms`.
    fn prune_done_jobs(&self, before_ms: i64) -> StoreResult<u64>;
    /// Keeps each function's newest `keep` invocations; returns how many went.
    fn prune_invocations(&self, keep: u64) -> StoreResult<u64>;
}
