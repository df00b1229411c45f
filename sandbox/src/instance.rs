//! Instances: how one is made from an image's compiled [`Form`], the store
//! settings every instance runs under, and what a trap out of it means.
//!
//! Images, warm pools, the warmer, invocations and snapshots all make or
//! drive instances; this module imports none of them, so they form no
//! import cycle through it.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::{InstancePre, Linker, Module, ModuleExport, Store, Trap, TypedFunc, UpdateDeadline};

use crate::cache::Backing;
use crate::cpu::{CpuAccount, Tick};
use crate::store::StoreData;
use crate::{Error, LogEntry, Result, abi};

/// A compiled module an image's instances come from, with its exports
/// looked up once.
pub(crate) struct Form {
    pre: InstancePre<StoreData>,
    memory: ModuleExport,
    /// Linear memory an instance starts with (the snapshot's).
    pub(crate) initial_bytes: u64,
    invoke: ModuleExport,
    resume: ModuleExport,
    /// For a late-bound form: the guest's load export and the compiled
    /// handler each instance evaluates.
    load: Option<(ModuleExport, Arc<[u8]>)>,
    /// What keeping this form loaded costs on its own (see
    /// [`Backing::private_bytes`]); a late-bound form shares its runtime's
    /// module and holds only its handler.
    pub(crate) private_bytes: usize,
}

/// An instance ready to serve an invocation.
pub(crate) struct Ready {
    pub(crate) store: Store<StoreData>,
    pub(crate) invoke: TypedFunc<(), i64>,
    pub(crate) resume: TypedFunc<(), i64>,
}

/// Why an instance could not be made.
pub(crate) enum StartError {
    /// Instantiation failed (e.g. every pool slot busy, or over the memory
    /// limit).
    Engine(wasmtime::Error),
    /// Loading a late-bound handler trapped.
    Trap(wasmtime::Error),
    /// The late-bound handler threw while loading: `(report, logs)`.
    Load(Vec<u8>, Vec<LogEntry>),
}

impl Form {
    /// A baked form: `module` (its snapshot kept where `backing` says) has
    /// the handler in its snapshot.
    pub(crate) fn baked(
        linker: &Linker<StoreData>,
        module: &Module,
        backing: Backing,
    ) -> Result<Form> {
        Form::link(linker, module, None, backing.private_bytes())
    }

    /// A late-bound form: each instance of its runtime's `module` loads
    /// `handler`.
    pub(crate) fn late_bound(
        linker: &Linker<StoreData>,
        module: &Module,
        handler: Arc<[u8]>,
    ) -> Result<Form> {
        let private_bytes = handler.len();
        Form::link(linker, module, Some(handler), private_bytes)
    }

    /// Links `module` and looks up its exports.
    fn link(
        linker: &Linker<StoreData>,
        module: &Module,
        handler: Option<Arc<[u8]>>,
        private_bytes: usize,
    ) -> Result<Form> {
        let export = |name: &str| {
            module.get_export_index(name).ok_or_else(|| Error::Engine {
                context: "loading an image",
                message: format!("the image does not export `{name}`"),
            })
        };
        let pre = linker
            .instantiate_pre(module)
            .map_err(Error::engine("linking an image"))?;
        let load = match handler {
            Some(handler) => Some((export(abi::EXPORT_LOAD)?, handler)),
            None => None,
        };
        let initial_bytes = match module.get_export("memory") {
            Some(wasmtime::ExternType::Memory(memory)) => {
                memory.minimum().saturating_mul(memory.page_size())
            }
            _ => 0,
        };
        Ok(Form {
            pre,
            memory: export("memory")?,
            initial_bytes,
            invoke: export(abi::EXPORT_INVOKE)?,
            resume: export(abi::EXPORT_RESUME)?,
            load,
            private_bytes,
        })
    }

    /// The module instances come from.
    #[cfg(test)]
    pub(crate) fn module(&self) -> &Module {
        self.pre.module()
    }

    /// Whether the handler is in the snapshot (not loaded per instance).
    pub(crate) fn is_baked(&self) -> bool {
        self.load.is_none()
    }

    /// Instantiates into `store` (configured, with its limits set) and, for
    /// a late-bound form, loads the handler.
    pub(crate) async fn start(
        &self,
        store: &mut Store<StoreData>,
    ) -> std::result::Result<(TypedFunc<(), i64>, TypedFunc<(), i64>), StartError> {
        let instance = self
            .pre
            .instantiate_async(&mut *store)
            .await
            .map_err(StartError::Engine)?;
        let missing = || StartError::Engine(wasmtime::Error::msg("image export missing"));
        let func = |store: &mut Store<StoreData>, export| {
            instance
                .get_module_export(&mut *store, export)
                .and_then(wasmtime::Extern::into_func)
                .ok_or_else(missing)
        };
        store.data_mut().memory = instance
            .get_module_export(&mut *store, &self.memory)
            .and_then(wasmtime::Extern::into_memory);
        let invoke = func(store, &self.invoke)?
            .typed::<(), i64>(&*store)
            .map_err(StartError::Engine)?;
        let resume = func(store, &self.resume)?
            .typed::<(), i64>(&*store)
            .map_err(StartError::Engine)?;
        if let Some((load, handler)) = &self.load {
            let load = func(store, load)?
                .typed::<(), ()>(&*store)
                .map_err(StartError::Engine)?;
            let saved = store.data_mut().begin_load(handler.to_vec());
            load.call_async(&mut *store, ())
                .await
                .map_err(StartError::Trap)?;
            let data = store.data_mut();
            let logs = data.end_load(saved);
            if let Some((_, report)) = data.finish.take() {
                return Err(StartError::Load(report, logs));
            }
        }
        Ok((invoke, resume))
    }
}

/// The linear memory an instance has now (0 before it is instantiated).
pub(crate) fn memory_bytes(store: &Store<StoreData>) -> usize {
    store
        .data()
        .memory
        .map_or(0, |memory| memory.data_size(store))
}

/// Installs the memory limiter and the epoch callback shared by init and
/// invocation stores: past the deadline (or an invocation's CPU budget)
/// the guest is interrupted; before it, a busy guest yields to the
/// executor once per epoch tick so timers (and other tasks) keep running,
/// and an invocation that runs long waits for its turn (see [`crate::cpu`]).
pub(crate) fn configure_store(store: &mut Store<StoreData>) {
    store.limiter(|data| &mut data.limiter);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx| {
        let data = ctx.data_mut();
        if Instant::now() >= data.deadline {
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(match data.cpu.as_mut().map(CpuAccount::tick) {
            Some(Tick::Run) => UpdateDeadline::Continue(1),
            None | Some(Tick::Yield) => UpdateDeadline::Yield(1),
            Some(Tick::Wait(turn)) => UpdateDeadline::YieldCustom(1, turn),
            Some(Tick::OverBudget) => UpdateDeadline::Interrupt,
        })
    });
}

/// What a trap (or another error out of a guest call) means.
pub(crate) enum TrapKind {
    Timeout,
    CpuLimit,
    MemoryLimit,
    Crash(String),
    /// A late-bound handler threw while loading (its error report).
    Load(Vec<u8>),
}

pub(crate) fn classify_trap(error: &wasmtime::Error, data: &StoreData) -> TrapKind {
    if data.limiter.hit {
        return TrapKind::MemoryLimit;
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) if data.cpu.as_ref().is_some_and(|cpu| cpu.hit) => TrapKind::CpuLimit,
        Some(Trap::Interrupt) => TrapKind::Timeout,
        Some(Trap::StackOverflow) => {
            TrapKind::Crash("the call stack was exhausted (likely unbounded recursion)".to_string())
        }
        Some(trap) => {
            let stderr = String::from_utf8_lossy(&data.stderr);
            let stderr = stderr.trim();
            if stderr.is_empty() {
                TrapKind::Crash(format!("the guest trapped: {trap}"))
            } else {
                TrapKind::Crash(format!("the guest trapped: {trap}: {stderr}"))
            }
        }
        None => TrapKind::Crash(format!("the guest failed: {error:#}")),
    }
}
