//! A running `chatfn serve` on loopback, and an HTTP client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::chatfn_bin;

/// A `chatfn serve` process with its own data directory; killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    pub(crate) data: tempfile::TempDir,
}

impl Server {
    /// One server for the whole test binary: every test uses its own
    /// applications, which also exercises tenant isolation. It stops when
    /// the test process exits (its stdin pipe closes).
    pub(crate) fn shared() -> &'static Server {
        static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
        SERVER.get_or_init(Server::start)
    }

    pub(crate) fn start() -> Server {
        let data = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(chatfn_bin())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-level",
                "warn",
                "--exit-on-stdin-close",
                "--data-dir",
            ])
            .arg(data.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start chatfn serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("chatfn listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        Server { child, base, data }
    }

    /// Creates an application; returns its key.
    pub(crate) fn create_app(&self, name: &str, extra: &[&str]) -> String {
        let output = Command::new(chatfn_bin())
            .args(["apps", "create", name, "--data-dir"])
            .arg(self.data.path())
            .args(extra)
            .output()
            .expect("run chatfn apps create");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let created: Value =
            serde_json::from_slice(&output.stdout).expect("apps create prints JSON");
        created["key"].as_str().expect("a key").to_owned()
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

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    /// The same application on a new connection pool (for requests after
    /// which the server may close the connection, like a 413).
    pub(crate) fn fresh(&self) -> Client {
        Client {
            base: self.base.clone(),
            key: self.key.clone(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        }
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

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }

    pub(crate) fn json(&self, method: &str, path: &str, body: &Value) -> Reply {
        self.send(method, path, Some(("application/json", &body.to_string())))
    }
}
