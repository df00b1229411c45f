//! Runs chat function handlers in QuickJS compiled to WebAssembly, under
//! wasmtime.
//!
//! # Core concepts
//!
//! - [`Sandbox`]: one per process. Owns the wasmtime `Engine` (pooling
//!   allocator, copy-on-write memory images, epoch interruption), the host
//!   imports, and the on-disk image cache. Cheap to clone.
//! - [`ImageSpec`] → [`Image`]: the guest (QuickJS + prelude) with a chat
//!   runtime's environment, module map and init script and a function's
//!   handler already evaluated, snapshotted. Every image runs the guest's one
//!   compiled module, started from its snapshot. Images are keyed by a
//!   sha256 of their inputs and the engine, and cached on disk.
//! - [`Image::invoke`]: one invocation on a fresh instance of the image. Init
//!   effects are present; nothing the handler does survives it. Guest code
//!   reaches the outside only through [`HostCalls`].
//! - [`Limits`]: per-invocation memory, timeout, CPU time, log, result and
//!   host-call budgets; guests that compute for long take turns on the
//!   executor's threads by [`CpuShare`] (interactive first, tenants
//!   round-robin), so short invocations are not stuck behind them. Every way an invocation can fail ends as an [`Outcome`] with a
//!   distinct [`ErrorKind`]; the host process never dies from guest code.
//!
//! Building and invoking need a tokio runtime with the time driver enabled
//! (`spawn_blocking` for compiles and cache files, timers for timeouts and guest timers).
//!
//! ```no_run
//! # async fn example() -> Result<(), sandbox::Error> {
//! use sandbox::{ImageSpec, Limits, NoHostCalls, Sandbox, SandboxConfig, Script};
//!
//! let sandbox = Sandbox::new(SandboxConfig::default())?;
//! let spec = ImageSpec::new(Script::new(
//!     "handler.js",
//!     "async function handleEvent(event) { return { hello: event.name }; }",
//! ));
//! let image = sandbox.build_image(&spec).await?;
//! let event = serde_json::value::to_raw_value(&serde_json::json!({ "name": "world" })).unwrap();
//! let context = serde_json::value::to_raw_value(&serde_json::json!({})).unwrap();
//! let outcome = image
//!     .invoke(&event, &context, &Limits::default(), NoHostCalls::shared())
//!     .await?;
//! assert!(outcome.succeeded());
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

#[allow(dead_code, reason = "shared with the guest, which uses the rest")]
#[path = "../guest/src/abi.rs"]
mod abi;
mod baker;
mod cache;
mod config;
mod cpu;
mod engine;
mod error;
mod fair;
mod host_call;
mod image;
mod instance;
mod invoke;
mod lane;
mod outcome;
mod pool;
mod reaper;
mod reuse;
mod sched;
mod snapshot;
mod store;
mod warmer;
mod wasi;

pub use config::{Limits, Reuse, SandboxConfig};
pub use cpu::CpuShare;
pub use engine::Sandbox;
pub use error::{Error, Result};
pub use host_call::{
    HostCall, HostCallError, HostCallFuture, HostCalls, MAX_HOST_CALLS, NoHostCalls,
};
pub use image::{Image, ImageSpec, Script};
pub use outcome::{ErrorKind, Failure, GuestError, LogEntry, LogLevel, Outcome};

/// The guest module (QuickJS + prelude), built from `sandbox/guest` by
/// `build.rs`.
pub const GUEST_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guest.wasm"));
