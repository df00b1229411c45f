//! Slow and idle clients cannot hold the server: connections that never
//! finish their headers, or sit idle after a request, are closed, while
//! new clients are served.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::server::Server;

/// Whether the server has closed `stream` (without blocking).
fn closed(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // Whatever it answered (a 408, say), keep reading to the end.
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn partial_headers_and_idle_connections_are_closed_while_others_are_served() {
    let server = Server::start_with(&["--header-timeout-ms", "3000"]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut slow: Vec<TcpStream> = (0..2000)
        .map(|_| {
            let mut stream = TcpStream::connect(&address).expect("connects");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: chatfn\r\nX-Slow: ")
                .expect("writes half a header");
            stream.set_nonblocking(true).expect("nonblocking");
            stream
        })
        .collect();
    eprintln!("2000 half-sent headers in {:?}", started.elapsed());

    // Meanwhile, a new client is served at once.
    let health = ureq::get(&format!("{}/healthz", server.base))
        .call()
        .expect("answers");
    assert_eq!(health.status(), 200);

    // An idle keep-alive connection after a full request is closed too.
    let mut idle = TcpStream::connect(&address).expect("connects");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: chatfn\r\n\r\n")
        .expect("writes");
    let mut answer = [0u8; 256];
    let n = idle.read(&mut answer).expect("an answer");
    assert!(
        answer[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer[..n])
    );
    idle.set_nonblocking(true).expect("nonblocking");

    let deadline = started + Duration::from_secs(30);
    loop {
        slow.retain_mut(|stream| !closed(stream));
        if slow.is_empty() && closed(&mut idle) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} half-header connections still open after 30 s",
            slow.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("all closed after {:?}", started.elapsed());
    // And the server still serves.
    let health = ureq::get(&format!("{}/healthz", server.base))
        .call()
        .expect("answers");
    assert_eq!(health.status(), 200);
}
