// `crypto`: randomness and hashing from the host, with Node 20's API and
// errors (lib/internal/crypto/hash.js, random.js).
//
// Natives used (synchronous; algorithm is one of 'md5', 'sha1', 'sha256',
// 'sha384', 'sha512'):
//   native.randomBytes(n) -> ArrayBuffer of n random bytes
//   native.digest(algorithm, data: ArrayBuffer) -> ArrayBuffer
//   native.hmac(algorithm, key: ArrayBuffer, data: ArrayBuffer) -> ArrayBuffer
// update() may be called many times, so input is buffered here and sent to
// the host once, at digest().
//
// Deliberate deviations from Node: Hash and Hmac are not streams, and only
// the algorithms above exist. Ciphers, signatures, key objects, key
// derivation and crypto.subtle (but its digest()) throw "not available in the
// chat runtime".
(function (native, internal) {
  'use strict';
  const {
    nodeError, invalidArgType, invalidArgValue, outOfRange, validateNumber, validateString, validateFunction,
  } = internal.nodeErrors;
  const { Buffer, isAnyArrayBuffer } = internal;

  const ALGORITHMS = new Map();
  for (const [name, aliases] of [
    ['md5', ['rsa-md5', 'md5withrsaencryption', 'ssl3-md5']],
    ['sha1', ['sha-1', 'rsa-sha1', 'sha1withrsaencryption', 'ssl3-sha1']],
    ['sha256', ['sha-256', 'rsa-sha256', 'sha256withrsaencryption', 'sha2-256']],
    ['sha384', ['sha-384', 'rsa-sha384', 'sha384withrsaencryption', 'sha2-384']],
    ['sha512', ['sha-512', 'rsa-sha512', 'sha512withrsaencryption', 'sha2-512']],
  ]) {
    for (const alias of [name, ...aliases]) ALGORITHMS.set(alias, name);
  }
  // OpenSSL names are case-insensitive.
  const algorithmOf = (name) => ALGORITHMS.get(String(name).toLowerCase());

  const viewBytes = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const toArrayBuffer = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const finalized = () => nodeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');

  /** The bytes of update() data, copied (hashing happens later). */
  function inputBytes(data, encoding) {
    if (typeof data === 'string') {
      const enc = internal.normalizeEncoding(`${encoding}`) || 'utf8';
      if (enc === 'hex' && data.length % 2 !== 0) {
        throw invalidArgValue('encoding', encoding, `is invalid for data of length ${data.length}`);
      }
      return Buffer.from(data, enc);
    }
    if (!ArrayBuffer.isView(data)) throw invalidArgType('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
    return viewBytes(data).slice();
  }

  function concat(chunks) {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      all.set(c, offset);
      offset += c.length;
    }
    return all.buffer;
  }

  // digest('hex') etc. give strings; no encoding, 'buffer' or an unknown
  // one gives a Buffer.
  function encodeOutput(bytes, outputEncoding) {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const enc = outputEncoding ? internal.normalizeEncoding(`${outputEncoding}`) : undefined;
    return enc === undefined ? buf : buf.toString(enc);
  }

  function Hash(algorithm, options) {
    if (!new.target) return new Hash(algorithm, options);
    validateString(algorithm, 'algorithm');
    this._algorithm = algorithmOf(algorithm);
    if (this._algorithm === undefined) throw new Error('Digest method not supported');
    this._chunks = [];
    this._finalized = false;
  }
  Hash.prototype.update = function update(data, encoding) {
    if (this._finalized) throw finalized();
    this._chunks.push(inputBytes(data, encoding));
    return this;
  };
  Hash.prototype.digest = function digest(outputEncoding) {
    if (this._finalized) throw finalized();
    const result = new Uint8Array(native.digest(this._algorithm, concat(this._chunks)));
    this._finalized = true;
    this._chunks = null;
    return encodeOutput(result, outputEncoding);
  };
  Hash.prototype.copy = function copy() {
    if (this._finalized) throw finalized();
    const hash = new Hash(this._algorithm);
    hash._chunks = this._chunks.slice();
    return hash;
  };

  // Secret keys only: asymmetric keys need signing, which the chat runtime
  // does not offer. Enough for HMAC users such as jsonwebtoken (HS256).
  const keyMaterial = new WeakMap();
  class KeyObject {
    constructor(type, bytes) {
      if (type !== 'secret') throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'type' is invalid. Received '${type}'`);
      keyMaterial.set(this, Buffer.from(bytes));
    }
    get type() { return 'secret'; }
    get symmetricKeySize() { return keyMaterial.get(this).length; }
    get asymmetricKeyType() { return undefined; }
    export(options) {
      const bytes = Buffer.from(keyMaterial.get(this));
      if (options && options.format === 'jwk') return { kty: 'oct', k: bytes.toString('base64url') };
      return bytes;
    }
    equals(other) {
      return other instanceof KeyObject && Buffer.compare(keyMaterial.get(this), keyMaterial.get(other)) === 0;
    }
  }

  function createSecretKey(key, encoding) {
    if (key instanceof KeyObject) return key;
    return new KeyObject('secret', prepareSecretKey(key, encoding));
  }

  function prepareSecretKey(key, encoding) {
    if (key instanceof KeyObject) return keyMaterial.get(key);
    if (typeof key === 'string') return Buffer.from(key, encoding);
    if (isAnyArrayBuffer(key)) return new Uint8Array(key);
    if (ArrayBuffer.isView(key)) return viewBytes(key);
    throw invalidArgType('key', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView', 'string', 'KeyObject', 'CryptoKey'], key);
  }

  function Hmac(hmac, key, options) {
    if (!new.target) return new Hmac(hmac, key, options);
    validateString(hmac, 'hmac');
    const encoding = options && typeof options === 'object' ? options.encoding : undefined;
    const keyBytes = prepareSecretKey(key, encoding);
    this._algorithm = algorithmOf(hmac);
    if (this._algorithm === undefined) throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${hmac}`);
    this._key = toArrayBuffer(keyBytes);
    this._chunks = [];
    this._finalized = false;
  }
  Hmac.prototype.update = Hash.prototype.update;
  Hmac.prototype.digest = function digest(outputEncoding) {
    outputEncoding = outputEncoding || 'buffer';
    // A second digest() gives an empty result rather than an error, like Node.
    if (this._finalized) return outputEncoding === 'buffer' ? Buffer.from('') : Buffer.from('').toString(outputEncoding);
    const result = new Uint8Array(native.hmac(this._algorithm, this._key, concat(this._chunks)));
    this._finalized = true;
    this._chunks = null;
    return encodeOutput(result, outputEncoding);
  };

  /** crypto.hash(algorithm, data[, outputEncoding = 'hex']): a one-shot digest. */
  function hash(algorithm, input, outputEncoding = 'hex') {
    validateString(algorithm, 'algorithm');
    if (typeof input !== 'string' && !ArrayBuffer.isView(input)) {
      throw invalidArgType('input', ['Buffer', 'TypedArray', 'DataView', 'string'], input);
    }
    if (outputEncoding !== 'hex') {
      validateString(outputEncoding, 'outputEncoding');
      if (internal.normalizeEncoding(outputEncoding) === undefined && outputEncoding.toLowerCase() !== 'buffer') {
        throw invalidArgValue('outputEncoding', outputEncoding);
      }
    }
    return new Hash(algorithm).update(input).digest(outputEncoding);
  }

  // ---------------------------------------------------------------------
  // Randomness (lib/internal/crypto/random.js).
  const kMaxPossibleLength = 2 ** 31 - 1;

  function assertOffset(offset, elementSize, length) {
    validateNumber(offset, 'offset');
    offset *= elementSize;
    const maxLength = Math.min(length, kMaxPossibleLength);
    if (Number.isNaN(offset) || offset > maxLength || offset < 0) {
      throw outOfRange('offset', `>= 0 && <= ${maxLength}`, offset);
    }
    return offset >>> 0;
  }

  function assertSize(size, elementSize, offset, length) {
    validateNumber(size, 'size');
    size *= elementSize;
    if (Number.isNaN(size) || size > kMaxPossibleLength || size < 0) {
      throw outOfRange('size', `>= 0 && <= ${kMaxPossibleLength}`, size);
    }
    if (size + offset > length) throw outOfRange('size + offset', `<= ${length}`, size + offset);
    return size >>> 0;
  }

  const randomInto = (bytes) => {
    if (bytes.length > 0) bytes.set(new Uint8Array(native.randomBytes(bytes.length)));
  };

  function randomBytes(size, callback) {
    size = assertSize(size, 1, 0, Infinity);
    if (callback !== undefined) validateFunction(callback, 'callback');
    const buf = Buffer.alloc(size);
    randomInto(buf);
    if (callback === undefined) return buf;
    process.nextTick(callback, null, buf);
    return undefined;
  }

  function checkFillTarget(buf) {
    if (!isAnyArrayBuffer(buf) && !ArrayBuffer.isView(buf)) {
      throw invalidArgType('buf', ['ArrayBuffer', 'ArrayBufferView'], buf);
    }
  }

  /** Fills bytes [offset, offset + size) (counted in elements) of `buf`. */
  function fillRange(buf, offset, size) {
    const elementSize = buf.BYTES_PER_ELEMENT || 1;
    offset = assertOffset(offset, elementSize, buf.byteLength);
    size = size === undefined ? buf.byteLength - offset : assertSize(size, elementSize, offset, buf.byteLength);
    const bytes = isAnyArrayBuffer(buf) ? new Uint8Array(buf) : viewBytes(buf);
    randomInto(bytes.subarray(offset, offset + size));
    return buf;
  }

  function randomFillSync(buf, offset = 0, size) {
    checkFillTarget(buf);
    return fillRange(buf, offset, size);
  }

  function randomFill(buf, offset, size, callback) {
    checkFillTarget(buf);
    if (typeof offset === 'function') {
      callback = offset;
      offset = 0;
      size = buf.length;
    } else if (typeof size === 'function') {
      callback = size;
      size = buf.length - offset;
    } else {
      validateFunction(callback, 'callback');
    }
    fillRange(buf, offset, size);
    process.nextTick(callback, null, buf);
  }

  const RAND_MAX = 0xffff_ffff_ffff;
  /** An unbiased integer in [min, max). */
  function randomInt(min, max, callback) {
    const minNotSpecified = typeof max === 'undefined' || typeof max === 'function';
    if (minNotSpecified) {
      callback = max;
      max = min;
      min = 0;
    }
    if (callback !== undefined) validateFunction(callback, 'callback');
    if (!Number.isSafeInteger(min)) throw invalidArgType('min', 'a safe integer', min);
    if (!Number.isSafeInteger(max)) throw invalidArgType('max', 'a safe integer', max);
    if (max <= min) throw outOfRange('max', `greater than the value of "min" (${min})`, max);
    const range = max - min;
    if (!(range <= RAND_MAX)) throw outOfRange(`max${minNotSpecified ? '' : ' - min'}`, `<= ${RAND_MAX}`, range);
    // x % range is unbiased for x below the largest multiple of range.
    const randLimit = RAND_MAX - (RAND_MAX % range);
    let x;
    do {
      x = Buffer.from(native.randomBytes(6)).readUIntBE(0, 6);
    } while (x >= randLimit);
    const n = (x % range) + min;
    if (callback === undefined) return n;
    process.nextTick(callback, undefined, n);
    return undefined;
  }

  function timingSafeEqual(buf1, buf2) {
    const bytesOf = (buf, name) => {
      if (isAnyArrayBuffer(buf)) return new Uint8Array(buf);
      if (ArrayBuffer.isView(buf)) return viewBytes(buf);
      throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
        `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
    };
    const a = bytesOf(buf1, 'buf1');
    const b = bytesOf(buf2, 'buf2');
    if (a.length !== b.length) {
      throw nodeError(RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
    }
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  const crypto = {
    createHash: (algorithm, options) => new Hash(algorithm, options),
    createHmac: (hmac, key, options) => new Hmac(hmac, key, options),
    hash,
    Hash,
    Hmac,
    getHashes: () => ['md5', 'sha1', 'sha256', 'sha384', 'sha512'],
    getCiphers: () => [],
    getCurves: () => [],
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFill,
    randomFillSync,
    randomInt,
    randomUUID: () => globalThis.crypto.randomUUID(),
    getRandomValues: (array) => globalThis.crypto.getRandomValues(array),
    timingSafeEqual,
    webcrypto: globalThis.crypto,
    constants: {},
    KeyObject,
    createSecretKey,
  };
  for (const name of ['createCipheriv', 'createDecipheriv', 'createSign', 'createVerify', 'sign', 'verify',
    'createPublicKey', 'createPrivateKey', 'generateKeyPair', 'generateKeyPairSync',
    'generateKey', 'generateKeySync', 'createDiffieHellman', 'createDiffieHellmanGroup', 'getDiffieHellman',
    'createECDH', 'diffieHellman', 'publicEncrypt', 'publicDecrypt', 'privateEncrypt', 'privateDecrypt',
    'pbkdf2', 'pbkdf2Sync', 'scrypt', 'scryptSync', 'hkdf', 'hkdfSync', 'generatePrime', 'generatePrimeSync',
    'checkPrime', 'checkPrimeSync', 'X509Certificate']) {
    crypto[name] = function unavailable() {
      throw nodeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `crypto.${name} is not available in the chat runtime`);
    };
  }
  // Of SubtleCrypto only digest() exists; the other methods reject.
  const SUBTLE_DIGESTS = { 'sha-1': 'sha1', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };
  crypto.subtle = {
    async digest(algorithm, data) {
      const name = typeof algorithm === 'string' ? algorithm : algorithm && algorithm.name;
      const alg = SUBTLE_DIGESTS[String(name).toLowerCase()];
      if (alg === undefined) throw nodeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `Unrecognized algorithm name: ${name}`);
      const bytes = isAnyArrayBuffer(data) ? new Uint8Array(data) : ArrayBuffer.isView(data) ? viewBytes(data) : null;
      if (bytes === null) throw invalidArgType('data', ['ArrayBuffer', 'Buffer', 'TypedArray', 'DataView'], data);
      return native.digest(alg, toArrayBuffer(bytes));
    },
  };
  for (const name of ['encrypt', 'decrypt', 'sign', 'verify', 'generateKey', 'deriveKey', 'deriveBits', 'importKey',
    'exportKey', 'wrapKey', 'unwrapKey']) {
    crypto.subtle[name] = async function unavailable() {
      throw nodeError(Error, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', `crypto.subtle.${name} is not available in the chat runtime`);
    };
  }

  internal.builtins.crypto = () => crypto;
})
