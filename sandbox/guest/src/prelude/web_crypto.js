// Web Crypto: `crypto.subtle` (SubtleCrypto), CryptoKey and Crypto, after
// Node 20's lib/internal/crypto/webcrypto.js and its per-algorithm files
// (aes.js, ec.js, rsa.js, cfrg.js, mac.js, hkdf.js, pbkdf2.js), on the keys
// of crypto_keys.js and the primitives of node_crypto.js / crypto.rs. The
// same objects are `require('crypto').webcrypto` and `.subtle`.
//
// Supported: digest (SHA-1/256/384/512); importKey/exportKey in raw, jwk,
// spki and pkcs8 as each algorithm allows; sign/verify with HMAC, ECDSA
// (P-256, P-384), Ed25519, RSASSA-PKCS1-v1_5 and RSA-PSS; encrypt/decrypt
// with AES-GCM, AES-CBC, AES-CTR and RSA-OAEP; wrapKey/unwrapKey (AES-KW or
// any of those); generateKey for all of the above and X25519 and ECDH;
// deriveBits/deriveKey with ECDH, X25519, HKDF and PBKDF2. Errors are
// DOMExceptions with Node's names and messages.
//
// Deliberate deviations from Node: no P-521, Ed448 or X448 (NotSupported-
// Error); RSA-OAEP labels must be UTF-8 text; the work happens before the
// returned promise settles rather than on a thread pool.
(function (native, internal) {
  'use strict';
  const keys = internal.cryptoKeys;
  const node = internal.nodeCrypto;
  const { nodeError } = internal.nodeErrors;
  const { ab, u8, concat, viewBytes, recordOf, keyObject, publicOf, writeDer, readJwk, writeJwk, CURVES } = keys;
  const { isAnyArrayBuffer } = internal;

  const domError = (message, name, cause) =>
    new globalThis.DOMException(message, cause === undefined ? name : { name, cause });
  const operationError = (cause) => domError('The operation failed for an operation-specific reason', 'OperationError', cause);
  const notSupported = () => domError('Unrecognized algorithm name', 'NotSupportedError');
  const invalidKeyData = (cause) => domError('Invalid keyData', 'DataError', cause);
  const HASHES = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
  const hashOf = (algorithm) => HASHES[algorithm.hash.name];

  // -------------------------------------------------------------------
  // WebIDL conversions (webidl.js), with Node's messages.
  const webidlError = (message, code = 'ERR_INVALID_ARG_TYPE') => {
    const err = new TypeError(message);
    err.code = code;
    return err;
  };
  const ORDINALS = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th'];
  function requireArgs(method, count, required) {
    if (count < required) {
      throw webidlError(`Failed to execute '${method}' on 'SubtleCrypto': ${required} argument${required === 1 ? '' : 's'} required, but only ${count} present.`, 'ERR_MISSING_ARGS');
    }
  }
  const context = (method, i) => `Failed to execute '${method}' on 'SubtleCrypto': ${ORDINALS[i]} argument`;
  /** A copy of a BufferSource's bytes. */
  function bufferSource(value, where) {
    if (ArrayBuffer.isView(value)) return viewBytes(value).slice();
    if (isAnyArrayBuffer(value)) return new Uint8Array(value).slice();
    throw webidlError(`${where} is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
  }
  function cryptoKeyArg(value, where) {
    if (!SLOTS.has(value)) throw webidlError(`${where} is not of type CryptoKey.`);
    return value;
  }
  const FORMATS = ['raw', 'pkcs8', 'spki', 'jwk'];
  const USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];
  function enumArg(value, list, type, where) {
    const text = String(value);
    if (!list.includes(text)) {
      throw webidlError(`${where} value '${text}' is not a valid enum value of type ${type}.`, 'ERR_INVALID_ARG_VALUE');
    }
    return text;
  }
  function usagesArg(value, where) {
    if (value === null || typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function') {
      throw webidlError(`${where} can not be converted to sequence.`);
    }
    return Array.from(value, (u, i) => enumArg(u, USAGES, 'KeyUsage', `${where}, index ${i}`));
  }

  // -------------------------------------------------------------------
  // Algorithm normalization (util.js normalizeAlgorithm).
  const SUPPORTED = {
    digest: { 'SHA-1': null, 'SHA-256': null, 'SHA-384': null, 'SHA-512': null },
    generateKey: {
      'RSASSA-PKCS1-v1_5': 'RsaHashedKeyGenParams', 'RSA-PSS': 'RsaHashedKeyGenParams',
      'RSA-OAEP': 'RsaHashedKeyGenParams', ECDSA: 'EcKeyGenParams', ECDH: 'EcKeyGenParams',
      'AES-CTR': 'AesKeyGenParams', 'AES-CBC': 'AesKeyGenParams', 'AES-GCM': 'AesKeyGenParams',
      'AES-KW': 'AesKeyGenParams', HMAC: 'HmacKeyGenParams', Ed25519: null, X25519: null,
    },
    sign: { 'RSASSA-PKCS1-v1_5': null, 'RSA-PSS': 'RsaPssParams', ECDSA: 'EcdsaParams', HMAC: null, Ed25519: null },
    importKey: {
      'RSASSA-PKCS1-v1_5': 'RsaHashedImportParams', 'RSA-PSS': 'RsaHashedImportParams',
      'RSA-OAEP': 'RsaHashedImportParams', ECDSA: 'EcKeyImportParams', ECDH: 'EcKeyImportParams',
      HMAC: 'HmacImportParams', HKDF: null, PBKDF2: null, 'AES-CTR': null, 'AES-CBC': null, 'AES-GCM': null,
      'AES-KW': null, Ed25519: null, X25519: null,
    },
    deriveBits: { HKDF: 'HkdfParams', PBKDF2: 'Pbkdf2Params', ECDH: 'EcdhKeyDeriveParams', X25519: 'EcdhKeyDeriveParams' },
    encrypt: { 'RSA-OAEP': 'RsaOaepParams', 'AES-CBC': 'AesCbcParams', 'AES-GCM': 'AesGcmParams', 'AES-CTR': 'AesCtrParams' },
    'get key length': {
      'AES-CBC': 'AesDerivedKeyParams', 'AES-CTR': 'AesDerivedKeyParams', 'AES-GCM': 'AesDerivedKeyParams',
      'AES-KW': 'AesDerivedKeyParams', HMAC: 'HmacImportParams', HKDF: null, PBKDF2: null,
    },
    wrapKey: { 'AES-KW': null },
  };
  SUPPORTED.verify = SUPPORTED.sign;
  SUPPORTED.decrypt = SUPPORTED.encrypt;
  SUPPORTED.unwrapKey = SUPPORTED.wrapKey;
  // Each dictionary's members: [name, kind, required]; kinds: 'hash',
  // 'buffer', 'number', 'string', 'key', 'bigint' (a Uint8Array).
  const DICTIONARIES = {
    RsaHashedKeyGenParams: [['hash', 'hash', true], ['modulusLength', 'number', true], ['publicExponent', 'bigint', true]],
    RsaHashedImportParams: [['hash', 'hash', true]],
    RsaPssParams: [['saltLength', 'number', true]],
    RsaOaepParams: [['label', 'buffer']],
    EcKeyGenParams: [['namedCurve', 'string', true]],
    EcKeyImportParams: [['namedCurve', 'string', true]],
    EcdsaParams: [['hash', 'hash', true]],
    EcdhKeyDeriveParams: [['public', 'key', true]],
    AesKeyGenParams: [['length', 'number', true]],
    AesDerivedKeyParams: [['length', 'number', true]],
    AesCbcParams: [['iv', 'buffer', true]],
    AesCtrParams: [['counter', 'buffer', true], ['length', 'number', true]],
    AesGcmParams: [['additionalData', 'buffer'], ['iv', 'buffer', true], ['tagLength', 'number']],
    HmacKeyGenParams: [['hash', 'hash', true], ['length', 'number']],
    HmacImportParams: [['hash', 'hash', true], ['length', 'number']],
    HkdfParams: [['hash', 'hash', true], ['info', 'buffer', true], ['salt', 'buffer', true]],
    Pbkdf2Params: [['hash', 'hash', true], ['iterations', 'number', true], ['salt', 'buffer', true]],
  };

  function normalizeAlgorithm(algorithm, op) {
    if (typeof algorithm === 'string') return normalizeAlgorithm({ name: algorithm }, op);
    const where = 'Failed to normalize algorithm: passed algorithm';
    if (algorithm === null || typeof algorithm !== 'object') throw webidlError(`${where} is not an object.`);
    if (algorithm.name === undefined) {
      throw webidlError(`${where} can not be converted to 'Algorithm' because 'name' is required in 'Algorithm'.`, 'ERR_MISSING_OPTION');
    }
    const registered = SUPPORTED[op];
    const wanted = String(algorithm.name).toUpperCase();
    const name = Object.keys(registered).find((k) => k.toUpperCase() === wanted);
    if (name === undefined) throw notSupported();
    const dictionary = registered[name];
    if (dictionary === null) return { name };
    const out = { name };
    for (const [member, kind, required] of DICTIONARIES[dictionary]) {
      const value = algorithm[member];
      const memberWhere = `${where} '${member}' of '${dictionary}' (passed algorithm)`;
      if (value === undefined) {
        if (required) {
          throw webidlError(`${where} can not be converted to '${dictionary}' because '${member}' is required in '${dictionary}'.`, 'ERR_MISSING_OPTION');
        }
        continue;
      }
      switch (kind) {
        case 'hash': out[member] = normalizeAlgorithm(value, 'digest'); break;
        case 'buffer': out[member] = bufferSource(value, memberWhere); break;
        case 'number': {
          const n = Number(value);
          if (!Number.isFinite(n)) throw webidlError(`${memberWhere} is not a finite number.`);
          out[member] = Math.trunc(n);
          break;
        }
        case 'string': out[member] = String(value); break;
        case 'key': out[member] = cryptoKeyArg(value, memberWhere); break;
        case 'bigint':
          if (!(value instanceof Uint8Array)) throw webidlError(`${memberWhere} is not an Uint8Array object.`);
          out[member] = value;
          break;
      }
    }
    return out;
  }

  // -------------------------------------------------------------------
  // CryptoKey (keys.js).
  const SLOTS = new WeakMap();
  const slot = (key) => {
    const s = SLOTS.get(key);
    if (s === undefined) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type CryptoKey');
    return s;
  };
  class CryptoKey {
    constructor() {
      throw nodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
    }
    get type() { return slot(this).type; }
    get extractable() { return slot(this).extractable; }
    get algorithm() { return slot(this).algorithm; }
    get usages() { return slot(this).usages; }
    [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
      if (depth < 0) return this;
      const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
      return `CryptoKey ${inspect({ type: this.type, extractable: this.extractable, algorithm: this.algorithm, usages: this.usages }, opts)}`;
    }
  }
  for (const name of ['type', 'extractable', 'algorithm', 'usages']) {
    Object.defineProperty(CryptoKey.prototype, name, { enumerable: true });
  }
  Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: 'CryptoKey', configurable: true });

  /** A CryptoKey over `record` (or a KeyObject's record). */
  function cryptoKey(record, algorithm, usages, extractable) {
    const key = Object.create(CryptoKey.prototype);
    SLOTS.set(key, { type: record.type, record, algorithm, usages, extractable });
    keys.CRYPTO_KEYS.set(key, keyObject(record));
    return key;
  }
  const recordOfKey = (key) => SLOTS.get(key).record;

  const hasAnyNotIn = (usages, allowed) => usages.some((u) => !allowed.includes(u));
  const intersect = (usages, ...allowed) => allowed.filter((u) => usages.includes(u));
  function checkUsages(usages, allowed, what) {
    if (hasAnyNotIn(usages, allowed)) throw domError(`Unsupported key usage for ${what} key`, 'SyntaxError');
  }

  // Usages each algorithm allows: [public, private] for key pairs, [secret].
  const PAIR_USAGES = {
    'RSASSA-PKCS1-v1_5': [['verify'], ['sign']],
    'RSA-PSS': [['verify'], ['sign']],
    'RSA-OAEP': [['encrypt', 'wrapKey'], ['decrypt', 'unwrapKey']],
    ECDSA: [['verify'], ['sign']],
    ECDH: [[], ['deriveKey', 'deriveBits']],
    Ed25519: [['verify'], ['sign']],
    X25519: [[], ['deriveKey', 'deriveBits']],
  };
  const SECRET_USAGES = {
    'AES-CTR': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
    'AES-CBC': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
    'AES-GCM': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
    'AES-KW': ['wrapKey', 'unwrapKey'],
    HMAC: ['sign', 'verify'],
    HKDF: ['deriveKey', 'deriveBits'],
    PBKDF2: ['deriveKey', 'deriveBits'],
  };
  // How Node's messages name each algorithm ("Unsupported key usage for
  // ... key"), which differ between importing and generating.
  const importWhat = (name) => {
    if (name.startsWith('AES')) return 'an AES';
    return name === 'HMAC' || name.startsWith('RSA') ? `an ${name}` : `a ${name}`;
  };
  const generateWhat = (name) => {
    if (name.startsWith('AES')) return 'an AES';
    return name.startsWith('RSA') ? 'a RSA' : `an ${name}`;
  };

  // -------------------------------------------------------------------
  // JWK checks shared by every import (aes.js, ec.js, rsa.js, mac.js).
  function checkJwk(jwk, kty, usages, extractable, use) {
    if (!jwk.kty) throw invalidKeyData();
    if (jwk.kty !== kty) throw domError('Invalid JWK "kty" Parameter', 'DataError');
    if (usages.length > 0 && jwk.use !== undefined && jwk.use !== use) {
      throw domError('Invalid JWK "use" Parameter', 'DataError');
    }
    if (jwk.key_ops !== undefined) {
      if (!Array.isArray(jwk.key_ops)) throw invalidArgTypeArray();
      const seen = new Set();
      for (const op of jwk.key_ops) {
        if (!USAGES.includes(op)) continue;
        if (seen.has(op)) throw domError('Duplicate key operation', 'DataError');
        seen.add(op);
      }
      if (usages.some((u) => !jwk.key_ops.includes(u))) throw domError('Key operations and usage mismatch', 'DataError');
    }
    if (jwk.ext === false && extractable === true) {
      throw domError('JWK "ext" Parameter and extractable mismatch', 'DataError');
    }
  }
  const invalidArgTypeArray = () => internal.nodeErrors.invalidArgType('keyData.key_ops', 'Array', undefined);
  const algMismatch = () => domError('JWK "alg" does not match the requested algorithm', 'DataError');

  const JWK_HASH = { 'SHA-1': '1', 'SHA-256': '256', 'SHA-384': '384', 'SHA-512': '512' };
  function jwkAlg(algorithm) {
    const bits = algorithm.hash && JWK_HASH[algorithm.hash.name];
    switch (algorithm.name) {
      case 'HMAC': return `HS${bits}`;
      case 'RSASSA-PKCS1-v1_5': return `RS${bits}`;
      case 'RSA-PSS': return `PS${bits}`;
      case 'RSA-OAEP': return bits === '1' ? 'RSA-OAEP' : `RSA-OAEP-${bits}`;
      case 'Ed25519': return 'Ed25519';
    }
    if (algorithm.name.startsWith('AES-')) return `A${algorithm.length}${algorithm.name.slice(4)}`;
    return undefined;
  }

  // -------------------------------------------------------------------
  // importKey.
  function importSecret(format, keyData, algorithm, extractable, usages) {
    const { name } = algorithm;
    let bytes;
    if (format === 'raw') {
      bytes = keyData;
    } else if (format === 'jwk' && name !== 'HKDF' && name !== 'PBKDF2') {
      checkJwk(keyData, 'oct', usages, extractable, 'sig');
      if (name.startsWith('AES') && usages.length > 0 && keyData.use !== undefined && keyData.use !== 'enc') {
        throw domError('Invalid JWK "use" Parameter', 'DataError');
      }
      if (typeof keyData.k !== 'string') throw invalidKeyData();
      bytes = keys.fromB64(keyData.k);
    } else {
      const kind = name.startsWith('AES') ? 'AES' : name;
      throw domError(`Unable to import ${kind} key with format ${format}`, 'NotSupportedError');
    }
    checkUsages(usages, SECRET_USAGES[name], importWhat(name));
    const bits = bytes.length * 8;
    let keyAlgorithm;
    if (name === 'HMAC') {
      if (algorithm.length !== undefined) {
        if (algorithm.length === 0) throw domError('Zero-length key is not supported', 'DataError');
        if (algorithm.length !== bits) throw domError('Invalid key length', 'DataError');
      }
      if (bits === 0) throw domError('Zero-length key is not supported', 'DataError');
      if (format === 'jwk' && keyData.alg !== undefined && keyData.alg !== jwkAlg({ name, hash: algorithm.hash })) {
        throw algMismatch();
      }
      keyAlgorithm = { name, hash: { name: algorithm.hash.name }, length: bits };
    } else if (name === 'HKDF' || name === 'PBKDF2') {
      if (extractable) throw domError(`${name} keys are not extractable`, 'SyntaxError');
      keyAlgorithm = { name };
    } else {
      if (![128, 192, 256].includes(bits)) throw domError('Invalid key length', 'DataError');
      if (format === 'jwk' && keyData.alg !== undefined && keyData.alg !== jwkAlg({ name, length: bits })) {
        throw algMismatch();
      }
      keyAlgorithm = { name, length: bits };
    }
    return cryptoKey(keys.handle({ type: 'secret', bytes: bytes.slice() }), keyAlgorithm, usages, extractable);
  }

  const ASYM_OF = {
    'RSASSA-PKCS1-v1_5': 'rsa', 'RSA-PSS': 'rsa', 'RSA-OAEP': 'rsa', ECDSA: 'ec', ECDH: 'ec',
    Ed25519: 'ed25519', X25519: 'x25519',
  };
  function importPair(format, keyData, algorithm, extractable, usages) {
    const { name } = algorithm;
    const asym = ASYM_OF[name];
    const curve = asym === 'ec' ? algorithm.namedCurve : undefined;
    if (asym === 'ec' && !CURVES[curve]) throw domError('Unrecognized namedCurve', 'NotSupportedError');
    const [publicUsages, privateUsages] = PAIR_USAGES[name];
    const what = importWhat(name);
    let record;
    const read = (f) => {
      try {
        return f();
      } catch (err) {
        throw invalidKeyData(err);
      }
    };
    switch (format) {
      case 'spki':
        checkUsages(usages, publicUsages, what);
        record = read(() => keys.readDer(keyData, 'spki', false));
        break;
      case 'pkcs8':
        checkUsages(usages, privateUsages, what);
        record = read(() => keys.readDer(keyData, 'pkcs8', true));
        break;
      case 'jwk': {
        const kty = { rsa: 'RSA', ec: 'EC' }[asym] || 'OKP';
        if (!keyData.kty) throw invalidKeyData();
        if (keyData.kty !== kty) throw domError('Invalid JWK "kty" Parameter', 'DataError');
        if (asym === 'ec' && keyData.crv !== curve) throw domError('JWK "crv" does not match the requested algorithm', 'DataError');
        if (kty === 'OKP' && keyData.crv !== name) throw domError('JWK "crv" Parameter and algorithm name mismatch', 'DataError');
        const isPublic = keyData.d === undefined;
        checkUsages(usages, isPublic ? publicUsages : privateUsages, what);
        checkJwk(keyData, kty, usages, extractable, name === 'RSA-OAEP' || name === 'ECDH' || name === 'X25519' ? 'enc' : 'sig');
        if (keyData.alg !== undefined) {
          if (asym === 'rsa' && keyData.alg !== jwkAlg(algorithm)) throw algMismatch();
          if (name === 'ECDSA' && keyData.alg !== { 'P-256': 'ES256', 'P-384': 'ES384' }[curve]) throw algMismatch();
          if (name === 'Ed25519' && keyData.alg !== 'Ed25519' && keyData.alg !== 'EdDSA') throw algMismatch();
        }
        record = read(() => readJwk(keyData, isPublic));
        break;
      }
      case 'raw':
        if (asym === 'rsa') throw domError(`Unable to import RSA key with format ${format}`, 'NotSupportedError');
        checkUsages(usages, publicUsages, what);
        if (asym !== 'ec' && keyData.length !== 32) throw domError(`${name} raw keys must be exactly 32-bytes`, 'DataError');
        record = read(() => (asym === 'ec' ? keys.ecPublic(curve, keyData) : keys.edPublic(asym, keyData)));
        break;
    }
    if (record.asym !== asym) throw domError('Invalid key type', 'DataError');
    if (asym === 'ec' && record.curve !== curve) throw domError('Named curve mismatch', 'DataError');
    let keyAlgorithm = { name };
    if (asym === 'ec') keyAlgorithm = { name, namedCurve: curve };
    if (asym === 'rsa') {
      keyAlgorithm = {
        name, modulusLength: keys.bitLength(record.n), publicExponent: record.e.slice(),
        hash: { name: algorithm.hash.name },
      };
    }
    return cryptoKey(record, keyAlgorithm, usages, extractable);
  }

  async function importKey(format, keyData, algorithm, extractable, keyUsages) {
    requireArgs('importKey', arguments.length, 4);
    format = enumArg(format, FORMATS, 'KeyFormat', context('importKey', 0));
    if (format === 'jwk') {
      if (keyData === null || typeof keyData !== 'object') throw webidlError(`${context('importKey', 1)} is not an object.`);
    } else {
      keyData = bufferSource(keyData, context('importKey', 1));
    }
    extractable = Boolean(extractable);
    const usages = usagesArg(keyUsages, context('importKey', 4));
    const normalized = normalizeAlgorithm(algorithm, 'importKey');
    const key = normalized.name in SECRET_USAGES
      ? importSecret(format, keyData, normalized, extractable, usages)
      : importPair(format, keyData, normalized, extractable, usages);
    if ((key.type === 'secret' || key.type === 'private') && usages.length === 0) {
      throw domError(`Usages cannot be empty when importing a ${key.type} key.`, 'SyntaxError');
    }
    return key;
  }

  // -------------------------------------------------------------------
  // exportKey.
  async function exportKey(format, key) {
    requireArgs('exportKey', arguments.length, 2);
    format = enumArg(format, FORMATS, 'KeyFormat', context('exportKey', 0));
    cryptoKeyArg(key, context('exportKey', 1));
    const { record, algorithm, usages, extractable } = SLOTS.get(key);
    if (!extractable) throw domError('key is not extractable', 'InvalidAccessException');
    const { name } = algorithm;
    switch (format) {
      case 'spki':
        if (record.type === 'public' && name in PAIR_USAGES) return ab(writeDer(record, 'spki'));
        throw domError(`Unable to export a raw ${name} ${record.type} key`, 'InvalidAccessError');
      case 'pkcs8':
        if (record.type === 'private' && name in PAIR_USAGES) return ab(writeDer(record, 'pkcs8'));
        throw domError(`Unable to export a pkcs8 ${name} ${record.type} key`, 'InvalidAccessError');
      case 'raw':
        if (record.type === 'secret' && name !== 'HKDF' && name !== 'PBKDF2') return ab(record.bytes);
        if (record.type === 'public' && record.asym === 'ec') return ab(record.point);
        if (record.type === 'public' && (record.asym === 'ed25519' || record.asym === 'x25519')) return ab(record.pub);
        throw domError(`Unable to export a raw ${name} ${record.type} key`, 'InvalidAccessError');
      case 'jwk': {
        if (name === 'HKDF' || name === 'PBKDF2') throw domError('Not yet supported', 'NotSupportedError');
        const jwk = { key_ops: usages.slice(), ext: extractable, ...writeJwk(record) };
        const alg = jwkAlg(algorithm);
        if (alg !== undefined) jwk.alg = alg;
        return jwk;
      }
    }
    throw domError('Export format is unsupported', 'NotSupportedError');
  }

  // -------------------------------------------------------------------
  // generateKey.
  async function generateKey(algorithm, extractable, keyUsages) {
    requireArgs('generateKey', arguments.length, 3);
    extractable = Boolean(extractable);
    const usages = usagesArg(keyUsages, context('generateKey', 2));
    const normalized = normalizeAlgorithm(algorithm, 'generateKey');
    const { name } = normalized;
    if (name in SECRET_USAGES) {
      let length = normalized.length;
      let keyAlgorithm;
      if (name === 'HMAC') {
        length = length === undefined ? (normalized.hash.name === 'SHA-384' || normalized.hash.name === 'SHA-512' ? 1024 : 512) : length;
        if (length < 0) throw internal.nodeErrors.outOfRange('algorithm.length', '> 0', length);
        if (length % 8) throw internal.nodeErrors.invalidArgValue('algorithm.length', length, 'must be a multiple of 8');
        keyAlgorithm = { name, length, hash: { name: normalized.hash.name } };
      } else {
        if (![128, 192, 256].includes(length)) throw domError('AES key length must be 128, 192, or 256 bits', 'OperationError');
        keyAlgorithm = { name, length };
      }
      checkUsages(usages, SECRET_USAGES[name], generateWhat(name));
      if (usages.length === 0) throw domError('Usages cannot be empty when creating a key.', 'SyntaxError');
      const bytes = u8(native.randomBytes(Math.ceil(length / 8)));
      return cryptoKey(keys.handle({ type: 'secret', bytes }), keyAlgorithm, usages, extractable);
    }
    const asym = ASYM_OF[name];
    const [publicAllowed, privateAllowed] = PAIR_USAGES[name];
    const allowed = publicAllowed.concat(privateAllowed);
    let keyAlgorithm = { name };
    let record;
    if (asym === 'ec') {
      if (!CURVES[normalized.namedCurve]) throw domError('Unrecognized namedCurve', 'NotSupportedError');
      checkUsages(usages, allowed, generateWhat(name));
      keyAlgorithm = { name, namedCurve: normalized.namedCurve };
      record = keys.generateRecord('ec', { namedCurve: normalized.namedCurve });
    } else if (asym === 'rsa') {
      checkUsages(usages, allowed, generateWhat(name));
      const e = normalized.publicExponent;
      let exponent = 0;
      for (let i = 0; i < e.length; i++) {
        if (e.length - i - 1 >= 4 && e[i] !== 0) {
          throw domError('The publicExponent must be equivalent to an unsigned 32-bit value', 'OperationError');
        }
        exponent = exponent * 256 + e[i];
      }
      try {
        record = keys.generateRecord('rsa', { modulusLength: normalized.modulusLength, publicExponent: exponent });
      } catch (err) {
        throw operationError(err);
      }
      keyAlgorithm = { name, modulusLength: normalized.modulusLength, publicExponent: e.slice(), hash: { name: normalized.hash.name } };
    } else {
      checkUsages(usages, allowed, generateWhat(name));
      record = keys.generateRecord(asym);
    }
    const privateUsages = intersect(usages, ...privateAllowed);
    if (privateUsages.length === 0) throw domError('Usages cannot be empty when creating a key.', 'SyntaxError');
    return {
      publicKey: cryptoKey(publicOf(record), keyAlgorithm, intersect(usages, ...publicAllowed), true),
      privateKey: cryptoKey(record, keyAlgorithm, privateUsages, extractable),
    };
  }

  // -------------------------------------------------------------------
  // sign / verify.
  function signVerify(algorithm, key, data, signature) {
    const usage = signature === undefined ? 'sign' : 'verify';
    const normalized = normalizeAlgorithm(algorithm, usage);
    const { record, algorithm: keyAlgorithm, usages } = SLOTS.get(key);
    if (!usages.includes(usage) || normalized.name !== keyAlgorithm.name) {
      throw domError(`Unable to use this key to ${usage}`, 'InvalidAccessError');
    }
    if (normalized.name === 'HMAC') {
      const mac = u8(native.hmac(hashOf(keyAlgorithm), ab(record.bytes), ab(data)));
      if (signature === undefined) return ab(mac);
      return signature.length === mac.length && signature.every((b, i) => b === mac[i]);
    }
    const type = signature === undefined ? 'private' : 'public';
    if (record.type !== type) throw domError(`Key must be a ${type} key`, 'InvalidAccessError');
    let hash = null;
    const options = { p1363: true };
    switch (normalized.name) {
      case 'ECDSA': hash = HASHES[normalized.hash.name]; break;
      case 'RSASSA-PKCS1-v1_5': hash = hashOf(keyAlgorithm); options.padding = 1; break;
      case 'RSA-PSS':
        hash = hashOf(keyAlgorithm);
        options.padding = 6;
        options.saltLength = normalized.saltLength;
        break;
    }
    try {
      if (signature === undefined) return ab(node.signWith(record, hash, data, options));
      return node.verifyWith(record, hash, data, signature, options);
    } catch (err) {
      throw operationError(err);
    }
  }

  async function sign(algorithm, key, data) {
    requireArgs('sign', arguments.length, 3);
    cryptoKeyArg(key, context('sign', 1));
    return signVerify(algorithm, key, bufferSource(data, context('sign', 2)));
  }

  async function verify(algorithm, key, signature, data) {
    requireArgs('verify', arguments.length, 4);
    cryptoKeyArg(key, context('verify', 1));
    const sig = bufferSource(signature, context('verify', 2));
    return signVerify(algorithm, key, bufferSource(data, context('verify', 3)), sig);
  }

  // -------------------------------------------------------------------
  // encrypt / decrypt (aes.js, rsa.js).
  const GCM_TAG_BITS = [32, 64, 96, 104, 112, 120, 128];
  /** Runs bytes through a native AES cipher; null when final() fails. */
  function aes(mode, keyBytes, iv, decrypt, data, { aad, counterBits = 128, tag } = {}) {
    const handle = native.cipherNew(mode, ab(keyBytes), ab(iv), decrypt, counterBits);
    if (handle < 0) throw operationError();
    if (aad !== undefined) native.cipherAad(handle, ab(aad));
    const body = u8(native.cipherUpdate(handle, ab(data)));
    const last = native.cipherFinal(handle, ab(tag || new Uint8Array(0)));
    if (typeof last === 'number') return null;
    return { body, last: u8(last) };
  }
  function cipher(decrypt, algorithm, record, keyAlgorithm, data) {
    switch (algorithm.name) {
      case 'AES-GCM': {
        const tagBits = algorithm.tagLength === undefined ? 128 : algorithm.tagLength;
        if (!GCM_TAG_BITS.includes(tagBits)) throw domError(`${tagBits} is not a valid AES-GCM tag length`, 'OperationError');
        const tagBytes = tagBits / 8;
        const aad = algorithm.additionalData;
        if (decrypt) {
          if (data.length < tagBytes) throw domError('The provided data is too small.', 'OperationError');
          const out = aes('gcm', record.bytes, algorithm.iv, true, data.subarray(0, data.length - tagBytes),
            { aad, tag: data.subarray(data.length - tagBytes) });
          if (out === null) throw operationError();
          return ab(out.body);
        }
        const out = aes('gcm', record.bytes, algorithm.iv, false, data, { aad });
        return ab(concat([out.body, out.last.subarray(0, tagBytes)]));
      }
      case 'AES-CBC': {
        if (algorithm.iv.length !== 16) throw domError('algorithm.iv must contain exactly 16 bytes', 'OperationError');
        const out = aes('cbc', record.bytes, algorithm.iv, decrypt, data);
        if (out === null) throw operationError();
        return ab(concat([out.body, out.last]));
      }
      case 'AES-CTR': {
        if (algorithm.counter.length !== 16) throw domError('algorithm.counter must contain exactly 16 bytes', 'OperationError');
        if (algorithm.length === 0 || algorithm.length > 128) {
          throw domError('AES-CTR algorithm.length must be between 1 and 128', 'OperationError');
        }
        // A counter that would come round again (more blocks than it has values).
        if (algorithm.length < 53 && Math.ceil(data.length / 16) > 2 ** algorithm.length) throw operationError();
        return ab(aes('ctr', record.bytes, algorithm.counter, decrypt, data, { counterBits: algorithm.length }).body);
      }
      case 'AES-KW': {
        const out = aes('wrap', record.bytes, new Uint8Array(0), decrypt, data);
        if (out === null) throw operationError();
        return ab(concat([out.body, out.last]));
      }
      case 'RSA-OAEP': {
        const type = decrypt ? 'private' : 'public';
        if (record.type !== type) throw domError(`The requested operation is not valid for the provided key`, 'InvalidAccessError');
        const parts = (decrypt ? [record.n, record.e, record.d, record.p, record.q] : [record.n, record.e]).map(ab);
        const label = ab(algorithm.label || new Uint8Array(0));
        const out = decrypt
          ? native.rsaDecrypt(parts, true, hashOf(keyAlgorithm), label, ab(data))
          : native.rsaEncrypt(parts, true, hashOf(keyAlgorithm), label, ab(data));
        if (out === undefined) throw operationError();
        return out;
      }
    }
    throw notSupported();
  }
  function cipherOrWrap(decrypt, algorithm, key, data, op) {
    const { record, algorithm: keyAlgorithm, usages } = SLOTS.get(key);
    if (keyAlgorithm.name !== algorithm.name || !usages.includes(op)) {
      throw domError('The requested operation is not valid for the provided key', 'InvalidAccessError');
    }
    if (algorithm.name === 'AES-KW' && op !== 'wrapKey' && op !== 'unwrapKey') throw notSupported();
    return cipher(decrypt, algorithm, record, keyAlgorithm, data);
  }

  async function encrypt(algorithm, key, data) {
    requireArgs('encrypt', arguments.length, 3);
    cryptoKeyArg(key, context('encrypt', 1));
    data = bufferSource(data, context('encrypt', 2));
    return cipherOrWrap(false, normalizeAlgorithm(algorithm, 'encrypt'), key, data, 'encrypt');
  }

  async function decrypt(algorithm, key, data) {
    requireArgs('decrypt', arguments.length, 3);
    cryptoKeyArg(key, context('decrypt', 1));
    data = bufferSource(data, context('decrypt', 2));
    return cipherOrWrap(true, normalizeAlgorithm(algorithm, 'decrypt'), key, data, 'decrypt');
  }

  async function wrapKey(format, key, wrappingKey, wrapAlgorithm) {
    requireArgs('wrapKey', arguments.length, 4);
    format = enumArg(format, FORMATS, 'KeyFormat', context('wrapKey', 0));
    cryptoKeyArg(key, context('wrapKey', 1));
    cryptoKeyArg(wrappingKey, context('wrapKey', 2));
    let algorithm;
    try {
      algorithm = normalizeAlgorithm(wrapAlgorithm, 'wrapKey');
    } catch {
      algorithm = normalizeAlgorithm(wrapAlgorithm, 'encrypt');
    }
    let keyData = await exportKey(format, key);
    if (format === 'jwk') {
      let raw = JSON.stringify(keyData);
      // AES-KW wraps whole 8-byte blocks: the JSON is padded with spaces.
      if (algorithm.name === 'AES-KW' && raw.length % 8 !== 0) raw += ' '.repeat(8 - (raw.length % 8));
      keyData = new TextEncoder().encode(raw);
    } else {
      keyData = new Uint8Array(keyData);
    }
    return cipherOrWrap(false, algorithm, wrappingKey, keyData, 'wrapKey');
  }

  async function unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgo, unwrappedKeyAlgo, extractable, keyUsages) {
    requireArgs('unwrapKey', arguments.length, 7);
    format = enumArg(format, FORMATS, 'KeyFormat', context('unwrapKey', 0));
    wrappedKey = bufferSource(wrappedKey, context('unwrapKey', 1));
    cryptoKeyArg(unwrappingKey, context('unwrapKey', 2));
    let algorithm;
    try {
      algorithm = normalizeAlgorithm(unwrapAlgo, 'unwrapKey');
    } catch {
      algorithm = normalizeAlgorithm(unwrapAlgo, 'decrypt');
    }
    let keyData = cipherOrWrap(true, algorithm, unwrappingKey, wrappedKey, 'unwrapKey');
    if (format === 'jwk') {
      try {
        keyData = JSON.parse(new TextDecoder().decode(keyData));
      } catch {
        throw domError('Invalid wrapped JWK key', 'DataError');
      }
    }
    return importKey(format, keyData, unwrappedKeyAlgo, extractable, keyUsages);
  }

  // -------------------------------------------------------------------
  // deriveBits / deriveKey (diffiehellman.js, hkdf.js, pbkdf2.js).
  function deriveBitsWith(algorithm, baseKey, length) {
    const { record } = SLOTS.get(baseKey);
    switch (algorithm.name) {
      case 'ECDH': case 'X25519': {
        const peer = SLOTS.get(algorithm.public);
        if (peer.type !== 'public') throw domError('algorithm.public must be a public key', 'InvalidAccessError');
        if (record.type !== 'private') throw domError('baseKey must be a private key', 'InvalidAccessError');
        if (peer.algorithm.name !== 'ECDH' && peer.algorithm.name !== 'X25519' && peer.algorithm.name !== 'X448') {
          throw domError('Keys must be ECDH, X25519, or X448 keys', 'InvalidAccessError');
        }
        if (peer.algorithm.name !== SLOTS.get(baseKey).algorithm.name) {
          throw domError('The public and private keys must be of the same type', 'InvalidAccessError');
        }
        if (record.curve !== peer.record.curve) throw domError('Named curve mismatch', 'InvalidAccessError');
        let secret;
        try {
          secret = node.deriveSecret(record, peer.record);
        } catch (err) {
          throw operationError(err);
        }
        if (length === null) return ab(secret);
        const bytes = Math.ceil(length / 8);
        if (secret.length < bytes) throw domError('derived bit length is too small', 'OperationError');
        const out = secret.slice(0, bytes);
        // The bits past `length` in the last byte are cleared.
        if (length % 8) out[bytes - 1] &= 0xff << (8 - (length % 8));
        return ab(out);
      }
      case 'HKDF': case 'PBKDF2': {
        if (length === null) throw domError('length cannot be null', 'OperationError');
        if (length % 8) throw domError('length must be a multiple of 8', 'OperationError');
        const hash = HASHES[algorithm.hash.name];
        let out;
        if (algorithm.name === 'HKDF') {
          out = length / 8 > 255 * node.HASH_SIZES[hash] ? undefined
            : native.hkdf(hash, ab(record.bytes), ab(algorithm.salt), ab(algorithm.info), length / 8);
        } else {
          if (algorithm.iterations === 0) throw domError('iterations cannot be zero', 'OperationError');
          out = native.pbkdf2(hash, ab(record.bytes), ab(algorithm.salt), algorithm.iterations, length / 8);
        }
        if (out === undefined) throw operationError();
        return out;
      }
    }
    throw notSupported();
  }

  function checkDeriveKey(baseKey, algorithm, usage) {
    const { usages, algorithm: keyAlgorithm } = SLOTS.get(baseKey);
    if (!usages.includes(usage)) throw domError(`baseKey does not have ${usage} usage`, 'InvalidAccessError');
    if (keyAlgorithm.name !== algorithm.name) throw domError('Key algorithm mismatch', 'InvalidAccessError');
  }

  async function deriveBits(algorithm, baseKey, length = null) {
    requireArgs('deriveBits', arguments.length, 2);
    cryptoKeyArg(baseKey, context('deriveBits', 1));
    if (length !== null) length = Math.trunc(Number(length));
    const normalized = normalizeAlgorithm(algorithm, 'deriveBits');
    checkDeriveKey(baseKey, normalized, 'deriveBits');
    return deriveBitsWith(normalized, baseKey, length);
  }

  async function deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, keyUsages) {
    requireArgs('deriveKey', arguments.length, 5);
    cryptoKeyArg(baseKey, context('deriveKey', 1));
    const normalized = normalizeAlgorithm(algorithm, 'deriveBits');
    normalizeAlgorithm(derivedKeyAlgorithm, 'importKey');
    checkDeriveKey(baseKey, normalized, 'deriveKey');
    const target = normalizeAlgorithm(derivedKeyAlgorithm, 'get key length');
    let length = null;
    if (target.name.startsWith('AES')) {
      if (![128, 192, 256].includes(target.length)) throw domError('Invalid key length', 'OperationError');
      length = target.length;
    } else if (target.name === 'HMAC') {
      if (target.length === undefined) {
        length = target.hash.name === 'SHA-384' || target.hash.name === 'SHA-512' ? 1024 : 512;
      } else if (target.length !== 0) {
        length = target.length;
      } else {
        throw domError('Invalid key length', 'OperationError');
      }
    }
    const bits = deriveBitsWith(normalized, baseKey, length);
    return importKey('raw', bits, derivedKeyAlgorithm, extractable, keyUsages);
  }

  // -------------------------------------------------------------------
  // digest.
  async function digest(algorithm, data) {
    requireArgs('digest', arguments.length, 2);
    const bytes = bufferSource(data, context('digest', 1));
    const { name } = normalizeAlgorithm(algorithm, 'digest');
    return native.digest(HASHES[name], ab(bytes));
  }

  // -------------------------------------------------------------------
  // SubtleCrypto and Crypto.
  class SubtleCrypto {
    constructor() {
      throw nodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
    }
  }
  const methods = {
    encrypt, decrypt, sign, verify, digest, generateKey, deriveKey, deriveBits, importKey, exportKey, wrapKey, unwrapKey,
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(SubtleCrypto.prototype, name, { value: fn, writable: true, enumerable: true, configurable: true });
  }
  Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: 'SubtleCrypto', configurable: true });
  const subtle = Object.create(SubtleCrypto.prototype);

  class Crypto {
    constructor() {
      throw nodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor');
    }
    get subtle() { return subtle; }
  }
  Object.defineProperty(Crypto.prototype, 'subtle', { enumerable: true });
  Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: 'Crypto', configurable: true });
  // The global `crypto` of web.js becomes a Crypto, keeping its own
  // getRandomValues and randomUUID.
  const webcrypto = globalThis.crypto;
  Object.setPrototypeOf(webcrypto, Crypto.prototype);

  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
  define('Crypto', Crypto);
  define('CryptoKey', CryptoKey);
  define('SubtleCrypto', SubtleCrypto);

  node.module.webcrypto = webcrypto;
  node.module.subtle = subtle;
})
