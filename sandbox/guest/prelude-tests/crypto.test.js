'use strict';
// Compares crypto (src/prelude/crypto_keys.js, node_crypto.js and
// web_crypto.js, over the stand-in natives of node-env.js and
// crypto-natives.js) with node:crypto. ECDSA and RSA signing have no
// stand-ins: tests/sdk/cases/builtin-crypto-*.js cover them in the guest.
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

const KEY_PAIRS = {
  rsa: crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }),
  ec: crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ec384: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ed: crypto.generateKeyPairSync('ed25519'),
  x: crypto.generateKeyPairSync('x25519'),
};
const PEMS = {};
for (const [name, pair] of Object.entries(KEY_PAIRS)) {
  PEMS[`${name}.pkcs8`] = pair.privateKey.export({ format: 'pem', type: 'pkcs8' });
  PEMS[`${name}.spki`] = pair.publicKey.export({ format: 'pem', type: 'spki' });
}
PEMS['rsa.pkcs1'] = KEY_PAIRS.rsa.privateKey.export({ format: 'pem', type: 'pkcs1' });
PEMS['rsa.pkcs1public'] = KEY_PAIRS.rsa.publicKey.export({ format: 'pem', type: 'pkcs1' });
PEMS['ec.sec1'] = KEY_PAIRS.ec.privateKey.export({ format: 'pem', type: 'sec1' });

/** Runs `call` on both implementations and compares outcomes. */
const same = (call) => assert.deepStrictEqual(outcome(() => call(myCrypto, MyBuffer)), outcome(() => call(crypto, Buffer)), String(call));

test('keys: PEM, DER and JWK in and out, details and errors', () => {
  for (const [name, pem] of Object.entries(PEMS)) {
    const isPrivate = !name.includes('spki') && !name.includes('public');
    const privateTypes = name.startsWith('rsa') ? ['pkcs8', 'pkcs1'] : name.startsWith('ec.') ? ['pkcs8', 'sec1'] : ['pkcs8'];
    const publicType = name.startsWith('rsa') ? 'pkcs1' : 'spki';
    for (const format of ['pem', 'der', 'jwk']) {
      if (isPrivate) for (const type of privateTypes) same((c) => c.createPrivateKey(pem).export({ format, type }));
      same((c) => c.createPublicKey(pem).export({ format, type: publicType }));
    }
    same((c) => {
      const k = c.createPublicKey(pem);
      return [k.type, k.asymmetricKeyType, String(k.asymmetricKeyDetails.publicExponent), k.asymmetricKeyDetails.namedCurve];
    });
    if (isPrivate) {
      same((c) => c.createPrivateKey({ key: c.createPrivateKey(pem).export({ format: 'jwk' }), format: 'jwk' }).export({ format: 'der', type: 'pkcs8' }));
      same((c) => c.createPrivateKey({ key: c.createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }));
    }
  }
  for (const call of [
    (c) => c.createPrivateKey('junk'),
    (c) => c.createPublicKey('junk'),
    (c) => c.createPrivateKey(PEMS['ec.spki']),
    (c) => c.createPrivateKey(c.createPrivateKey(PEMS['ec.pkcs8'])),
    (c) => c.createPublicKey(c.createPublicKey(PEMS['ec.spki'])),
    (c) => c.createPublicKey(PEMS['ec.spki']).export({ format: 'pem', type: 'pkcs8' }),
    (c) => c.createPrivateKey(PEMS['ec.pkcs8']).export({ format: 'pem', type: 'pkcs1' }),
    (c) => c.createPrivateKey(PEMS['ec.pkcs8']).export(),
    (c) => { const k = c.createSecretKey(Buffer.from('abcdef')); return [k.type, k.symmetricKeySize, k.export(), k.export({ format: 'jwk' })]; },
    (c) => c.createSecretKey(Buffer.from('a')).export({ format: 'pem' }),
    (c) => [c.createPublicKey(PEMS['ec.spki']).equals(c.createPublicKey(PEMS['ec.pkcs8'])), c.createPrivateKey(PEMS['ed.pkcs8']).equals(c.createPrivateKey(PEMS['ed.pkcs8']))],
    (c) => Object.prototype.toString.call(c.createSecretKey(Buffer.from('a'))),
    (c) => new c.KeyObject('secret', {}),
    (c) => c.KeyObject.from({}),
    (c) => c.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, format: 'jwk' }),
    (c) => c.createPublicKey({ key: { kty: 'oct', k: 'AA' }, format: 'jwk' }),
    (c) => c.createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, format: 'jwk' }),
    (c) => c.generateKeySync('hmac', { length: 7 }),
    (c) => c.generateKeySync('aes', { length: 100 }),
    (c) => c.generateKeySync('aes', { length: 256 }).symmetricKeySize,
    (c) => c.generateKeyPairSync('ec', { namedCurve: 'bogus' }),
    (c) => c.generateKeyPairSync('ec', {}),
    (c) => c.generateKeyPairSync('rsa', {}),
    (c) => c.generateKeyPairSync('bogus', {}),
    (c) => { const k = c.generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' } }); return [typeof k.publicKey, k.privateKey.asymmetricKeyDetails]; },
    (c) => c.sign(null, Buffer.from('hello'), PEMS['ed.pkcs8']),
    (c) => c.verify(null, Buffer.from('hello'), PEMS['ed.spki'], crypto.sign(null, Buffer.from('hello'), PEMS['ed.pkcs8'])),
    (c) => c.createSign('sha256').update('x').sign(PEMS['ed.pkcs8']),
    (c) => c.sign('sha256', Buffer.from('x'), PEMS['ed.pkcs8']),
    (c) => c.diffieHellman({ privateKey: c.createPrivateKey(PEMS['x.pkcs8']), publicKey: c.createPublicKey(PEMS['x.spki']) }),
    (c) => c.diffieHellman({ privateKey: c.createPrivateKey(PEMS['ec.pkcs8']), publicKey: c.createPublicKey(PEMS['ec.spki']) }),
    (c) => c.diffieHellman({ privateKey: c.createPrivateKey(PEMS['ec.pkcs8']), publicKey: c.createPublicKey(PEMS['x.spki']) }),
  ]) same(call);
});

test('ciphers, ECDH and key derivation match node:crypto', () => {
  const keys = { 128: Buffer.alloc(16, 1), 192: Buffer.alloc(24, 2), 256: Buffer.alloc(32, 3) };
  const data = Buffer.from('The quick brown fox jumps over the lazy dog, twice over: the quick brown fox.');
  for (const bits of [128, 192, 256]) {
    for (const mode of ['gcm', 'cbc', 'ctr', 'ecb']) {
      const name = `aes-${bits}-${mode}`;
      const iv = mode === 'gcm' ? Buffer.alloc(12, 4) : mode === 'ecb' ? null : Buffer.alloc(16, 5);
      same((c) => {
        const x = c.createCipheriv(name, keys[bits], iv);
        if (mode === 'gcm') x.setAAD(Buffer.from('aad'));
        const out = [x.update(data.subarray(0, 10)), x.update(data.subarray(10, 37)), x.update(data.subarray(37)), x.final()];
        return mode === 'gcm' ? [...out, x.getAuthTag()] : out;
      });
      same((c) => { const x = c.createCipheriv(name, keys[bits], iv); return x.update('héllo', 'utf8', 'base64') + x.update('more', 'utf8', 'base64') + x.final('base64'); });
    }
  }
  const k = keys[128];
  for (const call of [
    (c) => { const x = c.createDecipheriv('aes-128-gcm', k, Buffer.alloc(12)); x.setAuthTag(Buffer.alloc(16)); x.update('abc'); return x.final(); },
    (c) => { const x = c.createDecipheriv('aes-128-cbc', k, Buffer.alloc(16)); x.update(Buffer.alloc(32)); return x.final(); },
    (c) => { const x = c.createCipheriv('aes-128-cbc', k, Buffer.alloc(16)); x.setAutoPadding(false); x.update(Buffer.alloc(30)); return x.final(); },
    (c) => c.createCipheriv('aes-128-gcm', k, Buffer.alloc(12), { authTagLength: 7 }),
    (c) => c.createDecipheriv('aes-128-gcm', k, Buffer.alloc(12)).setAuthTag(Buffer.alloc(3)),
    (c) => c.createCipheriv('aes-128-gcm', k, Buffer.alloc(12)).getAuthTag(),
    (c) => { const x = c.createCipheriv('aes-128-gcm', k, Buffer.alloc(12)); x.update('a'); return x.setAAD(Buffer.from('x')); },
    (c) => c.createCipheriv('aes-128-xyz', k, Buffer.alloc(16)),
    (c) => c.createCipheriv('aes-128-gcm', keys[192], Buffer.alloc(12)),
    (c) => c.createCipheriv('aes-128-cbc', k, Buffer.alloc(12)),
    (c) => { const x = c.createCipheriv('aes-128-ctr', k, Buffer.alloc(16)); x.final(); return x.final(); },
    (c) => { const x = c.createCipheriv('aes-128-ctr', k, Buffer.alloc(16)); x.final(); return x.update('x'); },
    (c) => { const x = c.createCipheriv('id-aes128-wrap', k, Buffer.alloc(8, 0xa6)); return [x.update(keys[256]), x.final()]; },
    (c) => c.getCipherInfo('aes-256-gcm'),
    (c) => c.hkdfSync('sha256', 'key', 'salt', 'info', 42),
    (c) => c.hkdfSync('sha512', Buffer.from('key'), Buffer.alloc(0), '', 100),
    (c) => c.hkdfSync('sha256', 'key', 'salt', 'info', 255 * 32 + 1),
    (c) => c.hkdfSync('bogus', 'key', 'salt', 'info', 16),
    (c) => c.hkdfSync('sha256', 'key', 'salt', Buffer.alloc(1025), 16),
    (c) => c.pbkdf2Sync('pw', 'salt', 1000, 20, 'sha256'),
    (c) => c.pbkdf2Sync('pw', 'salt', 1000, 20, 'bogus'),
    (c) => c.pbkdf2Sync('pw', 'salt', 1000, 20),
    (c) => c.scryptSync('pw', 'salt', 64, { N: 1024, r: 8, p: 1 }),
    (c) => c.scryptSync('pw', 'salt', 16, { N: 1000 }),
    (c) => c.scryptSync('pw', 'salt', 16, { N: 2 ** 20 }),
  ]) same(call);
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const priv = ecdh.getPrivateKey();
  for (const call of [
    ...['compressed', 'uncompressed', 'hybrid', 'bogus'].map((f) => (c) => c.createECDH('prime256v1').setPrivateKey(priv).getPublicKey('hex', f)),
    (c) => c.createECDH('prime256v1').setPrivateKey(priv).computeSecret(ecdh.getPublicKey(null, 'compressed')),
    (c) => c.createECDH('prime256v1').setPrivateKey(priv).computeSecret(Buffer.from(`04${'00'.repeat(64)}`, 'hex')),
    (c) => c.createECDH('P-256'),
    (c) => c.createECDH('prime256v1').getPublicKey(),
    (c) => c.createECDH('prime256v1').setPrivateKey(Buffer.alloc(32)),
    (c) => c.ECDH.convertKey(ecdh.getPublicKey(), 'prime256v1', undefined, 'base64url', 'compressed'),
  ]) same(call);
});

test('crypto.subtle matches Node for HMAC, AES, HKDF, PBKDF2, ECDH and key formats', async () => {
  const mySubtle = env.run('crypto.subtle');
  assert.strictEqual(myCrypto.subtle, mySubtle);
  assert.strictEqual(myCrypto.webcrypto, env.run('crypto'));
  const summary = (v) => {
    if (v instanceof env.run('ArrayBuffer') || v instanceof ArrayBuffer) return Buffer.from(new Uint8Array(v)).toString('hex');
    if (v && v[Symbol.toStringTag] === 'CryptoKey') return plain({ type: v.type, extractable: v.extractable, algorithm: v.algorithm, usages: v.usages });
    return plain(v);
  };
  const run = async (subtle, f) => {
    try {
      return { value: summary(await f(subtle)) };
    } catch (err) {
      return { error: err.name, message: err.message, code: err.code };
    }
  };
  const raw = new Uint8Array(32).fill(9);
  const iv = new Uint8Array(12).fill(1);
  const text = (s) => new TextEncoder().encode(s);
  const ecSpki = KEY_PAIRS.ec.publicKey.export({ format: 'der', type: 'spki' });
  const ecPkcs8 = KEY_PAIRS.ec.privateKey.export({ format: 'der', type: 'pkcs8' });
  const cases = [
    (s) => s.digest('SHA-256', text('abc')),
    (s) => s.digest('MD5', text('abc')),
    (s) => s.digest('SHA-256'),
    (s) => s.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
    (s) => s.importKey('raw', raw, { name: 'HMAC' }, true, ['sign']),
    (s) => s.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, true, ['encrypt']),
    async (s) => s.sign('HMAC', await s.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']), text('data')),
    async (s) => s.exportKey('jwk', await s.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-384' }, true, ['verify', 'sign'])),
    async (s) => s.exportKey('raw', await s.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-384' }, false, ['sign'])),
    (s) => s.importKey('jwk', { kty: 'oct', k: 'AAAA', alg: 'HS384' }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
    async (s) => (await s.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign'])).algorithm,
    async (s) => s.encrypt({ name: 'AES-GCM', iv, additionalData: text('aad') }, await s.importKey('raw', raw, 'AES-GCM', false, ['encrypt']), text('hello')),
    async (s) => s.encrypt({ name: 'AES-GCM', iv, tagLength: 100 }, await s.importKey('raw', raw, 'AES-GCM', false, ['encrypt']), text('hello')),
    async (s) => s.decrypt({ name: 'AES-GCM', iv }, await s.importKey('raw', raw, 'AES-GCM', false, ['decrypt']), new Uint8Array(20)),
    async (s) => s.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, await s.importKey('raw', raw, 'AES-CBC', false, ['encrypt']), text('hello world')),
    async (s) => s.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, await s.importKey('raw', raw, 'AES-CTR', false, ['encrypt']), text('hi')),
    async (s) => (await s.generateKey({ name: 'AES-KW', length: 100 }, true, ['wrapKey'])).algorithm,
    async (s) => s.exportKey('jwk', await s.importKey('raw', raw.subarray(0, 16), 'AES-KW', true, ['wrapKey'])),
    async (s) => s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, await s.importKey('raw', raw, 'HKDF', false, ['deriveBits']), 256),
    async (s) => s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, await s.importKey('raw', raw, 'HKDF', false, ['deriveBits'])),
    async (s) => s.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, await s.importKey('raw', raw, 'HKDF', false, ['deriveKey']), { name: 'AES-GCM', length: 256 }, true, ['encrypt']),
    async (s) => s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: text('s'), iterations: 1000 }, await s.importKey('raw', text('pw'), 'PBKDF2', false, ['deriveBits']), 128),
    (s) => s.importKey('raw', raw, 'HKDF', true, ['deriveBits']),
    (s) => s.importKey('spki', ecSpki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']),
    (s) => s.importKey('spki', ecSpki, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']),
    (s) => s.importKey('spki', ecSpki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']),
    async (s) => s.exportKey('jwk', await s.importKey('pkcs8', ecPkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])),
    async (s) => s.exportKey('raw', await s.importKey('spki', ecSpki, { name: 'ECDH', namedCurve: 'P-256' }, true, [])),
    async (s) => {
      const a = await s.importKey('pkcs8', ecPkcs8, { name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
      const b = await s.importKey('spki', ecSpki, { name: 'ECDH', namedCurve: 'P-256' }, true, []);
      return s.deriveBits({ name: 'ECDH', public: b }, a, 255);
    },
    async (s) => s.exportKey('jwk', await s.importKey('pkcs8', KEY_PAIRS.ed.privateKey.export({ format: 'der', type: 'pkcs8' }), 'Ed25519', true, ['sign'])),
    async (s) => s.sign('Ed25519', await s.importKey('pkcs8', KEY_PAIRS.ed.privateKey.export({ format: 'der', type: 'pkcs8' }), 'Ed25519', false, ['sign']), text('msg')),
    (s) => s.importKey('raw', raw, 'FOO', true, ['sign']),
    (s) => s.importKey('foo', raw, 'HMAC', true, ['sign']),
    (s) => s.importKey('raw', raw, 'AES-GCM', true, ['bogus']),
    (s) => s.importKey('raw', raw, {}, true, ['sign']),
    (s) => s.importKey('raw', raw),
  ];
  for (const f of cases) assert.deepStrictEqual(await run(mySubtle, f), await run(crypto.webcrypto.subtle, f), String(f));
});
