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

const CRYPTO: &str = r#"
const RSA_PKCS1 = __PEM__;

async function handleEvent() {
  const crypto = require('crypto');
  const { subtle } = globalThis.crypto;
  const hex = (b) => Buffer.from(b).toString('hex');
  const b64url = (h) => Buffer.from(h, 'hex').toString('base64url');
  // RFC 8032 test 1.
  const edSeed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const edPublic = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const ed = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(edSeed), x: b64url(edPublic) }, format: 'jwk' });
  // NIST GCM test case 2: zero key, IV and block.
  const gcm = crypto.createCipheriv('aes-128-gcm', Buffer.alloc(16), Buffer.alloc(12));
  const gcmText = Buffer.concat([gcm.update(Buffer.alloc(16)), gcm.final()]);
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const es256 = crypto.sign('sha256', Buffer.from('chatfn'), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  const alice = crypto.createECDH('prime256v1');
  const bob = crypto.createECDH('prime256v1');
  const hmacKey = await subtle.importKey('raw', Buffer.from('key'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return {
    ed25519: [hex(crypto.createPublicKey(ed).export({ format: 'der', type: 'spki' })).slice(24), hex(crypto.sign(null, Buffer.alloc(0), ed))],
    gcm: [hex(gcmText), hex(gcm.getAuthTag())],
    rs256: crypto.sign('sha256', Buffer.from('chatfn'), RSA_PKCS1).toString('base64'),
    es256: [es256.length, crypto.verify('sha256', Buffer.from('chatfn'), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, es256)],
    ecdh: [alice.generateKeys(), bob.generateKeys()] && hex(alice.computeSecret(bob.getPublicKey())) === hex(bob.computeSecret(alice.getPublicKey())),
    // RFC 5869 test 1, RFC 6070 test 1, RFC 7914 test 1, RFC 3394 test 4.1.
    hkdf: hex(crypto.hkdfSync('sha256', Buffer.from('0b'.repeat(22), 'hex'), Buffer.from('000102030405060708090a0b0c', 'hex'), Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'), 42)),
    pbkdf2: crypto.pbkdf2Sync('password', 'salt', 1, 20, 'sha1').toString('hex'),
    scrypt: crypto.scryptSync('', '', 64, { N: 16, r: 1, p: 1 }).toString('hex').slice(0, 32),
    wrap: crypto.createCipheriv('id-aes128-wrap', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'), Buffer.alloc(8, 0xa6)).update(Buffer.from('00112233445566778899aabbccddeeff', 'hex')).toString('hex'),
    subtleHmac: hex(await subtle.sign('HMAC', hmacKey, Buffer.from('The quick brown fox jumps over the lazy dog'))),
  };
}
"#;

#[tokio::test]
async fn crypto_works_in_the_guest() {
    let pem = serde_json::to_string(RSA_PKCS1_PEM).expect("a JSON string");
    let image = image(&handler(&CRYPTO.replace("__PEM__", &pem))).await;
    let outcome = run(&image, json!({})).await;
    assert_eq!(
        result(&outcome),
        json!({
            "ed25519": [
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ],
            "gcm": ["0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"],
            // Node's own PKCS#1 v1.5 signature with the same key.
            "rs256": "IE+LmIqkTqR4r4vb/zky96GWhqFJdlOpB+2PmJyjW+x+ydC37MbTBryHZG+Gp+/BYHeXNop4I2j65zO5Eg06H9f0JQjjWQHrjvLcCzL579bQdJm64DTG/XxcCREI29RtlZhJwyek8BqkfA6jl6kiEqT0C31+gHQ89BKKphLFZXA=",
            "es256": [64, true],
            "ecdh": true,
            "hkdf": "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            "pbkdf2": "0c60c80f961f0e71f3a9b524af6012062fe037a6",
            "scrypt": "77d6576238657b203b19ca42c18a0497",
            "wrap": "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5",
            "subtleHmac": "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        })
    );
}

/// A 1024-bit RSA key (made by Node once) for the deterministic RS256 check.
const RSA_PKCS1_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIICWwIBAAKBgQDc3VecUmy4Gda+10UJ39RWfLm68pHCADm1DlTfgKdHhb/su/SL\n8hkpUzRwPfqmP9lyUfCWafBrn0AQVMtf7y+0Svsh7Ronmuqw2/PU1CF0x2IsHirr\nj5T3P7yOrHfcTLCzPwCcfbvrFSyNx8IK8TCTH4Lcy3bSpIvr3Fu9Nt+maQIDAQAB\nAoGATecUm+LGzjju8elkRJNahhcAO9yLZO5HbIFdlmf+mM+oXov9Oc9u6JCckmqK\nGlGzFQup3KQJVSyaoCgIhBINtNZuo8PV94KQVNiKce/2GTUAYEWz12U4VSZ9hXGY\n/pdkSO6pPRfBVsNlsaCjwdsA6YFXnd6httQZcQIU8nhJovECQQDvK3gwux25XtVk\nSBFZT2gpfa5l6AGBtVQI1BasIKz+dHEY0TXZzJhOBl1bXTKkM7ImOPOP78qOl+HR\nrt9QRhZ3AkEA7GgdD61dgqk7zoDmUN6d+DMElcvIr5DCopFVrg00WfFNUvJcTs+T\n7r8vKD9t9EWca1gvEOrGdbknjLamjvoCHwJAJ8r7vF/lmioFJyI2gL2NfxnCIoJv\nfb1FthJTk1/8aHnHN3HXm91GmfTFI6Zl/pv7UBC5tYEYGpF6qQCHdzuyEQJAI88V\nb9V7z5ng1EPUHzXJSdo4fJQ0nttXkBZhmw6m+mTBqKnLb6ijqMtO0lLhTdnpep0N\n7AsT6qsUIY1dJ1UZUwJACorRhrpSdm1/zdk8eOVk0JEXCB62lOd8FRF5ynQWNbEB\nd6udB3ZXNZusZGpjwK5IIZQRIXHVTAegrOZk+vQ+Iw==\n-----END RSA PRIVATE KEY-----\n";

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
