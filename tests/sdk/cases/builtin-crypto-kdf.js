// node:crypto key derivation: hkdf, pbkdf2 and scrypt (sync, callback and
// KeyObject inputs) with fixed inputs, against RFC test vectors and Node,
// plus their argument errors.
const crypto = require('crypto');
const { promisify } = require('util');

function attempt(f) {
  try {
    const value = f();
    return value instanceof ArrayBuffer ? Buffer.from(value).toString('hex') : Buffer.isBuffer(value) ? value.toString('hex') : value;
  } catch (err) {
    return { error: err.name, code: err.code, message: err.message };
  }
}

async function handleEvent() {
  const hex = (v) => Buffer.from(v).toString('hex');
  // RFC 5869 test case 1.
  const ikm = Buffer.from('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', 'hex');
  const salt = Buffer.from('000102030405060708090a0b0c', 'hex');
  const info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex');
  const result = {
    hkdfRfc: hex(crypto.hkdfSync('sha256', ikm, salt, info, 42)),
    hkdfTypes: [
      crypto.hkdfSync('sha256', ikm, salt, info, 42) instanceof ArrayBuffer,
      hex(crypto.hkdfSync('sha1', 'key', 'salt', 'info', 64)),
      hex(crypto.hkdfSync('sha384', crypto.createSecretKey(ikm), '', '', 100)),
      hex(crypto.hkdfSync('SHA512', new Uint8Array(ikm).buffer, Buffer.alloc(0), 'x', 255 * 64)).length,
      hex(crypto.hkdfSync('sha256', ikm, salt, info, 0)),
    ],
    hkdfCallback: await new Promise((resolve) => crypto.hkdf('sha256', 'k', 's', 'i', 16, (err, key) => resolve([err, hex(key)]))),
    pbkdf2: [
      crypto.pbkdf2Sync('password', 'salt', 1, 20, 'sha1').toString('hex'),
      crypto.pbkdf2Sync('password', 'salt', 4096, 32, 'sha256').toString('hex'),
      crypto.pbkdf2Sync(Buffer.from('pässwörd'), Buffer.alloc(16, 1), 1000, 64, 'sha512').toString('base64'),
      crypto.pbkdf2Sync('p', 's', 10, 100, 'SHA384').toString('hex'),
      crypto.pbkdf2Sync('p', 's', 1, 0, 'sha1').toString('hex'),
    ],
    pbkdf2Callback: (await promisify(crypto.pbkdf2)('password', 'salt', 2, 16, 'sha256')).toString('hex'),
    scrypt: [
      crypto.scryptSync('password', 'salt', 64).toString('hex'),
      crypto.scryptSync('', '', 64, { N: 16, r: 1, p: 1 }).toString('hex'),
      crypto.scryptSync('password', 'NaCl', 64, { cost: 1024, blockSize: 8, parallelization: 16 }).toString('hex'),
      crypto.scryptSync('p', 's', 100, { N: 256, r: 4, p: 2 }).toString('base64'),
    ],
    scryptCallback: await new Promise((resolve) => crypto.scrypt('pw', 'salt', 16, { N: 1024 }, (err, key) => resolve([err, key.toString('hex')]))),
    errors: [
      () => crypto.hkdfSync('sha256', 'key', 'salt', 'info', 255 * 32 + 1),
      () => crypto.hkdfSync('bogus', 'key', 'salt', 'info', 16),
      () => crypto.hkdfSync('sha256', 'key', 'salt', Buffer.alloc(1025), 16),
      () => crypto.hkdfSync('sha256', 5, 'salt', 'info', 16),
      () => crypto.hkdfSync('sha256', 'key', 5, 'info', 16),
      () => crypto.hkdfSync('sha256', 'key', 'salt', 'info', -1),
      () => crypto.pbkdf2Sync('pw', 'salt', 1000, 20, 'bogus'),
      () => crypto.pbkdf2Sync('pw', 'salt', 1000, 20),
      () => crypto.pbkdf2Sync('pw', 'salt', 0, 20, 'sha1'),
      () => crypto.pbkdf2Sync('pw', 'salt', 1, -1, 'sha1'),
      () => crypto.pbkdf2('pw', 'salt', 1, 1, 'sha1'),
      () => crypto.scryptSync('pw', 'salt', 16, { N: 1000 }),
      () => crypto.scryptSync('pw', 'salt', 16, { N: 2 ** 20 }),
      () => crypto.scryptSync('pw', 'salt', 16, { N: 16, cost: 16 }),
      () => crypto.scryptSync('pw', 'salt', 16, { r: -1 }),
    ].map(attempt),
  };
  return result;
}
