//! The chatfn guest: QuickJS (through `javy`) plus the JS prelude, compiled to
//! `wasm32-wasip1` and driven by the host in the `sandbox` crate.
//!
//! Life cycle:
//! - `chatfn_init` runs once, under Wizer, when an image is built: it creates
//!   the JS runtime, runs the prelude, and evaluates the image bundle (env,
//!   module map, init script, handler). Wizer then snapshots linear memory, so
//!   every later instance starts with all of that already done.
//! - Each instance of the snapshot serves one invocation (or several in
//!   turn, when the host reuses it): `chatfn_invoke` starts
//!   `handleEvent(event, context)` and runs the job queue and due timers
//!   until the handler settles or must wait; while it waits on host calls
//!   or timers the host calls `chatfn_resume`.
//!
//! The JS side (`src/prelude/*.js`) owns the invocation state; this file
//! moves bytes between the host and the prelude's `internal` functions, and
//! takes one shortcut: an async handler's promise fulfilled with plain data
//! is written as the result here (`finish_fulfilled`).

#[allow(
    dead_code,
    reason = "abi.rs is shared with the host, which uses the rest"
)]
mod abi;
mod cipher;
mod convert;
mod crypto;
mod handles;
mod host;
mod intl;
mod natives;
mod result_json;
mod zlib;

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use javy::quickjs::{
    Array, ArrayBuffer, Ctx, Function, Object, Persistent, Promise, String as JsString, Value,
    promise::PromiseState, qjs,
};

/// `(name, source)` of each prelude file, by file name.
macro_rules! prelude {
    ($($file:literal),* $(,)?) => {
        &[$((concat!("chatfn:prelude/", $file), include_str!(concat!("prelude/", $file)))),*]
    };
}

/// Prelude files, in evaluation order: later files use what earlier ones put
/// on `internal`.
const PRELUDE: &[(&str, &str)] = prelude![
    "inspect.js",
    "console.js",
    "base64.js",
    "url.js",
    "clone.js",
    "web.js",
    "timers.js",
    "host.js",
    "modules.js",
    "process.js",
    "node_errors.js",
    "web_events.js",
    "node_buffer.js",
    "web_encoding.js",
    "node_events.js",
    "node_stream.js",
    "node_util.js",
    "node_path.js",
    "crypto_keys.js",
    "node_crypto.js",
    "web_crypto.js",
    "node_fs.js",
    "node_system.js",
    "node_http.js",
    "node_net.js",
    "node_zlib.js",
    "web_streams.js",
    "web_blob.js",
    "intl.js",
    "fetch.js",
    "invocation.js",
];

/// Reported when even describing a failure failed (typically out of memory);
/// the host reclassifies it when its memory limiter tripped.
const FALLBACK_ERROR: &[u8] =
    br#"{"name":"InternalError","message":"the JS runtime failed while reporting an error"}"#;

struct State {
    runtime: javy::Runtime,
    hooks: SavedHooks,
}

/// The prelude's entry points for invocations, looked up once at init
/// rather than by name on every call.
struct Hooks<'js> {
    start: Function<'js>,
    poll: Function<'js>,
    complete: Function<'js>,
    uncaught: Function<'js>,
    error_json: Function<'js>,
}

/// The entry points only `chatfn_load` calls: restored there alone, so an
/// invocation pays for five hooks, not nine.
struct LoadHooks<'js> {
    load: Function<'js>,
    load_compiled: Function<'js>,
    set_env: Function<'js>,
    seal: Function<'js>,
}

struct SavedHooks {
    invocation: [Persistent<Function<'static>>; 5],
    load: [Persistent<Function<'static>>; 4],
}

impl SavedHooks {
    fn new<'js>(ctx: &Ctx<'js>, internal: &Object<'js>) -> javy::quickjs::Result<SavedHooks> {
        let get = |name: &str| -> javy::quickjs::Result<Persistent<Function<'static>>> {
            Ok(Persistent::save(
                ctx,
                internal.get::<_, Function<'js>>(name)?,
            ))
        };
        Ok(SavedHooks {
            invocation: [
                get("start")?,
                get("poll")?,
                get("complete")?,
                get("uncaught")?,
                get("errorJson")?,
            ],
            load: [
                get("load")?,
                get("loadCompiled")?,
                get("setEnvJson")?,
                get("sealInit")?,
            ],
        })
    }

    fn restore<'js>(&self, ctx: &Ctx<'js>) -> javy::quickjs::Result<Hooks<'js>> {
        let [start, poll, complete, uncaught, error_json] =
            self.invocation.clone().map(|f| f.restore(ctx));
        Ok(Hooks {
            start: start?,
            poll: poll?,
            complete: complete?,
            uncaught: uncaught?,
            error_json: error_json?,
        })
    }

    fn restore_load<'js>(&self, ctx: &Ctx<'js>) -> javy::quickjs::Result<LoadHooks<'js>> {
        let [load, load_compiled, set_env, seal] = self.load.clone().map(|f| f.restore(ctx));
        Ok(LoadHooks {
            load: load?,
            load_compiled: load_compiled?,
            set_env: set_env?,
            seal: seal?,
        })
    }
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

#[unsafe(export_name = "chatfn_init")]
pub extern "C" fn init() {
    let bundle = host::read_input();
    let Some(runtime) = new_runtime() else {
        return host::finish(abi::FINISH_EXCEPTION, FALLBACK_ERROR);
    };
    let hooks = runtime.context().with(|ctx| -> Option<SavedHooks> {
        let (internal, saved, hooks) = match boot(&ctx, &bundle) {
            Ok(booted) => booted,
            Err(_) => {
                let caught = ctx.catch();
                let report = describe_error(&ctx, None, caught);
                host::finish(abi::FINISH_EXCEPTION, report.as_bytes());
                return None;
            }
        };
        // Async work started by the init script (promise chains) finishes
        // now, so its effects are part of the snapshot.
        // Only a warm-up: if it throws, the image is still good.
        if call::<_, ()>(&internal, "rehearse", ()).is_err() {
            let _ = ctx.catch();
        }
        run_jobs(&ctx, &hooks);
        if call::<_, ()>(&internal, "sealInit", ()).is_err() {
            let caught = ctx.catch();
            let report = describe_error(&ctx, Some(&hooks), caught);
            host::finish(abi::FINISH_EXCEPTION, report.as_bytes());
            return None;
        }
        settle_heap(&ctx);
        Some(saved)
    });
    if let Some(hooks) = hooks {
        STATE.with(|state| *state.borrow_mut() = Some(State { runtime, hooks }));
    }
}

#[unsafe(export_name = "chatfn_load")]
pub extern "C" fn load() {
    let input = host::read_input();
    STATE.with(|state| {
        let state = state.borrow();
        let Some(state) = state.as_ref() else {
            return host::finish(
                abi::FINISH_EXCEPTION,
                br#"{"name":"InternalError","message":"the image was not initialized"}"#,
            );
        };
        state.runtime.context().with(|ctx| {
            let (Ok(hooks), Ok(load_hooks)) =
                (state.hooks.restore(&ctx), state.hooks.restore_load(&ctx))
            else {
                return host::finish(abi::FINISH_EXCEPTION, FALLBACK_ERROR);
            };
            let loaded = load_handler(&ctx, &load_hooks, &input).and_then(|compiled| {
                run_jobs(&ctx, &hooks);
                load_hooks.seal.call::<_, ()>(())?;
                Ok(compiled)
            });
            match loaded {
                Ok(Some(compiled)) => host::finish(abi::FINISH_OK, &compiled),
                Ok(None) => {}
                Err(_) => {
                    let caught = ctx.catch();
                    let report = describe_error(&ctx, Some(&hooks), caught);
                    host::finish(abi::FINISH_EXCEPTION, report.as_bytes());
                }
            }
        })
    })
}

/// Evaluates the handler `chatfn_load` was given; from source, returns its
/// compiled form for later loads (see `abi::EXPORT_LOAD`).
fn load_handler<'js>(
    ctx: &Ctx<'js>,
    hooks: &LoadHooks<'js>,
    input: &[u8],
) -> javy::quickjs::Result<Option<Vec<u8>>> {
    match input.split_first() {
        Some((&abi::LOAD_SOURCE, script)) => {
            let script = String::from_utf8_lossy(script);
            let loaded: Array = hooks.load.call((script.as_ref(),))?;
            let bytecode: ArrayBuffer = loaded.get(0)?;
            let commonjs: bool = loaded.get(1)?;
            let filename = convert::lossy(ctx, &loaded.get::<JsString>(2)?);
            let env = convert::lossy(ctx, &loaded.get::<JsString>(3)?);
            Ok(bytecode
                .as_bytes()
                .map(|bytecode| abi::encode_compiled(commonjs, &filename, &env, bytecode)))
        }
        Some((&abi::LOAD_COMPILED, compiled)) => {
            let Some(compiled) = abi::decode_compiled(compiled) else {
                return Err(javy::quickjs::Exception::throw_internal(
                    ctx,
                    "malformed compiled handler",
                ));
            };
            if !compiled.env.is_empty() {
                hooks.set_env.call::<_, ()>((compiled.env,))?;
            }
            let value = natives::run_compiled(ctx, compiled.bytecode)?;
            hooks
                .load_compiled
                .call::<_, ()>((compiled.commonjs, value, compiled.filename))?;
            Ok(None)
        }
        _ => Err(javy::quickjs::Exception::throw_internal(
            ctx,
            "unknown handler load input",
        )),
    }
}

#[unsafe(export_name = "chatfn_invoke")]
pub extern "C" fn invoke() -> i64 {
    reseed();
    let input = host::read_input();
    with_hooks(|ctx, hooks| {
        let event = match String::from_utf8(input) {
            Ok(event) => event,
            Err(_) => {
                host::finish(
                    abi::FINISH_EXCEPTION,
                    br#"{"name":"TypeError","message":"the event is not valid UTF-8"}"#,
                );
                return abi::STATUS_DONE;
            }
        };
        // The invocation's clock origin, read here rather than by the
        // prelude: two native calls from JS cost more than the handler.
        let started = (host::monotonic_ms(), host::realtime_ms());
        natives::reset_uncaught();
        // `start` returns the handler's promise when it is a native one
        // (an async handler's), for `drive` to read directly.
        let watched = match hooks.start.call::<_, Value>((event, started.0, started.1)) {
            Ok(value) => value.into_promise(),
            Err(_) => {
                fail_from_exception(ctx, hooks);
                None
            }
        };
        drive(ctx, hooks, watched.as_ref())
    })
}

#[unsafe(export_name = "chatfn_resume")]
pub extern "C" fn resume() -> i64 {
    let input = host::read_input();
    with_hooks(|ctx, hooks| {
        let Some(completions) = abi::decode_completions(&input) else {
            host::finish(
                abi::FINISH_EXCEPTION,
                br#"{"name":"InternalError","message":"malformed host-call completions"}"#,
            );
            return abi::STATUS_DONE;
        };
        for (id, ok, json) in completions {
            let json = String::from_utf8_lossy(json);
            if hooks
                .complete
                .call::<_, ()>((id, ok, json.as_ref()))
                .is_err()
            {
                fail_from_exception(ctx, hooks);
            }
        }
        drive(ctx, hooks, None)
    })
}

fn new_runtime() -> Option<javy::Runtime> {
    let mut config = javy::Config::default();
    config
        .text_encoding(true)
        // QuickJS collects cycles when this much has been allocated since the
        // last collection; javy's default (never) would let cyclic garbage
        // reach the memory limit.
        .gc_threshold(4 << 20);
    javy::Runtime::new(config).ok()
}

/// Runs the prelude and the bundle; returns the prelude's `internal` object,
/// its hooks saved for later calls, and the invocation hooks for this one.
fn boot<'js>(
    ctx: &Ctx<'js>,
    bundle: &[u8],
) -> javy::quickjs::Result<(Object<'js>, SavedHooks, Hooks<'js>)> {
    let native = natives::object(ctx)?;
    let internal = Object::new(ctx.clone())?;
    for (name, source) in PRELUDE {
        natives::run_prelude_file(ctx, name, source, &native, &internal)?;
    }
    let bundle = String::from_utf8_lossy(bundle);
    call::<_, ()>(&internal, "boot", (bundle.as_ref(),))?;
    let saved = SavedHooks::new(ctx, &internal)?;
    let hooks = saved.restore(ctx)?;
    Ok((internal, saved, hooks))
}

fn with_hooks(f: impl for<'js> FnOnce(&Ctx<'js>, &Hooks<'js>) -> i64) -> i64 {
    STATE.with(|state| {
        let state = state.borrow();
        let Some(state) = state.as_ref() else {
            host::finish(
                abi::FINISH_EXCEPTION,
                br#"{"name":"InternalError","message":"the image was not initialized"}"#,
            );
            return abi::STATUS_DONE;
        };
        state
            .runtime
            .context()
            .with(|ctx| match state.hooks.restore(&ctx) {
                Ok(hooks) => f(&ctx, &hooks),
                Err(_) => {
                    host::finish(abi::FINISH_EXCEPTION, FALLBACK_ERROR);
                    abi::STATUS_DONE
                }
            })
    })
}

/// Runs jobs and due timers until the invocation is done or has to wait.
/// `watched` is the handler's promise, when it is a native one.
fn drive<'js>(ctx: &Ctx<'js>, hooks: &Hooks<'js>, watched: Option<&Promise<'js>>) -> i64 {
    loop {
        run_jobs(ctx, hooks);
        if let Some(promise) = watched
            && finish_fulfilled(ctx, promise)
        {
            return abi::STATUS_DONE;
        }
        // poll: -1 done, -2 waiting on host calls, 0 run again, > 0 ms to the
        // next timer.
        let status: f64 = match hooks.poll.call(()) {
            Ok(status) => status,
            Err(_) => {
                fail_from_exception(ctx, hooks);
                continue;
            }
        };
        if status == 0.0 {
            continue;
        }
        if status == -1.0 {
            return abi::STATUS_DONE;
        }
        if status == -2.0 {
            return abi::STATUS_WAIT_CALLS;
        }
        return (status * 1000.0).ceil().max(1.0) as i64;
    }
}

/// `poll`'s common case without calling into the prelude: once the
/// handler's promise is fulfilled with data the native writer can write,
/// and no uncaught error has had a say in the outcome, its value is the
/// result. A tenth of a trivial invocation's instructions. Anything else
/// (pending, rejected, a value only `JSON.stringify` can write) is left to
/// `poll`.
fn finish_fulfilled<'js>(ctx: &Ctx<'js>, promise: &Promise<'js>) -> bool {
    if !matches!(promise.state(), PromiseState::Resolved) || natives::uncaught_seen() {
        return false;
    }
    let value = natives::promise_result(ctx.clone(), promise.clone());
    // `undefined` is reported as null, as `poll` does.
    let value = if value.is_undefined() {
        Value::new_null(ctx.clone())
    } else {
        value
    };
    natives::finish_result(ctx.clone(), value)
}

/// Allocation an invocation may make before QuickJS collects cycles.
const GC_HEADROOM: usize = 4 << 20;

/// Collects init's garbage and puts QuickJS's next collection
/// `GC_HEADROOM` past the heap the snapshot keeps. QuickJS collects when
/// the heap outgrows a threshold; left where init happened to leave it, the
/// threshold can sit just above the snapshot's heap, and then every
/// invocation pays for a full collection (tens of µs, and every page of the
/// heap dirtied).
fn settle_heap(ctx: &Ctx<'_>) {
    // SAFETY: plain QuickJS API calls on the live runtime of `ctx`; the
    // usage struct is plain data QuickJS fills in.
    unsafe {
        let rt = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
        qjs::JS_RunGC(rt);
        let mut usage = std::mem::MaybeUninit::<qjs::JSMemoryUsage>::zeroed();
        qjs::JS_ComputeMemoryUsage(rt, usage.as_mut_ptr());
        let heap = usize::try_from(usage.assume_init().malloc_size).unwrap_or(0);
        // size_t is usize-sized on wasm32: the cast is lossless.
        qjs::JS_SetGCThreshold(rt, heap.saturating_add(GC_HEADROOM) as _);
    }
}

/// Runs the QuickJS job queue until it is empty.
fn run_jobs<'js>(ctx: &Ctx<'js>, hooks: &Hooks<'js>) {
    loop {
        let mut job_ctx = std::ptr::null_mut();
        // SAFETY: plain QuickJS API call on the live runtime of `ctx`.
        let ran = unsafe {
            let rt = qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
            qjs::JS_ExecutePendingJob(rt, &mut job_ctx)
        };
        match ran {
            0 => return,
            r if r < 0 => fail_from_exception(ctx, hooks),
            _ => {}
        }
    }
}

/// Hands the pending exception to the prelude as an uncaught error; if that
/// fails too, reports a fixed error directly.
fn fail_from_exception<'js>(ctx: &Ctx<'js>, hooks: &Hooks<'js>) {
    let caught = ctx.catch();
    if hooks.uncaught.call::<_, ()>((caught,)).is_err() {
        let _ = ctx.catch();
        host::finish(abi::FINISH_EXCEPTION, FALLBACK_ERROR);
    }
}

/// `{name, message, stack}` JSON for a thrown value, through the prelude when
/// it is ready, else from the exception object directly.
fn describe_error<'js>(ctx: &Ctx<'js>, hooks: Option<&Hooks<'js>>, error: Value<'js>) -> String {
    if let Some(hooks) = hooks {
        if let Ok(json) = hooks.error_json.call::<_, JsString>((error.clone(),)) {
            return convert::lossy(ctx, &json);
        }
        let _ = ctx.catch();
    }
    let text = |key: &str| property_text(ctx, &error, key);
    let name = text("name").unwrap_or_else(|| "Error".to_string());
    let message = text("message").unwrap_or_else(|| {
        error
            .as_string()
            .map(|s| convert::lossy(ctx, s))
            .unwrap_or_else(|| "a non-Error value was thrown".to_string())
    });
    let stack = text("stack").unwrap_or_default();
    format!(
        "{{\"name\":{},\"message\":{},\"stack\":{}}}",
        json_string(&name),
        json_string(&message),
        json_string(&stack)
    )
}

fn property_text<'js>(ctx: &Ctx<'js>, value: &Value<'js>, key: &str) -> Option<String> {
    let text: JsString<'js> = value.as_object()?.get(key).ok()?;
    Some(convert::lossy(ctx, &text))
}

/// Minimal JSON string encoder (the guest carries no JSON library).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn call<'js, A, R>(internal: &Object<'js>, name: &str, args: A) -> javy::quickjs::Result<R>
where
    A: javy::quickjs::function::IntoArgs<'js>,
    R: javy::quickjs::FromJs<'js>,
{
    let f: Function = internal.get(name)?;
    f.call(args)
}

/// Reseeds `Math.random` (javy backs it with fastrand's thread-local RNG),
/// whose state the snapshot would otherwise freeze for every instance. An
/// instance the host reuses goes on from its own state: the flag is false
/// in the snapshot, so only an instance's first invocation pays for the
/// host call.
fn reseed() {
    static SEEDED: AtomicBool = AtomicBool::new(false);
    if SEEDED.swap(true, Ordering::Relaxed) {
        return;
    }
    let mut seed = [0u8; 8];
    host::random(&mut seed);
    fastrand::seed(u64::from_le_bytes(seed));
}
