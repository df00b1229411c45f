'use strict';
// Loads the whole prelude, Node built-in shims included, in a vm context with
// stand-ins for the host's natives: hashes, randomness and most of the
// crypto natives from node:crypto (crypto-natives.js),
// and host calls answered by `respond(name, args)` (which returns or resolves
// to `{ ok, value }`), over the same JSON path as the real host.
const crypto = require('node:crypto');
const { load } = require('./load.js');
const { cryptoNatives } = require('./crypto-natives.js');

const FILES = ['inspect.js', 'console.js', 'base64.js', 'url.js', 'clone.js', 'web.js', 'timers.js', 'host.js',
  'modules.js', 'process.js', 'node_errors.js', 'web_events.js', 'node_buffer.js', 'web_encoding.js', 'node_events.js', 'node_util.js', 'node_path.js',
  'crypto_keys.js', 'node_crypto.js', 'web_crypto.js', 'web_streams.js', 'web_blob.js', 'fetch.js'];

// The algorithms the host's digest/hmac natives accept.
const ALGORITHMS = new Set(['md5', 'sha1', 'sha256', 'sha384', 'sha512']);

// `textCodecs: false` leaves out TextEncoder/TextDecoder (which javy gives
// the guest), so that the shims' own UTF-8 code runs instead.
function loadNode({ respond = () => ({ ok: false, value: { message: 'no host in this test' } }), textCodecs = true } = {}) {
  let env = null;
  // Natives return ArrayBuffers of the guest's realm, as the real ones do.
  const toGuest = (bytes) => {
    const ab = new (env.run('ArrayBuffer'))(bytes.length);
    new Uint8Array(ab).set(bytes);
    return ab;
  };
  const checkAlgorithm = (alg) => {
    if (!ALGORITHMS.has(alg)) throw new Error(`unsupported algorithm ${alg}`);
  };
  const calls = [];
  let nextId = 1;
  const native = {
    now: () => performance.now(),
    log: () => false,
    randomBytes: (n) => toGuest(crypto.randomBytes(n)),
    digest(alg, data) {
      checkAlgorithm(alg);
      return toGuest(crypto.createHash(alg).update(new Uint8Array(data)).digest());
    },
    hmac(alg, key, data) {
      checkAlgorithm(alg);
      return toGuest(crypto.createHmac(alg, new Uint8Array(key)).update(new Uint8Array(data)).digest());
    },
    ...cryptoNatives((bytes) => toGuest(bytes)),
    // Vendored libraries are evaluated in the guest's realm, as the host does.
    vendorEval: (name) => env.run(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'src', 'vendor', `${name}.js`), 'utf8')),
    callStart(name, json) {
      const id = nextId++;
      const args = JSON.parse(json);
      calls.push({ name, args });
      Promise.resolve(respond(name, args)).then(({ ok, value }) => {
        env.internal.complete(id, ok, JSON.stringify(value));
      });
      return id;
    },
  };
  env = load({ native, globals: textCodecs ? { TextEncoder, TextDecoder } : {} }, ...FILES);
  env.calls = calls;
  env.require = (name) => env.run(`require(${JSON.stringify(name)})`);
  return env;
}

/** Runs `fn` and reports its result (made plain) or the error's name, code and message. */
function outcome(fn) {
  try {
    return { value: plain(fn()) };
  } catch (err) {
    return { error: err && err.name, code: err && err.code, message: err && err.message };
  }
}

// Buffers (of either realm) compare by their bytes; arrays and plain objects
// of the guest's realm become this realm's, so deepStrictEqual can compare.
function plain(value) {
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  if (Array.isArray(value)) return Array.from(value, plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// A small deterministic PRNG so failures are reproducible.
function rng(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

module.exports = { loadNode, outcome, plain, rng };
