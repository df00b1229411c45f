'use strict';
// Compares crypto (src/prelude/node_crypto.js, over stand-ins for the host's
// digest/hmac/randomBytes natives) with node:crypto.
const test = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const { loadNode, outcome, plain, rng } = require('./node-env.js');

const env = loadNode();
const myCrypto = env.require('crypto');
const MyBuffer = env.run('Buffer');
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'SHA256', 'sha-256', 'RSA-SHA1'];
const OUTPUTS = [undefined, 'hex', 'base64', 'base64url', 'latin1', 'binary', 'buffer', 'ucs2', 'utf8', 'ascii', 'bogus'];

function randomInput(rand, B) {
  const kind = Math.floor(rand() * 4);
  const bytes = Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
  if (kind === 0) return B.from(bytes);
  if (kind === 1) return new Uint16Array(new Uint8Array(bytes.slice(0, bytes.length & ~1)).buffer);
  if (kind === 2) return String.fromCharCode(...bytes.map((b) => b * 7));
  return B.from(bytes).toString('hex');
}

test('hashes match node:crypto on random inputs and multiple updates', () => {
  const rand = rng(21);
  for (let i = 0; i < 300; i++) {
    const alg = ALGORITHMS[Math.floor(rand() * ALGORITHMS.length)];
    const output = OUTPUTS[Math.floor(rand() * OUTPUTS.length)];
    const parts = Array.from({ length: Math.floor(rand() * 4) }, () => {
      const seed = Math.floor(rand() * 1e9);
      const enc = [undefined, 'utf8', 'latin1', 'hex', 'base64', 'ascii', 'ucs2', 'bogus'][Math.floor(rand() * 8)];
      return { seed, enc };
    });
    const run = (c, B) => {
      const h = c.createHash(alg);
      for (const { seed, enc } of parts) {
        const data = randomInput(rng(seed), B);
        // An odd-length hex string is an error; use it only as hex when even.
        const useEnc = typeof data === 'string' && (enc !== 'hex' || data.length % 2 === 0) ? enc : undefined;
        assert.strictEqual(h.update(data, useEnc), h);
      }
      return h.digest(output);
    };
    assert.deepStrictEqual(plain(run(myCrypto, MyBuffer)), plain(run(crypto, Buffer)), `${alg} ${output} ${JSON.stringify(parts)}`);
  }
});

test('HMACs match node:crypto with keys of every kind and length', () => {
  const rand = rng(22);
  for (let i = 0; i < 300; i++) {
    const alg = ALGORITHMS[Math.floor(rand() * ALGORITHMS.length)];
    const keySeed = Math.floor(rand() * 1e9);
    const dataSeed = Math.floor(rand() * 1e9);
    const keyKind = Math.floor(rand() * 3);
    const output = OUTPUTS[Math.floor(rand() * OUTPUTS.length)];
    const run = (c, B) => {
      // Keys up to 300 bytes: longer than any block size, so they get hashed.
      let key = randomInput(rng(keySeed), B);
      if (keyKind === 1 && typeof key !== 'string') key = key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength);
      const h = c.createHmac(alg, key);
      h.update(randomInput(rng(dataSeed), B));
      h.update('tail');
      return h.digest(output);
    };
    assert.deepStrictEqual(plain(run(myCrypto, MyBuffer)), plain(run(crypto, Buffer)), `${alg} ${output}`);
  }
});

test('hash API details and errors match node:crypto', () => {
  const cases = [
    (c) => c.createHash('foo'),
    (c) => c.createHash(5),
    (c) => c.createHmac('foo', 'k'),
    (c) => c.createHmac('sha256', 5),
    (c) => c.createHmac('sha256', null),
    (c) => c.createHmac('sha256', 'a2V5', { encoding: 'base64' }).update('x').digest('hex'),
    (c) => c.createHash('sha256').update(5),
    (c) => c.createHash('sha256').update('abc', 'hex'),
    (c) => c.createHash('sha256').update(new DataView(new Uint8Array([1, 2]).buffer)).digest('hex'),
    (c) => { const h = c.createHash('md5'); h.digest(); return h.digest(); },
    (c) => { const h = c.createHash('md5'); h.digest(); return h.update('x'); },
    (c) => { const h = c.createHmac('md5', 'k'); h.digest(); return [h.digest('hex'), h.digest()]; },
    (c) => { const h = c.createHash('sha1').update('a'); const copy = h.copy(); h.update('b'); return [h.digest('hex'), copy.digest('hex')]; },
    (c) => { const h = c.createHash('sha1'); h.digest(); return h.copy(); },
    (c) => c.hash('sha1', 'abc'),
    (c) => c.hash('sha256', 'abc', 'base64'),
    (c) => c.hash('md5', 'abc', 'buffer'),
    (c) => c.hash('md5', 'abc', 'bogus'),
    (c) => c.hash('md5', 5),
    (c) => c.createHash('sha512').digest().length,
    (c) => typeof c.Hash,
  ];
  for (const call of cases) assert.deepStrictEqual(outcome(() => call(myCrypto)), outcome(() => call(crypto)), String(call));
  assert.deepStrictEqual(plain(myCrypto.getHashes()), ['md5', 'sha1', 'sha256', 'sha384', 'sha512']);
  for (const alg of myCrypto.getHashes()) assert.ok(crypto.getHashes().includes(alg));
});

test('random bytes, ints and fills', async () => {
  const b = myCrypto.randomBytes(32);
  assert.ok(MyBuffer.isBuffer(b));
  assert.strictEqual(b.length, 32);
  assert.notStrictEqual(b.toString('hex'), myCrypto.randomBytes(32).toString('hex'));
  assert.strictEqual(myCrypto.randomBytes(0).length, 0);
  const viaCallback = await new Promise((resolve, reject) => {
    myCrypto.randomBytes(8, (err, buf) => (err ? reject(err) : resolve(buf)));
  });
  assert.strictEqual(viaCallback.length, 8);
  for (const call of [(c) => c.randomBytes(-1), (c) => c.randomBytes('1'), (c) => c.randomBytes(1, 'cb'),
    (c) => c.randomInt(10, 5), (c) => c.randomInt(2 ** 48 + 1), (c) => c.randomInt(1.5), (c) => c.randomInt(0, 2 ** 49),
    (c) => c.randomFillSync('x'), (c) => c.randomFillSync(new Uint8Array(4), 5), (c) => c.randomFillSync(new Uint8Array(4), 1, 4),
    (c) => c.randomFillSync(new Uint32Array(4), 1, 1).length, (c) => c.timingSafeEqual(Buffer.from('a'), Buffer.from('ab')),
    (c) => c.timingSafeEqual('a', Buffer.from('a')), (c) => c.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')),
    (c) => c.timingSafeEqual(Buffer.from('ab'), new Uint8Array([97, 99]).buffer)]) {
    assert.deepStrictEqual(outcome(() => call(myCrypto)), outcome(() => call(crypto)), String(call));
  }
  const seen = new Set();
  for (let i = 0; i < 500; i++) {
    const n = myCrypto.randomInt(-3, 4);
    assert.ok(Number.isInteger(n) && n >= -3 && n < 4, String(n));
    seen.add(n);
  }
  assert.strictEqual(seen.size, 7);
  const max = myCrypto.randomInt(2 ** 48 - 1);
  assert.ok(max >= 0 && max < 2 ** 48 - 1);
  const viaCallbackInt = await new Promise((resolve) => myCrypto.randomInt(5, (err, n) => resolve([err, n])));
  assert.strictEqual(viaCallbackInt[0], undefined);
  assert.ok(viaCallbackInt[1] >= 0 && viaCallbackInt[1] < 5);
  const filled = new Uint8Array(16);
  myCrypto.randomFillSync(filled, 4, 8);
  assert.deepStrictEqual([...filled.slice(0, 4), ...filled.slice(12)], new Array(8).fill(0));
  const asyncFilled = await new Promise((resolve) => myCrypto.randomFill(new Uint8Array(4), (err, buf) => resolve(buf)));
  assert.strictEqual(asyncFilled.length, 4);
  assert.match(myCrypto.randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.strictEqual(myCrypto.webcrypto, env.run('crypto'));
  assert.strictEqual(myCrypto.getRandomValues(env.run('new Uint8Array(3)')).length, 3);
});

test('crypto.subtle.digest and what is not available', async () => {
  const digest = await myCrypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
  const expected = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
  assert.deepStrictEqual(plain(new Uint8Array(digest)), plain(new Uint8Array(expected)));
  const named = await myCrypto.subtle.digest({ name: 'sha-1' }, MyBuffer.from('abc'));
  assert.strictEqual(MyBuffer.from(named).toString('hex'), crypto.createHash('sha1').update('abc').digest('hex'));
  await assert.rejects(myCrypto.subtle.digest('MD5', new Uint8Array(1)), { code: 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM' });
  await assert.rejects(myCrypto.subtle.encrypt(), { message: 'crypto.subtle.encrypt is not available in the chat runtime' });
  assert.throws(() => myCrypto.createCipheriv('aes-128-cbc', 'k', 'iv'), {
    name: 'Error', code: 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', message: 'crypto.createCipheriv is not available in the chat runtime',
  });
  assert.throws(() => myCrypto.createSign('sha256'), { message: 'crypto.createSign is not available in the chat runtime' });
});
