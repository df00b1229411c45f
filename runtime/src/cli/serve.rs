//! `chatfn serve`: the service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;
use sandbox::{Sandbox, SandboxConfig};

use super::default_data_dir;
use crate::service::{QueueConfig, Service, ServiceConfig};
use crate::store::{SqliteStore, Store};

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the database and images live [default: $CHATFN_DATA_DIR, else ~/.local/share/chatfn].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Invocations running at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_concurrency: usize,
    /// How long a blocking trigger waits for a free slot before answering 503.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    queue_wait_ms: u64,
    /// Limit on each platform API call a handler makes (the function's own
    /// timeout still applies).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    platform_timeout_ms: u64,
    /// An internal host, address or network (CIDR) that handlers' `fetch`
    /// may reach; loopback, private and link-local addresses are refused
    /// otherwise (repeatable).
    #[arg(long = "fetch-allow", value_name = "HOST|CIDR")]
    fetch_allow: Vec<String>,
    /// The npm registry runtime dependencies are installed from.
    #[arg(long, value_name = "URL", default_value = npm_resolver::DEFAULT_REGISTRY)]
    npm_registry: String,
    /// Built images kept in memory, at most.
    #[arg(long, value_name = "N", default_value_t = 512)]
    image_cache_entries: usize,
    /// Memory built images may take, in MiB (the most recent one is always kept).
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    image_cache_mb: usize,
    /// Memory the warm pools of functions in use may take together, in
    /// MiB (instances made ahead of invocations); 0 turns them off.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    warm_pool_mb: usize,
    /// The most instances one function version's warm pool holds.
    #[arg(long, value_name = "N", default_value_t = 16)]
    warm_per_function: usize,
    /// Non-blocking trigger runs at once (their slots are separate from
    /// blocking triggers'); 0 pauses the queue: events are accepted and
    /// kept, and run once a server with slots takes over.
    #[arg(long, value_name = "N", default_value_t = 16)]
    queue_concurrency: usize,
    /// Non-blocking trigger runs of one application at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    queue_app_concurrency: usize,
    /// Runs of a failing non-blocking trigger before it is left FAILED.
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_attempts: u32,
    /// Delay before the first retry (doubled per attempt, with jitter).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    retry_base_ms: u64,
    /// How long a claimed job is reserved for its runner; after a crash, its
    /// jobs run again once this has passed. Must exceed any run.
    #[arg(long, value_name = "MS", default_value_t = 300_000)]
    queue_lease_ms: u64,
    /// Invocation records kept per function (older ones are pruned).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    keep_invocations: u64,
    /// Require `Authorization: Bearer TOKEN` on `GET /metrics` (open
    /// otherwise: it has no tenant labels, but it does show traffic).
    /// `CHATFN_METRICS_TOKEN` sets it too, off the command line.
    #[arg(long, value_name = "TOKEN")]
    metrics_token: Option<String>,
    /// Stop when standard input closes (for supervisors and tests that
    /// own the process through a pipe).
    #[arg(long, hide = true)]
    exit_on_stdin_close: bool,
    /// Log level: error, warn, info, debug.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode> {
    // Logs go to stderr: stdout carries the "listening" line for scripts.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(args.log_level)
        .with_target(false)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let dir = args.data_dir.unwrap_or_else(default_data_dir);
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir)
            .with_context(|| format!("opening the data directory {}", dir.display()))?,
    );
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(dir.join("images")),
        warm_pool_bytes: args.warm_pool_mb.saturating_mul(1 << 20),
        warm_per_image: args.warm_per_function,
        ..SandboxConfig::default()
    })
    .context("starting the sandbox")?;
    let config = ServiceConfig {
        max_concurrency: args.max_concurrency.max(1),
        queue_wait: Duration::from_millis(args.queue_wait_ms),
        platform_timeout: Duration::from_millis(args.platform_timeout_ms.max(1)),
        image_cache_entries: args.image_cache_entries.max(1),
        queue: QueueConfig {
            concurrency: args.queue_concurrency,
            app_concurrency: args.queue_app_concurrency.max(1),
            max_attempts: args.max_attempts.max(1),
            retry_base: Duration::from_millis(args.retry_base_ms),
            lease: Duration::from_millis(args.queue_lease_ms.max(1000)),
            ..QueueConfig::default()
        },
        npm_registry: args.npm_registry.clone(),
        npm_dir: dir.join("npm"),
        fetch_policy: crate::fetch::EgressPolicy::parse(&args.fetch_allow)
            .map_err(|e| super::UsageError(format!("--fetch-allow: {e}")))?,
        image_cache_bytes: args.image_cache_mb.saturating_mul(1 << 20),
        metrics_token: args
            .metrics_token
            .clone()
            .or_else(|| std::env::var("CHATFN_METRICS_TOKEN").ok())
            .filter(|token| !token.is_empty()),
        ..ServiceConfig::default()
    };
    if config.queue.lease < Duration::from_millis(u64::from(config.max_timeout_ms)) {
        tracing::warn!(
            lease_ms = config.queue.lease.as_millis() as u64,
            max_timeout_ms = config.max_timeout_ms,
            "--queue-lease-ms is shorter than the longest function timeout: a run that outlasts its lease can be started again while it is still running"
        );
    }
    let service = Arc::new(Service::new(Arc::clone(&store), sandbox, config)?);
    spawn_pruner(Arc::clone(&service), args.keep_invocations);
    crate::service::queue::start(Arc::clone(&service));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("chatfn listening on http://{address}");
    tracing::info!(data_dir = %dir.display(), "chatfn listening on http://{address}");
    axum::serve(listener, crate::api::router(Arc::clone(&service)))
        .with_graceful_shutdown(shutdown(args.exit_on_stdin_close))
        .await?;
    service.queue.flush().await;
    service.log.flush().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn spawn_pruner(service: Arc<Service>, keep: u64) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            match service.store(move |s| s.prune_invocations(keep)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "old invocation records pruned"),
                Err(e) => tracing::warn!("pruning invocation records failed: {e}"),
            }
            // Idempotency keys are remembered for a day.
            let day_ago = crate::time::now_ms() - 86_400_000;
            match service.store(move |s| s.prune_done_jobs(day_ago)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "finished jobs pruned"),
                Err(e) => tracing::warn!("pruning finished jobs failed: {e}"),
            }
        }
    });
}

async fn shutdown(on_stdin_close: bool) {
    let stdin_closed = async move {
        if !on_stdin_close {
            return std::future::pending::<()>().await;
        }
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await;
    };
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
        () = stdin_closed => {},
    }
    tracing::info!("shutting down");
}
