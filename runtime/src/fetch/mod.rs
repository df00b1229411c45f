//! The host side of the guest's global `fetch`: one `fetch` host call per
//! request (`{url, method, headers: [[name, value]…], body, bodyEncoding}`),
//! answered with `{status, statusText, url, redirected, headers, body,
//! bodyEncoding}`. Internal addresses are refused (see [`crate::egress`]);
//! requests per invocation, response sizes and time are bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::http::{self, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use sandbox::HostCallError;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) use crate::egress::EgressPolicy;
use crate::egress::{EgressResolver, denied_message};

use crate::invocation::CallRecord;
use crate::outbound::{self, CappedError, PoolSettings};

/// Redirects followed per request, as browsers bound them.
const MAX_REDIRECTS: usize = 20;

/// Bounds of guest `fetch`.
#[derive(Clone, Debug)]
pub(crate) struct FetchLimits {
    /// Requests per invocation.
    pub(crate) max_requests: u32,
    /// Largest response body.
    pub(crate) max_response_bytes: usize,
    /// Limit per request, redirects included.
    pub(crate) timeout: Duration,
}

impl Default for FetchLimits {
    fn default() -> FetchLimits {
        FetchLimits {
            max_requests: 20,
            // Responses travel to the guest as JSON (base64 for binary
            // bodies) within the sandbox's 1 MiB host-call limit.
            max_response_bytes: 640 << 10,
            timeout: Duration::from_secs(10),
        }
    }
}

pub(crate) struct FetchClient {
    http: Client<HttpsConnector<HttpConnector<EgressResolver>>, Full<Bytes>>,
    policy: Arc<EgressPolicy>,
    pub(crate) limits: FetchLimits,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FetchRequest {
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_encoding: Option<String>,
    /// `follow` (the default), `manual` (answer the 3xx itself) or
    /// `error` (fail on a redirect).
    #[serde(default)]
    redirect: Option<String>,
}

impl FetchClient {
    pub(crate) fn new(policy: EgressPolicy, limits: FetchLimits) -> FetchClient {
        let policy = Arc::new(policy);
        let mut connector = HttpConnector::new_with_resolver(EgressResolver {
            policy: Arc::clone(&policy),
        });
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        FetchClient {
            http: outbound::https_client(
                connector,
                PoolSettings {
                    idle_timeout: Duration::from_secs(30),
                    ..PoolSettings::default()
                },
            ),
            policy,
            limits,
        }
    }

    /// Performs one `fetch` host call; also returns its log record when a
    /// request was attempted.
    pub(crate) async fn call(
        &self,
        args: &str,
    ) -> (Result<Value, HostCallError>, Option<CallRecord>) {
        let request: FetchRequest = match serde_json::from_str(args) {
            Ok(r) => r,
            Err(e) => {
                return (
                    Err(fetch_error(
                        "ERR_INVALID_ARG",
                        format!("invalid fetch request: {e}"),
                    )),
                    None,
                );
            }
        };
        let method = request.method.as_deref().unwrap_or("GET").to_owned();
        let shown = shown_url(&request.url);
        let started = Instant::now();
        let outcome = tokio::time::timeout(self.limits.timeout, self.send(request))
            .await
            .unwrap_or_else(|_| {
                Err(fetch_error(
                    "ETIMEDOUT",
                    format!(
                        "no complete response within {}ms",
                        self.limits.timeout.as_millis()
                    ),
                ))
            });
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let status = outcome
            .as_ref()
            .ok()
            .and_then(|v| v["status"].as_u64())
            .and_then(|s| u16::try_from(s).ok());
        let record = CallRecord::new(&method, shown, status, ms, outcome.as_ref().err());
        (outcome, Some(record))
    }

    async fn send(&self, request: FetchRequest) -> Result<Value, HostCallError> {
        let mut method = Method::from_bytes(request.method.as_deref().unwrap_or("GET").as_bytes())
            .map_err(|_| fetch_error("ERR_INVALID_ARG", "invalid HTTP method"))?;
        let mut body = match (request.body, request.body_encoding.as_deref()) {
            (None, _) => Bytes::new(),
            (Some(text), Some("base64")) => base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Bytes::from)
                .map_err(|e| fetch_error("ERR_INVALID_ARG", format!("invalid base64 body: {e}")))?,
            (Some(text), _) => Bytes::from(text),
        };
        let mut headers = http::HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                fetch_error("ERR_INVALID_ARG", format!("invalid header name '{name}'"))
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                fetch_error(
                    "ERR_INVALID_ARG",
                    format!("invalid value for header '{name}'"),
                )
            })?;
            // Hop-by-hop and framing headers are the client's business.
            if matches!(
                name.as_str(),
                "host"
                    | "connection"
                    | "content-length"
                    | "transfer-encoding"
                    | "keep-alive"
                    | "upgrade"
                    | "te"
                    | "trailer"
            ) {
                continue;
            }
            headers.append(name, value);
        }
        if !headers.contains_key(header::USER_AGENT) {
            headers.insert(header::USER_AGENT, HeaderValue::from_static("chatfn-fetch"));
        }
        let redirect = request.redirect.unwrap_or_else(|| "follow".into());
        let mut url = request.url;
        for hop in 0..=MAX_REDIRECTS {
            let uri = self.check_url(&url)?;
            let mut builder = http::Request::builder().method(method.clone()).uri(uri);
            for (name, value) in &headers {
                builder = builder.header(name, value);
            }
            let outgoing = builder
                .body(Full::new(body.clone()))
                .map_err(|e| fetch_error("ERR_INVALID_ARG", e.to_string()))?;
            let response = self.http.request(outgoing).await.map_err(|e| {
                fetch_error(
                    crate::outbound::node_error_code(&e),
                    crate::outbound::describe(&e),
                )
            })?;
            let status = response.status();
            if status.is_redirection() && redirect == "error" {
                return Err(fetch_error(
                    "ERR_REDIRECT",
                    "the response redirects and the request's redirect mode is 'error'",
                ));
            }
            if status.is_redirection()
                && redirect != "manual"
                && let Some(location) = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
            {
                if hop == MAX_REDIRECTS {
                    return Err(fetch_error("ERR_TOO_MANY_REDIRECTS", "too many redirects"));
                }
                let next = resolve_location(&url, location);
                match redirect_policy(&url, &next) {
                    Redirect::Refused => {
                        return Err(fetch_error(
                            "ERR_REDIRECT_INSECURE",
                            "refusing to follow a redirect from https: to http:",
                        ));
                    }
                    // Credentials stay with the origin they were sent to.
                    Redirect::OtherOrigin => {
                        headers.remove(header::AUTHORIZATION);
                        headers.remove(header::COOKIE);
                        headers.remove(header::PROXY_AUTHORIZATION);
                    }
                    Redirect::SameOrigin => {}
                }
                url = next;
                // 303, and 301/302 after a POST, continue as a GET without a body.
                if status == StatusCode::SEE_OTHER
                    || (method == Method::POST && matches!(status.as_u16(), 301 | 302))
                {
                    method = Method::GET;
                    body = Bytes::new();
                    headers.remove(header::CONTENT_TYPE);
                }
                continue;
            }
            return self.answer(response, &url, hop > 0).await;
        }
        Err(fetch_error("ERR_TOO_MANY_REDIRECTS", "too many redirects"))
    }

    /// Parses the URL and refuses internal address literals (names are
    /// checked by the resolver).
    fn check_url(&self, url: &str) -> Result<Uri, HostCallError> {
        let uri: Uri = url
            .parse()
            .map_err(|_| fetch_error("ERR_INVALID_URL", format!("invalid URL '{url}'")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(fetch_error(
                "ERR_INVALID_URL",
                format!("only http: and https: URLs can be fetched, not '{url}'"),
            ));
        }
        let host = uri.host().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<std::net::IpAddr>()
            && !self.policy.ip_allowed(ip)
        {
            return Err(fetch_error("ERR_EGRESS_DENIED", denied_message(host)));
        }
        Ok(uri)
    }

    async fn answer(
        &self,
        response: hyper::Response<hyper::body::Incoming>,
        url: &str,
        redirected: bool,
    ) -> Result<Value, HostCallError> {
        let (parts, body) = response.into_parts();
        let limit = self.limits.max_response_bytes;
        let bytes = outbound::read_capped(body, limit)
            .await
            .map_err(|e| match e {
                CappedError::TooLarge(_) => fetch_error("ERR_RESPONSE_TOO_LARGE", e.to_string()),
                CappedError::Read(_) => fetch_error("ERR_NETWORK", e.to_string()),
            })?;
        let headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let (body, encoding) = match std::str::from_utf8(&bytes) {
            Ok(text) => (text.to_owned(), "utf8"),
            Err(_) => (
                base64::engine::general_purpose::STANDARD.encode(&bytes),
                "base64",
            ),
        };
        Ok(json!({
            "status": parts.status.as_u16(),
            "statusText": parts.status.canonical_reason().unwrap_or(""),
            "url": url,
            "redirected": redirected,
            "headers": headers,
            "body": body,
            "bodyEncoding": encoding,
        }))
    }
}

fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// A URL as call records show it: without its query (which may carry user
/// data or secrets) and without `user:password@`.
fn shown_url(url: &str) -> String {
    let url = strip_query(url);
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url;
    };
    let authority_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| scheme_end + i);
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end], &url[scheme_end + at + 1..]),
        None => url,
    }
}

/// What a redirect from `from` to `to` may carry along.
#[derive(Debug, PartialEq, Eq)]
enum Redirect {
    SameOrigin,
    /// Another scheme, host or port: credentials are dropped.
    OtherOrigin,
    /// From https: to http:, which would give up TLS.
    Refused,
}

fn redirect_policy(from: &str, to: &str) -> Redirect {
    let origin = |url: &str| {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        Some((scheme, uri.host()?.to_ascii_lowercase(), port))
    };
    match (origin(from), origin(to)) {
        (Some(a), Some(b)) if a.0 == "https" && b.0 == "http" => Redirect::Refused,
        (Some(a), Some(b)) if a == b => Redirect::SameOrigin,
        _ => Redirect::OtherOrigin,
    }
}

/// A redirect target relative to `base`: absolute, scheme-relative, or a
/// path on the same origin.
fn resolve_location(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    let origin_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if location.starts_with('/') {
        return format!("{}{location}", &base[..origin_end]);
    }
    let path = strip_query(base);
    let dir_end = path
        .rfind('/')
        .filter(|&i| i >= origin_end)
        .map_or(path.len(), |i| i + 1);
    let mut out = path[..dir_end].to_owned();
    if dir_end == path.len() && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(location);
    out
}

/// A failure the guest's fetch turns into `TypeError('fetch failed')` with
/// this as its `cause`.
fn fetch_error(code: &str, message: impl Into<String>) -> HostCallError {
    let mut error = HostCallError::new("FetchError", message);
    error.data.insert("code".into(), json!(code));
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets() {
        let base = "https://a.example/x/y?q=1";
        assert_eq!(
            resolve_location(base, "https://b.example/z"),
            "https://b.example/z"
        );
        assert_eq!(
            resolve_location(base, "//c.example/z"),
            "https://c.example/z"
        );
        assert_eq!(resolve_location(base, "/root"), "https://a.example/root");
        assert_eq!(resolve_location(base, "sib"), "https://a.example/x/sib");
        assert_eq!(
            resolve_location("https://a.example", "p"),
            "https://a.example/p"
        );
        assert_eq!(
            strip_query("https://a.example/x?token=secret#f"),
            "https://a.example/x"
        );
    }

    #[test]
    fn redirects_keep_credentials_with_their_origin_and_never_drop_tls() {
        assert_eq!(
            redirect_policy("https://a.example/x", "https://a.example:443/y"),
            Redirect::SameOrigin
        );
        for other in [
            "https://b.example/x",
            "https://a.example:8443/x",
            "https://sub.a.example/x",
        ] {
            assert_eq!(
                redirect_policy("https://a.example/x", other),
                Redirect::OtherOrigin,
                "{other}"
            );
        }
        assert_eq!(
            redirect_policy("http://a.example/x", "https://a.example/x"),
            Redirect::OtherOrigin
        );
        assert_eq!(
            redirect_policy("https://a.example/x", "http://a.example/x"),
            Redirect::Refused
        );
        assert_eq!(
            shown_url("https://user:secret@a.example:8080/x?token=1"),
            "https://a.example:8080/x"
        );
        assert_eq!(shown_url("https://a.example/p@q"), "https://a.example/p@q");
    }

    #[tokio::test]
    async fn internal_literals_are_refused_before_connecting() {
        let client = FetchClient::new(EgressPolicy::default(), FetchLimits::default());
        for url in [
            "http://127.0.0.1:1/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let (result, _) = client.call(&json!({ "url": url }).to_string()).await;
            let error = result.expect_err(url);
            assert_eq!(error.data["code"], "ERR_EGRESS_DENIED", "{url}");
        }
        let (result, _) = client
            .call(&json!({ "url": "file:///etc/passwd" }).to_string())
            .await;
        assert_eq!(result.expect_err("file").data["code"], "ERR_INVALID_URL");
    }
}
