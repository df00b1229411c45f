//! `chatfn invoke`: build a handler's image and run it, printing one JSON
//! line per run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;
use sandbox::{GuestError, Image, ImageSpec, Limits, Outcome, Sandbox, SandboxConfig, Script};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{EXIT_FAILED, UsageError, default_cache_dir};
use crate::fetch::{EgressPolicy, FetchClient, FetchLimits};
use crate::host::InvocationHost;
use crate::platform::PlatformClient;
use crate::sockets::{SocketClient, SocketLimits};

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
    #[arg(long, value_name = "N", default_value_t = 5000)]
    timeout_ms: u64,
    /// Memory limit per run.
    #[arg(long, value_name = "N", default_value_t = 64)]
    memory_mb: usize,
    /// How many times to run (each on a fresh instance).
    #[arg(long, value_name = "N", default_value_t = 1)]
    repeat: u32,
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
}

/// Validated inputs of a run.
struct Plan {
    spec: ImageSpec,
    /// Dependencies to install into the spec's module map first.
    deps: Vec<(String, String)>,
    npm_registry: String,
    npm_dir: PathBuf,
    fetch_policy: EgressPolicy,
    event: Box<RawValue>,
    limits: Limits,
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
    let mut spec = ImageSpec::new(read_script(&args.handler)?);
    if let Some(init) = &args.init {
        spec.init = Some(read_script(init)?);
    }
    let mut env = BTreeMap::new();
    for pair in &args.env {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(usage(format!("--env expects KEY=VALUE, got '{pair}'")));
        };
        if key.is_empty() {
            return Err(usage(format!("--env has an empty name in '{pair}'")));
        }
        env.insert(key.to_string(), value.to_string());
    }
    spec.env = env;

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
    let limits = Limits {
        memory_bytes: args.memory_mb.saturating_mul(1 << 20),
        timeout: Duration::from_millis(args.timeout_ms),
        ..Limits::default()
    };
    limits
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
    Ok(Plan {
        spec,
        deps,
        npm_registry: args.npm_registry,
        fetch_policy: EgressPolicy::parse(&args.fetch_allow)
            .map_err(|e| usage(format!("--fetch-allow: {e}")))?,
        npm_dir,
        event,
        limits,
        repeat: args.repeat,
        config,
    })
}

async fn execute(mut plan: Plan) -> Result<ExitCode> {
    let sandbox = Sandbox::new(plan.config).context("creating the sandbox")?;
    let mut stdout = std::io::stdout().lock();
    if !plan.deps.is_empty() {
        let installed = super::deps::install(
            &plan.deps,
            &plan.npm_registry,
            plan.npm_dir.clone(),
            sandbox.compiler().clone(),
        )
        .await;
        match installed {
            Ok((modules, warnings)) => {
                for warning in warnings {
                    eprintln!("warning: {warning}");
                }
                plan.spec.modules = std::sync::Arc::new(modules);
            }
            Err(e) => {
                let error = GuestError::new("DependencyError", e.to_string());
                print(&mut stdout, &failure_line("DEPENDENCY_ERROR", &error, &[]))?;
                return Ok(ExitCode::from(EXIT_FAILED));
            }
        }
    }
    let image = match sandbox.build_image(&plan.spec).await {
        Ok(image) => image,
        Err(sandbox::Error::Init { error, logs }) => {
            print(&mut stdout, &failure_line("INIT_ERROR", &error, &logs))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(sandbox::Error::InitLimit { message }) => {
            let error = GuestError::new("InitLimitError", message);
            print(&mut stdout, &failure_line("INIT_ERROR", &error, &[]))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(sandbox::Error::Compile(error)) => {
            let report = GuestError::from_compile_error(&error);
            print(&mut stdout, &failure_line("COMPILE_ERROR", &report, &[]))?;
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(e) => return Err(e).context("building the image"),
    };
    // Handlers may fetch (internal addresses refused unless allowed); there is no
    // application, so the platform client reports that it is not configured.
    let platform = Arc::new(PlatformClient::new(
        crate::platform::DEFAULT_TIMEOUT,
        crate::platform::MAX_RESPONSE_BYTES,
    ));
    let sockets = Arc::new(SocketClient::new(
        plan.fetch_policy.clone(),
        SocketLimits::default(),
    ));
    let fetch = Arc::new(FetchClient::new(plan.fetch_policy, FetchLimits::default()));
    let mut all_succeeded = true;
    for _ in 0..plan.repeat {
        let host = Arc::new(InvocationHost::new(
            Arc::clone(&platform),
            None,
            Arc::clone(&fetch),
            Arc::clone(&sockets),
        ));
        let outcome = invoke(&image, &plan.event, &plan.limits, host).await?;
        all_succeeded &= outcome.succeeded();
        print(&mut stdout, &outcome_line(&outcome))?;
    }
    stdout.flush()?;
    Ok(if all_succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

async fn invoke(
    image: &Image,
    event: &RawValue,
    limits: &Limits,
    host: Arc<InvocationHost>,
) -> Result<Outcome> {
    let context = RawValue::from_string("{}".to_string())?;
    Ok(image.invoke(event, &context, limits, host).await?)
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
    logs: &'a [sandbox::LogEntry],
    duration_ms: f64,
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

fn outcome_line(outcome: &Outcome) -> RunLine<'_> {
    RunLine {
        status: if outcome.succeeded() {
            "SUCCEEDED"
        } else {
            "FAILED"
        },
        result: outcome.result.as_deref().map(|payload| Payload { payload }),
        error: outcome
            .error
            .as_ref()
            .map(|(kind, error)| ErrorLine::new(kind.as_str(), error)),
        logs: &outcome.logs,
        duration_ms: outcome.duration.as_secs_f64() * 1000.0,
    }
}

/// The line printed when the image could not be built.
fn failure_line<'a>(
    kind: &'a str,
    error: &'a GuestError,
    logs: &'a [sandbox::LogEntry],
) -> RunLine<'a> {
    RunLine {
        status: "FAILED",
        result: None,
        error: Some(ErrorLine::new(kind, error)),
        logs,
        duration_ms: 0.0,
    }
}

fn print(out: &mut impl Write, line: &RunLine<'_>) -> Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    writeln!(out)?;
    Ok(())
}
