//! [`Sandbox`]: the process-wide engine, linker and epoch ticker.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use compiler::Compiler;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, Linker, Module, OptLevel,
    PoolingAllocationConfig, Store,
};
use wasmtime_wizer::Wizer;

use crate::baker::Baker;
use crate::cache::Runtimes;
use crate::cpu::Turns;
use crate::lane::Lane;
use crate::reaper::Reaper;
use crate::store::{self, StoreData};
use crate::warmer::Warmer;
use crate::{Error, GUEST_WASM, Result, SandboxConfig, cache, wasi};

/// How often the engine's epoch advances: the granularity of timeouts and of
/// yielding a busy guest back to the async executor.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(1);

/// The process-wide runtime for chat functions: one wasmtime `Engine` with
/// the pooling allocator, one `Linker` with the host imports, and the image
/// cache. Clone it freely; clones share everything.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<StoreData>,
    pub(crate) config: SandboxConfig,
    /// sha256 of everything besides an image's own inputs that decides what
    /// an image is: the guest and the engine's settings.
    pub(crate) fingerprint: [u8; 32],
    /// The guest, instrumented so that its globals can be read, and
    /// compiled: every image's module is this one started from a snapshot.
    pub(crate) guest: OnceCell<Module>,
    pub(crate) wizer: Wizer,
    /// Compiles handler and init scripts (TypeScript, ES modules).
    pub(crate) compiler: Compiler,
    stop_ticker: Arc<AtomicBool>,
    /// Runtime snapshots late-bound images share.
    pub(crate) runtimes: Mutex<Runtimes>,
    /// Turns of builds (init run and snapshot), shared by tenant.
    pub(crate) builds: Arc<Turns>,
    /// Bakes hot late-bound images in the background.
    pub(crate) baker: Baker,
    /// Refills warm pools.
    pub(crate) warmer: Warmer,
    /// Disposes of finished stores (see [`Sandbox::retire`]).
    reaper: Reaper,
    /// Turns of long-running guests.
    pub(crate) turns: Arc<Turns>,
    /// Where long-running guests compute.
    pub(crate) lane: Lane,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

impl Sandbox {
    /// Creates the engine. Fails when `config` is invalid or the host cannot
    /// reserve the instance pool.
    pub fn new(config: SandboxConfig) -> Result<Sandbox> {
        config.validate()?;
        if let Some(dir) = &config.cache_dir {
            cache::check_trusted(dir).map_err(|message| Error::InvalidConfig { message })?;
            cache::remove_earlier_formats(dir);
        }
        let engine =
            Engine::new(&engine_config(&config)).map_err(Error::engine("creating the engine"))?;
        let mut linker = Linker::new(&engine);
        store::add_to_linker(&mut linker).map_err(Error::engine("defining host imports"))?;
        wasi::add_to_linker(&mut linker).map_err(Error::engine("defining WASI imports"))?;

        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let mut fingerprint = Sha256::new();
        fingerprint.update(b"chatfn-image-v2\0");
        fingerprint.update(guest_digest());
        fingerprint.update(hasher.finish().to_le_bytes());
        fingerprint.update(config.max_memory_bytes.to_le_bytes());

        let stop_ticker = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), stop_ticker.clone()).map_err(|e| Error::Engine {
            context: "starting the epoch ticker",
            message: e.to_string(),
        })?;

        let reaper = Reaper::spawn(config.max_instances).map_err(|e| Error::Engine {
            context: "starting the reaper thread",
            message: e.to_string(),
        })?;

        let baker = Baker::spawn().map_err(|e| Error::Engine {
            context: "starting the baker thread",
            message: e.to_string(),
        })?;

        let warmer = Warmer::spawn(&config).map_err(|e| Error::Engine {
            context: "starting the warmer thread",
            message: e.to_string(),
        })?;

        let lane = Lane::spawn(config.cpu_turns).map_err(|e| Error::Engine {
            context: "starting the long lane's threads",
            message: e.to_string(),
        })?;

        let mut wizer = Wizer::new();
        wizer.init_func(crate::abi::EXPORT_INIT);
        let turns = Arc::new(Turns::new(config.cpu_turns));
        let builds = Arc::new(Turns::new(config.max_builds));
        Ok(Sandbox {
            inner: Arc::new(Inner {
                turns,
                lane,
                engine,
                linker,
                config,
                fingerprint: fingerprint.finalize().into(),
                guest: OnceCell::new(),
                wizer,
                compiler: Compiler::default(),
                stop_ticker,
                runtimes: Mutex::default(),
                builds,
                baker,
                warmer,
                reaper,
            }),
        })
    }

    /// Instances waiting in warm pools, over all images (updated every
    /// pool sizing tick, 100 ms).
    pub fn warm_instances(&self) -> usize {
        self.inner.warmer.pooled()
    }

    /// Instances kept between invocations under
    /// [`Reuse::Sequential`](crate::Reuse), over all images.
    pub fn kept_instances(&self) -> usize {
        self.inner.warmer.kept_total().count()
    }

    /// Instance slots not in use that keep an image's memory mapped for
    /// its next instance, and the bytes they keep resident.
    pub fn idle_slots(&self) -> (usize, usize) {
        self.inner
            .engine
            .pooling_allocator_metrics()
            .map_or((0, 0), |metrics| {
                (
                    metrics.unused_warm_memories() as usize,
                    metrics.unused_memory_bytes_resident(),
                )
            })
    }

    /// Late-bound images waiting for their bake or being baked.
    pub fn bakes_pending(&self) -> usize {
        self.inner.baker.pending()
    }

    /// The compiler images are built with; share it for checking scripts
    /// ahead of a build (e.g. when a version is deployed).
    pub fn compiler(&self) -> &Compiler {
        &self.inner.compiler
    }

    /// The configuration this sandbox was created with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Disposes of a finished invocation's store off the caller's path:
    /// returning an instance to the pool resets its memory (pagemap scan and
    /// copy-back of dirtied pages), which is about a third of an
    /// invocation's cost. When the reaper is behind, the caller does it.
    pub(crate) fn retire(&self, store: Store<StoreData>) {
        self.inner.reaper.retire(store);
    }

    /// The guest instrumented for snapshotting, compiled on first use (or
    /// loaded from the disk cache): every image's code.
    pub(crate) async fn guest(&self) -> Result<&Module> {
        self.inner
            .guest
            .get_or_try_init(|| async {
                let inner = self.inner.clone();
                tokio::task::spawn_blocking(move || {
                    let id = format!("guest-{}", cache::hex(&inner.fingerprint));
                    let cache_dir = inner.config.cache_dir.as_deref();
                    if let Some(module) =
                        cache_dir.and_then(|dir| cache::load_guest(&inner.engine, dir, &id))
                    {
                        return Ok(module);
                    }
                    let (_, wasm) = inner
                        .wizer
                        .instrument(GUEST_WASM)
                        .map_err(Error::engine("instrumenting the guest"))?;
                    let module = Module::new(&inner.engine, &wasm)
                        .map_err(Error::engine("compiling the guest"))?;
                    if let Some(dir) = cache_dir {
                        cache::store_guest(dir, &id, &module);
                    }
                    Ok(module)
                })
                .await
                .map_err(|e| Error::Engine {
                    context: "compiling the guest",
                    message: e.to_string(),
                })?
            })
            .await
    }
}

/// sha256 of the guest, computed once per process (it is 1.3 MB).
fn guest_digest() -> &'static [u8; 32] {
    static DIGEST: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    DIGEST.get_or_init(|| Sha256::digest(GUEST_WASM).into())
}

fn engine_config(config: &SandboxConfig) -> Config {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(config.max_instances)
        .total_memories(config.max_instances)
        .total_tables(config.max_instances)
        .total_stacks(config.max_instances)
        .max_memory_size(config.max_memory_bytes)
        // Reuse a freed slot's pages instead of faulting them in again; with
        // pagemap scanning only the pages the last instance dirtied are reset.
        .linear_memory_keep_resident(config.keep_resident_bytes)
        .table_keep_resident(64 << 10)
        .pagemap_scan(Enabled::Auto)
        // A freed slot keeps its image mapped (and the pages its instances
        // touched resident) for the next instance of that image. Beyond
        // this many unused slots, a new instance takes one of another
        // image's, and remapping it costs page faults and TLB shootdowns
        // on every core: with wasmtime's default (100, split between
        // per-thread shards), traffic rotating over 50 functions remapped
        // a slot on every second invocation.
        .max_unused_warm_slots(config.max_instances / 2);

    let mut cfg = Config::new();
    cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .epoch_interruption(true)
        .memory_init_cow(true)
        .cranelift_opt_level(OptLevel::Speed);
    cfg
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until `stop` is set.
/// Without it nothing would interrupt a guest stuck in a loop.
fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    thread::Builder::new()
        .name("chatfn-epoch".into())
        .spawn(move || {
            crate::sched::prompt_wakeups();
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .map(drop)
}

/// For unit tests: a sandbox with an image cache of its own (nothing cached
/// yet), removed when the returned directory drops.
#[cfg(test)]
pub(crate) fn fresh_sandbox() -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    (dir, sandbox)
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sandbox>();
};
