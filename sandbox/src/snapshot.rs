//! Building images: the guest's init run over a bundle, snapshotted with
//! Wizer and compiled by Cranelift (about 1.5 s, nearly all of it the
//! compile), with the results cached on disk by content hash and runtime
//! snapshots shared in memory.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use wasmtime::{Instance, Module, Store};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType};

use crate::cache::{self, Backing};
use crate::instance::{TrapKind, classify_trap, configure_store};
use crate::store::StoreData;
use crate::{CpuShare, Error, GuestError, Result, Sandbox, abi};

impl Sandbox {
    /// The precompiled module `id` from the disk cache, if there.
    pub(crate) fn cached(&self, id: &str) -> Option<Module> {
        let dir = self.inner.config.cache_dir.as_deref()?;
        cache::load(&self.inner.engine, dir, id)
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
            if let Some(module) = self.cached(id) {
                return Ok(module);
            }
            let started = Instant::now();
            let (module, _) = self.compiled(id, bundle, modules, share).await?;
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

    /// Snapshots `bundle`, compiles the snapshot, and caches it on disk as
    /// `id`, once a build turn is free (`share` places it in line).
    pub(crate) async fn compiled(
        &self,
        id: &str,
        bundle: Vec<u8>,
        modules: Arc<BTreeMap<String, String>>,
        share: CpuShare,
    ) -> Result<(Module, Backing)> {
        let _turn = self.inner.builds.hold(share).await;
        let wasm = self.snapshot(bundle, modules).await?;
        let engine = self.inner.engine.clone();
        let dir = self.inner.config.cache_dir.clone();
        let max_bytes = self.inner.config.cache_max_bytes;
        let id = id.to_owned();
        let background = share
            .background
            .then(|| self.inner.baker.compile_pool())
            .flatten();
        // The compile and the cache file's write and fsync all block.
        tokio::task::spawn_blocking(move || {
            let compile = || Module::new(&engine, &wasm);
            let module = match background {
                // Background work (a bake, or a build for a queued job)
                // compiles on the baker's pool, at background priority
                // (see `crate::baker`); this thread only waits for it.
                Some(pool) => pool.install(compile),
                None => compile(),
            }
            .map_err(Error::engine("compiling an image"))?;
            if let Some(dir) = dir.as_deref() {
                cache::store(dir, &id, &module, max_bytes);
                // Mapped from the file, the code is shared, clean page cache
                // the kernel can reclaim, rather than this process's private
                // memory.
                if let Some(mapped) = cache::load(&engine, dir, &id) {
                    return Ok((mapped, Backing::File));
                }
            }
            Ok((module, Backing::Memory))
        })
        .await
        .map_err(|e| Error::Engine {
            context: "compiling an image",
            message: e.to_string(),
        })?
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
