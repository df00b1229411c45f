//! `chatfn serve`: the service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;

use super::{UsageError, default_data_dir};
use crate::config::{Config, defaults};
use crate::service::Service;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value_t = defaults::LISTEN)]
    listen: SocketAddr,
    /// Where the database and images live [default: $CHATFN_DATA_DIR, else ~/.local/share/chatfn].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The database: sqlite:PATH, or postgres://USER:PASSWORD@HOST/DATABASE
    /// (libpq's sslmode and sslrootcert apply) for several nodes
    /// [default: sqlite:DATA_DIR/chatfn.db].
    #[arg(
        long,
        value_name = "URL",
        env = "CHATFN_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// Blocking triggers running at once (test runs and queued runs have
    /// their own slots).
    #[arg(long, value_name = "N", default_value_t = defaults::MAX_CONCURRENCY)]
    max_concurrency: usize,
    /// Blocking triggers of one application running at once; more wait,
    /// then get 429.
    #[arg(long, value_name = "N", default_value_t = defaults::APP_CONCURRENCY)]
    app_concurrency: usize,
    /// Test runs (`POST /v1/function-versions/{id}/invocations`) at once.
    #[arg(long, value_name = "N", default_value_t = defaults::MAX_TEST_RUNS)]
    max_test_runs: usize,
    /// Test runs of one application at once; more wait, then get 429.
    #[arg(long, value_name = "N", default_value_t = defaults::APP_TEST_RUNS)]
    app_test_runs: usize,
    /// CPU time one invocation may use (time running, not waiting on I/O
    /// or timers); past it the run fails with CPU_LIMIT.
    #[arg(long, value_name = "MS", default_value_t = defaults::CPU_LIMIT_MS)]
    cpu_limit_ms: u64,
    /// How long a blocking trigger or test run waits for a free slot before
    /// answering 503 (or 429 when its application is at its cap).
    #[arg(long, value_name = "MS", default_value_t = defaults::QUEUE_WAIT_MS)]
    queue_wait_ms: u64,
    /// Connections open at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = defaults::MAX_CONNECTIONS)]
    max_connections: usize,
    /// A client must send a request's headers within this, and a keep-alive
    /// connection idle this long is closed.
    #[arg(long, value_name = "MS", default_value_t = defaults::HEADER_TIMEOUT_MS)]
    header_timeout_ms: u64,
    /// Limit on each platform API call a handler makes (the function's own
    /// timeout still applies).
    #[arg(long, value_name = "MS", default_value_t = defaults::PLATFORM_TIMEOUT_MS)]
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
    #[arg(long, value_name = "N", default_value_t = defaults::IMAGE_CACHE_ENTRIES)]
    image_cache_entries: usize,
    /// Memory built images may hold privately, in MiB (the most recent one is always kept); one mapped from the disk cache counts 1/32 of its size, its code being shared page cache.
    #[arg(long, value_name = "MIB", default_value_t = defaults::IMAGE_CACHE_MB)]
    image_cache_mb: usize,
    /// Disk the image cache (under the data directory) may take, in MiB;
    /// past it the least recently used images are removed.
    #[arg(long, value_name = "MIB", default_value_t = defaults::CACHE_MAX_MB)]
    cache_max_mb: u64,
    /// Disk the npm package store (under the data directory) may take, in
    /// MiB; past it the least recently used packages are removed (and
    /// downloaded again when an install needs them).
    #[arg(long, value_name = "MIB", default_value_t = defaults::NPM_CACHE_MAX_MB)]
    npm_cache_max_mb: u64,
    /// Memory the warm pools of functions in use may take together, in
    /// MiB (instances made ahead of invocations); 0 turns them off.
    #[arg(long, value_name = "MIB", default_value_t = defaults::warm_pool_mb())]
    warm_pool_mb: usize,
    /// The most instances one function version's warm pool holds (and,
    /// for functions with instance reuse, the most it keeps between
    /// invocations).
    #[arg(long, value_name = "N", default_value_t = defaults::warm_per_function())]
    warm_per_function: usize,
    /// For functions with `instanceReuse: sequential`: invocations one
    /// instance serves before a fresh one takes over.
    #[arg(long, value_name = "N", default_value_t = defaults::REUSE_MAX_INVOCATIONS)]
    reuse_max_invocations: u32,
    /// For functions with `instanceReuse: sequential`: seconds an instance
    /// is kept without an invocation.
    #[arg(long, value_name = "SECONDS", default_value_t = defaults::REUSE_IDLE_S)]
    reuse_idle_secs: u64,
    /// Non-blocking trigger runs at once (their slots are separate from
    /// blocking triggers'); 0 pauses the queue: events are accepted and
    /// kept, and run once a server with slots takes over.
    #[arg(long, value_name = "N", default_value_t = defaults::QUEUE_CONCURRENCY)]
    queue_concurrency: usize,
    /// Non-blocking trigger runs of one application at once.
    #[arg(long, value_name = "N", default_value_t = defaults::QUEUE_APP_CONCURRENCY)]
    queue_app_concurrency: usize,
    /// Runs of a failing non-blocking trigger before it is left FAILED.
    #[arg(long, value_name = "N", default_value_t = defaults::MAX_ATTEMPTS)]
    max_attempts: u32,
    /// Delay before the first retry (doubled per attempt, with jitter).
    #[arg(long, value_name = "MS", default_value_t = defaults::RETRY_BASE_MS)]
    retry_base_ms: u64,
    /// How long a claimed job stays reserved for its server without a
    /// heartbeat (renewed every third of it): after a crash, its jobs run
    /// again once this has passed (a restarted server resumes its own at once).
    #[arg(long, value_name = "MS", default_value_t = defaults::QUEUE_LEASE_MS)]
    queue_lease_ms: u64,
    /// Invocation records kept per function (older ones are pruned).
    #[arg(long, value_name = "N", default_value_t = defaults::KEEP_INVOCATIONS)]
    keep_invocations: u64,
    /// Days a finished invocation record is kept (0: no age limit).
    #[arg(long, value_name = "DAYS", default_value_t = defaults::KEEP_INVOCATIONS_DAYS)]
    keep_invocations_days: u32,
    /// Require `Authorization: Bearer TOKEN` on `GET /metrics` (open
    /// otherwise: it has no tenant labels, but it does show traffic).
    /// `CHATFN_METRICS_TOKEN` sets it too, off the command line.
    #[arg(long, value_name = "TOKEN")]
    metrics_token: Option<String>,
    /// Let pages from ORIGIN (`https://host[:port]`) call the API, for a
    /// dashboard served elsewhere; repeatable. The dashboard at `/` needs
    /// none.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// The file holding the key secrets are sealed with (64 hex digits);
    /// made when missing. Give every node on one database the same key.
    /// `CHATFN_SECRETS_KEY` gives the key itself instead
    /// [default: DATA_DIR/secrets.key].
    #[arg(long, value_name = "PATH")]
    secrets_key_file: Option<PathBuf>,
    /// Stop when standard input closes (for supervisors and tests that
    /// own the process through a pipe).
    #[arg(long, hide = true)]
    exit_on_stdin_close: bool,
    /// Log level: error, warn, info, debug.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: tracing::Level,
}

impl ServeArgs {
    /// The flags as a [`Config`] ([`Service::open`] validates it).
    fn config(&self) -> Result<Config> {
        let mut config = Config::new(self.data_dir.clone().unwrap_or_else(default_data_dir))
            .allow_egress(&self.fetch_allow)
            .and_then(|config| config.allow_origins(&self.cors_origins))
            .map_err(|e| UsageError(e.to_string()))?;
        if let Some(url) = &self.database {
            config = config
                .database(url)
                .map_err(|e| UsageError(e.to_string()))?;
        }
        config.listen = self.listen;
        config.max_concurrency = self.max_concurrency;
        config.app_concurrency = self.app_concurrency;
        config.max_test_runs = self.max_test_runs;
        config.app_test_runs = self.app_test_runs;
        config.cpu_limit = Duration::from_millis(self.cpu_limit_ms);
        config.queue_wait = Duration::from_millis(self.queue_wait_ms);
        config.connections.max_connections = self.max_connections.max(1);
        config.connections.header_timeout = Duration::from_millis(self.header_timeout_ms.max(1));
        config.platform_timeout = Duration::from_millis(self.platform_timeout_ms);
        config.npm_registry.clone_from(&self.npm_registry);
        config.image_cache_entries = self.image_cache_entries;
        config.image_cache_bytes = self.image_cache_mb.saturating_mul(1 << 20);
        config.warm_pool_bytes = self.warm_pool_mb.saturating_mul(1 << 20);
        config.cache_max_bytes = self.cache_max_mb.saturating_mul(1 << 20);
        config.npm_cache_max_bytes = self.npm_cache_max_mb.saturating_mul(1 << 20);
        config.warm_per_function = self.warm_per_function;
        config.reuse_max_invocations = self.reuse_max_invocations;
        config.reuse_idle = Duration::from_secs(self.reuse_idle_secs);
        config.queue.concurrency = self.queue_concurrency;
        config.queue.app_concurrency = self.queue_app_concurrency;
        config.queue.max_attempts = self.max_attempts;
        config.queue.retry_base = Duration::from_millis(self.retry_base_ms);
        config.queue.lease = Duration::from_millis(self.queue_lease_ms);
        config.keep_invocations = self.keep_invocations;
        config.keep_invocations_days = self.keep_invocations_days;
        config.secrets_key_file.clone_from(&self.secrets_key_file);
        config.secrets_key_hex = std::env::var("CHATFN_SECRETS_KEY").ok();
        config.metrics_token = self
            .metrics_token
            .clone()
            .or_else(|| std::env::var("CHATFN_METRICS_TOKEN").ok());
        Ok(config)
    }
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode> {
    // Logs go to stderr: stdout carries the "listening" line for scripts.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(args.log_level)
        .with_target(false)
        .init();
    let config = args.config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(config, args.exit_on_stdin_close))
}

async fn serve(config: Config, exit_on_stdin_close: bool) -> Result<ExitCode> {
    let listen = config.listen;
    let dir = config.data_dir.clone();
    let database = config.database_target();
    let service = Arc::new(Service::open(config).await?);
    service.start();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    // Tests and scripts read this line to find the port.
    println!("chatfn listening on http://{address}");
    tracing::info!(data_dir = %dir.display(), %database, "chatfn listening on http://{address}");
    crate::listener::serve(
        listener,
        crate::api::app(Arc::clone(&service)),
        service.config.connections,
        shutdown(exit_on_stdin_close),
    )
    .await;
    service.flush().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn shutdown(on_stdin_close: bool) {
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
