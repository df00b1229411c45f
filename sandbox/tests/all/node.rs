//! Node built-in shims and `fetch`, in the real guest: the behaviour pure-JS
//! packages rely on. (The shims' detailed comparison with Node runs in
//! `sandbox/guest/prelude-tests`; this checks they are wired and work under
//! QuickJS, natives included.)

use std::sync::{Arc, Mutex};

use sandbox::{HostCall, HostCallError, HostCallFuture, HostCalls, Limits};
use serde_json::{Value, json};

use crate::support::*;

const BUILTINS: &str = r#"
async function handleEvent() {
  const { Buffer } = require('buffer');
  const crypto = require('node:crypto');
  const EventEmitter = require('events');
  const util = require('util');
  const path = require('path');
  const url = require('url');
  const qs = require('querystring');
  const assert = require('assert');
  const { StringDecoder } = require('string_decoder');
  const timers = require('timers/promises');

  const order = [];
  const e = new EventEmitter();
  e.on('x', (v) => order.push('on:' + v));
  e.once('x', (v) => order.push('once:' + v));
  e.emit('x', 1); e.emit('x', 2);

  const decoder = new StringDecoder('utf8');
  const euro = Buffer.from('€');
  const decoded = decoder.write(euro.subarray(0, 1)) + decoder.write(euro.subarray(1)) + decoder.end();

  let assertion;
  try { assert.deepStrictEqual({ a: 1 }, { a: 2 }); } catch (err) { assertion = [err.name, err.code]; }

  const waited = await timers.setTimeout(5, 'later');
  let unavailable;
  try { require('node:test'); } catch (err) { unavailable = err.message; }

  return {
    global: typeof Buffer === 'function' && globalThis.Buffer === Buffer,
    base64: Buffer.from('héllo wörld').toString('base64'),
    hex: Buffer.from('cafe', 'hex').readUInt16BE(0),
    concat: Buffer.concat([Buffer.from('ab'), Buffer.from([0x63])]).toString(),
    md5: crypto.createHash('md5').update('').digest('hex'),
    sha1: crypto.createHash('sha1').update('a').update('bc').digest('hex'),
    sha256: crypto.createHash('sha256').update(Buffer.from('abc')).digest('base64'),
    sha512: crypto.createHash('sha512').update('abc').digest('hex').slice(0, 16),
    hmac: crypto.createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'),
    random: [crypto.randomBytes(16).length, /^[0-9a-f-]{36}$/.test(crypto.randomUUID())],
    events: order,
    format: util.format('%s=%d %j', 'a', 42, { b: 1 }),
    promisified: await util.promisify((x, cb) => cb(null, x * 2))(21),
    inherits: typeof util.inherits,
    path: [path.join('/a', '../b', 'c'), path.extname('x.tar.gz'), path.relative('/a/b', '/a/c/d')],
    url: url.parse('http://u@example.com:8080/p?q=1#h').port,
    query: qs.stringify({ a: [1, 2], b: 'x y' }),
    decoded,
    assertion,
    waited,
    unavailable,
  };
}
"#;

#[tokio::test]
async fn node_builtins_work_in_the_guest() {
    let image = image(&handler(BUILTINS)).await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(
        result(&outcome),
        json!({
            "global": true,
            "base64": "aMOpbGxvIHfDtnJsZA==",
            "hex": 0xcafe,
            "concat": "abc",
            "md5": "d41d8cd98f00b204e9800998ecf8427e",
            "sha1": "a9993e364706816aba3e25717850c26c9cd0d89d",
            "sha256": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
            "sha512": "ddaf35a193617aba",
            "hmac": "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
            "random": [16, true],
            "events": ["on:1", "once:1", "on:2"],
            "format": "a=42 {\"b\":1}",
            "promisified": 42,
            "inherits": "function",
            "path": ["/b/c", ".gz", "../c/d"],
            "url": "8080",
            "query": "a=1&a=2&b=x%20y",
            "decoded": "€",
            "assertion": ["AssertionError", "ERR_ASSERTION"],
            "waited": "later",
            "unavailable": "module 'node:test' is not available in the chat runtime",
        })
    );
}

/// Answers `fetch` host calls with a canned response; records requests.
#[derive(Default)]
struct FakeNetwork {
    requests: Mutex<Vec<Value>>,
}

impl HostCalls for FakeNetwork {
    fn call(&self, call: HostCall) -> HostCallFuture {
        let request: Value = serde_json::from_str(call.args.get()).unwrap_or(Value::Null);
        self.requests.lock().expect("lock").push(request.clone());
        Box::pin(async move {
            if call.name != "fetch" {
                return Err(HostCallError::unknown_operation(&call.name));
            }
            if request["url"] == "https://down.example/" {
                let mut error = HostCallError::new("FetchError", "connection refused");
                error.data.insert("code".into(), json!("ERR_NETWORK"));
                return Err(error);
            }
            Ok(json!({
                "status": 201,
                "statusText": "Created",
                "url": request["url"],
                "headers": [["content-type", "application/json"], ["x-echo", request["headers"][0][1]]],
                "body": "{\"ok\":true,\"n\":3}",
                "bodyEncoding": "utf8",
            }))
        })
    }
}

const FETCH: &str = r#"
async function handleEvent() {
  const response = await fetch('https://api.example/items?x=1#frag', {
    method: 'post',
    headers: { 'X-Token': 'secret', 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'ada' }),
  });
  const data = await response.json();
  let failure;
  try { await fetch('https://down.example/'); } catch (err) { failure = [err.name, err.message, err.cause.code]; }
  return {
    status: response.status, ok: response.ok, statusText: response.statusText,
    type: response.headers.get('Content-Type'), echo: response.headers.get('x-echo'),
    data, used: response.bodyUsed, failure,
    classes: [typeof Headers, typeof Request, typeof Response],
  };
}
"#;

#[tokio::test]
async fn fetch_goes_through_the_host() {
    let image = image(&handler(FETCH)).await;
    let network = Arc::new(FakeNetwork::default());
    let outcome = run_with(&image, json!({}), &Limits::default(), network.clone()).await;
    assert_eq!(
        result(&outcome),
        json!({
            "status": 201, "ok": true, "statusText": "Created",
            "type": "application/json", "echo": "application/json",
            "data": { "ok": true, "n": 3 }, "used": true,
            "failure": ["TypeError", "fetch failed", "ERR_NETWORK"],
            "classes": ["function", "function", "function"],
        })
    );
    let requests = network.requests.lock().expect("lock").clone();
    assert_eq!(
        requests[0],
        json!({
            "url": "https://api.example/items?x=1",
            "method": "POST",
            "headers": [["content-type", "application/json"], ["x-token", "secret"]],
            "body": "{\"name\":\"ada\"}",
            "bodyEncoding": "utf8",
            "redirect": "follow",
        })
    );
}
