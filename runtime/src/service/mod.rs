//! The service's state and what it does with it: run a function version on
//! an event and record the invocation.

mod dependencies;
mod directory;
mod images;
mod log;
pub(crate) mod queue;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use sandbox::{ErrorKind, GuestError, ImageSpec, Limits, LogEntry, Outcome, Sandbox, Script};
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::Semaphore;

pub(crate) use dependencies::{Dependencies, Resolved};
pub(crate) use directory::{Deployment, Directory};
pub(crate) use images::{BuildFailure, ImageKey, Images};
pub(crate) use log::InvocationLog;
pub(crate) use queue::{Queue, QueueConfig};

use crate::fetch::{EgressPolicy, FetchClient, FetchLimits};
use crate::host::InvocationHost;
use crate::metrics::Metrics;
use crate::platform::{self, PlatformClient, Target};
use crate::sockets::{SocketClient, SocketLimits};
use crate::store::{
    Application, Function, Invocation, InvocationStatus, Runtime, Store, StoreError, Version,
};
use crate::time::now_ms;

/// Tunables of `chatfn serve`.
#[derive(Clone, Debug)]
pub(crate) struct ServiceConfig {
    /// Invocations running at once.
    pub(crate) max_concurrency: usize,
    /// How long a blocking trigger waits for a free slot before a 503.
    pub(crate) queue_wait: Duration,
    /// A new function's timeout.
    pub(crate) default_timeout_ms: u32,
    /// The largest timeout a function may set.
    pub(crate) max_timeout_ms: u32,
    /// Memory limit per invocation.
    pub(crate) memory_bytes: usize,
    /// Largest request body.
    pub(crate) max_body_bytes: usize,
    /// Images kept in memory.
    pub(crate) image_cache_entries: usize,
    /// Bytes of images kept in memory.
    pub(crate) image_cache_bytes: usize,
    /// Limit on each platform API call (connect to last byte).
    pub(crate) platform_timeout: Duration,
    /// How long cached lookups (application keys, deployments, runtimes)
    /// may miss a change made outside this process.
    pub(crate) lookup_ttl: Duration,
    /// The npm registry dependencies come from.
    pub(crate) npm_registry: String,
    /// Where npm packages are stored.
    pub(crate) npm_dir: std::path::PathBuf,
    /// Internal hosts and networks guest `fetch` may reach anyway.
    pub(crate) fetch_policy: EgressPolicy,
    pub(crate) fetch_limits: FetchLimits,
    pub(crate) queue: QueueConfig,
    /// Bearer token `GET /metrics` requires, if any.
    pub(crate) metrics_token: Option<String>,
}

impl Default for ServiceConfig {
    fn default() -> ServiceConfig {
        ServiceConfig {
            max_concurrency: 256,
            queue_wait: Duration::from_secs(2),
            default_timeout_ms: 5000,
            max_timeout_ms: 60_000,
            memory_bytes: 64 << 20,
            max_body_bytes: 1 << 20,
            image_cache_entries: 512,
            image_cache_bytes: 2 << 30,
            platform_timeout: platform::DEFAULT_TIMEOUT,
            lookup_ttl: Duration::from_secs(5),
            npm_registry: npm_resolver::DEFAULT_REGISTRY.to_owned(),
            npm_dir: std::env::temp_dir().join("chatfn-npm"),
            fetch_policy: EgressPolicy::default(),
            fetch_limits: FetchLimits::default(),
            queue: QueueConfig::default(),
            metrics_token: None,
        }
    }
}

pub(crate) struct Service {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) images: Images,
    pub(crate) log: InvocationLog,
    pub(crate) queue: Queue,
    pub(crate) config: ServiceConfig,
    directory: Directory,
    dependencies: Dependencies,
    platform: Arc<PlatformClient>,
    fetch: Arc<FetchClient>,
    sockets: Arc<SocketClient>,
    permits: Semaphore,
    next_invocation: AtomicI64,
    pub(crate) metrics: Metrics,
}

/// Why a run did not happen (a run that happened and failed is an
/// [`Invocation`] with status FAILED).
#[derive(Debug)]
pub(crate) enum RunError {
    /// Every slot stayed busy for the whole queue wait.
    Saturated,
    Store(StoreError),
    Sandbox(String),
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> RunError {
        RunError::Store(e)
    }
}

/// Which run of which invocation this is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempt {
    /// The invocation's id.
    pub(crate) id: i64,
    /// From 1; non-blocking triggers are retried.
    pub(crate) number: u32,
    /// Run through the test endpoint, not by a trigger.
    pub(crate) test: bool,
}

/// A finished run: its record, and how it failed if it did.
pub(crate) struct Run {
    pub(crate) invocation: Invocation,
    pub(crate) failure: Option<ErrorKind>,
}

/// An invocation's `error`: the guest error's fields after its `type`.
#[derive(Serialize)]
struct ErrorRecord<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    error: &'a GuestError,
}

fn error_json(kind: &str, error: &GuestError) -> String {
    serde_json::to_string(&ErrorRecord { kind, error }).unwrap_or_else(|_| "{}".into())
}

fn logs_json(logs: &[LogEntry]) -> String {
    serde_json::to_string(logs).unwrap_or_else(|_| "[]".into())
}

impl Service {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        sandbox: Sandbox,
        config: ServiceConfig,
    ) -> anyhow::Result<Service> {
        let next = store.max_invocation_id()?;
        let dependencies = Dependencies::new(
            &config.npm_dir,
            &config.npm_registry,
            sandbox.compiler().clone(),
        );
        Ok(Service {
            log: InvocationLog::start(Arc::clone(&store))?,
            queue: Queue::new(Arc::clone(&store), config.queue.clone())?,
            images: Images::new(
                sandbox,
                config.image_cache_entries,
                config.image_cache_bytes,
            ),
            directory: Directory::new(config.lookup_ttl),
            dependencies,
            platform: Arc::new(PlatformClient::new(
                config.platform_timeout,
                platform::MAX_RESPONSE_BYTES,
            )),
            fetch: Arc::new(FetchClient::new(
                config.fetch_policy.clone(),
                config.fetch_limits.clone(),
            )),
            sockets: Arc::new(SocketClient::new(
                config.fetch_policy.clone(),
                SocketLimits::default(),
            )),
            permits: Semaphore::new(config.max_concurrency.max(1)),
            next_invocation: AtomicI64::new(next),
            metrics: Metrics::default(),
            store,
            config,
        })
    }

    /// Runs `f` against the store off the async threads.
    pub(crate) async fn store<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let service = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&*service.store))
            .await
            .map_err(|e| StoreError::Database(format!("storage task failed: {e}")))?
    }

    /// Runs a write to `app`'s functions or runtime, then drops what the
    /// lookups cached about them.
    pub(crate) async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        app: i64,
        f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let result = self.store(f).await;
        self.directory.invalidate(app);
        result
    }

    /// The application a key belongs to.
    pub(crate) async fn application_by_key(
        self: &Arc<Self>,
        key_hash: [u8; 32],
    ) -> Result<Option<Arc<Application>>, StoreError> {
        let load = self.store(move |s| s.application_by_key(&key_hash));
        self.directory.application(key_hash, load).await
    }

    /// Application `id` (for runs that did not come with a key).
    pub(crate) async fn application_by_id(
        self: &Arc<Self>,
        id: i64,
    ) -> Result<Option<Arc<Application>>, StoreError> {
        let load = self.store(move |s| s.application(id));
        self.directory.application_by_id(id, load).await
    }

    /// What runs for `trigger` in `app`: its function, if enabled, at its
    /// current version.
    pub(crate) async fn deployment(
        self: &Arc<Self>,
        app: i64,
        trigger: &'static str,
    ) -> Result<Option<Arc<Deployment>>, StoreError> {
        let load = self.store(move |s| {
            let Some(function) = s.function_for_trigger(app, trigger)? else {
                return Ok(None);
            };
            let Some(number) = function.current_version.filter(|_| function.enabled) else {
                return Ok(None);
            };
            Ok(s.version_by_number(app, function.id, number)?
                .map(|version| Deployment { function, version }))
        });
        self.directory.deployment(app, trigger, load).await
    }

    /// Version `number` of `function` (whether current or not).
    pub(crate) async fn version(
        self: &Arc<Self>,
        app: i64,
        function: i64,
        number: i64,
    ) -> Result<Option<Arc<Deployment>>, StoreError> {
        let load = self.store(move |s| {
            let Some(function) = s.function(app, function)? else {
                return Ok(None);
            };
            Ok(s.version_by_number(app, function.id, number)?
                .map(|version| Deployment { function, version }))
        });
        self.directory.version((app, function, number), load).await
    }

    async fn runtime(self: &Arc<Self>, app: i64) -> Result<Arc<Runtime>, StoreError> {
        let load = self.store(move |s| s.runtime(app));
        self.directory.runtime(app, load).await
    }

    pub(crate) fn next_invocation_id(&self) -> i64 {
        self.next_invocation.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// What the image of `version` on `runtime` is built from. Reads the
    /// runtime's dependencies from the package store (downloading what is
    /// missing), so it is awaited only when the image is not cached.
    async fn image_spec(
        &self,
        runtime: &Runtime,
        version: &Version,
    ) -> Result<ImageSpec, BuildFailure> {
        let mut spec =
            ImageSpec::new(Script::new("handler.ts", version.handler_script.clone())).with_context(
                Script::new(platform::CONTEXT_SCRIPT_NAME, platform::context_script()),
            );
        spec.env = runtime.environment.clone();
        if let Some(init) = &runtime.initialization_script {
            spec = spec.with_init(Script::new("init.ts", init.clone()));
        }
        if let Some(lockfile) = &runtime.lockfile {
            let modules = self
                .dependencies
                .modules(lockfile)
                .await
                .map_err(BuildFailure::Other)?;
            spec.modules = modules;
        }
        Ok(spec)
    }

    /// Resolves and installs a dependency list (before it is stored).
    pub(crate) async fn resolve_dependencies(
        &self,
        dependencies: &[crate::store::Dependency],
    ) -> Result<Resolved, npm_resolver::Error> {
        self.dependencies.resolve(dependencies).await
    }

    /// Builds the image of `version` on the current runtime ahead of its
    /// first invocation (a deploy).
    pub(crate) async fn prepare(
        self: &Arc<Self>,
        app: i64,
        version: &Version,
    ) -> Result<(), RunError> {
        let runtime = self.runtime(app).await?;
        let key = ImageKey {
            version_id: version.id,
            runtime_revision: runtime.revision,
        };
        // A failed build is reported by the invocations that need it.
        let _ = self
            .images
            .get(key, self.image_spec(&runtime, version))
            .await;
        Ok(())
    }

    /// Runs `version` of `function` on `event` and records the invocation.
    pub(crate) async fn run(
        self: &Arc<Self>,
        app: &Application,
        function: &Function,
        version: &Version,
        event: &RawValue,
        attempt: Attempt,
    ) -> Result<Run, RunError> {
        let run = self.execute(app, function, version, event, attempt).await?;
        self.log.put(run.invocation.clone());
        Ok(run)
    }

    /// Runs `version` of `function` on `event`; the caller records the
    /// invocation (the queue commits it with the job's outcome).
    pub(crate) async fn execute(
        self: &Arc<Self>,
        app: &Application,
        function: &Function,
        version: &Version,
        event: &RawValue,
        attempt: Attempt,
    ) -> Result<Run, RunError> {
        let Attempt {
            id,
            number: attempt,
            test,
        } = attempt;
        let _permit =
            match tokio::time::timeout(self.config.queue_wait, self.permits.acquire()).await {
                Ok(Ok(permit)) => permit,
                _ => {
                    self.metrics.saturated();
                    return Err(RunError::Saturated);
                }
            };
        let created_ms = now_ms();
        let started = Instant::now();
        let runtime = self.runtime(app.id).await?;
        let key = ImageKey {
            version_id: version.id,
            runtime_revision: runtime.revision,
        };
        let image = self
            .images
            .get(key, self.image_spec(&runtime, version))
            .await;
        let mut invocation = Invocation {
            id,
            app_id: app.id,
            function_id: function.id,
            version_number: version.number,
            trigger: function.trigger.clone(),
            test,
            args: event.get().to_owned(),
            result: None,
            error: None,
            status: InvocationStatus::Failed,
            logs: "[]".into(),
            created_ms,
            ended_ms: None,
            duration_ms: None,
            calls: "[]".into(),
            attempts: attempt,
        };
        let failure = match image {
            Err(failure) => {
                invocation.error = Some(error_json("INIT_ERROR", &failure.guest_error()));
                if let BuildFailure::Init { logs, .. } = &failure {
                    invocation.logs = logs_json(logs);
                }
                Some(ErrorKind::Exception)
            }
            Ok(image) => {
                let limits = Limits {
                    timeout: Duration::from_millis(u64::from(function.timeout_ms)),
                    memory_bytes: self.config.memory_bytes,
                    ..Limits::default()
                };
                let context = serde_json::json!({
                    "applicationId": app.id,
                    "functionId": function.id,
                    "functionType": function.trigger,
                    "versionNumber": version.number,
                    "invocationId": id,
                    "attempt": attempt,
                });
                let context = serde_json::value::to_raw_value(&context)
                    .map_err(|e| RunError::Sandbox(e.to_string()))?;
                let target = app.platform_url.as_ref().map(|url| {
                    Arc::new(Target {
                        base_url: url.trim_end_matches('/').to_owned(),
                        token: app.platform_token.clone(),
                    })
                });
                let calls = Arc::new(InvocationHost::new(
                    Arc::clone(&self.platform),
                    target,
                    Arc::clone(&self.fetch),
                    Arc::clone(&self.sockets),
                ));
                let outcome: Outcome = image
                    .invoke(event, &context, &limits, calls.clone())
                    .await
                    .map_err(|e| RunError::Sandbox(e.to_string()))?;
                invocation.logs = logs_json(&outcome.logs);
                let records = calls.records();
                if !records.is_empty() {
                    invocation.calls =
                        serde_json::to_string(&records).unwrap_or_else(|_| "[]".into());
                }
                match (&outcome.result, &outcome.error) {
                    (Some(result), _) if outcome.succeeded() => {
                        invocation.status = InvocationStatus::Succeeded;
                        invocation.result = Some(format!("{{\"payload\":{}}}", result.get()));
                        None
                    }
                    (_, Some((kind, error))) => {
                        invocation.error = Some(error_json(kind.as_str(), error));
                        Some(*kind)
                    }
                    _ => Some(ErrorKind::Crash),
                }
            }
        };
        invocation.ended_ms = Some(now_ms());
        let took = started.elapsed();
        invocation.duration_ms = Some(took.as_secs_f64() * 1000.0);
        self.metrics.invoked(&function.trigger, failure, took);
        Ok(Run {
            invocation,
            failure,
        })
    }
}
