//! The host side of the guest's `net` and `tls` modules: outbound TCP
//! connections, optionally over TLS, under the egress policy `fetch` uses
//! (see [`crate::egress`]). Host calls, all with an `id` the connect gave:
//!
//! - `net.connect {host, port, tls, servername?}` → `{id, remoteAddress,
//!   remotePort, remoteFamily, localAddress, localPort}`
//! - `net.read {id}` → `{data, eof}`: waits for bytes (base64 in `data`);
//!   `eof` once the peer has closed its side
//! - `net.write {id, data}` → `{}` once written
//! - `net.end {id}` → `{}`: closes the writing side (FIN, TLS close_notify)
//! - `net.close {id}` → `{}`: closes the connection; pending reads end
//! - `net.lookup {hostname}` → `{addresses: [{address, family}]}`: what
//!   the guest's `dns.lookup` answers, the addresses a connect may use
//!
//! Per invocation, connections and bytes (both ways) are bounded, and a
//! connect is given `connect_timeout`; the invocation's own time limit
//! bounds the rest. Every connect, made or refused, is one call record.
//! Connections close when the invocation ends.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine;
use sandbox::HostCallError;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::egress::{self, EgressPolicy};
use crate::invocation::CallRecord;

/// Bounds on one invocation's sockets.
#[derive(Clone, Debug)]
pub(crate) struct SocketLimits {
    /// Connections an invocation may open.
    pub(crate) max_sockets: u32,
    /// Bytes read and written, all connections together.
    pub(crate) max_bytes: u64,
    /// Limit on resolving and connecting (TLS handshake included).
    pub(crate) connect_timeout: Duration,
}

impl Default for SocketLimits {
    fn default() -> SocketLimits {
        SocketLimits {
            max_sockets: 8,
            max_bytes: 16 << 20,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Largest read handed to the guest at once (base64 in a host-call answer).
const READ_CHUNK: usize = 64 << 10;

/// What every invocation's sockets share.
pub(crate) struct SocketClient {
    policy: Arc<EgressPolicy>,
    tls: Arc<rustls::ClientConfig>,
    limits: SocketLimits,
}

impl SocketClient {
    pub(crate) fn new(policy: EgressPolicy, limits: SocketLimits) -> SocketClient {
        SocketClient {
            policy: Arc::new(policy),
            tls: Arc::new(crate::outbound::tls_config()),
            limits,
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

struct Connection {
    reader: tokio::sync::Mutex<ReadHalf<Box<dyn Io>>>,
    writer: tokio::sync::Mutex<WriteHalf<Box<dyn Io>>>,
    /// Set when the guest closes the connection; pending and later reads
    /// then end (a read future may start after the close).
    closed: watch::Sender<bool>,
}

#[derive(Default)]
struct State {
    next_id: u32,
    opened: u32,
    bytes: u64,
    open: HashMap<u32, Arc<Connection>>,
}

/// One invocation's connections.
pub(crate) struct InvocationSockets {
    client: Arc<SocketClient>,
    state: Arc<Mutex<State>>,
}

/// A host call's answer and, for connects, its log record.
pub(crate) type Answer = (Result<Value, HostCallError>, Option<CallRecord>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Connect {
    host: String,
    port: u16,
    #[serde(default)]
    tls: bool,
    #[serde(default)]
    servername: Option<String>,
}

#[derive(Deserialize)]
struct Lookup {
    hostname: String,
}

#[derive(Deserialize)]
struct Id {
    id: u32,
}

/// `net.write`'s arguments besides its `id`.
#[derive(Deserialize)]
struct Write {
    data: String,
}

impl InvocationSockets {
    pub(crate) fn new(client: Arc<SocketClient>) -> InvocationSockets {
        InvocationSockets {
            client,
            state: Arc::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Performs the `net.*` host call `name` (`name` without the prefix).
    pub(crate) fn call(
        &self,
        name: &str,
        args: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = Answer> + Send>> {
        let client = Arc::clone(&self.client);
        let state = Arc::clone(&self.state);
        match name {
            "connect" => {
                let request: Connect = match parse(args) {
                    Ok(r) => r,
                    Err(e) => return Box::pin(async move { (Err(e), None) }),
                };
                {
                    let mut s = self.state();
                    if s.opened >= client.limits.max_sockets {
                        let error = socket_error(
                            "ERR_SOCKET_LIMIT",
                            format!(
                                "an invocation may open at most {} connections",
                                client.limits.max_sockets
                            ),
                        );
                        return Box::pin(async move { (Err(error), None) });
                    }
                    s.opened += 1;
                }
                Box::pin(connect(client, state, request))
            }
            "lookup" => {
                let request: Lookup = match parse(args) {
                    Ok(r) => r,
                    Err(e) => return Box::pin(async move { (Err(e), None) }),
                };
                Box::pin(async move { (lookup(&client, &request.hostname).await, None) })
            }
            "read" | "write" | "end" | "close" => {
                let id = match parse::<Id>(args) {
                    Ok(Id { id }) => id,
                    Err(e) => return Box::pin(async move { (Err(e), None) }),
                };
                let connection = self.state().open.get(&id).cloned();
                let Some(connection) = connection else {
                    let error = socket_error("EBADF", format!("no open connection {id}"));
                    return Box::pin(async move { (Err(error), None) });
                };
                match name {
                    "read" => {
                        Box::pin(async move { (read(&client, &state, &connection).await, None) })
                    }
                    "write" => {
                        let request: Write = match parse(args) {
                            Ok(r) => r,
                            Err(e) => return Box::pin(async move { (Err(e), None) }),
                        };
                        Box::pin(async move {
                            (
                                write(&client, &state, &connection, &request.data).await,
                                None,
                            )
                        })
                    }
                    "end" => Box::pin(async move {
                        let mut writer = connection.writer.lock().await;
                        // The peer may be gone already: ending is then done.
                        let _ = writer.shutdown().await;
                        (Ok(json!({})), None)
                    }),
                    _ => {
                        self.state().open.remove(&id);
                        connection.closed.send_replace(true);
                        Box::pin(async move { (Ok(json!({})), None) })
                    }
                }
            }
            other => {
                let error = HostCallError::unknown_operation(&format!("net.{other}"));
                Box::pin(async move { (Err(error), None) })
            }
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(args: &str) -> Result<T, HostCallError> {
    serde_json::from_str(args)
        .map_err(|e| socket_error("ERR_INVALID_ARG", format!("invalid socket request: {e}")))
}

fn socket_error(code: &str, message: impl Into<String>) -> HostCallError {
    let mut error = HostCallError::new("SocketError", message);
    error.data.insert("code".into(), json!(code));
    error
}

async fn connect(client: Arc<SocketClient>, state: Arc<Mutex<State>>, request: Connect) -> Answer {
    let started = Instant::now();
    let scheme = if request.tls { "tls" } else { "tcp" };
    let shown = format!("{scheme}://{}:{}", request.host, request.port);
    let outcome = tokio::time::timeout(client.limits.connect_timeout, open(&client, &request))
        .await
        .unwrap_or_else(|_| {
            let mut error = socket_error(
                "ETIMEDOUT",
                format!("connect ETIMEDOUT {}:{}", request.host, request.port),
            );
            error.data.insert("syscall".into(), json!("connect"));
            Err(error)
        });
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let record = CallRecord::new("CONNECT", shown, None, ms, outcome.as_ref().err());
    let answer = outcome.map(|(stream, remote, local)| {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.next_id += 1;
        let id = s.next_id;
        let (reader, writer) = tokio::io::split(stream);
        s.open.insert(
            id,
            Arc::new(Connection {
                reader: tokio::sync::Mutex::new(reader),
                writer: tokio::sync::Mutex::new(writer),
                closed: watch::Sender::new(false),
            }),
        );
        json!({
            "id": id,
            "remoteAddress": remote.ip().to_string(),
            "remotePort": remote.port(),
            "remoteFamily": if remote.is_ipv4() { "IPv4" } else { "IPv6" },
            "localAddress": local.map(|a| a.ip().to_string()),
            "localPort": local.map(|a| a.port()),
        })
    });
    (answer, Some(record))
}

/// The addresses `hostname` resolves to that the policy allows, for
/// `dns.lookup`; a name with none is ENOTFOUND, as Node says of a name that
/// does not resolve.
async fn lookup(client: &SocketClient, hostname: &str) -> Result<Value, HostCallError> {
    let addresses = match egress::resolve(&client.policy, hostname, 0).await {
        Ok(addresses) if !addresses.is_empty() => addresses,
        _ => {
            let mut error = socket_error("ENOTFOUND", format!("getaddrinfo ENOTFOUND {hostname}"));
            error.data.insert("syscall".into(), json!("getaddrinfo"));
            error.data.insert("hostname".into(), json!(hostname));
            return Err(error);
        }
    };
    let mut seen = Vec::new();
    for address in addresses {
        if !seen.contains(&address.ip()) {
            seen.push(address.ip());
        }
    }
    let list: Vec<Value> = seen
        .iter()
        .map(|ip| json!({ "address": ip.to_string(), "family": if ip.is_ipv4() { 4 } else { 6 } }))
        .collect();
    Ok(json!({ "addresses": list }))
}

/// Resolves (under the policy), connects and, for TLS, shakes hands.
async fn open(
    client: &SocketClient,
    request: &Connect,
) -> Result<(Box<dyn Io>, SocketAddr, Option<SocketAddr>), HostCallError> {
    let host = request.host.trim_start_matches('[').trim_end_matches(']');
    let failure = |e: &std::io::Error, syscall: &str, address: Option<SocketAddr>| {
        let code = crate::outbound::node_error_code(e);
        let message = match (code, address) {
            ("ERR_EGRESS_DENIED", _) => e.to_string(),
            ("ENOTFOUND" | "EAI_AGAIN", _) => format!("getaddrinfo {code} {host}"),
            (_, Some(addr)) => format!("{syscall} {code} {}:{}", addr.ip(), addr.port()),
            (_, None) => format!("{syscall} {code} {host}:{}", request.port),
        };
        let mut error = socket_error(code, message);
        error.data.insert("syscall".into(), json!(syscall));
        if let Some(addr) = address {
            error
                .data
                .insert("address".into(), json!(addr.ip().to_string()));
            error.data.insert("port".into(), json!(addr.port()));
        } else if code == "ENOTFOUND" || code == "EAI_AGAIN" {
            error.data.insert("hostname".into(), json!(host));
        }
        error
    };
    let addresses = egress::resolve(&client.policy, host, request.port)
        .await
        .map_err(|e| failure(&e, "getaddrinfo", None))?;
    let mut last = None;
    let mut connected = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                connected = Some((stream, address));
                break;
            }
            Err(e) => last = Some(failure(&e, "connect", Some(address))),
        }
    }
    let Some((stream, remote)) = connected else {
        return Err(last.unwrap_or_else(|| {
            failure(
                &std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses"),
                "getaddrinfo",
                None,
            )
        }));
    };
    let _ = stream.set_nodelay(true);
    let local = stream.local_addr().ok();
    if !request.tls {
        return Ok((Box::new(stream), remote, local));
    }
    let name = request.servername.as_deref().unwrap_or(host).to_owned();
    let server_name = rustls::pki_types::ServerName::try_from(name.clone()).map_err(|_| {
        socket_error(
            "ERR_INVALID_ARG",
            format!("invalid TLS server name '{name}'"),
        )
    })?;
    let tls = tokio_rustls::TlsConnector::from(Arc::clone(&client.tls))
        .connect(server_name, stream)
        .await
        .map_err(|e| {
            let code = crate::outbound::node_error_code(&e);
            socket_error(code, format!("TLS handshake with {name} failed: {e}"))
        })?;
    Ok((Box::new(tls), remote, local))
}

/// Takes `n` bytes from the invocation's budget, or says why not.
fn spend(client: &SocketClient, state: &Mutex<State>, n: usize) -> Result<(), HostCallError> {
    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
    let total = s.bytes.saturating_add(n as u64);
    if total > client.limits.max_bytes {
        return Err(socket_error(
            "ERR_SOCKET_LIMIT",
            format!(
                "an invocation's connections may carry at most {} bytes",
                client.limits.max_bytes
            ),
        ));
    }
    s.bytes = total;
    Ok(())
}

async fn read(
    client: &SocketClient,
    state: &Mutex<State>,
    connection: &Connection,
) -> Result<Value, HostCallError> {
    let mut buf = vec![0u8; READ_CHUNK];
    let n = {
        let mut closed = connection.closed.subscribe();
        if *closed.borrow_and_update() {
            0
        } else {
            let mut reader = connection.reader.lock().await;
            tokio::select! {
                read = reader.read(&mut buf) => read.map_err(|e| {
                    let code = crate::outbound::node_error_code(&e);
                    let mut error = socket_error(code, format!("read {code}"));
                    error.data.insert("syscall".into(), json!("read"));
                    error
                })?,
                _ = closed.changed() => 0,
            }
        }
    };
    spend(client, state, n)?;
    Ok(json!({
        "data": base64::engine::general_purpose::STANDARD.encode(&buf[..n]),
        "eof": n == 0,
    }))
}

async fn write(
    client: &SocketClient,
    state: &Mutex<State>,
    connection: &Connection,
    data: &str,
) -> Result<Value, HostCallError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| socket_error("ERR_INVALID_ARG", format!("invalid base64 data: {e}")))?;
    spend(client, state, bytes.len())?;
    let mut writer = connection.writer.lock().await;
    let written = async {
        writer.write_all(&bytes).await?;
        writer.flush().await
    };
    written.await.map_err(|e| {
        let code = crate::outbound::node_error_code(&e);
        let mut error = socket_error(code, format!("write {code}"));
        error.data.insert("syscall".into(), json!("write"));
        error
    })?;
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sockets(allow: &[&str], limits: SocketLimits) -> InvocationSockets {
        let allow: Vec<String> = allow.iter().map(|s| (*s).to_owned()).collect();
        let policy = EgressPolicy::parse(&allow).expect("policy");
        InvocationSockets::new(Arc::new(SocketClient::new(policy, limits)))
    }

    /// A loopback server that echoes what it reads, upper-cased.
    async fn echo_server() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let upper = buf[..n].to_ascii_uppercase();
                        if stream.write_all(&upper).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        port
    }

    fn b64(data: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(data)
    }

    #[tokio::test]
    async fn internal_addresses_are_refused_unless_allowed() {
        let port = echo_server().await;
        let denied = sockets(&[], SocketLimits::default());
        let (answer, record) = denied
            .call(
                "connect",
                &json!({"host": "127.0.0.1", "port": port}).to_string(),
            )
            .await;
        let error = answer.expect_err("loopback is internal");
        assert_eq!(error.data["code"], "ERR_EGRESS_DENIED");
        let record = record.expect("a refused connect is logged");
        assert_eq!(record.method, "CONNECT");
        assert_eq!(record.path, format!("tcp://127.0.0.1:{port}"));
        assert_eq!(record.error.as_deref(), Some("ERR_EGRESS_DENIED"));
    }

    #[tokio::test]
    async fn a_connection_carries_bytes_both_ways_and_closes() {
        let port = echo_server().await;
        let sockets = sockets(&["127.0.0.1"], SocketLimits::default());
        let (answer, record) = sockets
            .call(
                "connect",
                &json!({"host": "127.0.0.1", "port": port}).to_string(),
            )
            .await;
        let info = answer.expect("connected");
        assert_eq!(info["remotePort"], port);
        assert!(record.expect("logged").error.is_none());
        let id = info["id"].as_u64().expect("id");
        let (written, _) = sockets
            .call(
                "write",
                &json!({"id": id, "data": b64(b"ping")}).to_string(),
            )
            .await;
        written.expect("written");
        let (read, _) = sockets.call("read", &json!({"id": id}).to_string()).await;
        assert_eq!(read.expect("read")["data"], b64(b"PING"));
        // A read pending when the guest closes the connection ends as EOF.
        let pending = sockets.call("read", &json!({"id": id}).to_string());
        let (closed, _) = sockets.call("close", &json!({"id": id}).to_string()).await;
        closed.expect("closed");
        assert_eq!(pending.await.0.expect("eof")["eof"], true);
        let (gone, _) = sockets.call("read", &json!({"id": id}).to_string()).await;
        assert_eq!(gone.expect_err("closed").data["code"], "EBADF");
    }

    #[tokio::test]
    async fn connections_and_bytes_are_bounded_per_invocation() {
        let port = echo_server().await;
        let limits = SocketLimits {
            max_sockets: 1,
            max_bytes: 6,
            ..SocketLimits::default()
        };
        let sockets = sockets(&["127.0.0.1"], limits);
        let connect = json!({"host": "127.0.0.1", "port": port}).to_string();
        let id = sockets.call("connect", &connect).await.0.expect("first")["id"].clone();
        let (second, _) = sockets.call("connect", &connect).await;
        assert_eq!(second.expect_err("limit").data["code"], "ERR_SOCKET_LIMIT");
        let write = |data: &[u8]| json!({"id": id, "data": b64(data)}).to_string();
        sockets
            .call("write", &write(b"abc"))
            .await
            .0
            .expect("3 bytes fit");
        let (over, _) = sockets.call("write", &write(b"defg")).await;
        assert_eq!(
            over.expect_err("over budget").data["code"],
            "ERR_SOCKET_LIMIT"
        );
    }

    #[tokio::test]
    async fn refused_and_unknown_hosts_fail_with_node_codes() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = free.local_addr().expect("addr").port();
        drop(free);
        let sockets = sockets(&["127.0.0.1"], SocketLimits::default());
        let (refused, _) = sockets
            .call(
                "connect",
                &json!({"host": "127.0.0.1", "port": port}).to_string(),
            )
            .await;
        let error = refused.expect_err("nothing listens");
        assert_eq!(error.data["code"], "ECONNREFUSED");
        assert_eq!(
            error.message,
            format!("connect ECONNREFUSED 127.0.0.1:{port}")
        );
        let (unknown, _) = sockets
            .call(
                "connect",
                &json!({"host": "no-such-host.invalid", "port": 80}).to_string(),
            )
            .await;
        assert_eq!(unknown.expect_err("no such name").data["code"], "ENOTFOUND");
        let (bad, _) = sockets.call("connect", r#"{"host": 1}"#).await;
        assert_eq!(bad.expect_err("bad args").data["code"], "ERR_INVALID_ARG");
    }
}
