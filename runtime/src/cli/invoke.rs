//! `chatfn invoke`: build a handler's image and run it, printing one JSON
//! line per run. It runs through the same [`Invoker`] as the service, so a
//! handler behaves here as deployed: same `context` (with the platform
//! client when `--platform-url` is given), limits and host calls.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::Args;
use sandbox::{GuestError, Limits, LogEntry, Sandbox, SandboxConfig, Script};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{EXIT_FAILED, UsageError, default_cache_dir};
use crate::config::defaults;
use crate::egress::EgressPolicy;
use crate::fetch::FetchLimits;
use crate::images::{BuildFailure, ImageKey};
use crate::invocation::{Invocation, InvocationError};
use crate::invoker::{Attempt, Call, Invoker, InvokerConfig};
use crate::store::{Application, Dependency, Function, InstanceReuse, Runtime};

#[derive(Args)]
pub(crate) struct InvokeArgs {
    /// The handler script (`.ts` or `.js`); it must define
    /// `async function handleEvent(event, context)`.
    handler: PathBuf,
    /// An initialization script (`.ts` or `.js`), evaluated before the handler.
    #[arg(long, value_name = "FILE")]
    init: Option<PathBuf>,
    /// An environment variable for `process.env` (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// The event: inline JSON, or `@FILE` to read it from a file.
    #[arg(long, value_name = "JSON|@FILE", default_value = "{}")]
    event: String,
    /// Wall-clock limit per run.
    #[arg(long, value_name = "N", default_value_t = defaults::DEFAULT_TIMEOUT_MS)]
    timeout_ms: u32,
    /// Memory limit per run.
    #[arg(long, value_name = "N", default_value_t = defaults::memory_mb())]
    memory_mb: usize,
    /// CPU-time limit per run.
    #[arg(long, value_name = "MS", default_value_t = defaults::CPU_LIMIT_MS)]
    cpu_limit_ms: u64,
    /// How many times to run (each on a fresh instance, unless `--reuse`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    repeat: u32,
    /// Runs the repeats on one kept instance, as a function with
    /// `instanceReuse: sequential` is: module scope survives from one run to
    /// the next (a failed run retires the instance). Each line then says
    /// whether its run was on a reused instance.
    #[arg(long)]
    reuse: bool,
    /// Where built images are cached [default: $CHATFN_CACHE_DIR, else ~/.cache/chatfn].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Do not read or write the image cache.
    #[arg(long)]
    no_cache: bool,
    /// npm dependencies for `require`, a JSON file in the chat runtime's
    /// shape: `[{"name": "dayjs", "version": "^1.11.0"}]`.
    #[arg(long, value_name = "FILE")]
    deps: Option<PathBuf>,
    /// The npm registry to install from.
    #[arg(long, value_name = "URL", default_value = npm_resolver::DEFAULT_REGISTRY)]
    npm_registry: String,
    /// An internal host, address or network (CIDR) that the handler's
    /// outbound requests may reach; loopback, private and link-local
    /// addresses are refused otherwise (repeatable).
    #[arg(long = "fetch-allow", value_name = "HOST|CIDR")]
    fetch_allow: Vec<String>,
    /// The chat server's Platform API base URL, for `context.get…Api()`.
    /// Without it, platform calls fail saying the platform API is not
    /// configured.
    #[arg(long, value_name = "URL")]
    platform_url: Option<String>,
    /// The bearer token for `--platform-url`.
    #[arg(long, value_name = "TOKEN", requires = "platform_url")]
    platform_token: Option<String>,
}

/// Validated inputs of a run.
struct Plan {
    handler: Script,
    init_file: String,
    runtime: Runtime,
    /// Dependencies to install first.
    deps: Vec<Dependency>,
    invoker: InvokerConfig,
    app: Application,
    function: Function,
    event: Box<RawValue>,
    repeat: u32,
    config: SandboxConfig,
}

pub(crate) fn run(args: InvokeArgs) -> Result<ExitCode> {
    let plan = plan(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(execute(plan))
}

fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

fn read_script(path: &Path) -> Result<Script> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    let filename = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(Script::new(filename, source))
}

fn plan(args: InvokeArgs) -> Result<Plan> {
    let handler = read_script(&args.handler)?;
    let mut runtime = Runtime::default();
    let mut init_file = String::from("init.js");
    if let Some(path) = &args.init {
        let init = read_script(path)?;
        init_file.clone_from(&init.filename);
        runtime.initialization_script = Some(init.source);
    }
    for pair in &args.env {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(usage(format!("--env expects KEY=VALUE, got '{pair}'")));
        };
        if key.is_empty() {
            return Err(usage(format!("--env has an empty name in '{pair}'")));
        }
        runtime
            .environment
            .insert(key.to_string(), value.to_string());
    }

    let event_text = match args.event.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read event file {path}: {e}")))?,
        None => args.event.clone(),
    };
    let event: Box<RawValue> = serde_json::from_str(&event_text)
        .map_err(|e| usage(format!("--event is not valid JSON: {e}")))?;

    if args.repeat == 0 {
        return Err(usage("--repeat must be at least 1"));
    }
    if args.timeout_ms == 0 {
        return Err(usage("--timeout-ms must be at least 1"));
    }
    let config = SandboxConfig {
        cache_dir: if args.no_cache {
            None
        } else {
            args.cache_dir.clone().or_else(default_cache_dir)
        },
        ..SandboxConfig::default()
    };
    let memory_bytes = args.memory_mb.saturating_mul(1 << 20);
    Limits {
        memory_bytes,
        timeout: Duration::from_millis(u64::from(args.timeout_ms)),
        ..Limits::default()
    }
    .validate(&config)
    .map_err(|e| usage(format!("--memory-mb/--timeout-ms: {e}")))?;
    let deps = match &args.deps {
        Some(path) => super::deps::read(path)?,
        None => Vec::new(),
    };
    // Packages are kept even with --no-cache (that is about images).
    let npm_dir = args
        .cache_dir
        .clone()
        .or_else(default_cache_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("npm");
    if let Some(url) = &args.platform_url {
        let valid = url.parse::<hyper::Uri>().is_ok_and(|uri| {
            matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some()
        });
        if !valid {
            return Err(usage(format!(
                "--platform-url must be an http(s) URL, not '{url}'"
            )));
        }
    }
    let egress =
        EgressPolicy::parse(&args.fetch_allow).map_err(|e| usage(format!("--fetch-allow: {e}")))?;
    Ok(Plan {
        handler,
        init_file,
        runtime,
        deps,
        invoker: InvokerConfig {
            image_cache_entries: 1,
            image_cache_bytes: usize::MAX,
            memory_bytes,
            cpu_time: Duration::from_millis(args.cpu_limit_ms.max(1)),
            reuse: (
                defaults::REUSE_MAX_INVOCATIONS,
                Duration::from_secs(defaults::REUSE_IDLE_S),
            ),
            platform_timeout: Duration::from_millis(defaults::PLATFORM_TIMEOUT_MS),
            egress,
            fetch_limits: FetchLimits::default(),
            npm_registry: args.npm_registry,
            npm_dir,
            npm_max_bytes: None,
        },
        app: Application {
            id: 0,
            name: "local".into(),
            platform_url: args.platform_url,
            platform_token: args.platform_token,
            created_ms: 0,
        },
        function: Function {
            id: 0,
            trigger: "local".into(),
            name: "local".into(),
            description: None,
            enabled: true,
            timeout_ms: args.timeout_ms,
            instance_reuse: if args.reuse {
                InstanceReuse::Sequential
            } else {
                InstanceReuse::None
            },
            current_version: Some(1),
            created_ms: 0,
        },
        event,
        repeat: args.repeat,
        config,
    })
}

async fn execute(mut plan: Plan) -> Result<ExitCode> {
    let sandbox = Sandbox::new(plan.config).context("creating the sandbox")?;
    let invoker = Invoker::new(sandbox, plan.invoker);
    let mut stdout = std::io::stdout().lock();
    if !plan.deps.is_empty() {
        let progress = super::deps::StderrProgress::new();
        let installed = invoker.install(&plan.deps, &progress).await;
        progress.finish();
        match installed {
            Ok(resolved) => {
                for warning in resolved.warnings {
                    eprintln!("warning: {warning}");
                }
                plan.runtime.lockfile = Some(resolved.lockfile);
            }
            Err(e) => {
                let error = GuestError::new("DependencyError", e.to_string());
                print(&mut stdout, &failure_line("DEPENDENCY_ERROR", &error, &[]))?;
                return Ok(ExitCode::from(EXIT_FAILED));
            }
        }
    }
    let key = ImageKey {
        version_id: 0,
        runtime_revision: 0,
    };
    let image = invoker
        .image(0, key, &plan.runtime, plan.handler, &plan.init_file)
        .await;
    match &image {
        Ok(_) => {}
        Err(BuildFailure::Init { error, logs }) => {
            print(&mut stdout, &failure_line("INIT_ERROR", error, logs))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(BuildFailure::InitLimit(message)) => {
            let error = GuestError::new("InitLimitError", message.clone());
            print(&mut stdout, &failure_line("INIT_ERROR", &error, &[]))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(BuildFailure::Compile(error)) => {
            let report = GuestError::from_compile_error(error);
            print(&mut stdout, &failure_line("COMPILE_ERROR", &report, &[]))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(BuildFailure::Dependencies(e)) => {
            let error = GuestError::new("DependencyError", e.to_string());
            print(&mut stdout, &failure_line("DEPENDENCY_ERROR", &error, &[]))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(e @ BuildFailure::Engine(_)) => {
            return Err(anyhow::anyhow!("building the image: {e}"));
        }
    }
    let mut all_succeeded = true;
    for n in 0..plan.repeat {
        let call = Call {
            app: &plan.app,
            function: &plan.function,
            version_number: 1,
            event: &plan.event,
            secrets: None,
            attempt: Attempt {
                id: i64::from(n) + 1,
                number: 1,
                // Runs as triggers run them (so `--reuse` reuses); the
                // record is printed, never stored.
                test: false,
                queued: false,
            },
        };
        let invocation = invoker.run(&image, call, Instant::now()).await?;
        all_succeeded &= invocation.error().is_none();
        let reuse = plan.function.instance_reuse == InstanceReuse::Sequential;
        print(&mut stdout, &invocation_line(&invocation, reuse))?;
    }
    stdout.flush()?;
    Ok(if all_succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

/// The line printed per run, in the documented key order; `result.payload`
/// mirrors how the chat platform stores results (and keeps the handler's
/// key order).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunLine<'a> {
    status: &'static str,
    result: Option<Payload<'a>>,
    error: Option<ErrorLine<'a>>,
    logs: &'a [LogEntry],
    duration_ms: f64,
    /// With `--reuse`: whether the run was on an instance an earlier run
    /// used.
    #[serde(skip_serializing_if = "Option::is_none")]
    reused: Option<bool>,
}

#[derive(Serialize)]
struct Payload<'a> {
    payload: &'a RawValue,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
    message: &'a str,
    stack: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
}

impl<'a> ErrorLine<'a> {
    fn from_record(error: &'a InvocationError) -> ErrorLine<'a> {
        ErrorLine::new(error.kind.as_str(), &error.error)
    }

    fn new(kind: &'a str, error: &'a GuestError) -> ErrorLine<'a> {
        ErrorLine {
            kind,
            name: &error.name,
            message: &error.message,
            stack: error.stack.as_deref(),
            file: error.file.as_deref(),
            line: error.line,
            column: error.column,
        }
    }
}

fn invocation_line(invocation: &Invocation, reuse: bool) -> RunLine<'_> {
    RunLine {
        status: invocation.status().as_str(),
        result: invocation.result().map(|payload| Payload { payload }),
        error: invocation.error().map(ErrorLine::from_record),
        logs: &invocation.logs,
        duration_ms: invocation.duration_ms.unwrap_or_default(),
        reused: reuse.then_some(invocation.reused.unwrap_or(false)),
    }
}

/// The line printed when the image could not be built.
fn failure_line<'a>(kind: &'a str, error: &'a GuestError, logs: &'a [LogEntry]) -> RunLine<'a> {
    RunLine {
        status: "FAILED",
        result: None,
        error: Some(ErrorLine::new(kind, error)),
        logs,
        duration_ms: 0.0,
        reused: None,
    }
}

fn print(out: &mut impl Write, line: &RunLine<'_>) -> Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    writeln!(out)?;
    Ok(())
}
