//! Images: the guest with a chat runtime and a handler evaluated and
//! snapshotted (baked), or sharing the runtime's snapshot and loading the
//! handler per instance (late-bound). Either way an image runs the guest's
//! one compiled module from its snapshot (see [`crate::snapshot`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use compiler::{Compiler, Format, SourceKind, SourceMap};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::{Backing, hex};
use crate::instance::{Form, Ready, StartError, configure_store};
use crate::pool::WarmPool;
use crate::reuse::KeptInstances;
use crate::store::StoreData;
use crate::{CpuShare, Error, GuestError, Result, Sandbox, abi};

/// A named script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Script {
    /// The name stack traces and errors use (e.g. `handler.js`).
    pub filename: String,
    /// The source: JavaScript, or TypeScript unless `filename` ends in
    /// `.js`, `.mjs` or `.cjs`. ES module syntax is compiled to CommonJS.
    pub source: String,
}

impl Script {
    /// A script named `filename`.
    pub fn new(filename: impl Into<String>, source: impl Into<String>) -> Script {
        Script {
            filename: filename.into(),
            source: source.into(),
        }
    }
}

/// Everything an image is built from. Two equal specs give the same image
/// (and the same [`Image::id`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSpec {
    /// Environment variables (`process.env`).
    pub env: BTreeMap<String, String>,
    /// The module map `require` reads: absolute path (`/node_modules/x/index.js`)
    /// to source text. It stays on the host, shared by the image's
    /// instances; the guest reads a file when `require` needs it, so only
    /// modules the init script or handler load at build time take memory in
    /// the image.
    pub modules: Arc<BTreeMap<String, String>>,
    /// The chat runtime's initialization script, evaluated before the handler
    /// in the same global scope. If it uses ES module syntax it runs as a
    /// module instead, and its named exports become globals.
    pub init: Option<Script>,
    /// The embedder's context script: plain CommonJS JavaScript (not
    /// compiled) evaluated before the init script, whose `module.exports`
    /// is a function from an invocation's context data to the handler's
    /// `context` argument (e.g. one that adds API clients over host calls).
    /// Without one, `context` is the context data, frozen. Its top level
    /// runs before `process.env` is set, unless there is an init script.
    pub context: Option<Script>,
    /// The function's handler script; it must define `handleEvent` (or, as
    /// an ES module, export it by name or as the default export).
    pub handler: Script,
    /// Whose image this is, as the caller numbers tenants: builds and bakes
    /// of different tenants take turns. Not part of what the image is.
    pub tenant: u64,
}

impl ImageSpec {
    /// A spec with just a handler.
    pub fn new(handler: Script) -> ImageSpec {
        ImageSpec {
            env: BTreeMap::new(),
            modules: Arc::default(),
            context: None,
            init: None,
            handler,
            tenant: 0,
        }
    }

    /// Sets [`ImageSpec::tenant`].
    pub fn with_tenant(mut self, tenant: u64) -> ImageSpec {
        self.tenant = tenant;
        self
    }

    /// Sets the context script.
    pub fn with_context(mut self, context: Script) -> ImageSpec {
        self.context = Some(context);
        self
    }

    /// Sets the initialization script.
    pub fn with_init(mut self, init: Script) -> ImageSpec {
        self.init = Some(init);
        self
    }

    /// Adds an environment variable.
    pub fn with_env(mut self, key: impl Into<String>, value: impl Into<String>) -> ImageSpec {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Adds a file to the module map.
    pub fn with_module(mut self, path: impl Into<String>, source: impl Into<String>) -> ImageSpec {
        Arc::make_mut(&mut self.modules).insert(path.into(), source.into());
        self
    }

    /// Compiles the init script and handler (deterministically: maps are
    /// sorted).
    fn compile(&self, compiler: &Compiler) -> Result<Compiled> {
        let mut maps = SourceMaps::default();
        let mut compile = |script: &Script| -> Result<CompiledScript> {
            let out = compiler.compile(&script.source, &script.filename, SourceKind::Script)?;
            maps.insert(script.filename.clone(), out.source_map);
            Ok(CompiledScript {
                filename: script.filename.clone(),
                source: out.code,
                format: out.format,
            })
        };
        let init = self.init.as_ref().map(&mut compile).transpose()?;
        let handler = compile(&self.handler)?;
        let context = self.context.as_ref().map(|script| CompiledScript {
            filename: script.filename.clone(),
            source: script.source.clone(),
            format: Format::CommonJs,
        });
        // Only an init script runs before the handler, so only then does the
        // runtime snapshot need the environment. Without one, each
        // late-bound load sets it: applications whose runtimes differ only
        // in their variables share one snapshot (and its instance slots).
        let env_in_runtime = init.is_some();
        let no_env = BTreeMap::new();
        let mut bundle = Bundle {
            env: if env_in_runtime { &self.env } else { &no_env },
            context,
            init,
            handler: None,
        };
        let runtime = serde_json::to_vec(&bundle).unwrap_or_default();
        let load = HandlerLoad {
            script: &handler,
            env: (!env_in_runtime && !self.env.is_empty()).then_some(&self.env),
        };
        let mut handler_input = vec![abi::LOAD_SOURCE];
        serde_json::to_writer(&mut handler_input, &load).unwrap_or_default();
        bundle.env = &self.env;
        bundle.handler = Some(handler);
        let full = serde_json::to_vec(&bundle).unwrap_or_default();
        Ok(Compiled {
            full,
            runtime,
            handler: handler_input.into(),
            maps,
        })
    }

    /// sha256 of a bundle, the module map and everything else that decides
    /// what an image compiles to.
    fn digest(&self, fingerprint: &[u8; 32], kind: &str, bundle: &[u8]) -> String {
        let mut digest = Sha256::new();
        digest.update(kind);
        digest.update(fingerprint);
        digest.update(compiler::VERSION);
        digest.update(bundle);
        // The module map is not in the bundle (the guest reads it from the
        // host), so it is hashed on its own.
        for (path, source) in self.modules.iter() {
            digest.update((path.len() as u64).to_le_bytes());
            digest.update(path);
            digest.update((source.len() as u64).to_le_bytes());
            digest.update(source);
        }
        hex(&digest.finalize())
    }
}

/// An [`ImageSpec`] compiled: the bundles the guest's init reads.
struct Compiled {
    /// Everything, handler included: what a baked image is snapshotted from.
    full: Vec<u8>,
    /// Everything but the handler: the runtime image late-bound images share.
    runtime: Vec<u8>,
    /// The compiled handler as a late-bound image's instances load it
    /// (`abi::LOAD_SOURCE`, then [`HandlerLoad`] as JSON).
    handler: Arc<[u8]>,
    maps: SourceMaps,
}

/// What the guest's `boot` reads.
#[derive(Serialize)]
struct Bundle<'a> {
    env: &'a BTreeMap<String, String>,
    context: Option<CompiledScript>,
    init: Option<CompiledScript>,
    handler: Option<CompiledScript>,
}

/// What a late-bound instance's guest `load` reads: the handler, and the
/// environment when the runtime snapshot left it out.
#[derive(Serialize)]
struct HandlerLoad<'a> {
    #[serde(flatten)]
    script: &'a CompiledScript,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<&'a BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct CompiledScript {
    filename: String,
    source: String,
    format: Format,
}

/// Source maps of compiled scripts, by file name.
#[derive(Default)]
pub(crate) struct SourceMaps(BTreeMap<String, SourceMap>);

impl SourceMaps {
    fn insert(&mut self, file: String, map: SourceMap) {
        self.0.insert(file, map);
    }

    /// Rewrites an error's positions from compiled code to the user's source.
    pub(crate) fn apply(&self, error: &mut GuestError) {
        error.map_positions(|file, line, column| {
            let position = self.0.get(file)?.original(line, column)?;
            Some((position.line, position.column))
        });
    }
}

/// A built image: instantiate it as often as needed, each instance serving
/// one invocation (or, under [`Reuse`](crate::Reuse), several of this image
/// in turn). Cheap to clone.
///
/// An image starts in one of two forms. A *baked* image has the handler in
/// its snapshot. A *late-bound* one shares its chat runtime's snapshot (env,
/// module map, init script) with every function on that runtime, and each
/// instance evaluates the handler after instantiation (off the request path
/// when a warm pool made it), from bytecode once one instance compiled it.
/// Late binding makes a handler-only deploy cost milliseconds instead of a
/// snapshot, and lets functions on one runtime share memory and instance
/// slots. A late-bound image whose load is slow ([`SLOW_LOAD`]) or whose
/// loads take a share of a core ([`BAKE_SHARE`]) is baked in the background
/// ([`Image::bake`] does it now), and its later instances come from the
/// baked form.
#[derive(Clone)]
pub struct Image {
    pub(crate) inner: Arc<ImageInner>,
}

pub(crate) struct ImageInner {
    pub(crate) id: String,
    pub(crate) sandbox: Sandbox,
    form: RwLock<Arc<Form>>,
    /// Maps error positions back to the user's TypeScript / ES module source.
    pub(crate) source_maps: SourceMaps,
    /// What the guest's `require` reads.
    pub(crate) modules: Arc<BTreeMap<String, String>>,
    /// Instances made ahead of invocations (see [`crate::pool`]).
    pub(crate) warm: WarmPool,
    /// Instances that served an invocation and wait for the next (see
    /// [`crate::reuse`]).
    pub(crate) kept: KeptInstances,
    /// A late-bound image's full bundle, until a bake takes it.
    bake: Mutex<Option<Vec<u8>>>,
    /// Whether it waits in the baker's queue (or is being baked).
    bake_queued: AtomicBool,
    invocations: AtomicU32,
    /// The last invocation outran its free run: the next one starts on the
    /// long lane rather than spend its free run on the caller's thread.
    pub(crate) runs_long: AtomicBool,
    /// Whose image it is (for sharing bakes by tenant).
    pub(crate) tenant: u64,
}

/// A late-bound image whose handler takes [`SLOW_LOAD`] or more to load
/// is baked once it has been invoked this often: by then it is likely to
/// stay in use, and every instance would pay for the load again.
pub(crate) const BAKE_AFTER: u32 = 8;

/// See [`BAKE_AFTER`]: the load of a handler whose top level does real
/// work (requires an SDK, builds tables).
pub(crate) const SLOW_LOAD: Duration = Duration::from_millis(2);

/// A late-bound image whose loads are quicker than [`SLOW_LOAD`] is baked
/// once they take this share of a core (its invocation rate times its load
/// time, averaged over about a second by the warmer). Below that, what a bake would save is
/// worth less than sharing: the late-bound images of a runtime share its
/// snapshot and instance slots, while each baked image has a snapshot and
/// slots of its own, and traffic spread over many baked images runs out of
/// CPU cache (BENCHMARKS.md, "Many functions").
pub(crate) const BAKE_SHARE: f64 = 0.02;

impl Drop for ImageInner {
    fn drop(&mut self) {
        // Resetting pooled instances' memory is the reaper's job.
        for ready in self.warm.drain() {
            self.sandbox.retire(ready.store);
        }
        for kept in self.kept.drain(self.sandbox.inner.warmer.kept_total()) {
            self.sandbox.retire(kept.ready.store);
        }
    }
}

impl Image {
    /// A new instance of this image for a pool: instantiated and, when
    /// late-bound, with its handler loaded.
    pub(crate) async fn prewarm(&self) -> std::result::Result<Ready, StartError> {
        let sandbox = &self.inner.sandbox;
        let config = &sandbox.inner.config;
        let data = StoreData::for_pool(
            config.max_memory_bytes,
            Instant::now() + config.init_timeout,
            Arc::clone(&self.inner.modules),
        );
        let mut store = wasmtime::Store::new(&sandbox.inner.engine, data);
        configure_store(&mut store);
        match self.form().start(&mut store).await {
            Ok((invoke, resume)) => Ok(Ready {
                store,
                invoke,
                resume,
            }),
            Err(e) => {
                sandbox.retire(store);
                Err(e)
            }
        }
    }

    /// The image's content hash (hex sha256 of its inputs and the engine).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Whether the handler is in the image's snapshot (rather than loaded
    /// by each instance of its runtime's snapshot).
    pub fn is_baked(&self) -> bool {
        self.form().is_baked()
    }

    /// Memory that keeping this image loaded holds on its own, for a cache
    /// of images to budget. Every image's code is the guest's, shared. A
    /// baked image whose snapshot is mapped from the disk cache holds only
    /// wasmtime's tables about its module (the snapshot is clean page
    /// cache, which the kernel shares and reclaims); one whose snapshot is
    /// in memory holds that too; a late-bound image shares its runtime's
    /// snapshot and holds only its compiled handler. A late-bound image's
    /// figure changes when it bakes.
    pub fn private_bytes(&self) -> usize {
        self.form().private_bytes()
    }

    pub(crate) fn form(&self) -> Arc<Form> {
        Arc::clone(
            &self
                .inner
                .form
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn new(
        sandbox: &Sandbox,
        id: String,
        form: Form,
        source_maps: SourceMaps,
        modules: Arc<BTreeMap<String, String>>,
        bake: Option<Vec<u8>>,
        tenant: u64,
    ) -> Image {
        Image {
            inner: Arc::new(ImageInner {
                id,
                sandbox: sandbox.clone(),
                form: RwLock::new(Arc::new(form)),
                source_maps,
                modules,
                warm: WarmPool::default(),
                kept: KeptInstances::default(),
                bake: Mutex::new(bake),
                bake_queued: AtomicBool::new(false),
                invocations: AtomicU32::new(0),
                runs_long: AtomicBool::new(false),
                tenant,
            }),
        }
    }

    /// Counts an invocation; a late-bound image with a slow load is queued
    /// for the baker at its [`BAKE_AFTER`]th (the warmer queues the others
    /// by [`BAKE_SHARE`]).
    pub(crate) fn invoked(&self) {
        let count = self.inner.invocations.fetch_add(1, Ordering::Relaxed) + 1;
        if count == BAKE_AFTER && self.form().load_time().is_some_and(|t| t >= SLOW_LOAD) {
            self.queue_bake();
        }
    }

    /// Queues a late-bound image for the baker, unless it is queued.
    pub(crate) fn queue_bake(&self) {
        if !self.is_baked() && !self.inner.bake_queued.swap(true, Ordering::Relaxed) {
            self.inner.sandbox.inner.baker.enqueue(self);
        }
    }

    /// Bakes a late-bound image now: snapshots it with its handler
    /// evaluated (caching the snapshot on disk), then makes later instances
    /// from it. Does nothing for a baked image (or one another caller is
    /// baking).
    pub async fn bake(&self) -> Result<()> {
        let Some(bundle) = self
            .inner
            .bake
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return Ok(());
        };
        let sandbox = &self.inner.sandbox;
        let started = Instant::now();
        let share = CpuShare {
            tenant: self.inner.tenant,
            background: true,
        };
        let built = sandbox
            .snapshotted(
                &self.inner.id,
                bundle.clone(),
                Arc::clone(&self.inner.modules),
                share,
            )
            .await;
        let (module, backing) = match built {
            Ok(built) => built,
            // Out of time: at background priority on a busy machine, that
            // says more about the machine than the image. Try again after
            // another `BAKE_AFTER` invocations.
            Err(e @ Error::InitLimit { .. })
                if started.elapsed() >= sandbox.inner.config.init_timeout =>
            {
                *self
                    .inner
                    .bake
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(bundle);
                self.inner.invocations.store(0, Ordering::Relaxed);
                self.inner.bake_queued.store(false, Ordering::Relaxed);
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let form = Form::baked(&sandbox.inner.linker, &module, backing)?;
        *self
            .inner
            .form
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(form);
        // What its top level allocated is in the snapshot now, shared.
        self.inner.warm.allow_warm();
        tracing::debug!(
            image = self.id(),
            ms = started.elapsed().as_millis() as u64,
            "image baked"
        );
        Ok(())
    }
}

impl Sandbox {
    /// The image for `spec`, ready to invoke.
    ///
    /// - Its snapshot on disk is loaded (mmap, lazily paged).
    /// - Otherwise the image is late-bound to its chat runtime's snapshot,
    ///   which is built (or loaded) once per runtime; the handler is checked
    ///   by loading it into one instance, which the warm pool keeps. The
    ///   image may bake in the background later (see [`Image`]).
    ///
    /// Fails with [`Error::Init`] when the init script or handler throws or
    /// does not parse, or when the handler defines no `handleEvent`. When
    /// every instance slot is busy the handler is not checked now: its
    /// first invocation loads it.
    pub async fn build_image(&self, spec: &ImageSpec) -> Result<Image> {
        self.build(spec, Check::WhenFree).await
    }

    /// Whether `spec` builds and its handler loads, as [`build_image`]
    /// checks, keeping nothing: for a deploy's check before it is stored.
    /// Fails with [`Error::PoolExhausted`] when no instance slot is free to
    /// load the handler in (the check could not be made).
    ///
    /// [`build_image`]: Sandbox::build_image
    pub async fn check_image(&self, spec: &ImageSpec) -> Result<()> {
        self.build(spec, Check::Always).await.map(drop)
    }

    async fn build(&self, spec: &ImageSpec, check: Check) -> Result<Image> {
        let sandbox = self.clone();
        let owned = spec.clone();
        let compiled = tokio::task::spawn_blocking(move || owned.compile(&sandbox.inner.compiler))
            .await
            .map_err(|e| Error::Engine {
                context: "compiling scripts",
                message: e.to_string(),
            })??;
        let fingerprint = &self.inner.fingerprint;
        let id = spec.digest(fingerprint, "chatfn-image\0", &compiled.full);
        let modules = Arc::clone(&spec.modules);
        if let Some(module) = self.cached(&id).await? {
            let form = Form::baked(&self.inner.linker, &module, Backing::File)?;
            return Ok(Image::new(
                self,
                id,
                form,
                compiled.maps,
                modules,
                None,
                spec.tenant,
            ));
        }
        let runtime_id = spec.digest(fingerprint, "chatfn-runtime\0", &compiled.runtime);
        let runtime = match self
            .runtime_module(
                &runtime_id,
                compiled.runtime,
                Arc::clone(&modules),
                CpuShare {
                    tenant: spec.tenant,
                    background: false,
                },
            )
            .await
        {
            Ok(module) => module,
            Err(Error::Init { mut error, logs }) => {
                compiled.maps.apply(&mut error);
                return Err(Error::Init { error, logs });
            }
            Err(e) => return Err(e),
        };
        let form = Form::late_bound(&self.inner.linker, &runtime, Arc::clone(&compiled.handler))?;
        let image = Image::new(
            self,
            id,
            form,
            compiled.maps,
            modules,
            Some(compiled.full),
            spec.tenant,
        );
        // Loading the handler once reports its errors now, as a bake
        // would; the instance is the image's first warm one.
        match image.prewarm().await {
            // A check keeps nothing: the slot goes back at once.
            Ok(ready) if check == Check::Always => self.retire(ready.store),
            Ok(ready) => {
                if image.keeps_warm(&ready) {
                    image.inner.warm.put(ready);
                    // So the instance goes if the image is not used.
                    image.track();
                } else {
                    self.retire(ready.store);
                }
            }
            Err(StartError::Load(report, logs)) => {
                let mut error = Box::new(GuestError::from_report(&report));
                image.inner.source_maps.apply(&mut error);
                return Err(Error::Init { error, logs });
            }
            // Every slot is busy: that says nothing of the handler.
            Err(StartError::Engine(e)) if crate::invoke::is_pool_exhausted(&e) => {
                if check == Check::Always {
                    return Err(Error::PoolExhausted {
                        max_instances: self.inner.config.max_instances,
                    });
                }
            }
            Err(StartError::Trap(e) | StartError::Engine(e)) => {
                return Err(Error::Init {
                    error: Box::new(GuestError::new(
                        "InternalError",
                        format!("loading the handler failed: {e:#}"),
                    )),
                    logs: Vec::new(),
                });
            }
        }
        Ok(image)
    }
}

/// Whether an image build must load the handler to succeed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Load it if an instance slot is free (else its first invocation will).
    WhenFree,
    /// Load it, or fail.
    Always,
}
