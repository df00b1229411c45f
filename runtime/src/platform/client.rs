//! The HTTP side of the platform client: one pooled hyper client per
//! process, rustls with the system's CA roots, a per-call timeout and a
//! response size cap.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::http::{self, HeaderMap, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::request::Request;

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
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(crate::outbound::tls_config())
            .https_or_http()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build(connector);
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
                .map_err(|e| Failure::Network(crate::outbound::describe(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, self.max_response_bytes)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Failure::TooLarge(self.max_response_bytes)
                    } else {
                        Failure::Network(format!("reading the response failed: {e}"))
                    }
                })?
                .to_bytes();
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
