//! A running `chatfn serve` on loopback, and an HTTP client for it.

use serde_json::Value;

use e2e::Serve;

use crate::registry::TestRegistry;
use crate::support::chatfn_bin;

/// The shared `chatfn serve` driver, with the test registry configured.
pub(crate) struct Server(Serve);

impl std::ops::Deref for Server {
    type Target = Serve;

    fn deref(&self) -> &Serve {
        &self.0
    }
}

impl Server {
    /// One server for the whole test binary: every test uses its own
    /// applications, which also exercises tenant isolation. It stops when
    /// the test process exits (its stdin pipe closes).
    pub(crate) fn shared() -> &'static Server {
        static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
        SERVER.get_or_init(Server::start)
    }

    /// The test npm registry the shared server installs from.
    pub(crate) fn registry() -> &'static TestRegistry {
        static REGISTRY: std::sync::OnceLock<TestRegistry> = std::sync::OnceLock::new();
        REGISTRY.get_or_init(TestRegistry::start)
    }

    pub(crate) fn start() -> Server {
        Server::start_with(&[])
    }

    /// A server of its own, with extra `chatfn serve` flags.
    pub(crate) fn start_with(extra: &[&str]) -> Server {
        Server::start_in(tempfile::tempdir().expect("tempdir"), extra)
    }

    /// Kills the server the hard way (SIGKILL: no shutdown, no flush) and
    /// returns its data directory.
    pub(crate) fn kill(self) -> tempfile::TempDir {
        self.0.kill()
    }

    /// A server of its own logging at `level` to `log`.
    pub(crate) fn start_logging(level: &str, log: std::process::Stdio) -> Server {
        let flags = ["--npm-registry", Server::registry().url.as_str()];
        Server(Serve::start_logging(
            &chatfn_bin(),
            tempfile::tempdir().expect("tempdir"),
            &flags,
            level,
            log,
        ))
    }

    /// A server on an existing data directory.
    pub(crate) fn start_in(data: tempfile::TempDir, extra: &[&str]) -> Server {
        let mut flags = vec!["--npm-registry", Server::registry().url.as_str()];
        flags.extend_from_slice(extra);
        Server(Serve::start(&chatfn_bin(), data, &flags))
    }

    pub(crate) fn client(&self, key: &str) -> Client {
        Client {
            base: self.base.clone(),
            key: key.to_owned(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }
}

pub(crate) struct Client {
    base: String,
    key: String,
    agent: ureq::Agent,
}

/// A response: status and JSON body (`null` when empty).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Client {
    /// The server's address (`host:port`) and this client's key, for
    /// tests that speak HTTP themselves.
    pub(crate) fn address_and_key(&self) -> (String, String) {
        let address = self.base.trim_start_matches("http://").to_owned();
        (address, self.key.clone())
    }

    /// Waits (up to `limit`) until `function` has no queued, running,
    /// retrying or failed job.
    pub(crate) fn wait_until_queue_idle(&self, function: i64, limit: std::time::Duration) {
        crate::support::wait_for(limit, || {
            let counts = self.get(&format!("/v1/functions/{function}/queue")).body;
            let idle = ["queued", "running", "retrying", "failed"]
                .iter()
                .all(|k| counts[k].as_u64() == Some(0));
            idle.then_some(())
        });
    }

    /// Every invocation record of `function`, page by page.
    pub(crate) fn all_invocations(&self, function: i64) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 0.. {
            let list = self
                .get(&format!(
                    "/v1/functions/{function}/invocations?size=100&page={page}"
                ))
                .body;
            let items = list["_embedded"]["invocations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if items.is_empty() {
                return all;
            }
            all.extend(items);
        }
        all
    }

    pub(crate) fn send(&self, method: &str, path: &str, body: Option<(&str, &str)>) -> Reply {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Authorization", format!("Bearer {}", self.key));
        let response = match body {
            Some((content_type, body)) => {
                let request = request
                    .header("Content-Type", content_type)
                    .body(body.to_owned())
                    .expect("request");
                self.agent.run(request)
            }
            None => self.agent.run(request.body(()).expect("request")),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    /// Announces a JSON body of `length` bytes with `Expect: 100-continue`
    /// and sends it only if the server asks for it. A server that refuses
    /// the size answers at once; sending the body regardless races the
    /// server closing the connection (a broken pipe instead of the 413).
    pub(crate) fn announce(&self, path: &str, length: usize) -> Reply {
        use std::io::{Read, Write};
        let address = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            self.key
        );
        stream.write_all(head.as_bytes()).expect("write head");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        assert!(
            !text.starts_with("HTTP/1.1 100"),
            "the server asked for the body: {text}"
        );
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line: {text}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.trim())
            .and_then(|body| serde_json::from_str(body).ok())
            .unwrap_or(Value::Null);
        Reply { status, body }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }

    /// POSTs an event with an `Idempotency-Key`; a connection failure (the
    /// server died) is an `Err`, not a panic.
    pub(crate) fn post_event(&self, path: &str, event: &Value, key: &str) -> Result<Reply, String> {
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.key))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .body(event.to_string())
            .map_err(|e| e.to_string())?;
        let response = self.agent.run(request).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok(Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        })
    }

    pub(crate) fn json(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.send(method, path, Some(("application/json", &body.to_string())))
    }
}
