// `crypto`, after Node 20's lib/internal/crypto/*.js: hashes and HMAC
// (hash.js), randomness (random.js), signatures (sig.js: createSign,
// createVerify, sign, verify), RSA encryption (publicEncrypt,
// privateDecrypt), ECDH (createECDH, diffieHellman), AES ciphers
// (cipher.js: createCipheriv/createDecipheriv for aes-128/192/256-gcm, -cbc,
// -ctr, -ecb and id-aes*-wrap), key derivation (hkdf, pbkdf2, scrypt, each
// sync and with a callback), getHashes/getCiphers/getCurves/getCipherInfo and
// constants, with Node's error codes and messages (OpenSSL's for OpenSSL's
// errors). Keys and key objects are crypto_keys.js's; crypto.subtle and
// webcrypto are web_crypto.js's, which fills them in here.
//
// Natives used: randomBytes, digest and hmac (natives.rs; algorithm one of
// 'md5', 'sha1', 'sha256', 'sha384', 'sha512'), and crypto.rs's ecSign,
// ecVerify, ecdh, edSign, edVerify, x25519, rsaSign, rsaVerify, rsaEncrypt,
// rsaDecrypt, cipher* (a handle per cipher), hkdf, pbkdf2, scrypt.
// update() may be called many times, so hash and signature input is
// buffered here and hashed once, at digest()/sign()/verify().
//
// Deliberate deviations from Node: Hash, Hmac, Sign, Verify and the ciphers
// are not streams (Sign and Verify have write()/end(), without pipes); only
// the hashes above, with MD5 refused for RSA, HKDF and PBKDF2; curves
// prime256v1 and secp384r1 only; ECDSA signatures are deterministic (RFC
// 6979) where Node's are random (both verify the same); no CCM, OCB,
// ChaCha20-Poly1305, DES or other ciphers, no DH groups, X509Certificate,
// privateEncrypt/publicDecrypt or createCipher (they throw
// ERR_FEATURE_UNAVAILABLE_ON_PLATFORM); callback forms compute at once and
// call back on the next tick. RSA key generation takes seconds in wasm (see
// crypto_keys.js).
(function (native, internal) {
  'use strict';
  const {
    nodeError, invalidArgType, invalidArgValue, outOfRange, validateNumber, validateString, validateFunction,
  } = internal.nodeErrors;
  const { Buffer, isAnyArrayBuffer } = internal;
  const keys = internal.cryptoKeys;

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

  function Hmac(hmac, key, options) {
    if (!new.target) return new Hmac(hmac, key, options);
    validateString(hmac, 'hmac');
    const encoding = options && typeof options === 'object' ? options.encoding : undefined;
    const keyBytes = keys.prepareSecretKey(key, encoding);
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

  // ---------------------------------------------------------------------
  // Signatures (lib/internal/crypto/sig.js).
  const {
    ab, u8, concat: concatBytes, unsigned, padStart, bytesOf, bitLength, opensslError, unavailable, CURVES, curveOf,
    UNAVAILABLE_CURVES, seq, integer, derSequence, recordOf, isKeyObject, preparePrivateKey, preparePublicOrPrivateKey,
  } = keys;
  const HASH_SIZES = { md5: 16, sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
  const RSA_PKCS1_PADDING = 1;
  const RSA_PKCS1_OAEP_PADDING = 4;
  const RSA_PKCS1_PSS_PADDING = 6;
  const RSA_PSS_SALTLEN_DIGEST = -1;
  const RSA_PSS_SALTLEN_MAX_SIGN = -2;

  const invalidDigest = (name) => nodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${name}`);
  /** RSA, HKDF and PBKDF2 take SHA-1 and SHA-2 only (crypto.rs leaves MD5 out). */
  const nativeHash = (hash) => {
    if (hash === 'md5') throw unavailable('MD5 with RSA, HKDF or PBKDF2 is');
    return hash;
  };
  const invalidState = (message) => nodeError(Error, 'ERR_CRYPTO_INVALID_STATE', message);
  const unsupportedOperation = () => nodeError(Error, 'ERR_CRYPTO_UNSUPPORTED_OPERATION', 'Unsupported crypto operation');
  const keyTypeNotSupported = () => opensslError('03000096', 'digital envelope routines', 'operation not supported for this keytype',
    'ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE');
  const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  /** Bytes of data that may be a string (in `encoding`), a buffer or a view (getArrayBufferOrView). */
  const dataBytes = (data, name, encoding) => bytesOf(data, name, encoding);

  function intOption(name, options) {
    const value = options[name];
    if (value !== undefined && value !== value >> 0) throw invalidArgValue(`options.${name}`, value);
    return value;
  }
  function signOptions(options) {
    if (options === null || typeof options !== 'object') options = {};
    const padding = intOption('padding', options);
    let saltLength = intOption('saltLength', options);
    if (padding === RSA_PKCS1_PSS_PADDING && saltLength === undefined) saltLength = RSA_PSS_SALTLEN_MAX_SIGN;
    const { dsaEncoding = 'der' } = options;
    if (dsaEncoding !== 'der' && dsaEncoding !== 'ieee-p1363') throw invalidArgValue('options.dsaEncoding', dsaEncoding);
    return { padding, saltLength, p1363: dsaEncoding === 'ieee-p1363' };
  }

  /** r || s as a DER ECDSA-Sig-Value. */
  function sigToDer(sig) {
    const half = sig.length / 2;
    return seq(integer(sig.subarray(0, half)), integer(sig.subarray(half)));
  }
  /** A DER ECDSA-Sig-Value as r || s of `size`-byte halves, or null. */
  function sigFromDer(sig, size) {
    try {
      const [r, s] = derSequence(sig, 0x02, 0x02);
      const parts = [r.value, s.value].map(unsigned);
      if (parts.some((p) => p.length > size)) return null;
      return concatBytes(parts.map((p) => padStart(p, size)));
    } catch {
      return null;
    }
  }

  const rsaPrivateParts = (r) => [r.n, r.e, r.d, r.p, r.q].map(ab);
  const rsaPublicParts = (r) => [r.n, r.e].map(ab);
  const rsaPadding = (r, padding) => {
    if (r.asym === 'rsa-pss') return RSA_PKCS1_PSS_PADDING;
    if (padding === undefined) return RSA_PKCS1_PADDING;
    if (padding !== RSA_PKCS1_PADDING && padding !== RSA_PKCS1_PSS_PADDING) {
      throw opensslError('1C8000A5', 'Provider routines', 'illegal or unsupported padding mode',
        'ERR_OSSL_ILLEGAL_OR_UNSUPPORTED_PADDING_MODE');
    }
    return padding;
  };
  /** The PSS salt length OpenSSL uses for `saltLength` (-1 for any, when verifying). */
  function pssSalt(r, hash, saltLength, verifying) {
    const emLen = Math.ceil((bitLength(r.n) - 1) / 8);
    if (saltLength === undefined) return verifying ? -1 : emLen - HASH_SIZES[hash] - 2;
    if (saltLength === RSA_PSS_SALTLEN_DIGEST) return HASH_SIZES[hash];
    if (saltLength === RSA_PSS_SALTLEN_MAX_SIGN) return verifying ? -1 : emLen - HASH_SIZES[hash] - 2;
    if (saltLength < 0) throw opensslError('1C80006D', 'Provider routines', 'invalid salt length', 'ERR_OSSL_INVALID_SALT_LENGTH');
    return saltLength;
  }

  /**
   * Signs `data` (hashing it with `hash`, or as is for Ed25519, whose
   * `hash` is null) with private record `r`; a Uint8Array.
   */
  function signWith(r, hash, data, { padding, saltLength, p1363 }) {
    switch (r.asym) {
      case 'ec': {
        const sig = native.ecSign(r.curve, ab(r.d), native.digest(hash, ab(data)));
        if (sig === undefined) throw opensslError('1C80007A', 'Provider routines', 'invalid digest', 'ERR_OSSL_INVALID_DIGEST');
        return p1363 ? u8(sig) : sigToDer(u8(sig));
      }
      case 'rsa': case 'rsa-pss': {
        const pss = rsaPadding(r, padding) === RSA_PKCS1_PSS_PADDING;
        const salt = pss ? pssSalt(r, hash, saltLength, false) : 0;
        const sig = native.rsaSign(rsaPrivateParts(r), pss, nativeHash(hash), native.digest(hash, ab(data)), salt);
        if (sig === undefined) {
          throw opensslError('02000070', 'rsa routines', 'digest too big for rsa key', 'ERR_OSSL_RSA_DIGEST_TOO_BIG_FOR_RSA_KEY');
        }
        return u8(sig);
      }
      case 'ed25519':
        return u8(native.edSign(ab(r.seed), ab(data)));
    }
    throw keyTypeNotSupported();
  }

  /** Checks `signature` of `data` with record `r` (public or private). */
  function verifyWith(r, hash, data, signature, { padding, saltLength, p1363 }) {
    switch (r.asym) {
      case 'ec': {
        const size = CURVES[r.curve].size;
        const sig = p1363 ? (signature.length === 2 * size ? signature : null) : sigFromDer(signature, size);
        return sig !== null && native.ecVerify(r.curve, ab(r.point), native.digest(hash, ab(data)), ab(sig));
      }
      case 'rsa': case 'rsa-pss': {
        const pss = rsaPadding(r, padding) === RSA_PKCS1_PSS_PADDING;
        const salt = pss ? pssSalt(r, hash, saltLength, true) : 0;
        return native.rsaVerify(rsaPublicParts(r), pss, nativeHash(hash), native.digest(hash, ab(data)), ab(signature), salt);
      }
      case 'ed25519':
        return native.edVerify(ab(r.pub), ab(data), ab(signature));
    }
    throw keyTypeNotSupported();
  }

  function initSign(self, algorithm) {
    validateString(algorithm, 'algorithm');
    self._algorithm = algorithmOf(algorithm);
    if (self._algorithm === undefined) throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', 'Invalid digest');
    self._chunks = [];
    self._finalized = false;
  }
  function Sign(algorithm, options) {
    if (!new.target) return new Sign(algorithm, options);
    initSign(this, algorithm);
  }
  Sign.prototype.update = function update(data, encoding) {
    if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
      throw invalidArgType('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
    }
    if (this._finalized) throw invalidState('Not initialised');
    this._chunks.push(inputBytes(data, encoding));
    return this;
  };
  // The Writable side of Node's Sign and Verify, enough for pipe-less use.
  Sign.prototype.write = function write(chunk, encoding, callback) {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    this.update(chunk, encoding);
    if (typeof callback === 'function') process.nextTick(callback);
    return true;
  };
  Sign.prototype.end = function end(chunk, encoding, callback) {
    if (typeof chunk === 'function') callback = chunk;
    else if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    if (typeof encoding === 'function') callback = encoding;
    if (typeof callback === 'function') process.nextTick(callback);
    return this;
  };
  Sign.prototype.sign = function sign(options, encoding) {
    if (!options) throw nodeError(Error, 'ERR_CRYPTO_SIGN_KEY_REQUIRED', 'No key provided to sign');
    const { record } = preparePrivateKey(options);
    const opts = signOptions(options);
    if (this._finalized) throw invalidState('Not initialised');
    if (record.asym === 'ed25519' || record.asym === 'x25519') throw unsupportedOperation();
    this._finalized = true;
    const sig = asBuffer(signWith(record, this._algorithm, concatBytes(this._chunks), opts));
    this._chunks = null;
    return encoding && encoding !== 'buffer' ? sig.toString(encoding) : sig;
  };

  function Verify(algorithm, options) {
    if (!new.target) return new Verify(algorithm, options);
    initSign(this, algorithm);
  }
  Verify.prototype.update = Sign.prototype.update;
  Verify.prototype.write = Sign.prototype.write;
  Verify.prototype.end = Sign.prototype.end;
  Verify.prototype.verify = function verify(options, signature, sigEncoding) {
    const { record } = preparePublicOrPrivateKey(options);
    const opts = signOptions(options);
    const sig = dataBytes(signature, 'signature', sigEncoding);
    if (this._finalized) throw invalidState('Not initialised');
    if (record.asym === 'ed25519' || record.asym === 'x25519') throw unsupportedOperation();
    this._finalized = true;
    const ok = verifyWith(record, this._algorithm, concatBytes(this._chunks), sig, opts);
    this._chunks = null;
    return ok;
  };

  /** The digest of a one-shot sign/verify: null for Ed25519, sha256 by default. */
  function oneShotHash(algorithm, record) {
    if (record.asym === 'ed25519') {
      if (algorithm != null) throw opensslError('1C80007A', 'Provider routines', 'invalid digest', 'ERR_OSSL_INVALID_DIGEST');
      return null;
    }
    if (algorithm == null) return 'sha256';
    const hash = algorithmOf(algorithm);
    if (hash === undefined) throw invalidDigest(algorithm);
    return hash;
  }

  function signOneShot(algorithm, data, key, callback) {
    if (algorithm != null) validateString(algorithm, 'algorithm');
    if (callback !== undefined) validateFunction(callback, 'callback');
    const bytes = dataBytes(data, 'data');
    if (!key) throw nodeError(Error, 'ERR_CRYPTO_SIGN_KEY_REQUIRED', 'No key provided to sign');
    const opts = signOptions(key);
    const { record } = preparePrivateKey(key);
    const compute = () => asBuffer(signWith(record, oneShotHash(algorithm, record), bytes, opts));
    if (callback === undefined) return compute();
    job(compute, callback);
    return undefined;
  }

  function verifyOneShot(algorithm, data, key, signature, callback) {
    if (algorithm != null) validateString(algorithm, 'algorithm');
    if (callback !== undefined) validateFunction(callback, 'callback');
    const bytes = dataBytes(data, 'data');
    if (!ArrayBuffer.isView(data) && typeof data !== 'string') {
      throw invalidArgType('data', ['Buffer', 'TypedArray', 'DataView'], data);
    }
    const opts = signOptions(key);
    if (!ArrayBuffer.isView(signature)) throw invalidArgType('signature', ['Buffer', 'TypedArray', 'DataView'], signature);
    const { record } = preparePublicOrPrivateKey(key);
    const compute = () => verifyWith(record, oneShotHash(algorithm, record), bytes, viewBytes(signature), opts);
    if (callback === undefined) return compute();
    job(compute, callback);
    return undefined;
  }

  // ---------------------------------------------------------------------
  // RSA encryption (publicEncrypt and friends, lib/internal/crypto/cipher.js).
  function rsaCrypt(encrypt, defaultPadding) {
    return function rsaCipher(options, buffer) {
      const { record } = encrypt ? preparePublicOrPrivateKey(options) : preparePrivateKey(options);
      const padding = (options && options.padding) || defaultPadding;
      const { oaepHash = 'sha1', oaepLabel } = options && typeof options === 'object' ? options : {};
      if (oaepHash !== undefined) validateString(oaepHash, 'key.oaepHash');
      const hash = algorithmOf(oaepHash);
      if (hash === undefined) throw opensslError('1C80007A', 'Provider routines', 'invalid digest', 'ERR_OSSL_INVALID_DIGEST');
      nativeHash(hash);
      const label = oaepLabel === undefined ? new Uint8Array(0) : dataBytes(oaepLabel, 'key.oaepLabel');
      const data = dataBytes(buffer, 'buffer');
      if (record.asym !== 'rsa') throw keyTypeNotSupported();
      if (!encrypt && padding === RSA_PKCS1_PADDING) {
        // Node 20's fix for CVE-2023-46809 (the Marvin attack).
        throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE',
          'RSA_PKCS1_PADDING is no longer supported for private decryption, this can be reverted with --security-revert=CVE-2023-46809');
      }
      if (padding !== RSA_PKCS1_OAEP_PADDING && padding !== RSA_PKCS1_PADDING) {
        throw unavailable(`RSA padding ${padding} is`);
      }
      const oaep = padding === RSA_PKCS1_OAEP_PADDING;
      const out = encrypt
        ? native.rsaEncrypt(rsaPublicParts(record), oaep, hash, ab(label), ab(data))
        : native.rsaDecrypt(rsaPrivateParts(record), oaep, hash, ab(label), ab(data));
      if (out === undefined) {
        throw encrypt
          ? opensslError('0200006E', 'rsa routines', 'data too large for key size', 'ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_KEY_SIZE')
          : opensslError('02000079', 'rsa routines', 'oaep decoding error', 'ERR_OSSL_RSA_OAEP_DECODING_ERROR');
      }
      return Buffer.from(out);
    };
  }

  // ---------------------------------------------------------------------
  // ECDH (lib/internal/crypto/diffiehellman.js).
  const POINT_FORMATS = { compressed: 2, uncompressed: 4, hybrid: 6 };
  function pointFormat(format) {
    if (format === undefined) return 'uncompressed';
    if (typeof format === 'string' && format in POINT_FORMATS) return format;
    throw nodeError(TypeError, 'ERR_CRYPTO_ECDH_INVALID_FORMAT', `Invalid ECDH format: ${format}`);
  }
  /** `point` (uncompressed) in `format`. */
  function encodePoint(curve, point, format) {
    if (format === 'uncompressed') return point;
    const out = u8(native.ecPoint(curve, ab(point), true));
    if (format === 'hybrid') {
      const hybrid = point.slice();
      hybrid[0] = 6 + (out[0] & 1);
      return hybrid;
    }
    return out;
  }
  /** A point in any SEC1 form (hybrid included) as uncompressed, or undefined. */
  function decodePoint(curve, bytes) {
    const sec1 = bytes[0] === 6 || bytes[0] === 7 ? concatBytes([Uint8Array.of(4), bytes.subarray(1)]) : bytes;
    const point = native.ecPoint(curve, ab(sec1), false);
    return point === undefined ? undefined : u8(point);
  }
  const encodeOut = (bytes, encoding) => {
    const buf = Buffer.from(bytes);
    return encoding && encoding !== 'buffer' ? buf.toString(encoding) : buf;
  };
  function ecdhCurve(name) {
    validateString(name, 'curve');
    const curve = CURVE_NAMES[name];
    if (curve !== undefined) return curve;
    if (UNAVAILABLE_CURVES.has(name)) throw unavailable(`The ${name} curve is`);
    throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_CURVE', 'Invalid EC curve name');
  }
  // createECDH and getCurves take OpenSSL's names only.
  const CURVE_NAMES = { prime256v1: 'P-256', secp384r1: 'P-384' };
  const invalidPublicKey = () =>
    nodeError(Error, 'ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY', 'Public key is not valid for specified curve');

  function ECDH(curve) {
    if (!new.target) return new ECDH(curve);
    this._curve = ecdhCurve(curve);
    this._d = null;
    this._point = null;
  }
  ECDH.prototype.generateKeys = function generateKeys(encoding, format) {
    const d = u8(native.ecGenerate(this._curve));
    this._d = d;
    this._point = u8(native.ecPublic(this._curve, ab(d)));
    return this.getPublicKey(encoding, format);
  };
  ECDH.prototype.computeSecret = function computeSecret(key, inEnc, outEnc) {
    const peer = dataBytes(key, 'key', inEnc);
    if (this._d === null) throw nodeError(RangeError, 'ERR_CRYPTO_INVALID_KEYPAIR', 'Invalid key pair');
    const point = peer.length > 0 ? decodePoint(this._curve, peer) : undefined;
    if (point === undefined) throw invalidPublicKey();
    return encodeOut(u8(native.ecdh(this._curve, ab(this._d), ab(point))), outEnc);
  };
  ECDH.prototype.getPublicKey = function getPublicKey(encoding, format) {
    if (this._point === null) throw nodeError(Error, 'ERR_CRYPTO_OPERATION_FAILED', 'Failed to get ECDH public key');
    return encodeOut(encodePoint(this._curve, this._point, pointFormat(format)), encoding);
  };
  ECDH.prototype.getPrivateKey = function getPrivateKey(encoding) {
    if (this._d === null) throw nodeError(Error, 'ERR_CRYPTO_OPERATION_FAILED', 'Failed to get ECDH private key');
    // OpenSSL writes the scalar without leading zeros.
    return encodeOut(unsigned(this._d), encoding);
  };
  ECDH.prototype.setPrivateKey = function setPrivateKey(key, encoding) {
    const bytes = dataBytes(key, 'key', encoding);
    const size = CURVES[this._curve].size;
    const point = bytes.length <= size && bytes.length > 0 ? native.ecPublic(this._curve, ab(padStart(bytes, size))) : undefined;
    if (point === undefined) {
      throw nodeError(RangeError, 'ERR_CRYPTO_INVALID_KEYTYPE', 'Private key is not valid for specified curve.');
    }
    this._d = padStart(bytes, size);
    this._point = u8(point);
    return this;
  };
  ECDH.prototype.setPublicKey = function setPublicKey(key, encoding) {
    const point = decodePoint(this._curve, dataBytes(key, 'key', encoding));
    if (point === undefined) throw nodeError(Error, 'ERR_CRYPTO_OPERATION_FAILED', 'Failed to convert Buffer to EC_POINT');
    this._point = point;
    return this;
  };
  ECDH.convertKey = function convertKey(key, curve, inEnc, outEnc, format) {
    const name = ecdhCurve(curve);
    const point = decodePoint(name, dataBytes(key, 'key', inEnc));
    if (point === undefined) throw nodeError(Error, 'ERR_CRYPTO_OPERATION_FAILED', 'Failed to convert Buffer to EC_POINT');
    return encodeOut(encodePoint(name, point, pointFormat(format)), outEnc);
  };

  /** crypto.diffieHellman({ privateKey, publicKey }) for EC and X25519 KeyObjects. */
  function diffieHellman(options) {
    internal.nodeErrors.validateObject(options, 'options');
    const { privateKey, publicKey } = options;
    if (!isKeyObject(privateKey)) throw invalidArgValue('options.privateKey', privateKey);
    if (!isKeyObject(publicKey)) throw invalidArgValue('options.publicKey', publicKey);
    if (privateKey.type !== 'private') throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${privateKey.type}, expected private.`);
    if (publicKey.type !== 'public' && publicKey.type !== 'private') {
      throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${publicKey.type}, expected private or public.`);
    }
    return Buffer.from(deriveSecret(recordOf(privateKey), recordOf(publicKey)));
  }
  /** The ECDH or X25519 shared secret of two records. */
  function deriveSecret(priv, pub) {
    if (priv.asym !== pub.asym || priv.curve !== pub.curve) {
      throw nodeError(Error, 'ERR_CRYPTO_INCOMPATIBLE_KEY', `Incompatible key types for Diffie-Hellman: ${priv.asym} and ${pub.asym}`);
    }
    let secret;
    if (priv.asym === 'ec') secret = native.ecdh(priv.curve, ab(priv.d), ab(pub.point));
    else if (priv.asym === 'x25519') secret = native.x25519(ab(priv.seed), ab(pub.pub));
    else throw keyTypeNotSupported();
    if (secret === undefined) {
      throw opensslError('1C800066', 'Provider routines', 'failed during derivation', 'ERR_OSSL_FAILED_DURING_DERIVATION');
    }
    return u8(secret);
  }

  // ---------------------------------------------------------------------
  // Ciphers (lib/internal/crypto/cipher.js): AES in ECB, CBC, CTR, GCM and
  // key wrap modes.
  const CIPHERS = new Map();
  // OpenSSL's numbers (nid) of each cipher, by key size: ecb, cbc, ctr, gcm, wrap.
  const NIDS = { 128: [418, 419, 904, 895, 788], 192: [422, 423, 905, 898, 789], 256: [426, 427, 906, 901, 790] };
  for (const bits of [128, 192, 256]) {
    const key = bits / 8;
    const [ecb, cbc, ctr, gcm, wrapNid] = NIDS[bits];
    for (const [mode, iv, block, nid] of [['cbc', 16, 16, cbc], ['ecb', 0, 16, ecb], ['ctr', 16, 1, ctr], ['gcm', 12, 1, gcm]]) {
      const name = mode === 'gcm' ? `id-aes${bits}-gcm` : `aes-${bits}-${mode}`;
      CIPHERS.set(`aes-${bits}-${mode}`, { name, mode, key, iv, block, nid });
    }
    CIPHERS.set(`aes${bits}`, CIPHERS.get(`aes-${bits}-cbc`));
    CIPHERS.set(`id-aes${bits}-gcm`, CIPHERS.get(`aes-${bits}-gcm`));
    const wrap = { name: `id-aes${bits}-wrap`, mode: 'wrap', key, iv: 8, block: 8, nid: wrapNid };
    CIPHERS.set(`id-aes${bits}-wrap`, wrap);
    CIPHERS.set(`aes${bits}-wrap`, wrap);
  }
  const NODE_CIPHERS = ['aes-128-cbc', 'aes-128-ctr', 'aes-128-ecb', 'aes-128-gcm', 'aes-192-cbc', 'aes-192-ctr',
    'aes-192-ecb', 'aes-192-gcm', 'aes-256-cbc', 'aes-256-ctr', 'aes-256-ecb', 'aes-256-gcm', 'aes128', 'aes128-wrap',
    'aes192', 'aes192-wrap', 'aes256', 'aes256-wrap', 'id-aes128-GCM', 'id-aes128-wrap', 'id-aes192-GCM',
    'id-aes192-wrap', 'id-aes256-GCM', 'id-aes256-wrap'];
  // Names OpenSSL has and the chat runtime does not: unavailable rather than unknown.
  const OTHER_CIPHERS = new RegExp('^(aes-(128|192|256)-(ccm|ocb|ofb|xts|cfb|cfb1|cfb8|cbc-hmac-sha1|cbc-hmac-sha256)|' +
    'id-aes(128|192|256)-(ccm|wrap-pad)|aes(128|192|256)-wrap-pad|chacha20|chacha20-poly1305|des3|des-ede3?(-cbc)?|' +
    'des(-(cbc|cfb|ecb|ofb))?|bf(-(cbc|cfb|ecb|ofb))?|camellia-(128|192|256)-(cbc|cfb|ecb|ofb|ctr)|' +
    'aria-(128|192|256)-(cbc|cfb|ecb|ofb|ctr|gcm|ccm)|sm4(-(cbc|cfb|ecb|ofb|ctr))?|rc4|rc2(-cbc)?)$');
  const GCM_TAG_LENGTHS = [4, 8, 12, 13, 14, 15, 16];

  function cipherSpec(name) {
    validateString(name, 'cipher');
    const spec = CIPHERS.get(name.toLowerCase());
    if (spec !== undefined) return spec;
    if (OTHER_CIPHERS.test(name.toLowerCase())) throw unavailable(`The ${name} cipher is`);
    throw nodeError(Error, 'ERR_CRYPTO_UNKNOWN_CIPHER', 'Unknown cipher');
  }
  const invalidTagLength = (n) => nodeError(TypeError, 'ERR_CRYPTO_INVALID_AUTH_TAG', `Invalid authentication tag length: ${n}`);

  function CipherBase(decrypt, cipher, key, iv, options) {
    const spec = cipherSpec(cipher);
    const keyBytes = keys.prepareSecretKey(key, options && options.encoding);
    const ivBytes = iv === null ? null : dataBytes(iv, 'iv');
    if (keyBytes.length !== spec.key) throw nodeError(RangeError, 'ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length');
    const ivOk = spec.mode === 'gcm' ? ivBytes !== null && ivBytes.length > 0
      : spec.mode === 'ecb' ? ivBytes === null || ivBytes.length === 0
        : ivBytes !== null && ivBytes.length === spec.iv;
    if (!ivOk) throw nodeError(TypeError, 'ERR_CRYPTO_INVALID_IV', 'Invalid initialization vector');
    let tagLength;
    if (spec.mode === 'gcm' && options && options.authTagLength !== undefined) {
      tagLength = options.authTagLength;
      if (!GCM_TAG_LENGTHS.includes(tagLength)) throw invalidTagLength(tagLength);
    }
    this._spec = spec;
    this._tagLength = tagLength;
    this._handle = native.cipherNew(spec.mode, ab(keyBytes), ab(ivBytes || new Uint8Array(0)), decrypt, 128);
    this._decrypt = decrypt;
    this._started = false;
    this._finalized = false;
    this._authTag = null;
    this._decoder = null;
  }
  /** Output as Node gives it: a Buffer, or text through a StringDecoder that carries partial characters over. */
  function cipherOutput(cipher, buffer, encoding, end) {
    const buf = Buffer.from(buffer);
    if (!encoding || encoding === 'buffer') return buf;
    if (cipher._decoder === null || cipher._decoderEncoding !== encoding) {
      const { StringDecoder } = internal.builtins.string_decoder();
      cipher._decoder = new StringDecoder(encoding);
      cipher._decoderEncoding = encoding;
    }
    return end ? cipher._decoder.end(buf) : cipher._decoder.write(buf);
  }
  const cipherMethods = {
    update(data, inputEncoding, outputEncoding) {
      if (typeof data === 'string') {
        const enc = internal.normalizeEncoding(`${inputEncoding}`) || 'utf8';
        if (enc === 'hex' && data.length % 2 !== 0) {
          throw invalidArgValue('encoding', inputEncoding, `is invalid for data of length ${data.length}`);
        }
        data = Buffer.from(data, enc);
      } else if (!ArrayBuffer.isView(data)) {
        throw invalidArgType('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
      }
      if (this._finalized || this._wrapped) throw new Error('Trying to add data in unsupported state');
      this._started = true;
      const out = native.cipherUpdate(this._handle, ab(viewBytes(data)));
      if (this._spec.mode === 'wrap') {
        // Key wrap is one-shot: OpenSSL does it all in the first update.
        this._wrapped = true;
        const wrapped = native.cipherFinal(this._handle, new ArrayBuffer(0));
        if (typeof wrapped === 'number') throw new Error('Trying to add data in unsupported state');
        return cipherOutput(this, concatBytes([u8(out), u8(wrapped)]), outputEncoding, false);
      }
      return cipherOutput(this, out, outputEncoding, false);
    },
    final(outputEncoding) {
      if (this._finalized) throw invalidState('Invalid state');
      this._finalized = true;
      if (this._wrapped) return cipherOutput(this, new ArrayBuffer(0), outputEncoding, true);
      const result = native.cipherFinal(this._handle, ab(this._authTag || new Uint8Array(0)));
      if (typeof result === 'number') {
        if (result === 1) throw opensslError('1C800064', 'Provider routines', 'bad decrypt', 'ERR_OSSL_BAD_DECRYPT');
        if (result === 2) {
          throw opensslError('1C80006B', 'Provider routines', 'wrong final block length', 'ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH');
        }
        throw new Error('Unsupported state or unable to authenticate data');
      }
      if (this._spec.mode === 'gcm' && !this._decrypt) {
        this._authTag = u8(result).slice(0, this._tagLength || 16);
        return cipherOutput(this, new ArrayBuffer(0), outputEncoding, true);
      }
      return cipherOutput(this, result, outputEncoding, true);
    },
    setAutoPadding(autoPadding = true) {
      if (this._finalized) throw invalidState('Invalid state for operation setAutoPadding');
      native.cipherPadding(this._handle, !!autoPadding);
      return this;
    },
    setAAD(buffer, options) {
      const bytes = dataBytes(buffer, 'buffer');
      if (options !== undefined && options.plaintextLength !== undefined) {
        validateNumber(options.plaintextLength, 'options.plaintextLength');
      }
      if (this._finalized || this._spec.mode !== 'gcm' || !native.cipherAad(this._handle, ab(bytes))) {
        throw invalidState('Invalid state for operation setAAD');
      }
      return this;
    },
  };
  function Cipheriv(cipher, key, iv, options) {
    if (!new.target) return new Cipheriv(cipher, key, iv, options);
    CipherBase.call(this, false, cipher, key, iv, options);
  }
  Object.assign(Cipheriv.prototype, cipherMethods);
  Cipheriv.prototype.getAuthTag = function getAuthTag() {
    if (this._authTag === null) throw invalidState('Invalid state for operation getAuthTag');
    return Buffer.from(this._authTag);
  };
  function Decipheriv(cipher, key, iv, options) {
    if (!new.target) return new Decipheriv(cipher, key, iv, options);
    CipherBase.call(this, true, cipher, key, iv, options);
  }
  Object.assign(Decipheriv.prototype, cipherMethods);
  Decipheriv.prototype.setAuthTag = function setAuthTag(tagbuf, encoding) {
    const tag = dataBytes(tagbuf, 'buffer', encoding);
    if (this._spec.mode !== 'gcm' || this._finalized || this._authTag !== null) {
      throw invalidState('Invalid state for operation setAuthTag');
    }
    const ok = this._tagLength === undefined ? GCM_TAG_LENGTHS.includes(tag.length) : tag.length === this._tagLength;
    if (!ok) throw invalidTagLength(tag.length);
    this._authTag = tag.slice();
    return this;
  };

  function getCipherInfo(nameOrNid, options) {
    if (typeof nameOrNid !== 'string' && typeof nameOrNid !== 'number') {
      throw invalidArgType('nameOrNid', ['string', 'number'], nameOrNid);
    }
    const spec = typeof nameOrNid === 'string' ? CIPHERS.get(nameOrNid.toLowerCase())
      : [...CIPHERS.values()].find((c) => c.nid === nameOrNid);
    if (spec === undefined) return undefined;
    const { keyLength, ivLength } = options || {};
    if (keyLength !== undefined && keyLength !== spec.key) return undefined;
    if (ivLength !== undefined && ivLength !== spec.iv && spec.mode !== 'gcm') return undefined;
    const info = { mode: spec.mode, name: spec.name, nid: spec.nid, blockSize: spec.block };
    if (spec.iv) info.ivLength = ivLength === undefined ? spec.iv : ivLength;
    info.keyLength = spec.key;
    return info;
  }

  // ---------------------------------------------------------------------
  // Key derivation (hkdf.js, pbkdf2.js, scrypt.js).
  const invalidKeylen = () => nodeError(RangeError, 'ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length');
  function validateInt32(value, name, min) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < min || value > 2 ** 31 - 1) throw outOfRange(name, `>= ${min} && <= ${2 ** 31 - 1}`, value);
  }
  function validateUint32(value, name) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < 0 || value > 2 ** 32 - 1) throw outOfRange(name, `>= 0 && <= ${2 ** 32 - 1}`, value);
  }
  /** Runs `compute` now for the sync form, or hands its result to `callback` on a later tick. */
  function job(compute, callback) {
    let result;
    try {
      result = compute();
    } catch (err) {
      process.nextTick(callback, err);
      return;
    }
    process.nextTick(callback, null, result);
  }

  function hkdfArgs(digest, ikm, salt, info, keylen) {
    validateString(digest, 'digest');
    let key;
    if (isKeyObject(ikm)) key = keys.prepareSecretKey(ikm);
    else if (isAnyArrayBuffer(ikm) || ArrayBuffer.isView(ikm) || typeof ikm === 'string') key = dataBytes(ikm, 'ikm');
    else throw invalidArgType('ikm', ['string', 'SecretKeyObject', 'ArrayBuffer', 'TypedArray', 'DataView', 'Buffer'], ikm);
    const byteSource = (v, name) => {
      if (typeof v === 'string' || isAnyArrayBuffer(v) || ArrayBuffer.isView(v)) return dataBytes(v, name);
      throw invalidArgType(name, ['string', 'ArrayBuffer', 'TypedArray', 'DataView', 'Buffer'], v);
    };
    const saltBytes = byteSource(salt, 'salt');
    const infoBytes = byteSource(info, 'info');
    internal.nodeErrors.validateInteger(keylen, 'length', 0, 2 ** 32);
    if (infoBytes.length > 1024) throw outOfRange('info', 'must not contain more than 1024 bytes', infoBytes.length);
    return () => {
      const hash = algorithmOf(digest);
      if (hash === undefined) throw invalidDigest(digest);
      if (keylen > 255 * HASH_SIZES[hash]) throw invalidKeylen();
      return native.hkdf(nativeHash(hash), ab(key), ab(saltBytes), ab(infoBytes), keylen);
    };
  }
  const hkdfSync = (digest, ikm, salt, info, keylen) => hkdfArgs(digest, ikm, salt, info, keylen)();
  function hkdf(digest, ikm, salt, info, keylen, callback) {
    const compute = hkdfArgs(digest, ikm, salt, info, keylen);
    validateFunction(callback, 'callback');
    job(compute, callback);
  }

  function pbkdf2Args(password, salt, iterations, keylen, digest) {
    validateString(digest, 'digest');
    const pass = dataBytes(password, 'password');
    const saltBytes = dataBytes(salt, 'salt');
    validateInt32(iterations, 'iterations', 1);
    validateInt32(keylen, 'keylen', 0);
    return () => {
      const hash = algorithmOf(digest);
      if (hash === undefined) throw invalidDigest(digest);
      return Buffer.from(native.pbkdf2(nativeHash(hash), ab(pass), ab(saltBytes), iterations, keylen));
    };
  }
  const pbkdf2Sync = (password, salt, iterations, keylen, digest) => pbkdf2Args(password, salt, iterations, keylen, digest)();
  function pbkdf2(password, salt, iterations, keylen, digest, callback) {
    if (typeof digest === 'function') {
      callback = digest;
      digest = undefined;
    }
    const compute = pbkdf2Args(password, salt, iterations, keylen, digest);
    validateFunction(callback, 'callback');
    job(compute, callback);
  }

  const SCRYPT_DEFAULTS = { N: 16384, r: 8, p: 1, maxmem: 32 << 20 };
  const invalidScrypt = (detail) =>
    nodeError(RangeError, 'ERR_CRYPTO_INVALID_SCRYPT_PARAMS', `Invalid scrypt params${detail ? `: ${detail}` : ''}`);
  function scryptArgs(password, salt, keylen, options) {
    const pass = dataBytes(password, 'password');
    const saltBytes = dataBytes(salt, 'salt');
    validateInt32(keylen, 'keylen', 0);
    let { N, r, p, maxmem } = SCRYPT_DEFAULTS;
    if (options && options !== SCRYPT_DEFAULTS) {
      const alias = (a, b, current) => {
        if (options[a] !== undefined && options[b] !== undefined) {
          throw nodeError(Error, 'ERR_CRYPTO_SCRYPT_INVALID_PARAMETER', 'Invalid scrypt parameter');
        }
        const name = options[a] !== undefined ? a : b;
        if (options[name] === undefined) return current;
        validateUint32(options[name], name);
        return options[name];
      };
      N = alias('N', 'cost', N);
      r = alias('r', 'blockSize', r);
      p = alias('p', 'parallelization', p);
      if (options.maxmem !== undefined) {
        maxmem = options.maxmem;
        validateNumber(maxmem, 'maxmem', 0);
      }
      if (N === 0) N = SCRYPT_DEFAULTS.N;
      if (r === 0) r = SCRYPT_DEFAULTS.r;
      if (p === 0) p = SCRYPT_DEFAULTS.p;
    }
    if (N < 2 || (N & (N - 1)) !== 0) throw invalidScrypt();
    // OpenSSL's memory estimate: 128·r·(N + p + 2) bytes.
    if (128 * r * (N + p + 2) > maxmem) {
      throw invalidScrypt('error:030000AC:digital envelope routines::memory limit exceeded');
    }
    return () => {
      const out = native.scrypt(ab(pass), ab(saltBytes), Math.log2(N), r, p, keylen);
      if (out === undefined) throw invalidScrypt();
      return Buffer.from(out);
    };
  }
  const scryptSync = (password, salt, keylen, options) => scryptArgs(password, salt, keylen, options)();
  function scrypt(password, salt, keylen, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const compute = scryptArgs(password, salt, keylen, options);
    validateFunction(callback, 'callback');
    job(compute, callback);
  }

  const constants = {
    OPENSSL_VERSION_NUMBER: 805306672, SSL_OP_ALL: 2147485776, SSL_OP_ALLOW_NO_DHE_KEX: 1024,
    SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION: 262144, SSL_OP_CIPHER_SERVER_PREFERENCE: 4194304,
    SSL_OP_CISCO_ANYCONNECT: 32768, SSL_OP_COOKIE_EXCHANGE: 8192, SSL_OP_CRYPTOPRO_TLSEXT_BUG: 2147483648,
    SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: 2048, SSL_OP_LEGACY_SERVER_CONNECT: 4, SSL_OP_NO_COMPRESSION: 131072,
    SSL_OP_NO_ENCRYPT_THEN_MAC: 524288, SSL_OP_NO_QUERY_MTU: 4096, SSL_OP_NO_RENEGOTIATION: 1073741824,
    SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: 65536, SSL_OP_NO_SSLv2: 0, SSL_OP_NO_SSLv3: 33554432,
    SSL_OP_NO_TICKET: 16384, SSL_OP_NO_TLSv1: 67108864, SSL_OP_NO_TLSv1_1: 268435456, SSL_OP_NO_TLSv1_2: 134217728,
    SSL_OP_NO_TLSv1_3: 536870912, SSL_OP_PRIORITIZE_CHACHA: 2097152, SSL_OP_TLS_ROLLBACK_BUG: 8388608,
    ENGINE_METHOD_RSA: 1, ENGINE_METHOD_DSA: 2, ENGINE_METHOD_DH: 4, ENGINE_METHOD_RAND: 8, ENGINE_METHOD_EC: 2048,
    ENGINE_METHOD_CIPHERS: 64, ENGINE_METHOD_DIGESTS: 128, ENGINE_METHOD_PKEY_METHS: 512,
    ENGINE_METHOD_PKEY_ASN1_METHS: 1024, ENGINE_METHOD_ALL: 65535, ENGINE_METHOD_NONE: 0,
    DH_CHECK_P_NOT_SAFE_PRIME: 2, DH_CHECK_P_NOT_PRIME: 1, DH_UNABLE_TO_CHECK_GENERATOR: 4,
    DH_NOT_SUITABLE_GENERATOR: 8, RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4,
    RSA_X931_PADDING: 5, RSA_PKCS1_PSS_PADDING: 6, RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2,
    RSA_PSS_SALTLEN_AUTO: -2, TLS1_VERSION: 769, TLS1_1_VERSION: 770, TLS1_2_VERSION: 771, TLS1_3_VERSION: 772,
    POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
  };

  const crypto = {
    createHash: (algorithm, options) => new Hash(algorithm, options),
    createHmac: (hmac, key, options) => new Hmac(hmac, key, options),
    hash,
    Hash,
    Hmac,
    getHashes: () => ['md5', 'sha1', 'sha256', 'sha384', 'sha512'],
    getCiphers: () => NODE_CIPHERS.slice(),
    getCurves: () => Object.keys(CURVE_NAMES),
    getCipherInfo,
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFill,
    randomFillSync,
    randomInt,
    randomUUID: () => globalThis.crypto.randomUUID(),
    getRandomValues: (array) => globalThis.crypto.getRandomValues(array),
    timingSafeEqual,
    // web_crypto.js sets webcrypto and subtle.
    webcrypto: undefined,
    subtle: undefined,
    constants,
    ...keys.api,
    createSign: (algorithm, options) => new Sign(algorithm, options),
    createVerify: (algorithm, options) => new Verify(algorithm, options),
    Sign,
    Verify,
    sign: signOneShot,
    verify: verifyOneShot,
    publicEncrypt: rsaCrypt(true, RSA_PKCS1_OAEP_PADDING),
    privateDecrypt: rsaCrypt(false, RSA_PKCS1_OAEP_PADDING),
    createECDH: (curve) => new ECDH(curve),
    ECDH,
    diffieHellman,
    createCipheriv: (cipher, key, iv, options) => new Cipheriv(cipher, key, iv, options),
    createDecipheriv: (cipher, key, iv, options) => new Decipheriv(cipher, key, iv, options),
    Cipheriv,
    Decipheriv,
    hkdf,
    hkdfSync,
    pbkdf2,
    pbkdf2Sync,
    scrypt,
    scryptSync,
  };
  for (const name of ['createCipher', 'createDecipher', 'createDiffieHellman', 'createDiffieHellmanGroup',
    'getDiffieHellman', 'privateEncrypt', 'publicDecrypt', 'generatePrime', 'generatePrimeSync', 'checkPrime',
    'checkPrimeSync', 'X509Certificate', 'Certificate', 'secureHeapUsed', 'setEngine']) {
    crypto[name] = function unavailableFunction() {
      throw unavailable(`crypto.${name} is`);
    };
  }

  // For web_crypto.js.
  internal.nodeCrypto = {
    module: crypto, algorithmOf, HASH_SIZES, signWith, verifyWith, deriveSecret, sigToDer, sigFromDer, invalidDigest,
  };
  internal.builtins.crypto = () => crypto;
})
