//! The HTTP side of the platform client: one pooled hyper client per
//! process, rustls with the system's CA roots, a per-call timeout and a
//! response size cap.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{self, HeaderMap, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

use super::request::Request;
use crate::outbound::{self, CappedError, PoolSettings};

/// Where an application's platform calls go.
#[derive(Debug)]
pub(crate) struct Target {
    /// e.g. `https://api.chatkitty.com`, without a trailing `/`.
    pub(crate) base_url: String,
    pub(crate) token: Option<String>,
}

/// A response, whatever its status.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Why no response arrived.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Connecting, TLS or the exchange failed.
    Network(String),
    Timeout(Duration),
    TooLarge(usize),
}

pub(crate) struct PlatformClient {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    max_response_bytes: usize,
}

impl PlatformClient {
    pub(crate) fn new(timeout: Duration, max_response_bytes: usize) -> PlatformClient {
        let http = outbound::https_client(
            HttpConnector::new(),
            PoolSettings {
                idle_timeout: Duration::from_secs(60),
                max_idle_per_host: 64,
            },
        );
        PlatformClient {
            http,
            timeout,
            max_response_bytes,
        }
    }

    /// Sends `request` to `target`, within the call timeout (connecting and
    /// reading the body included).
    pub(crate) async fn send(
        &self,
        target: &Target,
        request: Request,
    ) -> Result<Response, Failure> {
        let url = format!("{}{}", target.base_url, request.path_and_query);
        let uri: Uri = url
            .parse()
            .map_err(|e| Failure::Network(format!("invalid platform URL '{url}': {e}")))?;
        let method = http::Method::from_bytes(request.method.as_str().as_bytes())
            .map_err(|e| Failure::Network(e.to_string()))?;
        let mut builder = http::Request::builder()
            .method(method)
            .uri(uri)
            .header(
                header::ACCEPT,
                "application/json, application/vnd.chatkitty+json",
            )
            .header(
                header::USER_AGENT,
                concat!("chatfn/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(token) = &target.token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match request.body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, body.content_type);
                Full::new(Bytes::from(body.bytes))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder
            .body(body)
            .map_err(|e| Failure::Network(format!("the request could not be made: {e}")))?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| Failure::Network(outbound::describe(&e)))?;
            let (parts, body) = response.into_parts();
            let body = outbound::read_capped(body, self.max_response_bytes)
                .await
                .map_err(|e| match e {
                    CappedError::TooLarge(limit) => Failure::TooLarge(limit),
                    read @ CappedError::Read(_) => Failure::Network(read.to_string()),
                })?;
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| Failure::Timeout(self.timeout))?
    }
}
