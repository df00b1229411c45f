// `buffer` (Buffer, also a global) and `string_decoder`, after Node 20's
// lib/buffer.js, lib/internal/buffer.js and the C++ behind them
// (src/node_buffer.cc, src/string_bytes.cc, src/string_decoder.cc): the
// encodings, argument handling and error codes follow Node's.
//
// Deliberate deviations from Node:
// - No allocation pool: every Buffer owns its ArrayBuffer (byteOffset 0,
//   buffer.byteLength === length) unless made from an ArrayBuffer or sliced.
//   allocUnsafe memory is zeroed.
// - kMaxLength and constants are QuickJS's limits (2 ** 31 - 1 bytes,
//   2 ** 30 - 1 string length), not V8's.
// - In 'ucs2' mode, a failed indexOf on an odd-length buffer returns -1
//   (Node returns length - 1 there, a bug in its search).
// - The Buffer() constructor does not emit the DEP0005 deprecation warning.
// - Not provided: transcode. (Blob and File are web_blob.js's.)
(function (native, internal) {
  'use strict';
  const {
    nodeError, invalidArgType, invalidArgValue, outOfRange, unknownEncoding,
    validateNumber, validateInteger, validateString,
  } = internal.nodeErrors;

  const kMaxLength = 2 ** 31 - 1;
  const kStringMaxLength = 2 ** 30 - 1;
  const INSPECT_MAX_BYTES = 50;
  const customInspect = Symbol.for('nodejs.util.inspect.custom');

  // Brand checks (internal slots), like Node's util.types, not instanceof.
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const typedArrayTag = getter(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag);
  const byteLengthGetters = [getter(ArrayBuffer.prototype, 'byteLength')];
  if (typeof SharedArrayBuffer === 'function') byteLengthGetters.push(getter(SharedArrayBuffer.prototype, 'byteLength'));
  const isUint8Array = (v) => typedArrayTag.call(v) === 'Uint8Array';
  const isArrayBufferView = (v) => ArrayBuffer.isView(v);
  const isAnyArrayBuffer = (v) => v !== null && typeof v === 'object' && byteLengthGetters.some((get) => {
    try {
      get.call(v);
      return true;
    } catch {
      return false;
    }
  });
  const validateOffset = (value, name, min = 0, max = kMaxLength) => validateInteger(value, name, min, max);
  const bufferOutOfBounds = (name) => nodeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS',
    name ? `"${name}" is outside of buffer bounds` : 'Attempt to access memory outside buffer bounds');
  /** The bytes of any ArrayBufferView. */
  const viewBytes = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

  // ---------------------------------------------------------------------
  // Strings from code units, in chunks: no O(n^2) concatenation and no
  // argument list too long for Function.prototype.apply.
  const CHUNK = 4096;
  function codesToString(codes) {
    if (codes.length <= CHUNK) return String.fromCharCode.apply(null, codes);
    const parts = [];
    for (let i = 0; i < codes.length; i += CHUNK) {
      parts.push(String.fromCharCode.apply(null, codes.subarray(i, i + CHUNK)));
    }
    return parts.join('');
  }

  // ---------------------------------------------------------------------
  // UTF-8. Lone surrogates encode as U+FFFD; decoding replaces each maximal
  // invalid subsequence with one U+FFFD (the WHATWG decoder, which V8 uses).
  // The guest's TextEncoder/TextDecoder (javy's, native code) do the same
  // far faster on large inputs; the JS loops below serve when they are
  // absent, and for writes into part of a buffer.
  const nativeEncoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;
  const nativeDecoder = typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { ignoreBOM: true }) : null;
  function utf8Length(str) {
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length &&
               (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  /** Writes whole characters only; returns the number of bytes written. */
  function utf8Write(buf, str, offset, length) {
    const end = offset + length;
    let p = offset;
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c < 0x80) {
        if (p >= end) break;
        buf[p++] = c;
      } else if (c < 0x800) {
        if (p + 2 > end) break;
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length &&
                 (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        if (p + 4 > end) break;
        c = 0x10000 + ((c - 0xd800) << 10) + (str.charCodeAt(++i) - 0xdc00);
        buf[p++] = 0xf0 | (c >> 18);
        buf[p++] = 0x80 | ((c >> 12) & 0x3f);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        if (p + 3 > end) break;
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    return p - offset;
  }

  function utf8Encode(str) {
    if (nativeEncoder !== null) return nativeEncoder.encode(str);
    const out = new Uint8Array(utf8Length(str));
    utf8Write(out, str, 0, out.length);
    return out;
  }

  function utf8Slice(bytes, start, end) {
    if (nativeDecoder !== null) return nativeDecoder.decode(bytes.subarray(start, end));
    // Plain ASCII (the common case) needs no decoding.
    let i = start;
    while (i < end && bytes[i] < 0x80) i++;
    if (i === end) return codesToString(bytes.subarray(start, end));
    const out = new Uint16Array(end - start); // never more units than bytes
    let n = 0;
    for (let k = start; k < i; k++) out[n++] = bytes[k];
    while (i < end) {
      const b = bytes[i];
      if (b < 0x80) { out[n++] = b; i++; continue; }
      let need, cp, lower = 0x80, upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2; cp = b & 0x0f;
        if (b === 0xe0) lower = 0xa0; else if (b === 0xed) upper = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3; cp = b & 0x07;
        if (b === 0xf0) lower = 0x90; else if (b === 0xf4) upper = 0x8f;
      } else { out[n++] = 0xfffd; i++; continue; }
      let j = i + 1;
      let seen = 0;
      for (; seen < need && j < end; seen++, j++) {
        const c = bytes[j];
        if (c < lower || c > upper) break;
        lower = 0x80; upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
      }
      i = j;
      if (seen < need) { out[n++] = 0xfffd; continue; }
      if (cp >= 0x10000) {
        cp -= 0x10000;
        out[n++] = 0xd800 | (cp >> 10);
        out[n++] = 0xdc00 | (cp & 0x3ff);
      } else {
        out[n++] = cp;
      }
    }
    return codesToString(out.subarray(0, n));
  }

  // ---------------------------------------------------------------------
  // The one-byte encodings, UTF-16LE and hex.
  const latin1Slice = (bytes, start, end) => codesToString(bytes.subarray(start, end));

  function asciiSlice(bytes, start, end) {
    const out = new Uint8Array(end - start);
    for (let i = start; i < end; i++) out[i - start] = bytes[i] & 0x7f;
    return codesToString(out);
  }

  // Node writes the low byte of each code unit for both 'latin1' and 'ascii'.
  function latin1Write(buf, str, offset, length) {
    const n = Math.min(str.length, length);
    for (let i = 0; i < n; i++) buf[offset + i] = str.charCodeAt(i);
    return n;
  }

  function ucs2Slice(bytes, start, end) {
    const out = new Uint16Array((end - start) >> 1);
    for (let i = 0; i < out.length; i++) out[i] = bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8);
    return codesToString(out);
  }

  function ucs2Write(buf, str, offset, length) {
    const n = Math.min(str.length, length >> 1);
    for (let i = 0; i < n; i++) {
      const c = str.charCodeAt(i);
      buf[offset + 2 * i] = c;
      buf[offset + 2 * i + 1] = c >> 8;
    }
    return n * 2;
  }

  const HEX_DIGITS = '0123456789abcdef';
  const HEX_CODES = new Uint8Array(512); // byte b -> the codes of its two digits at 2b
  for (let b = 0; b < 256; b++) {
    HEX_CODES[2 * b] = HEX_DIGITS.charCodeAt(b >> 4);
    HEX_CODES[2 * b + 1] = HEX_DIGITS.charCodeAt(b & 15);
  }
  function hexSlice(bytes, start, end) {
    const out = new Uint8Array((end - start) * 2);
    for (let i = start, j = 0; i < end; i++, j += 2) {
      const k = bytes[i] * 2;
      out[j] = HEX_CODES[k];
      out[j + 1] = HEX_CODES[k + 1];
    }
    return codesToString(out);
  }

  // Like Node's C++ decoders, these look at the low byte of each code unit.
  const UNHEX = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) {
    UNHEX[HEX_DIGITS.charCodeAt(i)] = i;
    UNHEX[HEX_DIGITS.toUpperCase().charCodeAt(i)] = i;
  }
  /** Decodes hex pairs until the first invalid one. */
  function hexWrite(buf, str, offset, length) {
    const n = Math.min(str.length >> 1, length);
    let i = 0;
    for (; i < n; i++) {
      const hi = UNHEX[str.charCodeAt(2 * i) & 0xff];
      const lo = UNHEX[str.charCodeAt(2 * i + 1) & 0xff];
      if (hi < 0 || lo < 0) break;
      buf[offset + i] = hi * 16 + lo;
    }
    return i;
  }

  // ---------------------------------------------------------------------
  // Base64. Decoding accepts both alphabets, skips any other character and
  // stops at the first '=' (Node's lenient decoder).
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const UNBASE64 = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) {
    UNBASE64[B64.charCodeAt(i)] = i;
    UNBASE64[B64URL.charCodeAt(i)] = i;
  }
  const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
  const B64URL_CODES = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));

  function base64Slice(bytes, start, end, url) {
    const alphabet = url ? B64URL_CODES : B64_CODES;
    const n = end - start;
    const out = new Uint8Array(url ? Math.ceil(n * 4 / 3) : Math.ceil(n / 3) * 4);
    let j = 0, i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out[j++] = alphabet[v >> 18];
      out[j++] = alphabet[(v >> 12) & 63];
      out[j++] = alphabet[(v >> 6) & 63];
      out[j++] = alphabet[v & 63];
    }
    if (i < end) {
      const v = (bytes[i] << 16) | (i + 1 < end ? bytes[i + 1] << 8 : 0);
      out[j++] = alphabet[v >> 18];
      out[j++] = alphabet[(v >> 12) & 63];
      if (i + 1 < end) out[j++] = alphabet[(v >> 6) & 63];
      if (!url) while (j < out.length) out[j++] = 0x3d; // '='
    }
    return codesToString(out);
  }

  function base64Write(buf, str, offset, length) {
    let p = offset, acc = 0, bits = 0, i = 0;
    const end = offset + length;
    // Fast path: whole groups of four alphabet characters.
    while (i + 4 <= str.length && p + 3 <= end) {
      const a = UNBASE64[str.charCodeAt(i) & 0xff], b = UNBASE64[str.charCodeAt(i + 1) & 0xff];
      const c = UNBASE64[str.charCodeAt(i + 2) & 0xff], d = UNBASE64[str.charCodeAt(i + 3) & 0xff];
      if ((a | b | c | d) < 0) break;
      const v = (a << 18) | (b << 12) | (c << 6) | d;
      buf[p] = v >> 16;
      buf[p + 1] = v >> 8;
      buf[p + 2] = v;
      p += 3;
      i += 4;
    }
    for (; i < str.length && p < end; i++) {
      const c = str.charCodeAt(i) & 0xff;
      const v = UNBASE64[c];
      if (v < 0) {
        if (c === 0x3d) break; // '='
        continue;
      }
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        buf[p++] = acc >> bits;
      }
    }
    return p - offset;
  }

  function base64ByteLength(str, bytes) {
    if (str.charCodeAt(bytes - 1) === 0x3d) bytes--;
    if (bytes > 1 && str.charCodeAt(bytes - 1) === 0x3d) bytes--;
    return (bytes * 3) >>> 2;
  }

  // ---------------------------------------------------------------------
  // Encoding names and operations.
  const UTF16LE = 'utf16le';
  const encodingOps = {
    utf8: { name: 'utf8', byteLength: utf8Length, write: utf8Write, slice: utf8Slice },
    utf16le: { name: UTF16LE, byteLength: (s) => s.length * 2, write: ucs2Write, slice: ucs2Slice },
    latin1: { name: 'latin1', byteLength: (s) => s.length, write: latin1Write, slice: latin1Slice },
    ascii: { name: 'ascii', byteLength: (s) => s.length, write: latin1Write, slice: asciiSlice },
    base64: {
      name: 'base64', byteLength: (s) => base64ByteLength(s, s.length), write: base64Write,
      slice: (b, s, e) => base64Slice(b, s, e, false),
    },
    base64url: {
      name: 'base64url', byteLength: (s) => base64ByteLength(s, s.length), write: base64Write,
      slice: (b, s, e) => base64Slice(b, s, e, true),
    },
    hex: { name: 'hex', byteLength: (s) => s.length >>> 1, write: hexWrite, slice: hexSlice },
  };
  const ENCODING_NAMES = Object.assign(Object.create(null), {
    'utf8': 'utf8', 'utf-8': 'utf8', 'ucs2': UTF16LE, 'ucs-2': UTF16LE, 'utf16le': UTF16LE, 'utf-16le': UTF16LE,
    'latin1': 'latin1', 'binary': 'latin1', 'ascii': 'ascii', 'base64': 'base64', 'base64url': 'base64url', 'hex': 'hex',
  });

  /** Node's normalizeEncoding: null/undefined/'' mean utf8; undefined when unknown. */
  function normalizeEncoding(enc) {
    if (enc == null || enc === '') return 'utf8';
    return typeof enc === 'string' ? ENCODING_NAMES[enc.toLowerCase()] : undefined;
  }

  /** Node's getEncodingOps: any value is stringified ('null' is unknown). */
  function getEncodingOps(encoding) {
    const name = ENCODING_NAMES[`${encoding}`.toLowerCase()];
    return name === undefined ? undefined : encodingOps[name];
  }

  // ---------------------------------------------------------------------
  // Buffer itself: a function (callable with or without `new`, like Node's)
  // whose prototype is that of a Uint8Array subclass.
  class FastBuffer extends Uint8Array {}

  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === 'number') {
      if (typeof encodingOrOffset === 'string') throw invalidArgType('string', 'string', arg);
      return Buffer.alloc(arg);
    }
    return Buffer.from(arg, encodingOrOffset, length);
  }
  FastBuffer.prototype.constructor = Buffer;
  Buffer.prototype = FastBuffer.prototype;
  Object.setPrototypeOf(Buffer, Uint8Array);
  Object.defineProperty(Buffer, Symbol.species, { get() { return FastBuffer; }, configurable: true });
  Buffer.poolSize = 8 * 1024;

  function fromString(string, encoding) {
    let ops;
    if (!encoding || encoding === 'utf8' || typeof encoding !== 'string') {
      ops = encodingOps.utf8;
    } else {
      ops = getEncodingOps(encoding);
      if (ops === undefined) throw unknownEncoding(encoding);
    }
    if (string.length === 0) return new FastBuffer();
    if (ops === encodingOps.utf8 && nativeEncoder !== null) {
      const bytes = nativeEncoder.encode(string);
      return new FastBuffer(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    const buf = new FastBuffer(ops.byteLength(string));
    const actual = ops.write(buf, string, 0, buf.length);
    return actual < buf.length ? new FastBuffer(buf.buffer, 0, actual) : buf;
  }

  function fromArrayBuffer(obj, byteOffset, length) {
    if (byteOffset === undefined) {
      byteOffset = 0;
    } else {
      byteOffset = +byteOffset;
      if (Number.isNaN(byteOffset)) byteOffset = 0;
    }
    const maxLength = obj.byteLength - byteOffset;
    if (maxLength < 0) throw bufferOutOfBounds('offset');
    if (length === undefined) {
      length = maxLength;
    } else {
      length = +length;
      if (length > 0) {
        if (length > maxLength) throw bufferOutOfBounds('length');
      } else {
        length = 0;
      }
    }
    return new FastBuffer(obj, byteOffset, length);
  }

  function fromArrayLike(obj) {
    if (obj.length <= 0) return new FastBuffer();
    const buf = new FastBuffer(obj.length);
    buf.set(obj, 0);
    return buf;
  }

  function fromObject(obj) {
    if (obj.length !== undefined || isAnyArrayBuffer(obj.buffer)) {
      if (typeof obj.length !== 'number') return new FastBuffer();
      return fromArrayLike(obj);
    }
    if (obj.type === 'Buffer' && Array.isArray(obj.data)) return fromArrayLike(obj.data);
    return undefined;
  }

  Buffer.from = function from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return fromString(value, encodingOrOffset);
    if (typeof value === 'object' && value !== null) {
      if (isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
      const valueOf = value.valueOf && value.valueOf();
      if (valueOf != null && valueOf !== value && (typeof valueOf === 'string' || typeof valueOf === 'object')) {
        return from(valueOf, encodingOrOffset, length);
      }
      const b = fromObject(value);
      if (b) return b;
      if (typeof value[Symbol.toPrimitive] === 'function') {
        const primitive = value[Symbol.toPrimitive]('string');
        if (typeof primitive === 'string') return fromString(primitive, encodingOrOffset);
      }
    }
    throw invalidArgType('first argument', ['string', 'Buffer', 'ArrayBuffer', 'Array', 'Array-like Object'], value);
  };

  Buffer.of = (...items) => fromArrayLike(items);

  Buffer.alloc = function alloc(size, fill, encoding) {
    validateNumber(size, 'size', 0, kMaxLength);
    if (fill !== undefined && fill !== 0 && size > 0) return _fill(new FastBuffer(size), fill, 0, size, encoding);
    return new FastBuffer(size);
  };

  Buffer.allocUnsafe = function allocUnsafe(size) {
    validateNumber(size, 'size', 0, kMaxLength);
    return new FastBuffer(size);
  };

  Buffer.allocUnsafeSlow = function allocUnsafeSlow(size) {
    validateNumber(size, 'size', 0, kMaxLength);
    return new FastBuffer(size);
  };

  function SlowBuffer(size) {
    return Buffer.allocUnsafeSlow(size);
  }
  Object.setPrototypeOf(SlowBuffer.prototype, Uint8Array.prototype);
  Object.setPrototypeOf(SlowBuffer, Uint8Array);

  Buffer.isBuffer = function isBuffer(b) {
    return b instanceof Buffer;
  };

  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }

  Buffer.compare = function compare(buf1, buf2) {
    if (!isUint8Array(buf1)) throw invalidArgType('buf1', ['Buffer', 'Uint8Array'], buf1);
    if (!isUint8Array(buf2)) throw invalidArgType('buf2', ['Buffer', 'Uint8Array'], buf2);
    return buf1 === buf2 ? 0 : compareBytes(buf1, buf2);
  };

  Buffer.isEncoding = function isEncoding(encoding) {
    return typeof encoding === 'string' && encoding.length !== 0 && normalizeEncoding(encoding) !== undefined;
  };

  /** Copies like Node's _copyActual; returns the number of bytes copied. */
  function copyActual(source, target, targetStart, sourceStart, sourceEnd) {
    if (sourceEnd - sourceStart > target.length - targetStart) sourceEnd = sourceStart + target.length - targetStart;
    let nb = sourceEnd - sourceStart;
    const sourceLen = source.length - sourceStart;
    if (nb > sourceLen) nb = sourceLen;
    if (nb <= 0) return 0;
    target.set(new Uint8Array(source.buffer, source.byteOffset + sourceStart, nb), targetStart);
    return nb;
  }

  Buffer.concat = function concat(list, length) {
    if (!Array.isArray(list)) throw invalidArgType('list', 'Array', list);
    if (list.length === 0) return new FastBuffer();
    if (length === undefined) {
      length = 0;
      for (let i = 0; i < list.length; i++) {
        if (list[i].length) length += list[i].length;
      }
    } else {
      validateOffset(length, 'length');
    }
    const buffer = new FastBuffer(length);
    let pos = 0;
    for (let i = 0; i < list.length; i++) {
      const buf = list[i];
      if (!isUint8Array(buf)) throw invalidArgType(`list[${i}]`, ['Buffer', 'Uint8Array'], buf);
      pos += copyActual(buf, buffer, pos, 0, buf.length);
    }
    return buffer;
  };

  Buffer.byteLength = function byteLength(string, encoding) {
    if (typeof string !== 'string') {
      if (isArrayBufferView(string) || isAnyArrayBuffer(string)) return string.byteLength;
      throw invalidArgType('string', ['string', 'Buffer', 'ArrayBuffer'], string);
    }
    if (string.length === 0) return 0;
    const ops = encoding ? getEncodingOps(encoding) : undefined;
    // Node falls back to UTF-8 for an unknown encoding.
    return (ops || encodingOps.utf8).byteLength(string);
  };

  Buffer.copyBytesFrom = function copyBytesFrom(view, offset, length) {
    if (!isArrayBufferView(view) || view instanceof DataView) throw invalidArgType('view', ['TypedArray'], view);
    if (view.length === 0) return new FastBuffer();
    if (offset !== undefined || length !== undefined) {
      if (offset !== undefined) {
        validateInteger(offset, 'offset', 0);
        if (offset >= view.length) return new FastBuffer();
      } else {
        offset = 0;
      }
      let end;
      if (length !== undefined) {
        validateInteger(length, 'length', 0);
        end = offset + length;
      } else {
        end = view.length;
      }
      view = view.slice(offset, end);
    }
    return fromArrayLike(viewBytes(view));
  };

  // ---------------------------------------------------------------------
  // Instance methods.
  const proto = Buffer.prototype;

  // Node's per-encoding methods (buf.utf8Slice(start, end), buf.hexWrite(string,
  // offset, length)), which some packages call directly; argument checks as
  // in src/node_buffer.cc.
  const indexOutOfRange = () => nodeError(RangeError, 'ERR_OUT_OF_RANGE', 'Index out of range');
  function parseArrayIndex(value, fallback) {
    if (value === undefined) return fallback;
    const n = Math.trunc(Number(value)) || 0;
    if (n < 0) throw indexOutOfRange();
    return n;
  }
  for (const [prefix, ops] of [['utf8', encodingOps.utf8], ['ucs2', encodingOps.utf16le],
    ['latin1', encodingOps.latin1], ['ascii', encodingOps.ascii], ['base64', encodingOps.base64],
    ['base64url', encodingOps.base64url], ['hex', encodingOps.hex]]) {
    proto[`${prefix}Slice`] = function (start, end) {
      const s = parseArrayIndex(start, 0);
      const e = Math.max(parseArrayIndex(end, this.length), s);
      if (e > this.length) throw indexOutOfRange();
      return ops.slice(this, s, e);
    };
    proto[`${prefix}Write`] = function (string, offset, length) {
      if (typeof string !== 'string') throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'argument must be a string');
      const o = parseArrayIndex(offset, 0);
      if (o > this.length) throw bufferOutOfBounds('offset');
      const max = Math.min(parseArrayIndex(length, this.length - o), this.length - o);
      return ops.write(this, string, o, max);
    };
  }

  proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
    if (!isUint8Array(this)) throw invalidArgType('source', ['Buffer', 'Uint8Array'], this);
    if (!isUint8Array(target)) throw invalidArgType('target', ['Buffer', 'Uint8Array'], target);
    if (targetStart === undefined) {
      targetStart = 0;
    } else {
      targetStart = Number.isInteger(targetStart) ? targetStart : toInteger(targetStart, 0);
      if (targetStart < 0) throw outOfRange('targetStart', '>= 0', targetStart);
    }
    if (sourceStart === undefined) {
      sourceStart = 0;
    } else {
      sourceStart = Number.isInteger(sourceStart) ? sourceStart : toInteger(sourceStart, 0);
      if (sourceStart < 0 || sourceStart > this.length) {
        throw outOfRange('sourceStart', `>= 0 && <= ${this.length}`, sourceStart);
      }
    }
    if (sourceEnd === undefined) {
      sourceEnd = this.length;
    } else {
      sourceEnd = Number.isInteger(sourceEnd) ? sourceEnd : toInteger(sourceEnd, 0);
      if (sourceEnd < 0) throw outOfRange('sourceEnd', '>= 0', sourceEnd);
    }
    if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
    return copyActual(this, target, targetStart, sourceStart, sourceEnd);
  };

  function toInteger(n, defaultVal) {
    n = +n;
    if (!Number.isNaN(n) && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) {
      return n % 1 === 0 ? n : Math.floor(n);
    }
    return defaultVal;
  }

  proto.toString = function toString(encoding, start, end) {
    if (arguments.length === 0) return utf8Slice(this, 0, this.length);
    const len = this.length;
    if (start <= 0) start = 0;
    else if (start >= len) return '';
    else start = Math.trunc(start) || 0;
    if (end === undefined || end > len) end = len;
    else end = Math.trunc(end) || 0;
    if (end <= start) return '';
    if (encoding === undefined) return utf8Slice(this, start, end);
    const ops = getEncodingOps(encoding);
    if (ops === undefined) throw unknownEncoding(encoding);
    return ops.slice(this, start, end);
  };
  proto.toLocaleString = proto.toString;

  proto.equals = function equals(otherBuffer) {
    if (!isUint8Array(otherBuffer)) throw invalidArgType('otherBuffer', ['Buffer', 'Uint8Array'], otherBuffer);
    if (this === otherBuffer) return true;
    return this.byteLength === otherBuffer.byteLength && compareBytes(this, otherBuffer) === 0;
  };

  proto[customInspect] = function inspect(recurseTimes, ctx) {
    const actualMax = Math.min(INSPECT_MAX_BYTES, this.length);
    const remaining = this.length - INSPECT_MAX_BYTES;
    let str = hexSlice(this, 0, actualMax).replace(/(.{2})/g, '$1 ').trim();
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    // Extra own properties are shown too, like Node.
    if (ctx) {
      const obj = { __proto__: null };
      let extras = false;
      const keys = ctx.showHidden ? Object.getOwnPropertyNames(this) : Object.keys(this);
      for (const key of keys) {
        if (/^(0|[1-9][0-9]*)$/.test(key)) continue;
        extras = true;
        obj[key] = this[key];
      }
      if (extras) {
        if (this.length !== 0) str += ', ';
        // Drops "[Object: null prototype] {" and " }".
        str += internal.inspect(obj, { ...ctx, breakLength: Infinity, compact: true }).slice(27, -2);
      }
    }
    return `<${this.constructor.name} ${str}>`;
  };
  proto.inspect = proto[customInspect];

  proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
    if (!isUint8Array(target)) throw invalidArgType('target', ['Buffer', 'Uint8Array'], target);
    if (arguments.length === 1) return compareBytes(this, target);
    if (targetStart === undefined) targetStart = 0;
    else validateOffset(targetStart, 'targetStart');
    if (targetEnd === undefined) targetEnd = target.length;
    else validateOffset(targetEnd, 'targetEnd', 0, target.length);
    if (sourceStart === undefined) sourceStart = 0;
    else validateOffset(sourceStart, 'sourceStart');
    if (sourceEnd === undefined) sourceEnd = this.length;
    else validateOffset(sourceEnd, 'sourceEnd', 0, this.length);
    if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
    if (targetStart >= targetEnd) return 1;
    return compareBytes(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd));
  };

  // Where a search starts (Node's IndexOfOffset), or -1 for no match.
  function indexOfOffset(length, offset, needleLength, forward) {
    if (offset < 0) {
      if (offset + length >= 0) return length + offset;
      if (forward || needleLength === 0) return 0;
      return -1;
    }
    if (offset + needleLength <= length) return offset;
    if (needleLength === 0) return length;
    if (forward) return -1;
    return length - 1;
  }

  // Searches for `needle` at or after (forward) / at or before (backward)
  // `byteOffset`; 'ucs2' searches whole 16-bit units only.
  function indexOfBytes(hay, needle, byteOffset, forward, ucs2) {
    const hayLength = hay.length, needleLength = needle.length;
    const offset = indexOfOffset(hayLength, Math.trunc(byteOffset), needleLength, forward);
    if (needleLength === 0) return offset;
    if (hayLength === 0 || offset <= -1) return -1;
    if ((forward && needleLength + offset > hayLength) || needleLength > hayLength) return -1;
    const step = ucs2 ? 2 : 1;
    if (ucs2 && (hayLength < 2 || needleLength < 2)) return -1;
    const units = (n) => Math.floor(n / step);
    const n = units(needleLength);
    const last = units(hayLength) - n; // the last unit where a match can start
    const matchesAt = (u) => {
      for (let k = 0; k < n * step; k++) if (hay[u * step + k] !== needle[k]) return false;
      return true;
    };
    const start = units(offset);
    if (forward) {
      for (let u = start; u <= last; u++) if (matchesAt(u)) return u * step;
    } else {
      for (let u = Math.min(start, last); u >= 0; u--) if (matchesAt(u)) return u * step;
    }
    return -1;
  }

  function indexOfNumber(buf, value, byteOffset, forward) {
    const offset = indexOfOffset(buf.length, Math.trunc(byteOffset), 1, forward);
    if (offset <= -1 || buf.length === 0) return -1;
    const needle = value & 0xff;
    if (forward) {
      for (let i = offset; i < buf.length; i++) if (buf[i] === needle) return i;
    } else {
      for (let i = offset; i >= 0; i--) if (buf[i] === needle) return i;
    }
    return -1;
  }

  function bidirectionalIndexOf(buffer, val, byteOffset, encoding, dir) {
    if (typeof byteOffset === 'string') {
      encoding = byteOffset;
      byteOffset = undefined;
    } else if (byteOffset > 0x7fffffff) {
      byteOffset = 0x7fffffff;
    } else if (byteOffset < -0x80000000) {
      byteOffset = -0x80000000;
    }
    byteOffset = +byteOffset;
    if (Number.isNaN(byteOffset)) byteOffset = dir ? 0 : (buffer.length || buffer.byteLength);
    if (typeof val === 'number') return indexOfNumber(buffer, val >>> 0, byteOffset, dir);
    const ops = encoding === undefined ? encodingOps.utf8 : getEncodingOps(encoding);
    if (typeof val === 'string') {
      if (ops === undefined) throw unknownEncoding(encoding);
      return indexOfBytes(buffer, fromString(val, ops.name), byteOffset, dir, ops.name === UTF16LE);
    }
    if (isUint8Array(val)) return indexOfBytes(buffer, val, byteOffset, dir, ops !== undefined && ops.name === UTF16LE);
    throw invalidArgType('value', ['number', 'string', 'Buffer', 'Uint8Array'], val);
  }

  proto.indexOf = function indexOf(val, byteOffset, encoding) {
    return bidirectionalIndexOf(this, val, byteOffset, encoding, true);
  };
  proto.lastIndexOf = function lastIndexOf(val, byteOffset, encoding) {
    return bidirectionalIndexOf(this, val, byteOffset, encoding, false);
  };
  proto.includes = function includes(val, byteOffset, encoding) {
    return this.indexOf(val, byteOffset, encoding) !== -1;
  };

  proto.fill = function fill(value, offset, end, encoding) {
    return _fill(this, value, offset, end, encoding);
  };

  function _fill(buf, value, offset, end, encoding) {
    let normalizedEncoding;
    if (typeof value === 'string') {
      if (offset === undefined || typeof offset === 'string') {
        encoding = offset;
        offset = 0;
        end = buf.length;
      } else if (typeof end === 'string') {
        encoding = end;
        end = buf.length;
      }
      normalizedEncoding = normalizeEncoding(encoding);
      if (normalizedEncoding === undefined) {
        validateString(encoding, 'encoding');
        throw unknownEncoding(encoding);
      }
      if (value.length === 0) {
        value = 0;
      } else if (value.length === 1) {
        // A single character that is one byte fills like a number.
        if (normalizedEncoding === 'utf8') {
          const code = value.charCodeAt(0);
          if (code < 128) value = code;
        } else if (normalizedEncoding === 'latin1') {
          value = value.charCodeAt(0);
        }
      }
    }
    if (offset === undefined) {
      offset = 0;
      end = buf.length;
    } else {
      validateOffset(offset, 'offset');
      if (end === undefined) end = buf.length;
      else validateOffset(end, 'end', 0, buf.length);
      if (offset >= end) return buf;
    }
    if (typeof value === 'number') {
      Uint8Array.prototype.fill.call(buf, value, offset, end);
      return buf;
    }
    let bytes;
    if (typeof value === 'string') bytes = fromString(value, normalizedEncoding);
    else if (isArrayBufferView(value)) bytes = viewBytes(value);
    else bytes = [+value & 255]; // booleans and other values, like Node's C++
    if (bytes.length === 0) throw invalidArgValue('value', value);
    for (let i = offset, k = 0; i < end; i++) {
      buf[i] = bytes[k];
      if (++k === bytes.length) k = 0;
    }
    return buf;
  }

  proto.write = function write(string, offset, length, encoding) {
    if (offset === undefined) return this.utf8Write(string, 0, this.length);
    if (length === undefined && typeof offset === 'string') {
      encoding = offset;
      length = this.length;
      offset = 0;
    } else {
      validateOffset(offset, 'offset', 0, this.length);
      const remaining = this.length - offset;
      if (length === undefined) {
        length = remaining;
      } else if (typeof length === 'string') {
        encoding = length;
        length = remaining;
      } else {
        validateOffset(length, 'length', 0, this.length);
        if (length > remaining) length = remaining;
      }
    }
    if (typeof string !== 'string') throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'argument must be a string');
    const ops = !encoding ? encodingOps.utf8 : getEncodingOps(encoding);
    if (ops === undefined) throw unknownEncoding(encoding);
    return ops.write(this, string, offset, length);
  };

  proto.toJSON = function toJSON() {
    return { type: 'Buffer', data: Array.from(this) };
  };

  function adjustOffset(offset, length) {
    offset = Math.trunc(offset);
    if (offset === 0) return 0;
    if (offset < 0) {
      offset += length;
      return offset > 0 ? offset : 0;
    }
    if (offset < length) return offset;
    return Number.isNaN(offset) ? 0 : length;
  }

  // slice() shares memory, like subarray() (unlike Uint8Array#slice).
  proto.subarray = function subarray(start, end) {
    const srcLength = this.length;
    start = adjustOffset(start, srcLength);
    end = end !== undefined ? adjustOffset(end, srcLength) : srcLength;
    return new FastBuffer(this.buffer, this.byteOffset + start, end > start ? end - start : 0);
  };
  proto.slice = function slice(start, end) {
    return this.subarray(start, end);
  };

  function swapper(size) {
    return function () {
      if (this.length % size !== 0) {
        throw nodeError(RangeError, 'ERR_INVALID_BUFFER_SIZE', `Buffer size must be a multiple of ${size * 8}-bits`);
      }
      for (let i = 0; i < this.length; i += size) {
        for (let a = i, b = i + size - 1; a < b; a++, b--) {
          const t = this[a];
          this[a] = this[b];
          this[b] = t;
        }
      }
      return this;
    };
  }
  proto.swap16 = swapper(2);
  proto.swap32 = swapper(4);
  proto.swap64 = swapper(8);

  // ---------------------------------------------------------------------
  // Reading and writing numbers (lib/internal/buffer.js). Bounds errors
  // name the offset like Node: "It must be >= 0 and <= length - size".
  function boundsError(value, length, type) {
    if (Math.floor(value) !== value) {
      validateNumber(value, type);
      throw outOfRange(type || 'offset', 'an integer', value);
    }
    if (length < 0) throw bufferOutOfBounds();
    throw outOfRange(type || 'offset', `>= ${type ? 1 : 0} and <= ${length}`, value);
  }

  function checkBounds(buf, offset, size) {
    validateNumber(offset, 'offset');
    if (buf[offset] === undefined || buf[offset + size - 1] === undefined) boundsError(offset, buf.length - size);
  }

  function readInteger(buf, offset, size, littleEndian, signed) {
    checkBounds(buf, offset, size);
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + buf[littleEndian ? offset + size - 1 - i : offset + i];
    if (signed && value >= 2 ** (size * 8 - 1)) value -= 2 ** (size * 8);
    return value;
  }

  function checkInt(value, min, max, buf, offset, size) {
    if (value > max || value < min) {
      const n = typeof min === 'bigint' ? 'n' : '';
      let range;
      if (size > 4) {
        if (min === 0 || min === 0n) range = `>= 0${n} and < 2${n} ** ${size * 8}${n}`;
        else range = `>= -(2${n} ** ${size * 8 - 1}${n}) and < 2${n} ** ${size * 8 - 1}${n}`;
      } else {
        range = `>= ${min}${n} and <= ${max}${n}`;
      }
      throw outOfRange('value', range, value);
    }
    checkBounds(buf, offset, size);
  }

  function writeInteger(buf, value, offset, size, littleEndian, signed) {
    value = +value;
    const min = signed ? -(2 ** (size * 8 - 1)) : 0;
    const max = signed ? 2 ** (size * 8 - 1) - 1 : 2 ** (size * 8) - 1;
    if (size === 1) {
      // Node checks the offset's type before the value here.
      validateNumber(offset, 'offset');
      if (value > max || value < min) throw outOfRange('value', `>= ${min} and <= ${max}`, value);
      if (buf[offset] === undefined) boundsError(offset, buf.length - 1);
    } else {
      checkInt(value, min, max, buf, offset, size);
    }
    // Bytes 4 and 5 of 40/48-bit values come from the high part.
    const high = Math.floor(value * 2 ** -32);
    for (let i = 0; i < size; i++) {
      const byte = i < 4 ? value >>> (8 * i) : high >>> (8 * (i - 4));
      buf[littleEndian ? offset + i : offset + size - 1 - i] = byte;
    }
    return offset + size;
  }

  function byteLengthError(byteLength) {
    return boundsError(byteLength, 6, 'byteLength');
  }
  const VARIABLE_SIZES = [1, 2, 3, 4, 5, 6];

  for (const [suffix, le] of [['LE', true], ['BE', false]]) {
    for (const [kind, signed] of [['UInt', false], ['Int', true]]) {
      for (const size of [2, 4]) {
        const read = function (offset = 0) { return readInteger(this, offset, size, le, signed); };
        const write = function (value, offset = 0) { return writeInteger(this, value, offset, size, le, signed); };
        proto[`read${kind}${size * 8}${suffix}`] = read;
        proto[`write${kind}${size * 8}${suffix}`] = write;
      }
      const readVariable = function (offset, byteLength) {
        if (offset === undefined) throw invalidArgType('offset', 'number', offset);
        if (!VARIABLE_SIZES.includes(byteLength)) byteLengthError(byteLength);
        return readInteger(this, offset, byteLength, le, signed);
      };
      const writeVariable = function (value, offset, byteLength) {
        if (!VARIABLE_SIZES.includes(byteLength)) byteLengthError(byteLength);
        return writeInteger(this, value, offset, byteLength, le, signed);
      };
      proto[`read${kind}${suffix}`] = readVariable;
      proto[`write${kind}${suffix}`] = writeVariable;
    }

    for (const [kind, bits] of [['Float', 32], ['Double', 64]]) {
      const size = bits / 8;
      const get = bits === 32 ? DataView.prototype.getFloat32 : DataView.prototype.getFloat64;
      const set = bits === 32 ? DataView.prototype.setFloat32 : DataView.prototype.setFloat64;
      proto[`read${kind}${suffix}`] = function (offset = 0) {
        checkBounds(this, offset, size);
        return get.call(new DataView(this.buffer, this.byteOffset, this.byteLength), offset, le);
      };
      proto[`write${kind}${suffix}`] = function (value, offset = 0) {
        value = +value;
        checkBounds(this, offset, size);
        set.call(new DataView(this.buffer, this.byteOffset, this.byteLength), offset, value, le);
        return offset + size;
      };
    }

    for (const [kind, signed] of [['BigUInt', false], ['BigInt', true]]) {
      proto[`read${kind}64${suffix}`] = function (offset = 0) {
        checkBounds(this, offset, 8);
        const view = new DataView(this.buffer, this.byteOffset, this.byteLength);
        return signed ? view.getBigInt64(offset, le) : view.getBigUint64(offset, le);
      };
      proto[`write${kind}64${suffix}`] = function (value, offset = 0) {
        const min = signed ? -(2n ** 63n) : 0n;
        const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
        checkInt(value, min, max, this, offset, 8);
        // BigInt.asUintN throws a TypeError for non-BigInt values, as Node does.
        new DataView(this.buffer, this.byteOffset, this.byteLength).setBigUint64(offset, BigInt.asUintN(64, value), le);
        return offset + 8;
      };
    }
  }
  proto.readUInt8 = function readUInt8(offset = 0) { return readInteger(this, offset, 1, true, false); };
  proto.readInt8 = function readInt8(offset = 0) { return readInteger(this, offset, 1, true, true); };
  proto.writeUInt8 = function writeUInt8(value, offset = 0) { return writeInteger(this, value, offset, 1, true, false); };
  proto.writeInt8 = function writeInt8(value, offset = 0) { return writeInteger(this, value, offset, 1, true, true); };
  // The lower-case aliases (readUint8, writeBigUint64LE, ...).
  for (const key of Object.keys(proto)) {
    if (/^(read|write)(Big)?UInt/.test(key)) proto[key.replace('UInt', 'Uint')] = proto[key];
  }

  // ---------------------------------------------------------------------
  // StringDecoder (src/string_decoder.cc): buffers the bytes of a character
  // split across writes, with the same per-write output as Node's.
  function StringDecoder(encoding) {
    const normalized = normalizeEncoding(encoding);
    if (normalized === undefined) throw unknownEncoding(encoding);
    this.encoding = normalized;
    this._pending = new Uint8Array(4); // the incomplete character
    this._buffered = 0;
    this._missing = 0;
  }

  const makeString = (bytes, encoding) => encodingOps[encoding].slice(bytes, 0, bytes.length);

  StringDecoder.prototype.write = function write(buf) {
    if (typeof buf === 'string') return buf;
    if (!isArrayBufferView(buf)) throw invalidArgType('buf', ['Buffer', 'TypedArray', 'DataView'], buf);
    let data = viewBytes(buf);
    const enc = this.encoding;
    if (enc !== 'utf8' && enc !== UTF16LE && enc !== 'base64' && enc !== 'base64url') return makeString(data, enc);
    let prepend = '';
    if (this._missing > 0) {
      if (enc === 'utf8') {
        // A byte that is not a continuation ends the incomplete character.
        for (let i = 0; i < data.length && i < this._missing; i++) {
          if ((data[i] & 0xc0) !== 0x80) {
            this._missing = 0;
            this._pending.set(data.subarray(0, i), this._buffered);
            this._buffered += i;
            data = data.subarray(i);
            break;
          }
        }
      }
      const found = Math.min(data.length, this._missing);
      this._pending.set(data.subarray(0, found), this._buffered);
      data = data.subarray(found);
      this._missing -= found;
      this._buffered += found;
      if (this._missing === 0) {
        prepend = makeString(this._pending.subarray(0, this._buffered), enc);
        this._buffered = 0;
      }
    }
    if (data.length === 0) return prepend;
    // Keep back a character that the next write may complete.
    const n = data.length;
    if (enc === 'utf8' && (data[n - 1] & 0x80)) {
      for (let i = n - 1; ; i--) {
        this._buffered++;
        if ((data[i] & 0xc0) === 0x80) {
          if (this._buffered >= 4 || i === 0) { this._buffered = 0; break; }
        } else {
          if ((data[i] & 0xe0) === 0xc0) this._missing = 2;
          else if ((data[i] & 0xf0) === 0xe0) this._missing = 3;
          else if ((data[i] & 0xf8) === 0xf0) this._missing = 4;
          else { this._buffered = 0; break; }
          if (this._buffered >= this._missing) { this._missing = 0; this._buffered = 0; }
          this._missing -= this._buffered;
          break;
        }
      }
    } else if (enc === UTF16LE) {
      if (n % 2 === 1) { this._buffered = 1; this._missing = 1; }
      else if ((data[n - 1] & 0xfc) === 0xd8) { this._buffered = 2; this._missing = 2; }
    } else if (enc === 'base64' || enc === 'base64url') {
      this._buffered = n % 3;
      if (this._buffered > 0) this._missing = 3 - this._buffered;
    }
    if (this._buffered > 0) {
      this._pending.set(data.subarray(n - this._buffered), 0);
      data = data.subarray(0, n - this._buffered);
    }
    return prepend + (data.length > 0 ? makeString(data, enc) : '');
  };

  StringDecoder.prototype.end = function end(buf) {
    let ret = '';
    if (buf !== undefined) ret = this.write(buf);
    if (this._buffered > 0) {
      // A lone trailing byte of UTF-16 is dropped.
      if (this.encoding === UTF16LE && this._buffered % 2 === 1) this._buffered--;
      ret += makeString(this._pending.subarray(0, this._buffered), this.encoding);
      this._buffered = 0;
      this._missing = 0;
    }
    return ret;
  };

  StringDecoder.prototype.text = function text(buf, offset) {
    this._missing = 0;
    this._buffered = 0;
    return this.write(buf.slice(offset));
  };

  Object.defineProperties(StringDecoder.prototype, {
    lastChar: { get() { return this._pending; }, enumerable: true, configurable: true },
    lastNeed: { get() { return this._missing; }, enumerable: true, configurable: true },
    lastTotal: { get() { return this._buffered + this._missing; }, enumerable: true, configurable: true },
  });

  // ---------------------------------------------------------------------
  function checkIsUtf8Input(input) {
    if (!(isArrayBufferView(input) && !(input instanceof DataView)) && !isAnyArrayBuffer(input)) {
      throw invalidArgType('input', ['ArrayBuffer', 'Buffer', 'TypedArray'], input);
    }
    return isAnyArrayBuffer(input) ? new Uint8Array(input) : viewBytes(input);
  }

  // Valid UTF-8 is exactly what survives a decode/encode round trip: the
  // decoder turns every invalid sequence into U+FFFD, which encodes as other bytes.
  function isUtf8(input) {
    const bytes = checkIsUtf8Input(input);
    return compareBytes(utf8Encode(utf8Slice(bytes, 0, bytes.length)), bytes) === 0;
  }

  function isAscii(input) {
    return checkIsUtf8Input(input).every((b) => b < 0x80);
  }

  const constants = Object.defineProperties({}, {
    MAX_LENGTH: { value: kMaxLength, writable: false, enumerable: true },
    MAX_STRING_LENGTH: { value: kStringMaxLength, writable: false, enumerable: true },
  });

  internal.Buffer = Buffer;
  internal.utf8Encode = utf8Encode;
  internal.utf8Decode = (bytes) => utf8Slice(bytes, 0, bytes.length);
  internal.base64Encode = (bytes) => base64Slice(bytes, 0, bytes.length, false);
  internal.base64Decode = (str) => fromString(str, 'base64');
  internal.normalizeEncoding = normalizeEncoding;
  internal.isAnyArrayBuffer = isAnyArrayBuffer;

  internal.builtins.buffer = () => ({
    Buffer,
    SlowBuffer,
    kMaxLength,
    kStringMaxLength,
    constants,
    INSPECT_MAX_BYTES,
    isUtf8,
    isAscii,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
    Blob: globalThis.Blob,
    File: globalThis.File,
  });
  internal.builtins.string_decoder = () => ({ StringDecoder });

  Object.defineProperty(globalThis, 'Buffer', { value: Buffer, writable: true, configurable: true, enumerable: false });
})
