//! What the bench binaries in `benches/` share: latency percentiles of
//! single samples (criterion reports means of batches, and start-up cost is
//! a latency), the two ways of measuring a warm start, and a keep-alive
//! HTTP/1.1 connection to `chatfn serve`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use sandbox::Image;

/// One keep-alive HTTP/1.1 connection to `authority`: the sender, and the
/// connection, which the caller spawns on its runtime.
pub async fn connect_http1(
    authority: &str,
) -> Result<
    (
        SendRequest<Full<Bytes>>,
        Connection<TokioIo<tokio::net::TcpStream>, Full<Bytes>>,
    ),
    String,
> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect to {authority}: {e}"))?;
    // Requests are small writes: Nagle would hold them back.
    stream
        .set_nodelay(true)
        .map_err(|e| format!("TCP_NODELAY: {e}"))?;
    hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP/1.1 handshake: {e}"))
}

/// The `q` quantile of `samples` (sorts them).
pub fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)]
}

/// Prints p50/p90/p99 of `samples` under `name`.
pub fn print_percentiles(name: &str, mut samples: Vec<Duration>) {
    let show = |d: Duration| {
        if d < Duration::from_millis(1) {
            format!("{:.1} µs", d.as_secs_f64() * 1e6)
        } else {
            format!("{:.2} ms", d.as_secs_f64() * 1e3)
        }
    };
    println!(
        "{name}: p50 {}, p90 {}, p99 {} (n = {})",
        show(percentile(&mut samples, 0.50)),
        show(percentile(&mut samples, 0.90)),
        show(percentile(&mut samples, 0.99)),
        samples.len()
    );
}

/// Waits (untimed, at most a second) until `image`'s warm pool has an
/// instance ready, so the next invocation is a warm start.
pub fn wait_warm(image: &Image) {
    let started = Instant::now();
    while image.warm_instances() == 0 && started.elapsed() < Duration::from_secs(1) {
        std::thread::yield_now();
    }
}

/// Invocations under sustained load: back to back, as a hot function sees
/// them (and as the Node.js `vm` peer is measured), while the warmer
/// refills the pool from the other thread. `invoke` times one. Returns
/// every sample, and apart the samples of the invocations that found an
/// instance ready (warm starts).
pub fn back_to_back(
    image: &Image,
    samples: usize,
    mut invoke: impl FnMut() -> Duration,
) -> (Vec<Duration>, Vec<Duration>) {
    let mut all = Vec::with_capacity(samples);
    let mut warm = Vec::with_capacity(samples);
    for _ in 0..samples {
        // The bench thread is the only taker: an instance seen here is the
        // one the next invocation takes.
        let ready = image.warm_instances() > 0;
        let elapsed = invoke();
        all.push(elapsed);
        if ready {
            warm.push(elapsed);
        }
    }
    (all, warm)
}
