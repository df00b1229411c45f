//! An HTTP/1.1 load client that keeps every request's latency.
//!
//! `scripts/bench-many` used wrk, whose tail figures failed a sanity check:
//! at 1,698 requests/s over 4 connections it reported a mean latency of
//! 11.8 ms where Little's law allows 2.4 ms, and a p99 of 328 ms in a 10 s
//! run. This client records each request's time from the first byte sent
//! to the last byte read and prints its own Little's-law check, so its
//! percentiles can be trusted.
//!
//! ```text
//! load --targets FILE [--connections 4] [--threads 2] [--seconds 10]
//!      [--rate PER_SECOND] [--show-slow MS] [--authority 127.0.0.1:PORT]
//! ```
//!
//! Closed loop by default: each connection sends its next request as soon
//! as the last one is answered, which measures throughput, while latency
//! is mostly time queued behind the other connections. `--rate` makes the
//! load open: requests go out on a fixed schedule spread over the
//! connections, and a request sent late because the previous one on its
//! connection was slow counts from when it was due (as wrk2 does), so a
//! stall shows in the percentiles instead of holding the load back.
//!
//! FILE holds one JSON object per line: `{"path", "authorization", "body"}`
//! (a POST each). Each connection rotates over the targets from its own
//! starting point. Exits non-zero when a request fails to complete.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use benches::percentile;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};

struct Target {
    path: String,
    authorization: String,
    body: Bytes,
}

struct Options {
    targets: Vec<Target>,
    authority: String,
    connections: usize,
    threads: usize,
    duration: Duration,
    /// Requests per second over all connections; `None` for a closed loop.
    rate: Option<f64>,
    /// Requests slower than this are listed by when they were due.
    show_slow: Option<Duration>,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    not_2xx: u64,
    first_failure: Option<String>,
    /// With `--show-slow`: when each slow request was due (since the
    /// start) and how long it took.
    slow: Vec<(Duration, Duration)>,
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Arc::new(options);
    let started = Instant::now();
    let deadline = started + options.duration;
    let per_thread = options.connections.div_ceil(options.threads);
    let threads: Vec<_> = (0..options.threads)
        .map(|t| {
            let options = Arc::clone(&options);
            let first = t * per_thread;
            let last = ((t + 1) * per_thread).min(options.connections);
            std::thread::spawn(move || run_thread(&options, first..last, deadline))
        })
        .collect();
    let mut tallies = Vec::new();
    for thread in threads {
        match thread.join() {
            Ok(Ok(t)) => tallies.extend(t),
            Ok(Err(e)) => {
                eprintln!("load: {e}");
                return ExitCode::FAILURE;
            }
            Err(_) => return ExitCode::FAILURE,
        }
    }
    let elapsed = started.elapsed();
    report(&options, tallies, elapsed);
    ExitCode::SUCCESS
}

/// One current-thread tokio runtime per OS thread, its connections as
/// local tasks.
fn run_thread(
    options: &Arc<Options>,
    connections: std::ops::Range<usize>,
    deadline: Instant,
) -> Result<Vec<Tally>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let tasks: Vec<_> = connections
            .map(|c| {
                let options = Arc::clone(options);
                let start = c * options.targets.len() / options.connections;
                tokio::task::spawn_local(
                    async move { run_connection(&options, start, deadline).await },
                )
            })
            .collect();
        let mut tallies = Vec::new();
        for task in tasks {
            tallies.push(task.await.map_err(|e| format!("connection task: {e}"))??);
        }
        Ok(tallies)
    })
}

async fn run_connection(
    options: &Options,
    start: usize,
    deadline: Instant,
) -> Result<Tally, String> {
    let (mut sender, connection) = benches::connect_http1(&options.authority).await?;
    tokio::task::spawn_local(async move {
        // A connection error shows up as a failed request below.
        let _ = connection.await;
    });
    let mut tally = Tally::default();
    let mut next = start;
    // Open loop: when this connection's next request is due, and its
    // share of the rate; the first at a phase of its own so the
    // connections do not send in step.
    let mut schedule = options.rate.map(|rate| {
        let interval = Duration::from_secs_f64(options.connections as f64 / rate);
        let phase = interval.mul_f64(start as f64 / options.targets.len() as f64);
        (Instant::now() + phase, interval)
    });
    while Instant::now() < deadline {
        let target = &options.targets[next % options.targets.len()];
        next += 1;
        // When the request is on time, the wait is the client's and the
        // latency counts from the send; when it is late, from when it was due.
        let mut late_since = None;
        if let Some((due, interval)) = schedule.as_mut() {
            if Instant::now() < *due {
                tokio::time::sleep_until((*due).into()).await;
            } else {
                late_since = Some(*due);
            }
            *due += *interval;
        }
        let request = Request::post(&target.path)
            .header(HOST, &options.authority)
            .header(AUTHORIZATION, &target.authorization)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(target.body.clone()))
            .map_err(|e| format!("request for {}: {e}", target.path))?;
        sender
            .ready()
            .await
            .map_err(|e| format!("connection closed: {e}"))?;
        let sent = Instant::now();
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("POST {}: {e}", target.path))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("POST {}: body: {e}", target.path))?
            .to_bytes();
        let from = late_since.map_or(sent, |due| due.min(sent));
        let latency = from.elapsed();
        tally.latencies.push(latency);
        if options.show_slow.is_some_and(|slow| latency > slow) {
            let since_start = from.saturating_duration_since(deadline - options.duration);
            tally.slow.push((since_start, latency));
        }
        if !status.is_success() {
            tally.not_2xx += 1;
            tally.first_failure.get_or_insert_with(|| {
                format!(
                    "POST {}: {status} {}",
                    target.path,
                    String::from_utf8_lossy(&body)
                )
            });
        }
    }
    Ok(tally)
}

fn report(options: &Options, tallies: Vec<Tally>, elapsed: Duration) {
    let not_2xx: u64 = tallies.iter().map(|t| t.not_2xx).sum();
    let mut slow: Vec<_> = tallies
        .iter()
        .flat_map(|t| t.slow.iter().copied())
        .collect();
    let failure = tallies.iter().find_map(|t| t.first_failure.clone());
    let mut latencies: Vec<Duration> = tallies.into_iter().flat_map(|t| t.latencies).collect();
    let n = latencies.len();
    if n == 0 {
        println!("   no request completed");
        return;
    }
    let rate = n as f64 / elapsed.as_secs_f64();
    let mean = latencies.iter().sum::<Duration>() / n as u32;
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!(
        "   Requests/sec: {rate:.0} ({n} in {:.1} s)",
        elapsed.as_secs_f64()
    );
    println!(
        "   latency p50 {}, p90 {}, p99 {}, p99.9 {}, max {}",
        ms(percentile(&mut latencies, 0.50)),
        ms(percentile(&mut latencies, 0.90)),
        ms(percentile(&mut latencies, 0.99)),
        ms(percentile(&mut latencies, 0.999)),
        ms(latencies[n - 1]),
    );
    // Little's law: connections = rate × mean latency, less the client's
    // own time between a response and the next request (and, open loop,
    // the time connections wait for their next request's turn).
    println!(
        "   mean {}; rate × mean = {:.2} of {} connections busy{}",
        ms(mean),
        rate * mean.as_secs_f64(),
        options.connections,
        options
            .rate
            .map_or(String::new(), |r| format!(" (open loop at {r:.0}/s)"))
    );
    if let Some(limit) = options.show_slow {
        // Grouped by the 100 ms in which they were due: a stall of the
        // server shows as many connections slow at once.
        slow.sort();
        let mut groups: Vec<(u128, usize, Duration)> = Vec::new();
        for (at, latency) in slow {
            let bucket = at.as_millis() / 100;
            match groups.last_mut() {
                Some((b, count, worst)) if *b == bucket => {
                    *count += 1;
                    *worst = (*worst).max(latency);
                }
                _ => groups.push((bucket, 1, latency)),
            }
        }
        println!("   slower than {}: {} groups", ms(limit), groups.len());
        for (bucket, count, worst) in groups {
            println!(
                "     due at {:.1} s: {count}, the slowest {}",
                bucket as f64 / 10.0,
                ms(worst)
            );
        }
    }
    if not_2xx > 0 {
        println!(
            "   Non-2xx responses: {not_2xx} (first: {})",
            failure.unwrap_or_default()
        );
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut targets = None;
    let mut authority = "127.0.0.1:18384".to_owned();
    let mut connections = 4;
    let mut threads = 2;
    let mut seconds = 10.0;
    let mut rate = None;
    let mut show_slow = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--targets" => targets = Some(value()?),
            "--authority" => authority = value()?,
            "--connections" => connections = number(&arg, &value()?)?,
            "--threads" => threads = number(&arg, &value()?)?,
            "--seconds" => seconds = number(&arg, &value()?)?,
            "--rate" => rate = Some(number(&arg, &value()?)?),
            "--show-slow" => {
                let ms: f64 = number(&arg, &value()?)?;
                show_slow = Some(Duration::from_secs_f64(ms.max(0.0) / 1e3));
            }
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    let path = targets.ok_or("--targets FILE is required")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let targets = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", i + 1))?;
            let field = |name: &str| {
                v[name]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{path}:{}: no string {name:?}", i + 1))
            };
            Ok(Target {
                path: field("path")?,
                authorization: field("authorization")?,
                body: Bytes::from(field("body")?),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if targets.is_empty() {
        return Err(format!("{path}: no targets"));
    }
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if connections == 0 || threads == 0 || !positive(seconds) || rate.is_some_and(|r| !positive(r))
    {
        return Err("connections, threads, seconds and rate must be positive".into());
    }
    Ok(Options {
        targets,
        authority,
        connections,
        threads: threads.min(connections),
        duration: Duration::from_secs_f64(seconds),
        rate,
        show_slow,
    })
}

fn number<T: std::str::FromStr<Err: std::fmt::Display>>(
    arg: &str,
    value: &str,
) -> Result<T, String> {
    value.parse().map_err(|e| format!("{arg}: {e}"))
}
