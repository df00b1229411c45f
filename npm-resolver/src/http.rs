//! GETs against the registry: one pooled hyper client with rustls on the
//! system's roots (egress may go through a TLS-intercepting proxy), a
//! caching DNS resolver that looks each host up once at a time (many
//! concurrent lookups stalled for 5 s on these machines), retries with
//! backoff for 5xx and network errors, and a size cap.

use std::collections::HashMap;
use std::future::Future;
use std::io::Read;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::http::{self, StatusCode, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;

use crate::net::{self, CappedError, PoolSettings, describe};

/// A failed GET, after retries.
#[derive(Debug)]
pub(crate) enum GetError {
    /// The server answered with this status (404, or 5xx after retries).
    Status(u16),
    /// No answer: connect, TLS, timeout or a broken body.
    Network(String),
    /// The body passed the cap.
    TooLarge(usize),
}

impl std::fmt::Display for GetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetError::Status(status) => write!(f, "HTTP {status}"),
            GetError::Network(message) => f.write_str(message),
            GetError::TooLarge(limit) => write!(f, "the response is larger than {limit} bytes"),
        }
    }
}

#[derive(Clone)]
pub(crate) struct HttpClient {
    client: Client<HttpsConnector<HttpConnector<CachingResolver>>, Empty<Bytes>>,
    timeout: Duration,
    retries: u32,
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration, retries: u32) -> HttpClient {
        let mut http = HttpConnector::new_with_resolver(CachingResolver::default());
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let pool = PoolSettings {
            idle_timeout: Duration::from_secs(30),
            ..PoolSettings::default()
        };
        HttpClient {
            client: net::https_client(http, pool),
            timeout,
            retries,
        }
    }

    /// GETs `url` (following up to 5 redirects), retrying 5xx, 429 and
    /// network failures with exponential backoff.
    pub(crate) async fn get(
        &self,
        url: &str,
        accept: &str,
        max_bytes: usize,
    ) -> Result<Bytes, GetError> {
        let mut attempt = 0;
        loop {
            let result = self.get_once(url, accept, max_bytes).await;
            let retryable = match &result {
                Err(GetError::Status(s)) => *s >= 500 || *s == 429,
                Err(GetError::Network(_)) => true,
                _ => false,
            };
            if !retryable || attempt >= self.retries {
                return result;
            }
            let backoff = Duration::from_millis(100 << attempt.min(6));
            tracing::debug!(url, attempt, "retrying after {backoff:?}");
            tokio::time::sleep(backoff).await;
            attempt += 1;
        }
    }

    async fn get_once(&self, url: &str, accept: &str, max_bytes: usize) -> Result<Bytes, GetError> {
        let mut url = url.to_owned();
        for _ in 0..=5 {
            let uri: Uri = url
                .parse()
                .map_err(|e| GetError::Network(format!("invalid URL '{url}': {e}")))?;
            let request = http::Request::get(uri)
                .header(header::ACCEPT, accept)
                .header(header::ACCEPT_ENCODING, "gzip")
                .header(
                    header::USER_AGENT,
                    concat!("chatfn/", env!("CARGO_PKG_VERSION")),
                )
                .body(Empty::new())
                .map_err(|e| GetError::Network(e.to_string()))?;
            let exchange = async {
                let response = self
                    .client
                    .request(request)
                    .await
                    .map_err(|e| GetError::Network(describe(&e)))?;
                let status = response.status();
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let gzip = response
                    .headers()
                    .get(header::CONTENT_ENCODING)
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
                if status.is_redirection() {
                    return Ok(Err(location));
                }
                if status != StatusCode::OK {
                    return Err(GetError::Status(status.as_u16()));
                }
                let body = net::read_capped(response.into_body(), max_bytes)
                    .await
                    .map_err(|e| match e {
                        CappedError::TooLarge(limit) => GetError::TooLarge(limit),
                        read @ CappedError::Read(_) => GetError::Network(read.to_string()),
                    })?;
                Ok(Ok(if gzip {
                    gunzip(&body, max_bytes)?
                } else {
                    body
                }))
            };
            match tokio::time::timeout(self.timeout, exchange).await {
                Err(_) => {
                    return Err(GetError::Network(format!(
                        "no complete answer within {:?}",
                        self.timeout
                    )));
                }
                Ok(Err(e)) => return Err(e),
                Ok(Ok(Ok(body))) => return Ok(body),
                Ok(Ok(Err(Some(location)))) => url = join_location(&url, &location),
                Ok(Ok(Err(None))) => {
                    return Err(GetError::Network("a redirect without a Location".into()));
                }
            }
        }
        Err(GetError::Network("too many redirects".into()))
    }
}

fn gunzip(body: &[u8], max_bytes: usize) -> Result<Bytes, GetError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| GetError::Network(format!("a gzip response did not decode: {e}")))?;
    if out.len() > max_bytes {
        return Err(GetError::TooLarge(max_bytes));
    }
    Ok(Bytes::from(out))
}

/// A redirect target: absolute, or a path on the same origin.
fn join_location(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    format!("{}{location}", &base[..origin_end])
}

type Addrs = std::vec::IntoIter<SocketAddr>;

/// Looks each host up once (serialised per resolver) and remembers the
/// answer for the resolver's life: an install talks to one or two hosts.
#[derive(Clone, Default)]
struct CachingResolver {
    cache: Arc<Mutex<HashMap<String, Vec<SocketAddr>>>>,
    lookups: Arc<tokio::sync::Mutex<()>>,
}

impl tower_service::Service<Name> for CachingResolver {
    type Response = Addrs;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Addrs, std::io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let resolver = self.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let cached = |r: &CachingResolver| {
                r.cache
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&host)
                    .cloned()
            };
            if let Some(addrs) = cached(&resolver) {
                return Ok(addrs.into_iter());
            }
            let _one_at_a_time = resolver.lookups.lock().await;
            if let Some(addrs) = cached(&resolver) {
                return Ok(addrs.into_iter());
            }
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            resolver
                .cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(host, addrs.clone());
            Ok(addrs.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_locations() {
        assert_eq!(
            join_location("https://r.example/a/b", "/c/d"),
            "https://r.example/c/d"
        );
        assert_eq!(
            join_location("http://127.0.0.1:9/x", "https://cdn.example/y"),
            "https://cdn.example/y"
        );
    }
}
