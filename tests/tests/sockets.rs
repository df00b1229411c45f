//! Outbound TCP from handlers (`net`, and `http` over the fetch host call)
//! under `chatfn serve`: the egress policy applies, and every connection is
//! in the invocation's log.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::server::{Client, Server};
use crate::service::{START, deploy};

/// A loopback server that answers each line with it upper-cased; counts
/// the connections it accepted.
fn echo_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut buf = [0u8; 256];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 || stream.write_all(&buf[..n].to_ascii_uppercase()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, accepted)
}

const TALKER: &str = r#"
const net = require('net');
async function handleEvent(event: any) {
  const port = event.authParams.port;
  return await new Promise((resolve) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write('ping\n'));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; if (data.endsWith('\n')) socket.end(); });
    socket.on('error', (e: any) => resolve({ error: e.code, message: e.message }));
    socket.on('close', () => { if (data) resolve({ data }); });
  });
}
"#;

fn talk(client: &Client, port: u16) -> Value {
    let reply = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada", "authParams": { "port": port } }),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

#[test]
fn tcp_connections_follow_the_egress_policy_and_are_logged() {
    let (port, accepted) = echo_server();

    // Loopback is internal: refused by default, and nothing connects.
    let server = Server::start();
    let client = server.client(&server.create_app("tcp-denied", &[]));
    deploy(&client, START, TALKER, None);
    let out = talk(&client, port);
    assert_eq!(
        out["result"]["payload"]["error"], "ERR_EGRESS_DENIED",
        "{out}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
    let id = out["invocationId"].as_i64().expect("id");
    let calls = client.get(&format!("/v1/invocations/{id}")).body["calls"].clone();
    assert_eq!(calls[0]["method"], "CONNECT", "{calls}");
    assert_eq!(calls[0]["path"], format!("tcp://127.0.0.1:{port}"));
    assert_eq!(calls[0]["error"], "ERR_EGRESS_DENIED");

    // Allowed by the operator: bytes go both ways and the connect is logged.
    let server = Server::start_with(&["--fetch-allow", "127.0.0.1"]);
    let client = server.client(&server.create_app("tcp-allowed", &[]));
    deploy(&client, START, TALKER, None);
    let out = talk(&client, port);
    assert_eq!(out["result"]["payload"]["data"], "PING\n", "{out}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    let id = out["invocationId"].as_i64().expect("id");
    let calls = client.get(&format!("/v1/invocations/{id}")).body["calls"].clone();
    assert_eq!(calls[0]["method"], "CONNECT", "{calls}");
    assert_eq!(calls[0]["path"], format!("tcp://127.0.0.1:{port}"));
    assert!(calls[0].get("error").is_none(), "{calls}");
    assert!(calls[0]["durationMs"].as_f64().is_some());
}
