//! The one way a handler runs, for `chatfn serve` and `chatfn invoke`
//! alike: its image (built once per version and runtime revision, with the
//! platform context script and the runtime's dependencies), its limits, its
//! `context`, the host calls it is granted, and the invocation record that
//! comes out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sandbox::{CpuShare, Image, ImageSpec, Limits, Reuse, Sandbox, Script};
use serde_json::value::RawValue;

use crate::dependencies::{Dependencies, Resolved};
use crate::egress::EgressPolicy;
use crate::error::Result;
use crate::fetch::{FetchClient, FetchLimits};
use crate::host::InvocationHost;
use crate::images::{BuildFailure, ImageKey, Images};
use crate::invocation::{FailureKind, Invocation, InvocationError};
use crate::metrics::Metrics;
use crate::platform::{self, PlatformClient, Target};
use crate::sockets::{SocketClient, SocketLimits};
use crate::store::{Application, Dependency, Function, InstanceReuse, Runtime, Version};
use crate::time::now_ms;

/// The handler's file name in a deployed version's stack traces.
pub(crate) const HANDLER_FILE: &str = "handler.ts";
/// The init script's file name in a deployed runtime's stack traces.
pub(crate) const INIT_FILE: &str = "init.ts";

/// What an [`Invoker`] is made with.
pub(crate) struct InvokerConfig {
    /// Built images kept in memory, at most.
    pub(crate) image_cache_entries: usize,
    /// Bytes of built images kept in memory.
    pub(crate) image_cache_bytes: usize,
    /// Memory limit per invocation.
    pub(crate) memory_bytes: usize,
    /// CPU-time limit per invocation.
    pub(crate) cpu_time: Duration,
    /// For functions with instance reuse: invocations per instance, and
    /// how long one is kept idle.
    pub(crate) reuse: (u32, Duration),
    /// Limit on each platform API call.
    pub(crate) platform_timeout: Duration,
    /// Internal hosts and networks `fetch` and sockets may reach.
    pub(crate) egress: EgressPolicy,
    /// Bounds of guest `fetch`.
    pub(crate) fetch_limits: FetchLimits,
    /// The npm registry dependencies come from.
    pub(crate) npm_registry: String,
    /// Where npm packages are stored.
    pub(crate) npm_dir: std::path::PathBuf,
    /// Disk the package store may take (`None`: no bound).
    pub(crate) npm_max_bytes: Option<u64>,
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
    /// A queued run: nobody waits on its answer, so its CPU turns come
    /// after those of blocking triggers and test runs.
    pub(crate) queued: bool,
}

/// One run to make: a version of a function of an application, on an
/// event.
pub(crate) struct Call<'a> {
    pub(crate) app: &'a Application,
    pub(crate) function: &'a Function,
    pub(crate) version_number: i64,
    pub(crate) event: &'a RawValue,
    /// Variables for `process.env` for this run only (the secrets).
    pub(crate) secrets: Option<&'a RawValue>,
    pub(crate) attempt: Attempt,
}

pub(crate) struct Invoker {
    images: Images,
    dependencies: Dependencies,
    platform: Arc<PlatformClient>,
    fetch: Arc<FetchClient>,
    sockets: Arc<SocketClient>,
    memory_bytes: usize,
    cpu_time: Duration,
    reuse: (u32, Duration),
    /// The image each function with instance reuse last ran on here (see
    /// [`Invoker::follow`]).
    reusing: Mutex<HashMap<i64, ImageKey>>,
    pub(crate) metrics: Metrics,
}

impl Invoker {
    pub(crate) fn new(sandbox: Sandbox, config: InvokerConfig) -> Invoker {
        let dependencies = Dependencies::new(
            &config.npm_dir,
            &config.npm_registry,
            sandbox.compiler().clone(),
            config.npm_max_bytes,
        );
        Invoker {
            images: Images::new(
                sandbox,
                config.image_cache_entries,
                config.image_cache_bytes,
            ),
            dependencies,
            platform: Arc::new(PlatformClient::new(
                config.platform_timeout,
                platform::MAX_RESPONSE_BYTES,
            )),
            fetch: Arc::new(FetchClient::new(config.egress.clone(), config.fetch_limits)),
            sockets: Arc::new(SocketClient::new(config.egress, SocketLimits::default())),
            memory_bytes: config.memory_bytes,
            cpu_time: config.cpu_time,
            reuse: config.reuse,
            reusing: Mutex::default(),
            metrics: Metrics::default(),
        }
    }

    /// The image cache (for metrics).
    pub(crate) fn images(&self) -> &Images {
        &self.images
    }

    /// Brings the package store under its size in the background.
    pub(crate) fn collect_packages(&self) {
        self.dependencies.collect_soon();
    }

    /// Resolves and installs a dependency list, reporting to `progress`.
    pub(crate) async fn install(
        &self,
        dependencies: &[Dependency],
        progress: &dyn npm_resolver::Progress,
    ) -> Result<Resolved, npm_resolver::Error> {
        self.dependencies.resolve(dependencies, progress).await
    }

    /// The image of a deployed `version` on `runtime`, built if no one has.
    pub(crate) async fn deployed_image(
        &self,
        app: i64,
        runtime: &Runtime,
        version: &Version,
    ) -> Result<Image, BuildFailure> {
        let key = ImageKey {
            version_id: version.id,
            runtime_revision: runtime.revision,
        };
        let handler = Script::new(HANDLER_FILE, version.handler_script.clone());
        self.image(app, key, runtime, handler, INIT_FILE).await
    }

    /// Builds `handler` on `runtime` as a deploy would, and drops the
    /// image: what a deploy or a runtime change checks before it is stored.
    /// The init script runs (unless that runtime's snapshot exists), the
    /// handler's top level runs, and `handleEvent` must be a function.
    pub(crate) async fn check(
        &self,
        app: i64,
        runtime: &Runtime,
        handler: &str,
    ) -> Result<(), BuildFailure> {
        let spec = self
            .spec(
                app,
                runtime,
                Script::new(HANDLER_FILE, handler.to_owned()),
                INIT_FILE,
            )
            .await?;
        self.images.sandbox().check_image(&spec).await?;
        Ok(())
    }

    /// The image of `handler` on `runtime` under `key`, built if no one
    /// has; `init_file` names the runtime's init script in stack traces.
    pub(crate) async fn image(
        &self,
        app: i64,
        key: ImageKey,
        runtime: &Runtime,
        handler: Script,
        init_file: &str,
    ) -> Result<Image, BuildFailure> {
        self.images
            .get(key, self.spec(app, runtime, handler, init_file))
            .await
    }

    /// What an image is built from. Reads the runtime's dependencies from
    /// the package store (downloading what is missing), so it is awaited
    /// only when the image is not cached.
    async fn spec(
        &self,
        app: i64,
        runtime: &Runtime,
        handler: Script,
        init_file: &str,
    ) -> Result<ImageSpec, BuildFailure> {
        let mut spec = ImageSpec::new(handler)
            .with_context(Script::new(
                platform::CONTEXT_SCRIPT_NAME,
                platform::context_script(),
            ))
            .with_tenant(app.unsigned_abs());
        spec.env = runtime.environment.clone();
        if let Some(init) = &runtime.initialization_script {
            spec = spec.with_init(Script::new(init_file, init.clone()));
        }
        if let Some(lockfile) = &runtime.lockfile {
            spec.modules = self
                .dependencies
                .modules(lockfile)
                .await
                .map_err(|e| BuildFailure::Dependencies(Arc::new(e)))?;
        }
        Ok(spec)
    }

    /// Runs `call` on `image` (or records why there is no image) and
    /// returns its invocation record. `Err` only when the run could not
    /// start at all.
    pub(crate) async fn run(
        &self,
        image: &Result<Image, BuildFailure>,
        call: Call<'_>,
        started: Instant,
    ) -> Result<Invocation> {
        let Call {
            app,
            function,
            version_number,
            event,
            secrets,
            attempt,
        } = call;
        let started_ms = now_ms() - i64::try_from(started.elapsed().as_millis()).unwrap_or(0);
        let mut invocation = Invocation {
            id: attempt.id,
            app_id: app.id,
            function_id: function.id,
            version_number,
            trigger: function.trigger.clone(),
            test: attempt.test,
            args: event.to_owned(),
            outcome: None,
            logs: Vec::new(),
            calls: Vec::new(),
            created_ms: started_ms,
            ended_ms: None,
            duration_ms: None,
            attempts: attempt.number,
            pending: None,
            started_ms: Some(started_ms),
            warm: None,
            reused: None,
            start_ms: None,
            past_attempts: Vec::new(),
        };
        // The handler's own run, from its call to the end.
        let mut handler_run = None;
        let failure = match image {
            Err(failure) => {
                if let BuildFailure::Engine(e) = failure {
                    tracing::error!(function = function.id, "building an image failed: {e}");
                }
                invocation.outcome = Some(Err(InvocationError {
                    kind: FailureKind::InitError,
                    error: failure.guest_error(),
                }));
                if let BuildFailure::Init { logs, .. } = failure {
                    invocation.logs.clone_from(logs);
                }
                Some(FailureKind::InitError)
            }
            Ok(image) => {
                let limits = Limits {
                    timeout: Duration::from_millis(u64::from(function.timeout_ms)),
                    memory_bytes: self.memory_bytes,
                    cpu_time: self.cpu_time,
                    cpu_share: CpuShare {
                        tenant: app.id.unsigned_abs(),
                        background: attempt.queued,
                    },
                    // Images are per version and runtime revision (the
                    // cache's key), so a kept instance never serves another
                    // function, version or runtime. Test runs start afresh
                    // and leave the function's instances alone.
                    reuse: match function.instance_reuse {
                        _ if attempt.test => Reuse::None,
                        InstanceReuse::None => Reuse::None,
                        InstanceReuse::Sequential => Reuse::Sequential {
                            max_invocations: self.reuse.0,
                            max_idle: self.reuse.1,
                        },
                    },
                    ..Limits::default()
                };
                let context = context(app, function, version_number, attempt);
                let target = app.platform_url.as_ref().map(|url| {
                    Arc::new(Target {
                        base_url: url.trim_end_matches('/').to_owned(),
                        token: app.platform_token.clone(),
                    })
                });
                let host = Arc::new(InvocationHost::new(
                    Arc::clone(&self.platform),
                    target,
                    Arc::clone(&self.fetch),
                    Arc::clone(&self.sockets),
                ));
                let outcome = image
                    .invoke_with_env(event, &context, secrets, &limits, host.clone())
                    .await?;
                let kind = outcome.error_kind().map(FailureKind::from);
                invocation.warm = Some(outcome.warm);
                invocation.reused = Some(outcome.reused);
                handler_run = Some(outcome.duration.saturating_sub(outcome.startup));
                invocation.logs = outcome.logs;
                invocation.calls = host.records();
                invocation.outcome = Some(outcome.result.map_err(|failure| InvocationError {
                    kind: FailureKind::from(failure.kind),
                    error: failure.error,
                }));
                kind
            }
        };
        invocation.ended_ms = Some(now_ms());
        let took = started.elapsed();
        invocation.duration_ms = Some(took.as_secs_f64() * 1000.0);
        invocation.start_ms =
            handler_run.map(|run| took.saturating_sub(run).as_secs_f64() * 1000.0);
        self.metrics.invoked(&function.trigger, failure, took);
        Ok(invocation)
    }

    /// Runs a deployed `version` on `runtime`: its image, then the call.
    pub(crate) async fn invoke(
        &self,
        runtime: &Runtime,
        version: &Version,
        call: Call<'_>,
    ) -> Result<Invocation> {
        let started = Instant::now();
        let image = self.deployed_image(call.app.id, runtime, version).await;
        if !call.attempt.test {
            let key = ImageKey {
                version_id: version.id,
                runtime_revision: runtime.revision,
            };
            self.follow(call.function, key);
        }
        self.run(&image, call, started).await
    }

    /// Notes the image a function's run is about to use. A function with
    /// instance reuse that moved to another image (a new version, a
    /// rollback, a runtime change) has the instances kept on the old one
    /// retired, so that a later move back (a rollback) starts afresh too;
    /// so has one whose reuse was turned off (at its next run; until then
    /// the idle time bounds how long they wait).
    fn follow(&self, function: &Function, key: ImageKey) {
        let previous = {
            let mut reusing = self.reusing.lock().unwrap_or_else(PoisonError::into_inner);
            match function.instance_reuse {
                InstanceReuse::Sequential => reusing.insert(function.id, key),
                InstanceReuse::None => reusing.remove(&function.id),
            }
        };
        // Turned off, the image keeps nothing for this function: its kept
        // instance would hold memory until it idled out, and bring back old
        // module state were reuse turned on again.
        let off = function.instance_reuse == InstanceReuse::None;
        if let Some(previous) = previous.filter(|previous| off || *previous != key)
            && let Some(image) = self.images.peek(previous)
        {
            image.retire_kept();
        }
    }
}

/// The handler's `context` (the context script adds the API getters).
fn context(
    app: &Application,
    function: &Function,
    version_number: i64,
    attempt: Attempt,
) -> Box<RawValue> {
    let context = serde_json::json!({
        "applicationId": app.id,
        "functionId": function.id,
        "functionType": function.trigger,
        "versionNumber": version_number,
        "invocationId": attempt.id,
        "attempt": attempt.number,
    });
    // An object of numbers and strings always serializes.
    serde_json::value::to_raw_value(&context).unwrap_or_default()
}
