'use strict';
// Stand-ins for the guest's crypto natives (src/crypto.rs) over node:crypto,
// for the prelude tests. ECDSA and RSA signing take a digest, which
// node:crypto cannot sign as is: those natives are left out, and the
// comparison cases in tests/sdk/cases cover them in the real guest.
const crypto = require('node:crypto');

const CURVE_NAMES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' };
const bytes = (buffer) => Buffer.from(new Uint8Array(buffer));
const b64 = (buffer) => bytes(buffer).toString('base64url');
const fromB64 = (text) => Buffer.from(text, 'base64url');

/** Natives for `toGuest` (which copies bytes into a guest ArrayBuffer). */
function cryptoNatives(toGuest) {
  const out = (buf) => (buf === undefined ? undefined : toGuest(buf));
  const attempt = (f) => {
    try {
      return out(f());
    } catch {
      return undefined;
    }
  };
  const okpPrivate = (kind, seed) => crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from(kind === 'ed25519' ? '302e020100300506032b657004220420' : '302e020100300506032b656e04220420', 'hex'), bytes(seed)]),
    format: 'der',
    type: 'pkcs8',
  });
  const okpPublic = (kind, pub) => crypto.createPublicKey({
    key: { kty: 'OKP', crv: kind === 'ed25519' ? 'Ed25519' : 'X25519', x: b64(pub) },
    format: 'jwk',
  });
  const ciphers = [];
  return {
    ecGenerate: (curve) => {
      const ecdh = crypto.createECDH(CURVE_NAMES[curve]);
      ecdh.generateKeys();
      const d = ecdh.getPrivateKey();
      return toGuest(Buffer.concat([Buffer.alloc((curve === 'P-256' ? 32 : 48) - d.length), d]));
    },
    ecPublic: (curve, d) => attempt(() => crypto.createECDH(CURVE_NAMES[curve]).setPrivateKey(bytes(d)).getPublicKey()),
    ecPoint: (curve, point, compressed) => attempt(() => {
      const p = bytes(point);
      if (p[0] !== 2 && p[0] !== 3 && p[0] !== 4) throw new Error('not SEC1');
      return crypto.ECDH.convertKey(p, CURVE_NAMES[curve], undefined, undefined, compressed ? 'compressed' : 'uncompressed');
    }),
    ecdh: (curve, d, point) => attempt(() => crypto.createECDH(CURVE_NAMES[curve]).setPrivateKey(bytes(d)).computeSecret(bytes(point))),
    edPublic: (kind, seed) => toGuest(fromB64(okpPrivate(kind, seed).export({ format: 'jwk' }).x)),
    edSign: (seed, message) => toGuest(crypto.sign(null, bytes(message), okpPrivate('ed25519', seed))),
    edVerify: (pub, message, sig) => {
      try {
        return crypto.verify(null, bytes(message), okpPublic('ed25519', pub), bytes(sig));
      } catch {
        return false;
      }
    },
    x25519: (seed, pub) => attempt(() => crypto.diffieHellman({ privateKey: okpPrivate('x25519', seed), publicKey: okpPublic('x25519', pub) })),
    rsaGenerate: (bits, e) => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: bytes(e).readUInt32BE(0) });
      const jwk = privateKey.export({ format: 'jwk' });
      return ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => toGuest(fromB64(jwk[k])));
    },
    rsaCheck: () => true,
    rsaEncrypt: (parts, oaep, hash, label, data) => attempt(() => crypto.publicEncrypt({
      key: { kty: 'RSA', n: b64(parts[0]), e: b64(parts[1]) },
      format: 'jwk',
      padding: oaep ? crypto.constants.RSA_PKCS1_OAEP_PADDING : crypto.constants.RSA_PKCS1_PADDING,
      oaepHash: hash,
      oaepLabel: label.byteLength ? bytes(label) : undefined,
    }, bytes(data))),
    cipherNew(mode, key, iv, decrypt, counterBits) {
      const bits = key.byteLength * 8;
      const name = mode === 'wrap' ? `id-aes${bits}-wrap` : `aes-${bits}-${mode}`;
      try {
        const args = [name, bytes(key), mode === 'ecb' ? null : mode === 'wrap' && iv.byteLength === 0 ? Buffer.alloc(8, 0xa6) : bytes(iv)];
        const c = decrypt ? crypto.createDecipheriv(...args) : crypto.createCipheriv(...args);
        ciphers.push({ c, mode, decrypt, counterBits, aad: [] });
        return ciphers.length - 1;
      } catch {
        return -1;
      }
    },
    cipherAad(h, data) {
      const { c, mode } = ciphers[h];
      if (mode !== 'gcm') return data.byteLength === 0;
      try {
        c.setAAD(bytes(data));
        return true;
      } catch {
        return false;
      }
    },
    cipherPadding(h, on) {
      ciphers[h].c.setAutoPadding(on);
      return true;
    },
    cipherUpdate: (h, data) => toGuest(ciphers[h].c.update(bytes(data))),
    cipherFinal(h, tag) {
      const entry = ciphers[h];
      if (!entry) return 4;
      ciphers[h] = undefined;
      try {
        if (entry.mode === 'gcm' && entry.decrypt) entry.c.setAuthTag(bytes(tag));
        const last = entry.c.final();
        return toGuest(entry.mode === 'gcm' && !entry.decrypt ? entry.c.getAuthTag() : last);
      } catch (err) {
        if (err.code === 'ERR_OSSL_BAD_DECRYPT') return 1;
        if (err.code === 'ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH') return 2;
        return 3;
      }
    },
    cipherFree: (h) => { ciphers[h] = undefined; },
    hkdf: (hash, ikm, salt, info, len) => attempt(() => Buffer.from(crypto.hkdfSync(hash, bytes(ikm), bytes(salt), bytes(info), len))),
    pbkdf2: (hash, pass, salt, iterations, len) => toGuest(crypto.pbkdf2Sync(bytes(pass), bytes(salt), iterations, len, hash)),
    scrypt: (pass, salt, logN, r, p, len) => attempt(() => crypto.scryptSync(bytes(pass), bytes(salt), len, { N: 2 ** logN, r, p, maxmem: 2 ** 30 })),
  };
}

module.exports = { cryptoNatives };
