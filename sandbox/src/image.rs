//! Images: the guest with a chat runtime and a handler evaluated, snapshotted
//! with Wizer and precompiled.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use compiler::{Compiler, Format, SourceKind, SourceMap};
use serde::Serialize;
use sha2::{Digest, Sha256};
use wasmtime::{Instance, InstancePre, Module, ModuleExport, Store};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType};

use crate::invoke::{TrapKind, classify_trap, configure_store};
use crate::store::StoreData;
use crate::{Error, GuestError, Result, Sandbox, abi, cache};

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
    /// Without one, `context` is the context data, frozen.
    pub context: Option<Script>,
    /// The function's handler script; it must define `handleEvent` (or, as
    /// an ES module, export it by name or as the default export).
    pub handler: Script,
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
        }
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

    /// Compiles the init script and handler: the bundle the guest's init
    /// reads (deterministic: maps are sorted) and the source maps of what was
    /// compiled.
    fn compile(&self, compiler: &Compiler) -> Result<(Vec<u8>, SourceMaps)> {
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
        let bundle = Bundle {
            env: &self.env,
            context,
            init,
            handler,
        };
        Ok((serde_json::to_vec(&bundle).unwrap_or_default(), maps))
    }
}

/// What the guest's `boot` reads.
#[derive(Serialize)]
struct Bundle<'a> {
    env: &'a BTreeMap<String, String>,
    context: Option<CompiledScript>,
    init: Option<CompiledScript>,
    handler: CompiledScript,
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
/// one invocation. Cheap to clone.
#[derive(Clone)]
pub struct Image {
    pub(crate) inner: Arc<ImageInner>,
}

pub(crate) struct ImageInner {
    pub(crate) id: String,
    pub(crate) sandbox: Sandbox,
    pub(crate) pre: InstancePre<StoreData>,
    pub(crate) memory: ModuleExport,
    pub(crate) invoke: ModuleExport,
    pub(crate) resume: ModuleExport,
    /// Maps error positions back to the user's TypeScript / ES module source.
    pub(crate) source_maps: SourceMaps,
    /// What the guest's `require` reads.
    pub(crate) modules: Arc<BTreeMap<String, String>>,
}

impl Image {
    /// The image's content hash (hex sha256 of its inputs and the engine).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The size of the image's compiled code and data in memory: what
    /// keeping it loaded costs (file-backed and shared when it came from
    /// the disk cache, anonymous when it was just built).
    pub fn size_bytes(&self) -> usize {
        let range = self.inner.pre.module().image_range();
        range.end.addr().saturating_sub(range.start.addr())
    }

    fn from_module(
        sandbox: &Sandbox,
        id: String,
        module: &Module,
        source_maps: SourceMaps,
        modules: Arc<BTreeMap<String, String>>,
    ) -> Result<Image> {
        let export = |name: &str| {
            module.get_export_index(name).ok_or_else(|| Error::Engine {
                context: "loading an image",
                message: format!("the image does not export `{name}`"),
            })
        };
        let pre = sandbox
            .inner
            .linker
            .instantiate_pre(module)
            .map_err(Error::engine("linking an image"))?;
        Ok(Image {
            inner: Arc::new(ImageInner {
                id,
                sandbox: sandbox.clone(),
                pre,
                memory: export("memory")?,
                invoke: export(abi::EXPORT_INVOKE)?,
                resume: export(abi::EXPORT_RESUME)?,
                source_maps,
                modules,
            }),
        })
    }
}

impl Sandbox {
    /// Builds (or loads from the disk cache) the image for `spec`: the
    /// init script and handler are evaluated once, here, and snapshotted.
    ///
    /// Fails with [`Error::Init`] when either throws or does not parse, or
    /// when the handler defines no `handleEvent`.
    pub async fn build_image(&self, spec: &ImageSpec) -> Result<Image> {
        // Compiling is cheap next to a snapshot, and gives the source maps
        // even when the image itself comes from the disk cache.
        let sandbox = self.clone();
        let owned = spec.clone();
        let (bundle, source_maps) =
            tokio::task::spawn_blocking(move || owned.compile(&sandbox.inner.compiler))
                .await
                .map_err(|e| Error::Engine {
                    context: "compiling scripts",
                    message: e.to_string(),
                })??;
        let mut digest = Sha256::new();
        digest.update(self.inner.fingerprint);
        digest.update(compiler::VERSION);
        digest.update(&bundle);
        // The module map is not in the bundle (the guest reads it from the
        // host), so it is hashed on its own.
        for (path, source) in spec.modules.iter() {
            digest.update((path.len() as u64).to_le_bytes());
            digest.update(path);
            digest.update((source.len() as u64).to_le_bytes());
            digest.update(source);
        }
        let id = hex(&digest.finalize());

        let cache = self.inner.config.cache_dir.as_deref();
        if let Some(module) = cache.and_then(|dir| cache::load(&self.inner.engine, dir, &id)) {
            return Image::from_module(self, id, &module, source_maps, Arc::clone(&spec.modules));
        }
        let wasm = match self.snapshot(bundle, Arc::clone(&spec.modules)).await {
            Ok(wasm) => wasm,
            Err(Error::Init { mut error, logs }) => {
                source_maps.apply(&mut error);
                return Err(Error::Init { error, logs });
            }
            Err(e) => return Err(e),
        };
        let engine = self.inner.engine.clone();
        let module = tokio::task::spawn_blocking(move || Module::new(&engine, &wasm))
            .await
            .map_err(|e| Error::Engine {
                context: "compiling an image",
                message: e.to_string(),
            })?
            .map_err(Error::engine("compiling an image"))?;
        if let Some(dir) = cache {
            cache::store(dir, &id, &module);
        }
        Image::from_module(self, id, &module, source_maps, Arc::clone(&spec.modules))
    }

    /// Runs the guest's init over `bundle` and snapshots the result.
    async fn snapshot(
        &self,
        bundle: Vec<u8>,
        modules: Arc<BTreeMap<String, String>>,
    ) -> Result<Vec<u8>> {
        let instrumented = self.instrumented().await?;
        let config = &self.inner.config;
        let data = StoreData::for_init(
            config.init_memory_bytes,
            Instant::now() + config.init_timeout,
            bundle,
            modules,
        );
        let mut store = Store::new(&self.inner.engine, data);
        configure_store(&mut store);
        let limit_error = |kind: TrapKind| match kind {
            TrapKind::Timeout => Error::InitLimit {
                message: format!(
                    "the init script and handler did not finish evaluating within {} ms",
                    config.init_timeout.as_millis()
                ),
            },
            TrapKind::MemoryLimit => Error::InitLimit {
                message: format!(
                    "the init script and handler used more than {} MiB of memory",
                    config.init_memory_bytes >> 20
                ),
            },
            TrapKind::Crash(message) => Error::Init {
                error: Box::new(GuestError::new("InternalError", message)),
                logs: Vec::new(),
            },
        };

        let instance = match self
            .inner
            .linker
            .instantiate_async(&mut store, &instrumented.module)
            .await
        {
            Ok(instance) => instance,
            Err(e) => return Err(Error::engine("instantiating the guest")(e)),
        };
        store.data_mut().memory = instance.get_memory(&mut store, "memory");
        let init = instance
            .get_typed_func::<(), ()>(&mut store, abi::EXPORT_INIT)
            .map_err(Error::engine("finding the guest's init"))?;
        let ran = tokio::time::timeout(config.init_timeout, init.call_async(&mut store, ())).await;
        match ran {
            Err(_) => return Err(limit_error(TrapKind::Timeout)),
            Ok(Err(trap)) => return Err(limit_error(classify_trap(&trap, store.data()))),
            Ok(Ok(())) => {}
        }
        if let Some((_, report)) = store.data_mut().finish.take() {
            let error = Box::new(GuestError::from_report(&report));
            if store.data().limiter.hit {
                return Err(limit_error(TrapKind::MemoryLimit));
            }
            return Err(Error::Init {
                error,
                logs: std::mem::take(&mut store.data_mut().logs),
            });
        }
        let mut state = Snapshotter {
            store: &mut store,
            instance,
        };
        self.inner
            .wizer
            .snapshot(&instrumented.context, &mut state)
            .await
            .map_err(Error::engine("snapshotting the image"))
    }
}

/// Reads an instance's globals and memory for Wizer.
struct Snapshotter<'a> {
    store: &'a mut Store<StoreData>,
    instance: Instance,
}

impl InstanceState for Snapshotter<'_> {
    async fn global_get(&mut self, name: &str, _type_hint: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut *self.store, name)
            .expect("Wizer's instrumentation exports every global it snapshots");
        match global.get(&mut *self.store) {
            wasmtime::Val::I32(x) => SnapshotVal::I32(x),
            wasmtime::Val::I64(x) => SnapshotVal::I64(x),
            wasmtime::Val::F32(x) => SnapshotVal::F32(x),
            wasmtime::Val::F64(x) => SnapshotVal::F64(x),
            wasmtime::Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => unreachable!("the guest has no {other:?} globals"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut *self.store, name)
            .expect("Wizer's instrumentation exports every memory it snapshots");
        contents(memory.data(&*self.store));
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
