//! The service's settings: each default is written once, in [`defaults`];
//! `chatfn serve`'s flags show the same constants, and [`Config::validate`]
//! is the one place values are clamped or refused.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::egress::EgressPolicy;
use crate::fetch::FetchLimits;
use crate::store::Database;

/// Every default, once.
pub(crate) mod defaults {
    use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

    /// Where `chatfn serve` listens.
    pub(crate) const LISTEN: SocketAddr =
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
    /// Blocking triggers at once.
    pub(crate) const MAX_CONCURRENCY: usize = 256;
    /// Blocking triggers of one application at once.
    pub(crate) const APP_CONCURRENCY: usize = 64;
    /// Test runs at once.
    pub(crate) const MAX_TEST_RUNS: usize = 16;
    /// Test runs of one application at once.
    pub(crate) const APP_TEST_RUNS: usize = 4;
    /// CPU time an invocation may use, in ms.
    pub(crate) const CPU_LIMIT_MS: u64 = 10_000;
    /// How long a blocking trigger waits for a slot, in ms.
    pub(crate) const QUEUE_WAIT_MS: u64 = 2000;
    /// A new function's timeout, in ms.
    pub(crate) const DEFAULT_TIMEOUT_MS: u32 = 5000;
    /// The largest timeout a function may set, in ms.
    pub(crate) const MAX_TIMEOUT_MS: u32 = 60_000;
    /// Memory per invocation, in MiB: the sandbox's default limit.
    pub(crate) fn memory_mb() -> usize {
        sandbox::Limits::default().memory_bytes >> 20
    }
    /// Largest request body, in bytes.
    pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;
    /// Open connections at once: far more than a chat server and a few
    /// dashboards need, far fewer than the file descriptors a host gives.
    pub(crate) const MAX_CONNECTIONS: usize = 8192;
    /// A request's headers must arrive within this; an idle keep-alive
    /// connection is closed after it.
    pub(crate) const HEADER_TIMEOUT_MS: u64 = 10_000;
    /// Built images kept in memory.
    pub(crate) const IMAGE_CACHE_ENTRIES: usize = 512;
    /// Memory built images may hold privately, in MiB (`Image::private_bytes`).
    pub(crate) const IMAGE_CACHE_MB: usize = 2048;
    /// Memory the warm pools may take together, in MiB: the sandbox's
    /// default.
    pub(crate) fn warm_pool_mb() -> usize {
        sandbox::SandboxConfig::default().warm_pool_bytes >> 20
    }
    /// Instances one function version's warm pool holds: the sandbox's
    /// default.
    pub(crate) fn warm_per_function() -> usize {
        sandbox::SandboxConfig::default().warm_per_image
    }
    /// Invocations one reused instance serves before it is retired.
    pub(crate) const REUSE_MAX_INVOCATIONS: u32 = 10_000;
    /// How long a reused instance waits for its next invocation, in s.
    pub(crate) const REUSE_IDLE_S: u64 = 300;
    /// Limit on each platform API call, in ms.
    pub(crate) const PLATFORM_TIMEOUT_MS: u64 = 10_000;
    /// How long cached lookups may miss a change made elsewhere, in ms.
    pub(crate) const LOOKUP_TTL_MS: u64 = 5000;
    /// Queued runs at once.
    pub(crate) const QUEUE_CONCURRENCY: usize = 16;
    /// Queued runs of one application at once.
    pub(crate) const QUEUE_APP_CONCURRENCY: usize = 8;
    /// Runs per queued job, the first included.
    pub(crate) const MAX_ATTEMPTS: u32 = 3;
    /// Delay before the first retry, in ms.
    pub(crate) const RETRY_BASE_MS: u64 = 1000;
    /// The longest delay between retries, in ms.
    pub(crate) const RETRY_MAX_MS: u64 = 300_000;
    /// How long a claimed job stays reserved for its node without a
    /// heartbeat, in ms.
    pub(crate) const QUEUE_LEASE_MS: u64 = 15_000;
    /// How often the dispatcher looks for due jobs when nothing wakes it, in ms.
    pub(crate) const QUEUE_POLL_MS: u64 = 200;
    /// Invocation records kept per function.
    pub(crate) const KEEP_INVOCATIONS: u64 = 10_000;
    /// Days a finished invocation record is kept.
    pub(crate) const KEEP_INVOCATIONS_DAYS: u32 = 30;
    /// Disk the image cache may take, in MiB.
    pub(crate) const CACHE_MAX_MB: u64 = 4096;
    /// Disk the npm package store may take, in MiB.
    pub(crate) const NPM_CACHE_MAX_MB: u64 = 2048;
}

/// The smallest lease: shorter ones would expire under ordinary load.
const MIN_LEASE: Duration = Duration::from_secs(1);

/// Settings of the queue of non-blocking runs.
#[derive(Clone, Debug)]
pub(crate) struct QueueConfig {
    /// Jobs running at once, over all applications (0: none; the queue
    /// only accepts). These slots are the queue's own: blocking triggers
    /// never wait for them, nor queued runs for blocking triggers'.
    pub(crate) concurrency: usize,
    /// Jobs of one application running at once.
    pub(crate) app_concurrency: usize,
    /// Runs per job, the first included.
    pub(crate) max_attempts: u32,
    /// Delay before the first retry; doubled per attempt, with ±25% jitter.
    pub(crate) retry_base: Duration,
    /// The longest delay between retries.
    pub(crate) retry_max: Duration,
    /// How long a claimed job stays reserved for its node without a
    /// heartbeat (renewed every third of it): how soon a dead node's jobs
    /// run elsewhere.
    pub(crate) lease: Duration,
    /// How often to look for due jobs when nothing wakes the dispatcher.
    pub(crate) poll: Duration,
}

impl Default for QueueConfig {
    fn default() -> QueueConfig {
        QueueConfig {
            concurrency: defaults::QUEUE_CONCURRENCY,
            app_concurrency: defaults::QUEUE_APP_CONCURRENCY,
            max_attempts: defaults::MAX_ATTEMPTS,
            retry_base: Duration::from_millis(defaults::RETRY_BASE_MS),
            retry_max: Duration::from_millis(defaults::RETRY_MAX_MS),
            lease: Duration::from_millis(defaults::QUEUE_LEASE_MS),
            poll: Duration::from_millis(defaults::QUEUE_POLL_MS),
        }
    }
}

/// Settings of `chatfn serve` (and of a [`Service`](crate::Service) made
/// in-process).
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub(crate) listen: SocketAddr,
    /// Where the database, images and npm packages live.
    pub(crate) data_dir: PathBuf,
    /// Blocking triggers at once.
    pub(crate) max_concurrency: usize,
    /// Blocking triggers of one application at once.
    pub(crate) app_concurrency: usize,
    /// Test runs at once.
    pub(crate) max_test_runs: usize,
    /// Test runs of one application at once.
    pub(crate) app_test_runs: usize,
    /// CPU time an invocation may use.
    pub(crate) cpu_limit: Duration,
    /// How long a deploy check or a dependency install waits for a slot.
    pub(crate) build_wait: Duration,
    /// How long a blocking trigger waits for a free slot before a 503.
    pub(crate) queue_wait: Duration,
    /// A new function's timeout.
    pub(crate) default_timeout_ms: u32,
    /// The largest timeout a function may set.
    pub(crate) max_timeout_ms: u32,
    /// Memory limit per invocation.
    pub(crate) memory_bytes: usize,
    /// Largest request body.
    pub(crate) max_body_bytes: usize,
    /// Open connections and the header (and idle) deadline.
    pub(crate) connections: crate::listener::ConnectionLimits,
    /// Images kept in memory.
    pub(crate) image_cache_entries: usize,
    /// Bytes of images kept in memory.
    pub(crate) image_cache_bytes: usize,
    /// Disk the image cache may take.
    pub(crate) cache_max_bytes: u64,
    /// Disk the npm package store may take.
    pub(crate) npm_cache_max_bytes: u64,
    /// Memory the warm pools may take together (0 turns them off).
    pub(crate) warm_pool_bytes: usize,
    /// The most instances one version's warm pool holds.
    pub(crate) warm_per_function: usize,
    /// For functions with instance reuse: how many invocations an
    /// instance serves, and how long it may wait for the next.
    pub(crate) reuse_max_invocations: u32,
    pub(crate) reuse_idle: Duration,
    /// Limit on each platform API call (connect to last byte).
    pub(crate) platform_timeout: Duration,
    /// How long cached lookups (application keys, deployments, runtimes)
    /// may miss a change made outside this process.
    pub(crate) lookup_ttl: Duration,
    /// The npm registry dependencies come from.
    pub(crate) npm_registry: String,
    /// Internal hosts and networks guest `fetch` and sockets may reach.
    pub(crate) egress: EgressPolicy,
    /// Bounds of guest `fetch`.
    pub(crate) fetch_limits: FetchLimits,
    /// The queue of non-blocking runs.
    pub(crate) queue: QueueConfig,
    /// Invocation records kept per function.
    pub(crate) keep_invocations: u64,
    /// Days a finished invocation record is kept (0: no age limit).
    pub(crate) keep_invocations_days: u32,
    /// Bearer token `GET /metrics` requires, if any.
    pub(crate) metrics_token: Option<String>,
    /// Origins whose pages may call the API (CORS), as `scheme://host[:port]`.
    pub(crate) cors_origins: Vec<axum::http::HeaderValue>,
    /// The database, if not `chatfn.db` in the data directory.
    pub(crate) database: Option<Database>,
    /// The secrets key: 64 hex digits given directly, else read from a
    /// file (by default `secrets.key` in the data directory, made when
    /// missing).
    pub(crate) secrets_key_hex: Option<String>,
    pub(crate) secrets_key_file: Option<PathBuf>,
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The flag (or setting) at fault.
    pub setting: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl Config {
    /// The defaults, with data under `data_dir`.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            listen: defaults::LISTEN,
            data_dir,
            max_concurrency: defaults::MAX_CONCURRENCY,
            app_concurrency: defaults::APP_CONCURRENCY,
            max_test_runs: defaults::MAX_TEST_RUNS,
            app_test_runs: defaults::APP_TEST_RUNS,
            cpu_limit: Duration::from_millis(defaults::CPU_LIMIT_MS),
            build_wait: Duration::from_secs(30),
            queue_wait: Duration::from_millis(defaults::QUEUE_WAIT_MS),
            default_timeout_ms: defaults::DEFAULT_TIMEOUT_MS,
            max_timeout_ms: defaults::MAX_TIMEOUT_MS,
            memory_bytes: defaults::memory_mb() << 20,
            max_body_bytes: defaults::MAX_BODY_BYTES,
            connections: crate::listener::ConnectionLimits {
                max_connections: defaults::MAX_CONNECTIONS,
                header_timeout: Duration::from_millis(defaults::HEADER_TIMEOUT_MS),
            },
            image_cache_entries: defaults::IMAGE_CACHE_ENTRIES,
            image_cache_bytes: defaults::IMAGE_CACHE_MB << 20,
            warm_pool_bytes: defaults::warm_pool_mb() << 20,
            cache_max_bytes: defaults::CACHE_MAX_MB << 20,
            npm_cache_max_bytes: defaults::NPM_CACHE_MAX_MB << 20,
            warm_per_function: defaults::warm_per_function(),
            reuse_max_invocations: defaults::REUSE_MAX_INVOCATIONS,
            reuse_idle: Duration::from_secs(defaults::REUSE_IDLE_S),
            platform_timeout: Duration::from_millis(defaults::PLATFORM_TIMEOUT_MS),
            lookup_ttl: Duration::from_millis(defaults::LOOKUP_TTL_MS),
            npm_registry: npm_resolver::DEFAULT_REGISTRY.to_owned(),
            egress: EgressPolicy::default(),
            fetch_limits: FetchLimits::default(),
            queue: QueueConfig::default(),
            keep_invocations: defaults::KEEP_INVOCATIONS,
            keep_invocations_days: defaults::KEEP_INVOCATIONS_DAYS,
            metrics_token: None,
            cors_origins: Vec::new(),
            database: None,
            secrets_key_hex: None,
            secrets_key_file: None,
        }
    }

    /// Clamps values to the nearest that works and refuses what cannot
    /// work. [`Service::open`](crate::Service::open) calls it.
    pub fn validate(mut self) -> Result<Config, ConfigError> {
        self.max_concurrency = self.max_concurrency.max(1);
        self.app_concurrency = self.app_concurrency.clamp(1, self.max_concurrency);
        self.max_test_runs = self.max_test_runs.max(1);
        self.app_test_runs = self.app_test_runs.clamp(1, self.max_test_runs);
        self.cpu_limit = self.cpu_limit.max(Duration::from_millis(1));
        self.image_cache_entries = self.image_cache_entries.max(1);
        self.platform_timeout = self.platform_timeout.max(Duration::from_millis(1));
        self.reuse_max_invocations = self.reuse_max_invocations.max(1);
        self.reuse_idle = self.reuse_idle.max(Duration::from_secs(1));
        self.queue.app_concurrency = self.queue.app_concurrency.max(1);
        self.queue.max_attempts = self.queue.max_attempts.max(1);
        self.queue.lease = self.queue.lease.max(MIN_LEASE);
        if self.npm_registry.trim().is_empty() {
            return Err(ConfigError {
                setting: "--npm-registry",
                message: "must be a URL".into(),
            });
        }
        if self.metrics_token.as_deref().is_some_and(str::is_empty) {
            self.metrics_token = None;
        }
        Ok(self)
    }

    /// Lets guest `fetch` and sockets reach these internal hosts or
    /// networks (CIDR).
    pub fn allow_egress(mut self, entries: &[String]) -> Result<Config, ConfigError> {
        self.egress = EgressPolicy::parse(entries).map_err(|message| ConfigError {
            setting: "--fetch-allow",
            message,
        })?;
        Ok(self)
    }

    /// Lets pages from these origins (`https://host[:port]`) call the API.
    pub fn allow_origins(mut self, origins: &[String]) -> Result<Config, ConfigError> {
        self.cors_origins = origins
            .iter()
            .map(|origin| parse_origin(origin))
            .collect::<Result<_, _>>()
            .map_err(|message| ConfigError {
                setting: "--cors-origin",
                message,
            })?;
        Ok(self)
    }

    /// Keeps the service's data in the database at `url` (`sqlite:PATH` or
    /// `postgres://…`) rather than `chatfn.db` in the data directory.
    pub fn database(mut self, url: &str) -> Result<Config, ConfigError> {
        self.database = Some(Database::parse(url).map_err(|e| ConfigError {
            setting: "--database",
            message: e.0,
        })?);
        Ok(self)
    }

    /// The database the service uses.
    pub(crate) fn database_target(&self) -> Database {
        self.database
            .clone()
            .unwrap_or_else(|| Database::in_data_dir(&self.data_dir))
    }

    /// The key secrets are sealed with. With PostgreSQL and no key given
    /// there is none: each node would make a key of its own and fail to
    /// open the others' secrets, so secrets are refused until every node
    /// is given the same key.
    pub(crate) fn secrets_key(&self) -> anyhow::Result<Option<crate::secrets::SecretsKey>> {
        use crate::secrets::SecretsKey;
        match (&self.secrets_key_hex, &self.secrets_key_file) {
            (Some(hex), _) => SecretsKey::from_hex(hex)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("CHATFN_SECRETS_KEY: {e}")),
            (None, Some(path)) => SecretsKey::load_or_create(path).map(Some),
            (None, None) if matches!(self.database_target(), Database::Postgres(_)) => {
                tracing::warn!(
                    "no secrets key (--secrets-key-file or CHATFN_SECRETS_KEY): secrets cannot be set or used; give every node the same key"
                );
                Ok(None)
            }
            (None, None) => {
                SecretsKey::load_or_create(&self.data_dir.join("secrets.key")).map(Some)
            }
        }
    }

    /// Where npm packages are stored.
    pub(crate) fn npm_dir(&self) -> PathBuf {
        self.data_dir.join("npm")
    }

    /// Where built images are cached.
    pub(crate) fn image_dir(&self) -> PathBuf {
        self.data_dir.join("images")
    }
}

/// An origin as browsers send it: a scheme, a host and perhaps a port,
/// nothing more (no path, no trailing slash, no wildcard).
fn parse_origin(origin: &str) -> Result<axum::http::HeaderValue, String> {
    let bad = || {
        format!(
            "{origin:?} is not an origin like https://dashboard.example.com or http://localhost:3000"
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    if !host_ok || !port_ok {
        return Err(bad());
    }
    axum::http::HeaderValue::from_str(origin).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_a_scheme_a_host_and_a_port() {
        for good in [
            "https://dash.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(parse_origin(good).is_ok(), "{good}");
        }
        for bad in [
            "*",
            "dash.example.com",
            "https://dash.example.com/",
            "https://a.com/x",
            "http://h:0",
            "http://h:port",
            "ftp://h",
            "https://",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        let error = Config::new(PathBuf::from("/x"))
            .allow_origins(&["*".into()])
            .expect_err("refused");
        assert_eq!(error.setting, "--cors-origin");
    }

    #[test]
    fn validate_clamps_to_values_that_work() {
        let mut config = Config::new(PathBuf::from("/nonexistent"));
        config.max_concurrency = 0;
        config.app_concurrency = 0;
        config.max_test_runs = 2;
        config.app_test_runs = 5;
        config.cpu_limit = Duration::ZERO;
        config.queue.app_concurrency = 0;
        config.queue.max_attempts = 0;
        config.queue.lease = Duration::ZERO;
        config.metrics_token = Some(String::new());
        let config = config.validate().expect("valid");
        assert_eq!(config.max_concurrency, 1);
        assert_eq!(config.app_concurrency, 1);
        assert_eq!(config.app_test_runs, 2, "a cap is at most the budget");
        assert_eq!(config.cpu_limit, Duration::from_millis(1));
        assert_eq!(config.queue.app_concurrency, 1);
        assert_eq!(config.queue.max_attempts, 1);
        assert_eq!(config.queue.lease, MIN_LEASE);
        assert_eq!(config.metrics_token, None);
    }

    #[test]
    fn bad_egress_entries_name_the_flag() {
        let config = Config::new(PathBuf::from("/nonexistent"));
        let error = config
            .allow_egress(&["not a network/99".into()])
            .expect_err("refused");
        assert_eq!(error.setting, "--fetch-allow");
    }
}
