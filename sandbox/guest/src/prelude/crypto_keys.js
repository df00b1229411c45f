// Keys for `crypto` and `crypto.subtle`, after Node 20's
// lib/internal/crypto/keys.js and keygen.js: KeyObject (secret, public,
// private), createSecretKey/createPublicKey/createPrivateKey,
// generateKeyPair(Sync) and generateKey(Sync), and the key formats: PEM and
// DER (PKCS#8, SPKI, PKCS#1, SEC1, public keys of X.509 certificates) and JWK,
// read and written here in JS with a small DER codec.
//
// A key is kept as its parts (a "record"), which the natives of crypto.rs
// take: { type: 'secret', bytes } or { type: 'private' | 'public', asym,
// ... } with asym 'rsa' (n, e, d, p, q, dp, dq, qi), 'ec' (curve 'P-256' or
// 'P-384', scalar d, uncompressed point), 'ed25519' or 'x25519' (seed, pub).
// Integers are big-endian Uint8Arrays.
//
// Natives used: ecGenerate, ecPublic, ecPoint, edPublic, rsaGenerate,
// rsaCheck, randomBytes (see crypto.rs and natives.rs).
//
// Deliberate deviations from Node: only the key types above (no DSA, DH,
// Ed448, X448, secp256k1 or P-521, which throw ERR_FEATURE_UNAVAILABLE_ON_
// PLATFORM); no encrypted private keys (passphrases); RSA moduli of 512 to
// 4096 bits; a malformed key fails with OpenSSL's generic "DECODER
// routines::unsupported" (or "wrong tag") rather than the exact ASN.1
// reason; KeyObject.equals is false for keys of different types where
// OpenSSL sometimes throws. generateKeyPair's callback form generates
// synchronously, and RSA generation is slow in wasm: a 2048-bit key takes
// about 0.5 to 6 s (random prime search), against ~0.1 s in Node.
(function (native, internal) {
  'use strict';
  const {
    nodeError, invalidArgType, invalidArgValue, outOfRange, validateString, validateObject, validateNumber,
    validateFunction,
  } = internal.nodeErrors;
  const { Buffer, isAnyArrayBuffer } = internal;

  // -------------------------------------------------------------------
  // Bytes.
  const viewBytes = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  /** A fresh ArrayBuffer holding `bytes` (what the natives take). */
  const ab = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const u8 = (buffer) => new Uint8Array(buffer);
  function concat(parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  const hex = (s) => Uint8Array.from(s.match(/../g), (h) => parseInt(h, 16));
  const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  /** Without leading zero bytes (how integers are kept). */
  function unsigned(bytes) {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    return bytes.slice(i);
  }
  /** Left-padded with zeros to `size` bytes. */
  function padStart(bytes, size) {
    if (bytes.length >= size) return bytes.slice(bytes.length - size);
    const out = new Uint8Array(size);
    out.set(bytes, size - bytes.length);
    return out;
  }
  const b64url = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));
  const bitLength = (bytes) => {
    const b = unsigned(bytes);
    return b[0] === 0 ? 0 : (b.length - 1) * 8 + (32 - Math.clz32(b[0]));
  };
  const toBigInt = (bytes) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

  // -------------------------------------------------------------------
  // Errors.
  /** An OpenSSL error as Node reports it (message, library, reason, code). */
  function opensslError(id, library, reason, code) {
    const err = new Error(`error:${id}:${library}::${reason}`);
    err.library = library;
    err.reason = reason;
    err.code = code;
    return err;
  }
  const decoderError = () => opensslError('1E08010C', 'DECODER routines', 'unsupported', 'ERR_OSSL_UNSUPPORTED');
  const unavailable = (what) =>
    nodeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `${what} not available in the chat runtime`);
  const invalidJwk = (what) => nodeError(TypeError, 'ERR_CRYPTO_INVALID_JWK', what ? `Invalid JWK ${what} key` : 'Invalid JWK data');
  const invalidKeyObjectType = (type, expected) =>
    nodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${type}, expected ${expected}.`);
  const incompatible = (name, reason) =>
    nodeError(Error, 'ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS', `The selected key encoding ${name} ${reason}.`);
  const oneOf = (name, value, list) =>
    invalidArgValue(name, value, `must be one of: ${list.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}`);

  // -------------------------------------------------------------------
  // DER (X.690), as much as keys need.
  function derLength(n) {
    if (n < 0x80) return [n];
    const out = [];
    for (; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
    return [0x80 | out.length, ...out];
  }
  const der = (tag, ...parts) => {
    const body = concat(parts);
    return concat([Uint8Array.from([tag, ...derLength(body.length)]), body]);
  };
  const seq = (...parts) => der(0x30, ...parts);
  const octets = (bytes) => der(0x04, bytes);
  const bits = (bytes) => der(0x03, Uint8Array.of(0), bytes);
  const explicit = (n, bytes) => der(0xa0 + n, bytes);
  function integer(bytes) {
    const b = unsigned(bytes);
    return der(0x02, b[0] & 0x80 ? concat([Uint8Array.of(0), b]) : b);
  }
  const NULL = Uint8Array.of(5, 0);
  const oid = (h) => der(0x06, hex(h));

  /** The element at `pos`: { tag, value, end }; throws on malformed input. */
  function derRead(bytes, pos = 0) {
    if (pos + 2 > bytes.length) throw decoderError();
    const tag = bytes[pos];
    let len = bytes[pos + 1];
    let at = pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || at + n > bytes.length) throw decoderError();
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + bytes[at++];
    }
    if (at + len > bytes.length) throw decoderError();
    return { tag, value: bytes.subarray(at, at + len), start: pos, end: at + len };
  }
  /** The elements inside a constructed value (offsets relative to it), checking each tag given. */
  function derItems(bytes, ...tags) {
    const items = [];
    for (let pos = 0; pos < bytes.length;) {
      const item = derRead(bytes, pos);
      items.push(item);
      pos = item.end;
    }
    tags.forEach((tag, i) => {
      if (tag !== undefined && (!items[i] || items[i].tag !== tag)) throw decoderError();
    });
    return items;
  }
  /** The contents of a whole-input SEQUENCE. */
  function derSequence(bytes, ...tags) {
    const top = derRead(bytes);
    if (top.tag !== 0x30 || top.end !== bytes.length) throw decoderError();
    return derItems(top.value, ...tags);
  }
  const oidHex = (item) => Array.from(item.value, (b) => b.toString(16).padStart(2, '0')).join('');
  /** A BIT STRING's bytes (keys never have unused bits). */
  function bitString(item) {
    if (item.tag !== 0x03 || item.value[0] !== 0) throw decoderError();
    return item.value.subarray(1);
  }

  // -------------------------------------------------------------------
  // Key types.
  const OID = {
    rsa: '2a864886f70d010101',
    rsaPss: '2a864886f70d01010a',
    ec: '2a8648ce3d0201',
    ed25519: '2b6570',
    x25519: '2b656e',
  };
  const CURVES = {
    'P-256': { oid: '2a8648ce3d030107', name: 'prime256v1', size: 32 },
    'P-384': { oid: '2b81040022', name: 'secp384r1', size: 48 },
  };
  // OIDs and names of what OpenSSL knows and the chat runtime does not.
  const UNAVAILABLE_OIDS = {
    '2b8104000a': 'secp256k1 keys are', '2b81040023': 'P-521 keys are', '2b6571': 'Ed448 keys are',
    '2b656f': 'X448 keys are', '2a8648ce380401': 'DSA keys are', '2a864886f70d010301': 'DH keys are',
  };
  const UNAVAILABLE_CURVES = new Set(['secp256k1', 'P-521', 'secp521r1', 'secp224r1', 'P-224', 'prime192v1']);
  /** 'P-256' or 'P-384' for a curve named as Node accepts it, else undefined. */
  const curveOf = (name) => Object.keys(CURVES).find((c) => c === name || CURVES[c].name === name);
  const curveByOid = (h) => {
    const curve = Object.keys(CURVES).find((c) => CURVES[c].oid === h);
    if (curve === undefined) throw UNAVAILABLE_OIDS[h] ? unavailable(UNAVAILABLE_OIDS[h]) : decoderError();
    return curve;
  };

  const HANDLES = new WeakSet();
  /** Marks a record as a valid key handle. */
  const handle = (record) => {
    HANDLES.add(record);
    return record;
  };

  function ecPrivate(curve, d) {
    const size = CURVES[curve].size;
    if (d.length > size) throw decoderError();
    const scalar = padStart(d, size);
    const point = native.ecPublic(curve, ab(scalar));
    if (point === undefined) throw decoderError();
    return handle({ type: 'private', asym: 'ec', curve, d: scalar, point: u8(point) });
  }
  function ecPublic(curve, point) {
    const full = native.ecPoint(curve, ab(point), false);
    if (full === undefined) throw decoderError();
    return handle({ type: 'public', asym: 'ec', curve, point: u8(full) });
  }
  function edPrivate(asym, seed) {
    if (seed.length !== 32) throw decoderError();
    return handle({ type: 'private', asym, seed: seed.slice(), pub: u8(native.edPublic(asym, ab(seed))) });
  }
  function edPublic(asym, pub) {
    if (pub.length !== 32) throw decoderError();
    return handle({ type: 'public', asym, pub: pub.slice() });
  }
  const RSA_PRIVATE = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'];
  function rsaPrivate(parts, asym = 'rsa') {
    const record = { type: 'private', asym };
    RSA_PRIVATE.forEach((k, i) => { record[k] = unsigned(parts[i]); });
    if (!native.rsaCheck([record.n, record.e, record.d, record.p, record.q].map(ab))) throw decoderError();
    return handle(record);
  }
  function rsaPublic(n, e, asym = 'rsa') {
    const record = { type: 'public', asym, n: unsigned(n), e: unsigned(e) };
    if (!native.rsaCheck([record.n, record.e].map(ab))) throw decoderError();
    return handle(record);
  }
  /** The public half of a private record. */
  function publicOf(record) {
    switch (record.asym) {
      case 'ec': return handle({ type: 'public', asym: 'ec', curve: record.curve, point: record.point });
      case 'ed25519': case 'x25519': return handle({ type: 'public', asym: record.asym, pub: record.pub });
      default: return handle({ type: 'public', asym: record.asym, n: record.n, e: record.e });
    }
  }

  // -------------------------------------------------------------------
  // Reading DER.
  function readPkcs1Private(bytes, asym) {
    const items = derSequence(bytes, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x02);
    return rsaPrivate(items.slice(1, 9).map((i) => i.value), asym);
  }
  function readPkcs1Public(bytes, asym) {
    const [n, e] = derSequence(bytes, 0x02, 0x02);
    return rsaPublic(n.value, e.value, asym);
  }
  /** SEC1 ECPrivateKey; `curve` comes from PKCS#8 when inside it. */
  function readSec1(bytes, curve) {
    const items = derSequence(bytes, 0x02, 0x04);
    const params = items.find((i) => i.tag === 0xa0);
    if (params !== undefined) {
      const [named] = derItems(params.value);
      if (named === undefined || named.tag !== 0x06) throw decoderError();
      curve = curveByOid(oidHex(named));
    }
    if (curve === undefined) throw decoderError();
    return ecPrivate(curve, items[1].value);
  }
  function readPkcs8(bytes) {
    const items = derSequence(bytes, 0x02, 0x30, 0x04);
    const [algorithm, params] = derItems(items[1].value, 0x06);
    const key = items[2].value;
    switch (oidHex(algorithm)) {
      case OID.rsa: return readPkcs1Private(key, 'rsa');
      case OID.rsaPss: return readPkcs1Private(key, 'rsa-pss');
      case OID.ec:
        if (!params || params.tag !== 0x06) throw decoderError();
        return readSec1(key, curveByOid(oidHex(params)));
      case OID.ed25519: case OID.x25519: {
        const seed = derRead(key);
        if (seed.tag !== 0x04) throw decoderError();
        return edPrivate(oidHex(algorithm) === OID.ed25519 ? 'ed25519' : 'x25519', seed.value);
      }
      default: {
        const name = UNAVAILABLE_OIDS[oidHex(algorithm)];
        throw name ? unavailable(name) : decoderError();
      }
    }
  }
  function readSpki(bytes) {
    const items = derSequence(bytes, 0x30, 0x03);
    const [algorithm, params] = derItems(items[0].value, 0x06);
    const key = bitString(items[1]);
    switch (oidHex(algorithm)) {
      case OID.rsa: return readPkcs1Public(key, 'rsa');
      case OID.rsaPss: return readPkcs1Public(key, 'rsa-pss');
      case OID.ec:
        if (!params || params.tag !== 0x06) throw decoderError();
        return ecPublic(curveByOid(oidHex(params)), key);
      case OID.ed25519: return edPublic('ed25519', key);
      case OID.x25519: return edPublic('x25519', key);
      default: {
        const name = UNAVAILABLE_OIDS[oidHex(algorithm)];
        throw name ? unavailable(name) : decoderError();
      }
    }
  }
  /** The subjectPublicKeyInfo of an X.509 certificate. */
  function readCertificate(bytes) {
    const [tbs] = derSequence(bytes, 0x30);
    const fields = derItems(tbs.value);
    // version [0] is optional; then serial, signature, issuer, validity,
    // subject, subjectPublicKeyInfo.
    const spki = fields[fields[0] && fields[0].tag === 0xa0 ? 6 : 5];
    if (spki === undefined || spki.tag !== 0x30) throw decoderError();
    return readSpki(tbs.value.subarray(spki.start, spki.end));
  }

  /** Reads DER of `type` ('pkcs8', 'pkcs1', 'sec1', 'spki') as a private or public key. */
  function readDer(bytes, type, wantPrivate) {
    if (wantPrivate) {
      if (type === 'pkcs8') return readPkcs8(bytes);
      if (type === 'pkcs1') return readPkcs1Private(bytes, 'rsa');
      if (type === 'sec1') return readSec1(bytes);
      throw decoderError();
    }
    if (type === 'spki') return readSpki(bytes);
    if (type === 'pkcs1') return readPkcs1Public(bytes, 'rsa');
    throw decoderError();
  }

  // -------------------------------------------------------------------
  // PEM (RFC 7468).
  const PEM_PRIVATE = { 'PRIVATE KEY': 'pkcs8', 'RSA PRIVATE KEY': 'pkcs1', 'EC PRIVATE KEY': 'sec1' };
  const PEM_PUBLIC = { 'PUBLIC KEY': 'spki', 'RSA PUBLIC KEY': 'pkcs1' };
  const PEM_CERTIFICATE = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

  /**
   * The first key of a PEM text: a private key when `wantPrivate`, else a
   * public key, a certificate's key or a private key (as OpenSSL reads
   * them; the caller derives the public key).
   */
  function readPem(text, wantPrivate) {
    const blocks = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
    for (let m; (m = blocks.exec(text)) !== null;) {
      const [, label, body] = m;
      const isPrivate = label in PEM_PRIVATE || label === 'ENCRYPTED PRIVATE KEY';
      if (wantPrivate && !isPrivate) continue;
      if (!wantPrivate && !isPrivate && !(label in PEM_PUBLIC) && !PEM_CERTIFICATE.has(label)) continue;
      if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,\s*ENCRYPTED/.test(body)) {
        throw unavailable('Encrypted private keys are');
      }
      const bytes = new Uint8Array(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
      // What OpenSSL says of a block that is not even a SEQUENCE.
      if (bytes[0] !== 0x30) throw opensslError('068000A8', 'asn1 encoding routines', 'wrong tag', 'ERR_OSSL_ASN1_WRONG_TAG');
      if (isPrivate) return readDer(bytes, PEM_PRIVATE[label], true);
      if (PEM_CERTIFICATE.has(label)) return readCertificate(bytes);
      return readDer(bytes, PEM_PUBLIC[label], false);
    }
    throw decoderError();
  }

  function writePem(bytes, label) {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g).join('\n')}\n-----END ${label}-----\n`;
  }

  // -------------------------------------------------------------------
  // Writing DER, as OpenSSL writes it.
  const rsaAlgorithm = (r) => seq(oid(r.asym === 'rsa-pss' ? OID.rsaPss : OID.rsa), ...(r.asym === 'rsa-pss' ? [] : [NULL]));
  const ecAlgorithm = (r) => seq(oid(OID.ec), oid(CURVES[r.curve].oid));
  const pkcs1Private = (r) => seq(integer(Uint8Array.of(0)), ...RSA_PRIVATE.map((k) => integer(r[k])));
  const pkcs1Public = (r) => seq(integer(r.n), integer(r.e));
  const sec1 = (r, withCurve) => seq(integer(Uint8Array.of(1)), octets(r.d),
    ...(withCurve ? [explicit(0, oid(CURVES[r.curve].oid))] : []), explicit(1, bits(r.point)));

  function writeDer(r, type) {
    const version = integer(Uint8Array.of(0));
    switch (`${r.asym}/${r.type}/${type}`) {
      case 'rsa/private/pkcs1': return pkcs1Private(r);
      case 'rsa/public/pkcs1': return pkcs1Public(r);
      case 'rsa/private/pkcs8': case 'rsa-pss/private/pkcs8':
        return seq(version, rsaAlgorithm(r), octets(pkcs1Private(r)));
      case 'rsa/public/spki': case 'rsa-pss/public/spki': return seq(rsaAlgorithm(r), bits(pkcs1Public(r)));
      case 'ec/private/sec1': return sec1(r, true);
      case 'ec/private/pkcs8': return seq(version, ecAlgorithm(r), octets(sec1(r, false)));
      case 'ec/public/spki': return seq(ecAlgorithm(r), bits(r.point));
      case 'ed25519/private/pkcs8': case 'x25519/private/pkcs8':
        return seq(version, seq(oid(OID[r.asym])), octets(octets(r.seed)));
      case 'ed25519/public/spki': case 'x25519/public/spki': return seq(seq(oid(OID[r.asym])), bits(r.pub));
    }
    throw decoderError();
  }
  const PEM_LABEL = { pkcs8: 'PRIVATE KEY', spki: 'PUBLIC KEY', sec1: 'EC PRIVATE KEY' };
  const pemLabel = (r, type) => (type === 'pkcs1' ? `RSA ${r.type.toUpperCase()} KEY` : PEM_LABEL[type]);

  // -------------------------------------------------------------------
  // JWK (RFC 7517, 7518, 8037).
  function writeJwk(r) {
    if (r.type === 'secret') return { kty: 'oct', k: b64url(r.bytes) };
    const priv = r.type === 'private';
    switch (r.asym) {
      case 'ec': {
        const size = CURVES[r.curve].size;
        const jwk = { kty: 'EC', x: b64url(r.point.subarray(1, 1 + size)), y: b64url(r.point.subarray(1 + size)), crv: r.curve };
        if (priv) jwk.d = b64url(r.d);
        return jwk;
      }
      case 'ed25519': case 'x25519': {
        const crv = r.asym === 'ed25519' ? 'Ed25519' : 'X25519';
        return priv ? { crv, d: b64url(r.seed), x: b64url(r.pub), kty: 'OKP' } : { crv, x: b64url(r.pub), kty: 'OKP' };
      }
      case 'rsa': {
        const jwk = { kty: 'RSA', n: b64url(r.n), e: b64url(r.e) };
        if (priv) for (const k of RSA_PRIVATE.slice(2)) jwk[k] = b64url(r[k]);
        return jwk;
      }
    }
    throw nodeError(TypeError, 'ERR_CRYPTO_JWK_UNSUPPORTED_KEY_TYPE', 'Unsupported JWK Key Type.');
  }

  /** A record from a JWK (Node's getKeyObjectHandleFromJwk). */
  function readJwk(jwk, wantPublic) {
    validateObject(jwk, 'key');
    if (!['RSA', 'EC', 'OKP'].includes(jwk.kty)) throw oneOf('key.kty', jwk.kty, ['RSA', 'EC', 'OKP']);
    if (jwk.kty === 'OKP') {
      validateString(jwk.crv, 'key.crv');
      if (!['Ed25519', 'Ed448', 'X25519', 'X448'].includes(jwk.crv)) {
        throw oneOf('key.crv', jwk.crv, ['Ed25519', 'Ed448', 'X25519', 'X448']);
      }
      validateString(jwk.x, 'key.x');
      if (!wantPublic) validateString(jwk.d, 'key.d');
      if (jwk.crv === 'Ed448' || jwk.crv === 'X448') throw unavailable(`${jwk.crv} keys are`);
      const data = fromB64(wantPublic ? jwk.x : jwk.d);
      if (data.length !== 32) throw invalidJwk();
      const asym = jwk.crv.toLowerCase();
      return wantPublic ? edPublic(asym, data) : edPrivate(asym, data);
    }
    if (jwk.kty === 'EC') {
      validateString(jwk.crv, 'key.crv');
      if (!['P-256', 'secp256k1', 'P-384', 'P-521'].includes(jwk.crv)) {
        throw oneOf('key.crv', jwk.crv, ['P-256', 'secp256k1', 'P-384', 'P-521']);
      }
      validateString(jwk.x, 'key.x');
      validateString(jwk.y, 'key.y');
      if (!wantPublic) validateString(jwk.d, 'key.d');
      if (!CURVES[jwk.crv]) throw unavailable(`${jwk.crv} keys are`);
      const size = CURVES[jwk.crv].size;
      const x = fromB64(jwk.x);
      const y = fromB64(jwk.y);
      try {
        if (x.length !== size || y.length !== size) throw decoderError();
        const pub = ecPublic(jwk.crv, concat([Uint8Array.of(4), x, y]));
        if (wantPublic) return pub;
        const priv = ecPrivate(jwk.crv, fromB64(jwk.d));
        if (!equalBytes(priv.point, pub.point)) throw decoderError();
        return priv;
      } catch {
        throw invalidJwk('EC');
      }
    }
    validateString(jwk.n, 'key.n');
    validateString(jwk.e, 'key.e');
    if (!wantPublic) for (const k of RSA_PRIVATE.slice(2)) validateString(jwk[k], `key.${k}`);
    try {
      return wantPublic ? rsaPublic(fromB64(jwk.n), fromB64(jwk.e)) : rsaPrivate(RSA_PRIVATE.map((k) => fromB64(jwk[k])));
    } catch {
      throw invalidJwk('RSA');
    }
  }

  // -------------------------------------------------------------------
  // KeyObject (lib/internal/crypto/keys.js).
  const RECORDS = new WeakMap();
  /** CryptoKey -> KeyObject; web_crypto.js fills it. */
  const CRYPTO_KEYS = new WeakMap();
  const recordOf = (key) => RECORDS.get(key);
  const isKeyObject = (value) => value !== null && typeof value === 'object' && RECORDS.has(value);
  const isCryptoKey = (value) => value !== null && typeof value === 'object' && CRYPTO_KEYS.has(value);

  class KeyObject {
    constructor(type, handleArg) {
      if (type !== 'secret' && type !== 'public' && type !== 'private') throw invalidArgValue('type', type);
      if (typeof handleArg !== 'object' || !HANDLES.has(handleArg)) throw invalidArgType('handle', 'object', handleArg);
      RECORDS.set(this, handleArg);
    }
    get type() { return RECORDS.get(this).type; }
    static from(key) {
      if (!isCryptoKey(key)) throw invalidArgType('key', 'CryptoKey', key);
      return CRYPTO_KEYS.get(key);
    }
    equals(otherKeyObject) {
      if (!isKeyObject(otherKeyObject)) throw invalidArgType('otherKeyObject', 'KeyObject', otherKeyObject);
      const a = RECORDS.get(this);
      const b = RECORDS.get(otherKeyObject);
      if (a.type !== b.type) return false;
      if (a.type === 'secret') return equalBytes(a.bytes, b.bytes);
      if (a.asym !== b.asym) return false;
      const type = a.type === 'private' ? 'pkcs8' : 'spki';
      return equalBytes(writeDer(a, type), writeDer(b, type));
    }
  }
  Object.defineProperty(KeyObject.prototype, Symbol.toStringTag, { value: 'KeyObject', configurable: true });

  class SecretKeyObject extends KeyObject {
    constructor(record) { super('secret', record); }
    get symmetricKeySize() { return RECORDS.get(this).bytes.length; }
    export(options) {
      if (options !== undefined) {
        validateObject(options, 'options');
        if (![undefined, 'buffer', 'jwk'].includes(options.format)) {
          throw oneOf('options.format', options.format, [undefined, 'buffer', 'jwk']);
        }
        if (options.format === 'jwk') return writeJwk(RECORDS.get(this));
      }
      return Buffer.from(RECORDS.get(this).bytes);
    }
  }

  class AsymmetricKeyObject extends KeyObject {
    get asymmetricKeyType() { return RECORDS.get(this).asym; }
    get asymmetricKeyDetails() {
      const r = RECORDS.get(this);
      switch (r.asym) {
        case 'rsa': case 'rsa-pss': return { modulusLength: bitLength(r.n), publicExponent: toBigInt(r.e) };
        case 'ec': return { namedCurve: CURVES[r.curve].name };
        default: return {};
      }
    }
  }

  /** Node's parseKeyEncoding for export options (isPublic: true, false or undefined). */
  function exportEncoding(options, asym, isPublic) {
    validateObject(options, 'options');
    const { format, type, cipher, passphrase } = options;
    if (format !== 'pem' && format !== 'der') throw invalidArgValue('options.format', format);
    if (type === 'pkcs1') {
      if (asym !== 'rsa') throw incompatible('pkcs1', 'can only be used for RSA keys');
    } else if (type === 'sec1' && isPublic !== true) {
      if (asym !== 'ec') throw incompatible('sec1', 'can only be used for EC keys');
    } else if (!(type === 'spki' && isPublic !== false) && !(type === 'pkcs8' && isPublic !== true)) {
      throw invalidArgValue('options.type', type);
    }
    if (isPublic === false) {
      if (cipher != null) {
        if (typeof cipher !== 'string') throw invalidArgValue('options.cipher', cipher);
        if (format === 'der' && (type === 'pkcs1' || type === 'sec1')) throw incompatible(type, 'does not support encryption');
        throw unavailable('Encrypted private keys are');
      } else if (passphrase !== undefined) {
        throw invalidArgValue('options.cipher', cipher);
      }
    }
    return { format, type };
  }

  class PublicKeyObject extends AsymmetricKeyObject {
    constructor(record) { super('public', record); }
    export(options) {
      const r = RECORDS.get(this);
      if (options && options.format === 'jwk') return writeJwk(r);
      const { format, type } = exportEncoding(options, r.asym, true);
      const bytes = writeDer(r, type);
      return format === 'pem' ? writePem(bytes, pemLabel(r, type)) : Buffer.from(bytes);
    }
  }

  class PrivateKeyObject extends AsymmetricKeyObject {
    constructor(record) { super('private', record); }
    export(options) {
      const r = RECORDS.get(this);
      if (options && options.format === 'jwk') {
        if (options.passphrase !== undefined) throw incompatible('jwk', 'does not support encryption');
        return writeJwk(r);
      }
      const { format, type } = exportEncoding(options, r.asym, false);
      const bytes = writeDer(r, type);
      return format === 'pem' ? writePem(bytes, pemLabel(r, type)) : Buffer.from(bytes);
    }
  }

  /** A KeyObject for a record. */
  function keyObject(record) {
    if (record.type === 'secret') return new SecretKeyObject(record);
    return record.type === 'public' ? new PublicKeyObject(record) : new PrivateKeyObject(record);
  }

  // -------------------------------------------------------------------
  // Key arguments (prepareAsymmetricKey and friends).
  const CONSUME_PUBLIC = 0;
  const CONSUME_PRIVATE = 1;
  const CREATE_PUBLIC = 2;
  const CREATE_PRIVATE = 3;
  const isStringOrBuffer = (v) => typeof v === 'string' || ArrayBuffer.isView(v) || isAnyArrayBuffer(v);
  const KEY_TYPES = ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'string', 'KeyObject', 'CryptoKey'];

  /** Bytes of a string (in `encoding`), buffer or view; throws Node's error otherwise. */
  function bytesOf(value, name, encoding) {
    if (typeof value === 'string') return new Uint8Array(Buffer.from(value, encoding === 'buffer' ? 'utf8' : encoding));
    if (isAnyArrayBuffer(value)) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return viewBytes(value);
    throw invalidArgType(name, ['string', 'ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], value);
  }

  function fromKeyObject(key, ctx) {
    if (ctx === CREATE_PRIVATE) throw invalidArgType('key', KEY_TYPES.slice(0, 5), key);
    const r = RECORDS.get(key);
    if (r.type !== 'private') {
      if (ctx === CONSUME_PRIVATE || ctx === CREATE_PUBLIC) throw invalidKeyObjectType(r.type, 'private');
      if (r.type !== 'public') throw invalidKeyObjectType(r.type, 'private or public');
    }
    return r;
  }

  /** Reads PEM or DER `data` per Node's key encoding options. */
  function readEncoded(data, options, ctx) {
    const { format = 'pem', type } = options;
    if (format !== 'pem' && format !== 'der') throw invalidArgValue('options.format', format);
    const wantPrivate = ctx === CONSUME_PRIVATE || ctx === CREATE_PRIVATE;
    if (format === 'pem') {
      const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
      return readPem(text, wantPrivate);
    }
    if (type === undefined) throw invalidArgValue('options.type', type);
    if (type === 'pkcs1' || type === 'sec1' || type === 'spki' || type === 'pkcs8') {
      if (type === 'spki' && wantPrivate) throw invalidArgValue('options.type', type);
      try {
        return readDer(data, type, wantPrivate || type === 'pkcs8' || type === 'sec1');
      } catch (err) {
        // A public context takes a private key's DER too.
        if (wantPrivate || type !== 'pkcs1') throw err;
        return readDer(data, type, true);
      }
    }
    throw invalidArgValue('options.type', type);
  }

  /**
   * The record of a key argument as sign/verify/createPublicKey/...
   * take it; also returns the options object when there is one.
   */
  function prepareAsymmetricKey(key, ctx) {
    if (isKeyObject(key)) return { record: fromKeyObject(key, ctx) };
    if (isCryptoKey(key)) return { record: fromKeyObject(CRYPTO_KEYS.get(key), ctx) };
    if (isStringOrBuffer(key)) return { record: readEncoded(bytesOf(key, 'key'), {}, ctx) };
    if (key !== null && typeof key === 'object') {
      const { key: data, encoding, format } = key;
      if (isKeyObject(data)) return { record: fromKeyObject(data, ctx), options: key };
      if (isCryptoKey(data)) return { record: fromKeyObject(CRYPTO_KEYS.get(data), ctx), options: key };
      if (format === 'jwk') {
        validateObject(data, 'key.key');
        return { record: readJwk(data, ctx === CONSUME_PUBLIC || ctx === CREATE_PUBLIC), options: key };
      }
      if (!isStringOrBuffer(data)) {
        throw invalidArgType('key.key', ctx === CREATE_PRIVATE ? KEY_TYPES.slice(0, 5) : KEY_TYPES, data);
      }
      return { record: readEncoded(bytesOf(data, 'key', encoding), key, ctx), options: key };
    }
    throw invalidArgType('key', ctx === CREATE_PRIVATE ? KEY_TYPES.slice(0, 5) : KEY_TYPES, key);
  }
  const preparePrivateKey = (key) => prepareAsymmetricKey(key, CONSUME_PRIVATE);
  const preparePublicOrPrivateKey = (key) => prepareAsymmetricKey(key, CONSUME_PUBLIC);

  /** The bytes of a secret key argument (prepareSecretKey). */
  function prepareSecretKey(key, encoding, bufferOnly = false) {
    if (!bufferOnly) {
      const object = isKeyObject(key) ? key : isCryptoKey(key) ? CRYPTO_KEYS.get(key) : null;
      if (object !== null) {
        const r = RECORDS.get(object);
        if (r.type !== 'secret') throw invalidKeyObjectType(r.type, 'secret');
        return r.bytes;
      }
    }
    if (typeof key !== 'string' && !ArrayBuffer.isView(key) && !isAnyArrayBuffer(key)) {
      throw invalidArgType('key', bufferOnly ? KEY_TYPES.slice(0, 4) : KEY_TYPES, key);
    }
    return bytesOf(key, 'key', encoding);
  }

  function createSecretKey(key, encoding) {
    const bytes = prepareSecretKey(key, encoding, true);
    return new SecretKeyObject(handle({ type: 'secret', bytes: bytes.slice() }));
  }

  function createPublicKey(key) {
    const { record } = prepareAsymmetricKey(key, CREATE_PUBLIC);
    return new PublicKeyObject(record.type === 'private' ? publicOf(record) : record);
  }

  function createPrivateKey(key) {
    const { record } = prepareAsymmetricKey(key, CREATE_PRIVATE);
    return new PrivateKeyObject(record);
  }

  // -------------------------------------------------------------------
  // Key generation (lib/internal/crypto/keygen.js).
  /** A new private record of `asym`. */
  function generateRecord(asym, { modulusLength, publicExponent = 0x10001, namedCurve } = {}) {
    switch (asym) {
      case 'rsa': case 'rsa-pss': {
        const e = new Uint8Array(4);
        new DataView(e.buffer).setUint32(0, publicExponent);
        const parts = native.rsaGenerate(modulusLength, ab(e)).map(u8);
        const record = { type: 'private', asym };
        RSA_PRIVATE.forEach((k, i) => { record[k] = unsigned(parts[i]); });
        return handle(record);
      }
      case 'ec': return ecPrivate(namedCurve, u8(native.ecGenerate(namedCurve)));
      default: return edPrivate(asym, u8(native.randomBytes(32)));
    }
  }

  function keyPairOptions(type, options) {
    validateString(type, 'type');
    if (options !== undefined) validateObject(options, 'options');
    const opts = options || {};
    switch (type) {
      case 'rsa': case 'rsa-pss': {
        validateObject(options, 'options');
        const { modulusLength, publicExponent } = opts;
        validateInteger32(modulusLength, 'options.modulusLength', 0);
        if (publicExponent !== undefined) validateInteger32(publicExponent, 'options.publicExponent', 0);
        if (modulusLength < 512 || modulusLength > 4096) throw unavailable(`RSA keys of ${modulusLength} bits are`);
        return { modulusLength, publicExponent };
      }
      case 'ec': {
        validateObject(options, 'options');
        validateString(opts.namedCurve, 'options.namedCurve');
        const curve = curveOf(opts.namedCurve);
        if (curve === undefined) {
          if (UNAVAILABLE_CURVES.has(opts.namedCurve)) throw unavailable(`The ${opts.namedCurve} curve is`);
          throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_CURVE', 'Invalid EC curve name');
        }
        return { namedCurve: curve };
      }
      case 'ed25519': case 'x25519': return {};
      case 'dsa': case 'ec448': case 'ed448': case 'x448': case 'dh': throw unavailable(`${type} keys are`);
    }
    throw invalidArgValue('type', type, 'must be a supported key type');
  }

  function validateInteger32(value, name, min) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < min || value > 2 ** 32 - 1) throw outOfRange(name, `>= ${min} && <= ${2 ** 32 - 1}`, value);
  }

  /** Encodes a generated key per publicKeyEncoding/privateKeyEncoding. */
  function encodeGenerated(object, encoding, name) {
    if (encoding === undefined) return object;
    if (encoding === null || typeof encoding !== 'object') throw invalidArgValue(`options.${name}`, encoding);
    return object.export(encoding);
  }

  function generateKeyPairSync(type, options) {
    const params = keyPairOptions(type, options);
    const { publicKeyEncoding, privateKeyEncoding } = options || {};
    const record = generateRecord(type, params);
    return {
      publicKey: encodeGenerated(new PublicKeyObject(publicOf(record)), publicKeyEncoding, 'publicKeyEncoding'),
      privateKey: encodeGenerated(new PrivateKeyObject(record), privateKeyEncoding, 'privateKeyEncoding'),
    };
  }

  function generateKeyPair(type, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    validateFunction(callback, 'callback');
    const pair = generateKeyPairSync(type, options);
    process.nextTick(callback, null, pair.publicKey, pair.privateKey);
  }

  function generateKeySync(type, options) {
    validateString(type, 'type');
    validateObject(options, 'options');
    const { length } = options;
    let size;
    if (type === 'hmac') {
      validateNumber(length, 'options.length');
      if (!Number.isInteger(length)) throw outOfRange('options.length', 'an integer', length);
      if (length < 8 || length > 2 ** 31 - 1) throw outOfRange('options.length', `>= 8 && <= ${2 ** 31 - 1}`, length);
      size = Math.floor(length / 8);
    } else if (type === 'aes') {
      if (![128, 192, 256].includes(length)) throw oneOf('options.length', length, [128, 192, 256]);
      size = length / 8;
    } else {
      throw invalidArgValue('type', type, "must be a supported key type");
    }
    return createSecretKey(u8(native.randomBytes(size)));
  }

  function generateKey(type, options, callback) {
    validateFunction(callback, 'callback');
    const key = generateKeySync(type, options);
    process.nextTick(callback, null, key);
  }

  internal.cryptoKeys = {
    // Helpers for node_crypto.js and web_crypto.js.
    ab, u8, viewBytes, concat, unsigned, padStart, b64url, fromB64, bytesOf, bitLength, toBigInt,
    opensslError, unavailable, decoderError, CURVES, curveOf, UNAVAILABLE_CURVES,
    der, seq, integer, derSequence, derItems,
    recordOf, isKeyObject, isCryptoKey, CRYPTO_KEYS, handle, keyObject, publicOf, writeDer, readDer, readJwk, writeJwk,
    ecPrivate, ecPublic, edPrivate, edPublic, rsaPublic, generateRecord,
    prepareAsymmetricKey, preparePrivateKey, preparePublicOrPrivateKey, prepareSecretKey, CREATE_PRIVATE,
    // The module's own API.
    api: {
      KeyObject, createSecretKey, createPublicKey, createPrivateKey,
      generateKeyPair, generateKeyPairSync, generateKey, generateKeySync,
    },
  };
})
