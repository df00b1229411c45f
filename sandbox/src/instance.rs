//! Instances: how one is made from an image's compiled [`Form`], the store
//! settings every instance runs under, and what a trap out of it means.
//!
//! Images, warm pools, the warmer, invocations and snapshots all make or
//! drive instances; this module imports none of them, so they form no
//! import cycle through it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
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
    /// For a late-bound form: how each instance loads the handler.
    load: Option<Load>,
    /// What keeping this form loaded costs on its own (see
    /// [`Backing::private_bytes`]), without a late-bound form's compiled
    /// handler.
    private_bytes: usize,
}

/// A late-bound form's handler, as each of its instances loads it.
struct Load {
    /// The guest's load export.
    export: ModuleExport,
    /// The handler script (see `abi::EXPORT_LOAD`).
    source: Arc<[u8]>,
    /// The handler compiled to bytecode by the first load that succeeded:
    /// later loads run it instead of parsing the source again.
    compiled: OnceLock<Arc<[u8]>>,
    /// How long a load takes, in nanoseconds: a moving average (0 before
    /// the first).
    time_ns: AtomicU64,
}

impl Load {
    fn record(&self, took: std::time::Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        // Races between instances lose a sample at worst.
        let old = self.time_ns.load(Ordering::Relaxed);
        let new = if old == 0 { ns } else { old - old / 8 + ns / 8 };
        self.time_ns.store(new.max(1), Ordering::Relaxed);
    }
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
            Some(source) => Some(Load {
                export: export(abi::EXPORT_LOAD)?,
                source,
                compiled: OnceLock::new(),
                time_ns: AtomicU64::new(0),
            }),
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

    /// How long loading the handler takes an instance (recently, on
    /// average); `None` for a baked form.
    pub(crate) fn load_time(&self) -> Option<std::time::Duration> {
        let load = self.load.as_ref()?;
        Some(std::time::Duration::from_nanos(
            load.time_ns.load(Ordering::Relaxed),
        ))
    }

    /// What keeping this form loaded costs on its own (see
    /// [`Backing::private_bytes`]); a late-bound form shares its runtime's
    /// module and holds only its handler, as source and compiled.
    pub(crate) fn private_bytes(&self) -> usize {
        let compiled = self
            .load
            .as_ref()
            .and_then(|load| load.compiled.get())
            .map_or(0, |compiled| compiled.len());
        self.private_bytes + compiled
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
        if let Some(load) = &self.load {
            let call = func(store, &load.export)?
                .typed::<(), ()>(&*store)
                .map_err(StartError::Engine)?;
            let input = load.compiled.get().unwrap_or(&load.source).to_vec();
            let saved = store.data_mut().begin_load(input);
            let started = Instant::now();
            call.call_async(&mut *store, ())
                .await
                .map_err(StartError::Trap)?;
            load.record(started.elapsed());
            let data = store.data_mut();
            let logs = data.end_load(saved);
            match data.finish.take() {
                None => {}
                Some((abi::FINISH_OK, compiled)) => {
                    let _ = load.compiled.set(compiled.into());
                }
                // The compiled handler is over its limit: loads keep
                // parsing the source.
                Some((abi::FINISH_INVALID_RESULT, _)) => {}
                Some((_, report)) => return Err(StartError::Load(report, logs)),
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

#[cfg(test)]
mod tests {
    use serde_json::json;
    use serde_json::value::to_raw_value;

    use crate::engine::fresh_sandbox;
    use crate::{ImageSpec, Limits, NoHostCalls, Script, abi};

    #[tokio::test]
    async fn a_late_bound_handler_is_compiled_once_and_its_instances_run_the_bytecode() {
        let (_dir, sandbox) = fresh_sandbox();
        // A plain script (its handler a global) and an ES module (its
        // handler an export of a CommonJS module function).
        let handlers = [
            (
                "handler.js",
                "var k = 2; async function handleEvent(e) { return [e.n * k, handleEvent.name]; }",
            ),
            (
                "handler.ts",
                "const k: number = 2;\nexport async function handleEvent(e: { n: number }) { return [e.n * k, handleEvent.name]; }",
            ),
        ];
        let event = to_raw_value(&json!({ "n": 21 })).expect("json");
        let context = to_raw_value(&json!({})).expect("json");
        for (filename, source) in handlers {
            let image = sandbox
                .build_image(&ImageSpec::new(Script::new(filename, source)))
                .await
                .expect("build");
            let form = image.form();
            let load = form.load.as_ref().expect("late-bound");
            let compiled = load.compiled.get().expect("the build's load compiled it");
            assert_eq!(compiled.first(), Some(&abi::LOAD_COMPILED));
            assert_eq!(form.private_bytes(), load.source.len() + compiled.len());
            // The build's instance loaded the source; every later one
            // loads the bytecode.
            for _ in 0..4 {
                let outcome = image
                    .invoke(&event, &context, &Limits::default(), NoHostCalls::shared())
                    .await
                    .expect("invocation starts");
                let result = outcome
                    .result
                    .map_err(|f| f.error.message)
                    .expect("succeeds");
                assert_eq!(result.get(), r#"[42,"handleEvent"]"#, "{filename}");
            }
            assert!(!image.is_baked());
        }
    }

    #[tokio::test]
    async fn runtimes_that_differ_only_in_their_environment_share_a_snapshot() {
        let (_dir, sandbox) = fresh_sandbox();
        let build = |env: &str, init: Option<&str>| {
            let mut spec = ImageSpec::new(Script::new(
                "handler.js",
                "async function handleEvent() { return process.env.MODE; }",
            ))
            .with_env("MODE", env);
            if let Some(init) = init {
                spec = spec.with_init(Script::new("init.js", init));
            }
            let sandbox = sandbox.clone();
            async move { sandbox.build_image(&spec).await.expect("build") }
        };
        let (a, b) = (build("a", None).await, build("b", None).await);
        assert!(wasmtime::Module::same(a.form().module(), b.form().module()));
        // An init script may read the environment: then it is part of the
        // runtime snapshot, one per environment.
        let init = "var seen = process.env.MODE;";
        let (c, d) = (build("c", Some(init)).await, build("d", Some(init)).await);
        assert!(!wasmtime::Module::same(
            c.form().module(),
            d.form().module()
        ));
        assert!(!wasmtime::Module::same(
            a.form().module(),
            c.form().module()
        ));
    }
}
