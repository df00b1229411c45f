//! Building images: the guest's init run over a bundle, and a snapshot of
//! the instance's memory and globals after it. An image's module is the
//! guest's, compiled once per process, started from that snapshot
//! (`Module::with_initial_state`, patched into wasmtime, see
//! `vendor/README.md`): a build compiles nothing, and every image shares one
//! copy of the guest's machine code. Snapshots are cached on disk by content
//! hash and runtime snapshots shared in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use wasmtime::{InitialMemory, Module, Store, Val};

use crate::cache::{self, Backing};
use crate::instance::{TrapKind, classify_trap, configure_store};
use crate::store::StoreData;
use crate::{CpuShare, Error, GuestError, Result, Sandbox, abi};

/// Where the guest exports its mutable globals for snapshots (Wizer's
/// instrumentation: `__wizer_global_{index}`).
const GLOBAL_EXPORT_PREFIX: &str = "__wizer_global_";

/// An instance's state after its init: what an image's instances start
/// from.
pub(crate) struct State {
    /// The memory's contents up to its last non-zero page.
    pub(crate) memory: Vec<u8>,
    /// The memory's size, in wasm pages.
    pub(crate) pages: u64,
    /// Mutable globals by index, with their values.
    pub(crate) globals: Vec<(u32, Val)>,
}

impl State {
    /// The guest's module, `base`, starting from this state, with the
    /// memory copied into an anonymous file.
    pub(crate) fn into_module(self, base: &Module) -> Result<Module> {
        base.with_initial_state(InitialMemory::Bytes(self.memory), self.pages, &self.globals)
            .map_err(Error::engine("loading a snapshot"))
    }
}

impl Sandbox {
    /// The image `id` from the disk cache, if there.
    pub(crate) async fn cached(&self, id: &str) -> Result<Option<Module>> {
        let Some(dir) = self.inner.config.cache_dir.clone() else {
            return Ok(None);
        };
        let base = self.guest().await?.clone();
        let id = id.to_owned();
        tokio::task::spawn_blocking(move || cache::load(&base, &dir, &id))
            .await
            .map_err(|e| Error::Engine {
                context: "loading a cached image",
                message: e.to_string(),
            })
    }

    /// The runtime snapshot `id` (a bundle without a handler): from memory,
    /// the disk cache, or built.
    pub(crate) async fn runtime_module(
        &self,
        id: &str,
        bundle: Vec<u8>,
        modules: Arc<BTreeMap<String, String>>,
        share: CpuShare,
    ) -> Result<Module> {
        let slot = self
            .inner
            .runtimes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .slot(id);
        slot.get_or_try_init(|| async {
            if let Some(module) = self.cached(id).await? {
                return Ok(module);
            }
            let started = Instant::now();
            let (module, _) = self.snapshotted(id, bundle, modules, share).await?;
            tracing::debug!(
                runtime = id,
                ms = started.elapsed().as_millis() as u64,
                "runtime snapshot built"
            );
            Ok(module)
        })
        .await
        .cloned()
    }

    /// Snapshots `bundle` once a build turn is free (`share` places it in
    /// line) and caches the snapshot on disk as `id`.
    pub(crate) async fn snapshotted(
        &self,
        id: &str,
        bundle: Vec<u8>,
        modules: Arc<BTreeMap<String, String>>,
        share: CpuShare,
    ) -> Result<(Module, Backing)> {
        let _turn = self.inner.builds.hold(share).await;
        let state = self.snapshot(bundle, modules).await?;
        let base = self.guest().await?.clone();
        let dir = self.inner.config.cache_dir.clone();
        let max_bytes = self.inner.config.cache_max_bytes;
        let id = id.to_owned();
        // The cache file's write and fsync block.
        tokio::task::spawn_blocking(move || {
            let len = state.memory.len();
            if let Some(dir) = dir.as_deref() {
                cache::store(dir, &id, &state, max_bytes);
                // Mapped from the file, the snapshot is clean page cache the
                // kernel shares and reclaims, not this process's memory.
                if let Some(mapped) = cache::load(&base, dir, &id) {
                    return Ok((mapped, Backing::File));
                }
            }
            Ok((state.into_module(&base)?, Backing::Memory { bytes: len }))
        })
        .await
        .map_err(|e| Error::Engine {
            context: "loading a snapshot",
            message: e.to_string(),
        })?
    }

    /// Runs the guest's init over `bundle` and snapshots the result.
    async fn snapshot(
        &self,
        bundle: Vec<u8>,
        modules: Arc<BTreeMap<String, String>>,
    ) -> Result<State> {
        let guest = self.guest().await?;
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
            // Builds carry no CPU account: their time limit is the bound.
            TrapKind::Timeout | TrapKind::CpuLimit => Error::InitLimit {
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
            TrapKind::Load(report) => Error::Init {
                error: Box::new(GuestError::from_report(&report)),
                logs: Vec::new(),
            },
            TrapKind::Crash(message) => Error::Init {
                error: Box::new(GuestError::new("InternalError", message)),
                logs: Vec::new(),
            },
        };

        let instance = match self.inner.linker.instantiate_async(&mut store, guest).await {
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
        read_state(&mut store, &instance)
    }
}

/// Reads an instance's memory and mutable globals.
fn read_state(store: &mut Store<StoreData>, instance: &wasmtime::Instance) -> Result<State> {
    let memory = instance
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| Error::Engine {
            context: "snapshotting the image",
            message: "the guest exports no memory".into(),
        })?;
    let data = memory.data(&*store);
    // Whole wasm pages: a multiple of any host's page size, as a memory
    // image must be.
    let page = 64 << 10;
    let used = data
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |last| (last + 1).next_multiple_of(page))
        .min(data.len());
    let pages = memory.size(&*store);
    let memory = data[..used].to_vec();
    let module = instance.module(&*store).clone();
    let mut globals = Vec::new();
    for export in module.exports() {
        let Some(index) = export.name().strip_prefix(GLOBAL_EXPORT_PREFIX) else {
            continue;
        };
        let index: u32 = index.parse().map_err(|_| Error::Engine {
            context: "snapshotting the image",
            message: format!("unexpected export `{}`", export.name()),
        })?;
        let global = instance
            .get_global(&mut *store, export.name())
            .ok_or_else(|| Error::Engine {
                context: "snapshotting the image",
                message: format!("`{}` is not a global", export.name()),
            })?;
        globals.push((index, global.get(&mut *store)));
    }
    Ok(State {
        memory,
        pages,
        globals,
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::fresh_sandbox;
    use crate::{ImageSpec, Script};

    #[tokio::test]
    async fn every_image_runs_the_one_compiled_copy_of_the_guest() {
        let (_dir, sandbox) = fresh_sandbox();
        let mut texts = Vec::new();
        for (n, init) in ["var a = 1;", "var b = 'two'.repeat(1000);"]
            .into_iter()
            .enumerate()
        {
            let spec = ImageSpec::new(Script::new(
                "handler.js",
                format!("async function handleEvent() {{ return {n}; }}"),
            ))
            .with_init(Script::new("init.js", init));
            let image = sandbox.build_image(&spec).await.expect("build");
            image.bake().await.expect("bake");
            assert!(image.is_baked());
            let text = image.form().module().text().as_ptr();
            texts.push(text);
        }
        let guest = sandbox.guest().await.expect("guest").text().as_ptr();
        assert_eq!(texts, [guest, guest]);
    }
}
