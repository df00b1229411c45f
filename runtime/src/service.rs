//! The service behind the HTTP API: its parts, wired once, and the few
//! operations that span them (a blocking run within its slots, a write that
//! refreshes the lookups, a deploy's image build).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sandbox::{Sandbox, SandboxConfig};
use serde_json::value::RawValue;

use crate::batch::{BatchWriter, persist};
use crate::config::Config;
use crate::dependencies::{LogProgress, Resolved};
use crate::directory::{Deployment, Directory};
use crate::error::Result;
use crate::ids::InvocationIds;
use crate::images::BuildFailure;
use crate::invocation::Invocation;
use crate::invoker::{Attempt, Call, Invoker, InvokerConfig};
use crate::queue::Queue;
use crate::slots::Slots;
use crate::store::{
    self, Application, Dependency, Function, KeyHolder, PageRequest, RuntimeChange, Sort, SortKey,
    Store, StoreResult, Version, blocking,
};
use crate::tail::Tail;

/// Largest batch of invocation records per commit.
const LOG_BATCH: usize = 1024;

/// Why a runtime change was refused: what failed to load on the new
/// runtime.
pub(crate) struct Refusal {
    /// The trigger type of the function whose current version was being
    /// loaded (`None`: the runtime alone, with no function deployed).
    pub(crate) trigger: Option<String>,
    pub(crate) failure: BuildFailure,
}

/// How long a health check waits for the database.
const HEALTH_WAIT: Duration = Duration::from_secs(2);
/// How long a health check's answer is reused.
const HEALTH_TTL: Duration = Duration::from_secs(1);

/// Deploy checks (image builds: an init script, a compile) and dependency
/// installs at once on a node; one at a time per application, so one
/// tenant's deploys cannot keep another's waiting.
const BUILDS_AT_ONCE: usize = 2;

/// A running chatfn service: storage, lookups, the invoker, the invocation
/// log and the queue. Serve it with [`app`](crate::app).
pub struct Service {
    pub(crate) config: Config,
    pub(crate) store: Arc<dyn Store>,
    directory: Arc<Directory>,
    pub(crate) invoker: Arc<Invoker>,
    /// Invocation records of blocking and test runs, committed in batches
    /// (queued runs' records commit with their job's outcome).
    log: BatchWriter<Invocation>,
    /// Invocation records as they change, for live tails.
    pub(crate) tail: Arc<Tail>,
    pub(crate) queue: Arc<Queue>,
    /// Slots of blocking triggers.
    blocking: Slots,
    /// Slots of test runs.
    tests: Slots,
    /// Slots of the builds a deploy or a runtime change is checked with.
    checks: Slots,
    /// Slots of dependency installs.
    installs: Slots,
    ids: InvocationIds,
    /// The last database check and when it was made: health probes are
    /// answered from it for a second, so probing costs the database little.
    health: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
    /// The API's OpenAPI document, made on its first request.
    pub(crate) api_document: std::sync::OnceLock<String>,
}

/// Creates the data directory for this user alone, or narrows an existing
/// one to it: it holds the database (platform tokens, environment
/// variables) and the images (with the environment baked in).
fn private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)
            .with_context(|| format!("reading the data directory {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("making the data directory {} private", dir.display()))?;
            tracing::warn!(
                "the data directory {} was open to other users (mode {:o}); it is now 700",
                dir.display(),
                mode & 0o777
            );
        }
    }
    Ok(())
}

impl Service {
    /// Opens the database (by default `chatfn.db` in the config's data
    /// directory) and the image cache under the data directory. Call
    /// [`Service::start`] to run the queue. A config that cannot work fails
    /// with a [`ConfigError`](crate::ConfigError).
    pub async fn open(config: Config) -> anyhow::Result<Service> {
        use anyhow::Context as _;
        let config = config.validate()?;
        private_dir(&config.data_dir)?;
        let database = config.database_target();
        tracing::info!(%database, "opening the database");
        let store = {
            let target = database.clone();
            tokio::task::spawn_blocking(move || store::open(&target))
                .await
                .context("opening the database")?
                .with_context(|| format!("opening the database {database}"))?
        };
        let sandbox = Sandbox::new(SandboxConfig {
            cache_dir: Some(config.image_dir()),
            cache_max_bytes: Some(config.cache_max_bytes),
            warm_pool_bytes: config.warm_pool_bytes,
            warm_per_image: config.warm_per_function,
            ..SandboxConfig::default()
        })
        .context("starting the sandbox")?;
        Service::new(store, sandbox, config)
    }

    /// A service on `store` and `sandbox`; `config` must be validated.
    pub(crate) fn new(
        store: Arc<dyn Store>,
        sandbox: Sandbox,
        config: Config,
    ) -> anyhow::Result<Service> {
        let invoker = Arc::new(Invoker::new(
            sandbox,
            InvokerConfig {
                image_cache_entries: config.image_cache_entries,
                image_cache_bytes: config.image_cache_bytes,
                memory_bytes: config.memory_bytes,
                cpu_time: config.cpu_limit,
                reuse: (config.reuse_max_invocations, config.reuse_idle),
                platform_timeout: config.platform_timeout,
                egress: config.egress.clone(),
                fetch_limits: config.fetch_limits.clone(),
                npm_registry: config.npm_registry.clone(),
                npm_dir: config.npm_dir(),
                npm_max_bytes: Some(config.npm_cache_max_bytes),
            },
        ));
        let directory = Arc::new(Directory::new(
            Arc::clone(&store),
            config.lookup_ttl,
            config.secrets_key()?,
        ));
        let log_store = Arc::clone(&store);
        let tail = Arc::new(Tail::for_store(&*store));
        let log_tail = Arc::clone(&tail);
        let log = BatchWriter::start("invocation-log", LOG_BATCH, move |batch| {
            persist(
                "writing invocation records",
                &batch,
                |records| log_store.put_invocations(records),
                |record| Some(record.cut_down()),
            );
            log_tail.publish(&batch);
        })?;
        let queue = Arc::new(Queue::new(
            Arc::clone(&store) as Arc<dyn crate::store::JobStore>,
            Arc::clone(&directory),
            Arc::clone(&invoker),
            Arc::clone(&tail),
            config.queue.clone(),
        )?);
        Ok(Service {
            blocking: Slots::new(
                "blocking triggers",
                config.max_concurrency,
                config.app_concurrency,
            ),
            tests: Slots::new("test runs", config.max_test_runs, config.app_test_runs),
            checks: Slots::new("deploy checks", BUILDS_AT_ONCE, 1),
            installs: Slots::new("dependency installs", BUILDS_AT_ONCE, 1),
            ids: InvocationIds::new(Arc::clone(&store)),
            health: tokio::sync::Mutex::new(None),
            store,
            directory,
            invoker,
            log,
            tail,
            queue,
            config,
            api_document: std::sync::OnceLock::new(),
        })
    }

    /// Starts the background work: the queue's dispatcher and the pruning
    /// of old records. Needs a Tokio runtime.
    pub fn start(self: &Arc<Self>) {
        self.directory.follow_changes();
        self.tail.relay(Arc::clone(&self.store));
        self.queue.start();
        spawn_pruner(Arc::clone(self));
        // A smaller bound than last time applies at once.
        self.invoker.collect_packages();
    }

    /// Waits until every record and job outcome so far is committed.
    pub async fn flush(&self) {
        self.queue.flush().await;
        self.log.flush().await;
    }

    /// Waits until every invocation record so far is committed (before a
    /// read of the log).
    pub(crate) async fn flush_log(&self) {
        self.log.flush().await;
    }

    /// Whether this node can serve: its database answers (within
    /// [`HEALTH_WAIT`]). The error says why not.
    pub(crate) async fn health(&self) -> std::result::Result<(), String> {
        let mut last = self.health.lock().await;
        if let Some((at, result)) = last.as_ref()
            && at.elapsed() < HEALTH_TTL
        {
            return result.clone();
        }
        let result = match tokio::time::timeout(HEALTH_WAIT, self.store(|s| s.ping())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "the database did not answer within {} s",
                HEALTH_WAIT.as_secs()
            )),
        };
        *last = Some((Instant::now(), result.clone()));
        result
    }

    /// Runs `f` against the store off the async threads.
    pub(crate) async fn store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        blocking(&self.store, move |s| f(s)).await
    }

    /// Runs a write to `app`'s functions or runtime, then drops what the
    /// lookups cached about them.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        app: i64,
        f: impl FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let result = self.store(f).await;
        self.directory.invalidate(app);
        result
    }

    /// The key secrets are sealed with, if this node has one.
    pub(crate) fn secrets_key(&self) -> Option<&crate::secrets::SecretsKey> {
        self.directory.secrets_key()
    }

    /// The holder of a key: its application and what the key may do.
    pub(crate) async fn key(&self, key_hash: [u8; 32]) -> StoreResult<Option<Arc<KeyHolder>>> {
        self.directory.key(key_hash).await
    }

    /// What runs for `trigger` in `app`: its function, if enabled, at its
    /// current version.
    pub(crate) async fn deployment(
        &self,
        app: i64,
        trigger: &'static str,
    ) -> StoreResult<Option<Arc<Deployment>>> {
        self.directory.deployment(app, trigger).await
    }

    /// A new invocation id, unique over the nodes sharing the database.
    pub(crate) async fn next_invocation_id(&self) -> StoreResult<i64> {
        self.ids.next().await
    }

    /// Resolves and installs a dependency list for `app` (before it is
    /// stored), one install per application at a time.
    pub(crate) async fn resolve_dependencies(
        &self,
        app: i64,
        dependencies: &[Dependency],
    ) -> Result<Resolved> {
        let _slot = self.installs.acquire(app, self.config.build_wait).await?;
        Ok(self.invoker.install(dependencies, &LogProgress).await?)
    }

    /// Whether `handler` loads on `app`'s runtime as it is: a deploy's
    /// check before the version is stored.
    pub(crate) async fn check_handler(
        &self,
        app: i64,
        handler: String,
    ) -> Result<std::result::Result<(), BuildFailure>> {
        let _slot = self.checks.acquire(app, self.config.build_wait).await?;
        let runtime = self.store(move |s| s.runtime(app)).await?;
        Ok(self.invoker.check(app, &runtime, &handler).await)
    }

    /// Whether `app`'s runtime with `change` made still works: its init
    /// script runs, and every function's current version loads on it.
    /// Checked before the change is stored, so a change that would make
    /// every invocation fail is refused instead.
    pub(crate) async fn check_runtime_change(
        &self,
        app: i64,
        change: RuntimeChange,
    ) -> Result<std::result::Result<(), Refusal>> {
        let _slot = self.checks.acquire(app, self.config.build_wait).await?;
        let (runtime, mut handlers) = self
            .store(move |s| {
                let runtime = s.runtime(app)?;
                let all = PageRequest {
                    number: 0,
                    size: 1000,
                    sort: Sort {
                        key: SortKey::Id,
                        descending: false,
                    },
                    then: None,
                };
                let mut handlers = Vec::new();
                for function in s.list_functions(app, all)?.items {
                    let Some(number) = function.current_version else {
                        continue;
                    };
                    if let Some(version) = s.version_by_number(app, function.id, number)? {
                        handlers.push((Some(function.trigger), version.handler_script));
                    }
                }
                Ok((runtime, handlers))
            })
            .await?;
        if handlers.is_empty() {
            // No handler yet: the init script alone must run.
            handlers.push((None, "async function handleEvent() {}".to_owned()));
        }
        let candidate = runtime.changed(change);
        for (trigger, handler) in handlers {
            if let Err(failure) = self.invoker.check(app, &candidate, &handler).await {
                return Ok(Err(Refusal { trigger, failure }));
            }
        }
        Ok(Ok(()))
    }

    /// Builds the image of `version` on the current runtime ahead of its
    /// first invocation (a deploy). A failed build is reported by the
    /// invocations that need it.
    pub(crate) async fn prepare(&self, app: i64, version: &Version) -> Result<()> {
        let runtime = self.directory.runtime(app).await?;
        let _ = self.invoker.deployed_image(app, &runtime, version).await;
        Ok(())
    }

    /// Runs `version` of `function` on `event` in one of the blocking (or
    /// test-run) slots, and records the invocation.
    pub(crate) async fn run(
        &self,
        app: &Application,
        function: &Function,
        version: &Version,
        event: &RawValue,
        attempt: Attempt,
    ) -> Result<Invocation> {
        let slots = if attempt.test {
            &self.tests
        } else {
            &self.blocking
        };
        let _slot = slots
            .acquire(app.id, self.config.queue_wait)
            .await
            .inspect_err(|_| self.invoker.metrics.saturated())?;
        let runtime = self.directory.runtime(app.id).await?;
        let secrets = self.directory.secrets(app.id).await?;
        let call = Call {
            app,
            function,
            version_number: version.number,
            event,
            secrets: secrets.as_deref().map(|s| &**s),
            attempt,
        };
        let invocation = self.invoker.invoke(&runtime, version, call).await?;
        // The run happened (with its effects): its answer stands even if
        // its record cannot be kept.
        if let Err(e) = self.log.send(invocation.clone()) {
            tracing::error!(invocation = invocation.id, "{e}; the record was dropped");
        }
        Ok(invocation)
    }
}

/// Prunes old invocation records and finished jobs every minute.
fn spawn_pruner(service: Arc<Service>) {
    let keep = service.config.keep_invocations;
    let keep_days = service.config.keep_invocations_days;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            // 0 days: kept whatever their age.
            let before = match keep_days {
                0 => i64::MIN,
                days => crate::time::now_ms() - i64::from(days) * 86_400_000,
            };
            match service
                .store(move |s| s.prune_invocations(keep, before))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "old invocation records pruned"),
                Err(e) => tracing::warn!("pruning invocation records failed: {e}"),
            }
            // Idempotency keys are remembered for a day.
            let day_ago = crate::time::now_ms() - 86_400_000;
            match service.store(move |s| s.prune_done_jobs(day_ago)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "finished jobs pruned"),
                Err(e) => tracing::warn!("pruning finished jobs failed: {e}"),
            }
        }
    });
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_data_directory_is_made_private() -> anyhow::Result<()> {
        let root = tempfile::tempdir()?;
        let made = root.path().join("new");
        super::private_dir(&made)?;
        assert_eq!(
            std::fs::metadata(&made)?.permissions().mode() & 0o777,
            0o700
        );
        let open = root.path().join("open");
        std::fs::create_dir(&open)?;
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755))?;
        super::private_dir(&open)?;
        assert_eq!(
            std::fs::metadata(&open)?.permissions().mode() & 0o777,
            0o700
        );
        Ok(())
    }
}
