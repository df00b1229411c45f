//! The host-call bridge: guest awaits, host performs, limits hold.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sandbox::{ErrorKind, HostCall, HostCallError, HostCallFuture, HostCalls, Limits};
use serde_json::{Value, json};

use crate::support::*;

/// `echo` returns its args; `sleep` waits `ms` then returns them; `fail`
/// fails with extra properties; `big` returns `n` bytes. Records every call.
#[derive(Default)]
struct TestHost {
    calls: Mutex<Vec<(String, Value)>>,
}

impl HostCalls for TestHost {
    fn metered(&self, name: &str) -> bool {
        name != "unmetered"
    }

    fn call(&self, call: HostCall) -> HostCallFuture {
        let args: Value = serde_json::from_str(call.args.get()).unwrap_or(Value::Null);
        self.calls
            .lock()
            .expect("lock")
            .push((call.name.clone(), args.clone()));
        Box::pin(async move {
            match call.name.as_str() {
                "echo" | "unmetered" => Ok(args),
                "thread" => Ok(json!(std::thread::current().name().unwrap_or(""))),
                "sleep" => {
                    let ms = args["ms"].as_u64().unwrap_or(0);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(args)
                }
                "fail" => {
                    let mut error =
                        HostCallError::new("PlatformError", "request failed with status 404");
                    error.data.insert(
                        "response".into(),
                        json!({ "status": 404, "data": { "error": "NotFound" } }),
                    );
                    Err(error)
                }
                "big" => Ok(Value::String(
                    "z".repeat(args["n"].as_u64().unwrap_or(0) as usize),
                )),
                other => Err(HostCallError::unknown_operation(other)),
            }
        })
    }
}

const HANDLER: &str = r#"
const host = require('chatfn:host');
async function handleEvent(e) {
  switch (e.test) {
    case 'echo': return await host.call('echo', { hello: e.who, list: [1, 2, 3] });
    case 'fail':
      try { await host.call('fail', {}); return 'no error'; }
      catch (err) { return { name: err.name, message: err.message, status: err.response.status, data: err.response.data }; }
    case 'parallel': {
      const started = Date.now();
      const results = await Promise.all([1, 2, 3, 4].map((i) => host.call('sleep', { ms: 100, i })));
      return { order: results.map((r) => r.i), ms: Date.now() - started };
    }
    case 'sequence': {
      const out = [];
      for (let i = 0; i < 5; i++) out.push((await host.call('echo', { i })).i);
      return out;
    }
    case 'unknown': return await host.call('nope', {}).catch((err) => err.message);
    case 'many': {
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => host.call('echo', { i })));
      return outcomes.map((o) => o.status === 'fulfilled' ? 'ok' : o.reason.message);
    }
    case 'unmetered': {
      // More unmetered calls than the limit, then metered ones up to it.
      const free = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => host.call('unmetered', { i })));
      const metered = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => host.call('echo', { i })));
      return [free, metered].map((list) => list.map((o) => o.status === 'fulfilled' ? 'ok' : o.reason.message));
    }
    case 'large-args': return await host.call('echo', { blob: 'a'.repeat(5000) }).catch((err) => err.message);
    case 'large-result': return await host.call('big', { n: 5000 }).then((s) => s.length, (err) => err.message);
    case 'long': {
      // Past the free run (1 ms of CPU): the guest moves to the long lane.
      // Counted, not timed: a spin until a wall-clock deadline gets less
      // CPU than its length when the machine is busy.
      const spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x = (x + i) | 0; return n; };
      spin(300000);
      const thread = await host.call('thread', {});
      const echoed = (await host.call('echo', { after: 'spin' })).after;
      return { spun: spin(10000) > 0, thread, echoed };
    }
    case 'timer-and-call': {
      const events = [];
      setTimeout(() => events.push('timer'), 20);
      events.push((await host.call('sleep', { ms: 60, v: 'call' })).v);
      return events;
    }
  }
}
"#;

fn small_limits() -> Limits {
    Limits {
        max_host_calls: 3,
        max_host_call_bytes: 1000,
        ..Limits::default()
    }
}

async fn call(test: &str, limits: &Limits) -> (Value, Arc<TestHost>) {
    let host = Arc::new(TestHost::default());
    let image = image(&handler(HANDLER)).await;
    let outcome = run_with(
        &image,
        json!({ "test": test, "who": "guest" }),
        limits,
        host.clone(),
    )
    .await;
    (result(&outcome), host)
}

#[tokio::test]
async fn round_trip() {
    let (value, host) = call("echo", &Limits::default()).await;
    assert_eq!(value, json!({ "hello": "guest", "list": [1, 2, 3] }));
    let calls = host.calls.lock().expect("lock");
    assert_eq!(
        calls.as_slice(),
        &[(
            "echo".to_string(),
            json!({ "hello": "guest", "list": [1, 2, 3] })
        )]
    );
}

#[tokio::test]
async fn a_long_guests_calls_are_served_off_the_long_lane() {
    let host = Arc::new(TestHost::default());
    let image = image(&handler(HANDLER)).await;
    // The second run starts on the lane: the first ran long.
    for _ in 0..2 {
        let outcome = run_with(
            &image,
            json!({ "test": "long" }),
            &Limits::default(),
            host.clone(),
        )
        .await;
        let value = result(&outcome);
        assert_eq!(value["spun"], json!(true), "{value}");
        assert_eq!(value["echoed"], json!("spin"), "{value}");
        let thread = value["thread"].as_str().unwrap_or_default();
        assert_ne!(
            thread, "chatfn-long",
            "a host call ran at the lane's priority"
        );
        assert!(
            outcome.cpu >= Duration::from_millis(5),
            "CPU {:?}",
            outcome.cpu
        );
    }
}

#[tokio::test]
async fn errors_carry_their_properties() {
    let (value, _) = call("fail", &Limits::default()).await;
    assert_eq!(
        value,
        json!({ "name": "PlatformError", "message": "request failed with status 404", "status": 404, "data": { "error": "NotFound" } })
    );
}

#[tokio::test]
async fn calls_run_concurrently() {
    let started = Instant::now();
    let (value, _) = call("parallel", &Limits::default()).await;
    assert_eq!(value["order"], json!([1, 2, 3, 4]));
    // Four 100 ms calls in parallel, not in sequence (coarse bound).
    assert!(
        started.elapsed() < Duration::from_millis(390),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn sequential_calls_resume_each_time() {
    let (value, host) = call("sequence", &Limits::default()).await;
    assert_eq!(value, json!([0, 1, 2, 3, 4]));
    assert_eq!(host.calls.lock().expect("lock").len(), 5);
}

#[tokio::test]
async fn unknown_operations_reject() {
    let (value, _) = call("unknown", &Limits::default()).await;
    assert_eq!(value, json!("unknown host operation 'nope'"));
}

#[tokio::test]
async fn call_count_is_limited() {
    let (value, host) = call("many", &small_limits()).await;
    let refused = "the invocation made too many host calls ('echo')";
    assert_eq!(value, json!(["ok", "ok", "ok", refused, refused]));
    assert_eq!(host.calls.lock().expect("lock").len(), 3);
}

#[tokio::test]
async fn calls_the_host_does_not_meter_are_outside_the_count() {
    let (value, host) = call("unmetered", &small_limits()).await;
    let refused = "the invocation made too many host calls ('echo')";
    assert_eq!(value, json!([vec!["ok"; 10], ["ok", "ok", "ok", refused]]),);
    assert_eq!(host.calls.lock().expect("lock").len(), 13);
}

#[tokio::test]
async fn call_size_is_limited_both_ways() {
    let (args, host) = call("large-args", &small_limits()).await;
    assert_eq!(args, json!("the host call is too large ('echo')"));
    assert!(host.calls.lock().expect("lock").is_empty());
    let (result, _) = call("large-result", &small_limits()).await;
    assert!(
        result
            .as_str()
            .unwrap_or("")
            .contains("limit is 1000 bytes"),
        "{result}"
    );
}

#[tokio::test]
async fn timers_fire_while_a_call_is_pending() {
    let (value, _) = call("timer-and-call", &Limits::default()).await;
    assert_eq!(value, json!(["timer", "call"]));
}

#[tokio::test]
async fn a_hanging_host_call_ends_in_timeout() {
    let image = image(&handler(
        "async function handleEvent() { return require('chatfn:host').call('sleep', { ms: 60000 }); }",
    ))
    .await;
    let limits = Limits {
        timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let outcome = run_with(&image, json!({}), &limits, Arc::new(TestHost::default())).await;
    assert_eq!(outcome.error_kind(), Some(ErrorKind::Timeout));
}
