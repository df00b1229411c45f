//! Runs one handler's invocations back to back in one process, for
//! counting instructions under callgrind (`scripts/count-instructions`),
//! where wall time on a shared VM is too noisy to tell a 5 % change.
//!
//! `invocations N [reused|fresh]`: builds and bakes the trivial handler's
//! image (cached under `$TMPDIR/chatfn-instructions`), then runs it N
//! times, on one kept instance (`reused`, the default) or on a fresh
//! instance each time. The pool is small: valgrind cannot reserve the
//! address space of the default thousand slots.

use std::time::Duration;

use sandbox::{ImageSpec, Limits, NoHostCalls, Reuse, Sandbox, SandboxConfig, Script};
use serde_json::value::to_raw_value;

const TRIVIAL: &str = "async function handleEvent(event) { return { ok: true, n: event.n }; }";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().as_deref().unwrap_or("1000").parse()?;
    let reuse = match args.next().as_deref() {
        None | Some("reused") => Reuse::Sequential {
            max_invocations: u32::MAX,
            max_idle: Duration::from_secs(3600),
        },
        Some("fresh") => Reuse::None,
        Some(other) => return Err(format!("reused or fresh, not '{other}'").into()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(std::env::temp_dir().join("chatfn-instructions")),
        max_instances: 8,
        max_memory_bytes: 256 << 20,
        warm_per_image: 2,
        ..SandboxConfig::default()
    })?;
    let image = runtime
        .block_on(sandbox.build_image(&ImageSpec::new(Script::new("handler.js", TRIVIAL))))?;
    runtime.block_on(image.bake())?;
    let limits = Limits {
        reuse,
        ..Limits::default()
    };
    let event = to_raw_value(&serde_json::json!({ "n": 1 }))?;
    let context = to_raw_value(&serde_json::json!({}))?;
    let none = NoHostCalls::shared();
    for _ in 0..runs {
        let outcome = runtime.block_on(image.invoke(&event, &context, &limits, none.clone()))?;
        if !outcome.succeeded() {
            return Err(format!("the invocation failed: {:?}", outcome.result).into());
        }
    }
    Ok(())
}
