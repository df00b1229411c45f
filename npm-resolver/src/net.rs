//! The outbound HTTPS setup: rustls on ring with the system's CA roots
//! (egress may go through a TLS-intercepting proxy whose CA only the
//! system store has), the pooled client built on it, and a size-capped
//! body reader. Public so that a service's other outbound clients trust
//! exactly what the registry client trusts, the system store is read once
//! per process, and every client is built and capped the same way.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;

/// The TLS client configuration, loaded once (reading the system store
/// takes a few milliseconds). Logs a warning when the store has no usable
/// certificate: HTTPS then fails, plain HTTP still works.
pub fn tls_config() -> rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                tracing::warn!(
                    errors = loaded.errors.len(),
                    "no system CA certificates found: outbound HTTPS will fail"
                );
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports rustls's default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth()
        })
        .clone()
}

/// An error and its causes on one line, e.g. "client error (Connect): tcp
/// connect error: Connection refused" (hyper's own message stops at the
/// first).
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How an [`https_client`]'s pool keeps idle connections.
#[derive(Clone, Copy, Debug)]
pub struct PoolSettings {
    /// How long an idle connection is kept.
    pub idle_timeout: Duration,
    /// How many idle connections are kept per host.
    pub max_idle_per_host: usize,
}

impl Default for PoolSettings {
    /// hyper's own defaults: 90 s, and no bound per host.
    fn default() -> PoolSettings {
        PoolSettings {
            idle_timeout: Duration::from_secs(90),
            max_idle_per_host: usize::MAX,
        }
    }
}

/// A pooled HTTP/1 client that speaks HTTPS with [`tls_config`], or plain
/// HTTP, as each URL's scheme says. `connector` brings the caller's
/// resolver and connect timeout.
pub fn https_client<R, B>(
    mut connector: HttpConnector<R>,
    pool: PoolSettings,
) -> Client<HttpsConnector<HttpConnector<R>>, B>
where
    HttpsConnector<HttpConnector<R>>: Connect + Clone,
    B: Body + Send,
    B::Data: Send,
{
    // The TLS layer dispatches on the scheme; the TCP connector under it
    // must then accept `https:` URLs too.
    connector.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config())
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(pool.idle_timeout)
        .pool_max_idle_per_host(pool.max_idle_per_host)
        .build(https)
}

/// Why [`read_capped`] returned no body.
#[derive(Debug)]
pub enum CappedError {
    /// The body is longer than the limit (given here).
    TooLarge(usize),
    /// Reading the body failed (e.g. the connection broke).
    Read(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for CappedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CappedError::TooLarge(limit) => {
                write!(f, "the response body is larger than {limit} bytes")
            }
            CappedError::Read(e) => write!(f, "reading the response failed: {e}"),
        }
    }
}

// The cause is in the message (callers keep one line), so no `source`.
impl std::error::Error for CappedError {}

/// Reads all of `body`, failing once it passes `limit` bytes rather than
/// buffering a response of any size.
pub async fn read_capped<B>(body: B, limit: usize) -> Result<Bytes, CappedError>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(CappedError::TooLarge(limit)),
        Err(e) => Err(CappedError::Read(e)),
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::Full;

    use super::*;

    #[tokio::test]
    async fn bodies_past_the_limit_are_refused() {
        let body = || Full::new(Bytes::from_static(b"12345"));
        let read = read_capped(body(), 5).await.expect("within the limit");
        assert_eq!(read, "12345");
        let refused = read_capped(body(), 4).await;
        assert!(
            matches!(refused, Err(CappedError::TooLarge(4))),
            "{refused:?}"
        );
    }
}
