// TextEncoder and TextDecoder as the Encoding standard and Node 20 define
// them: `encodeInto`, `decode(…, { stream: true })`, `fatal` and
// `ignoreBOM`, and the encodings utf-8, utf-16le, utf-16be and
// windows-1252 (with all their labels: latin1, ascii, iso-8859-1, …).
// javy's native TextEncoder/TextDecoder (utf-8 only, no streaming) still do
// the bulk UTF-8 work underneath.
//
// Deliberate deviations from Node: the other legacy encodings (Shift_JIS,
// GBK, the ISO-8859 family beyond latin1, …) are not offered; asking for
// one throws ERR_ENCODING_NOT_SUPPORTED, as Node without ICU does.
(function (native, internal) {
  'use strict';
  // javy's codecs when present (the guest); node_buffer.js's UTF-8 code
  // otherwise (the prelude's Node tests can run without them).
  const NativeEncoder = globalThis.TextEncoder;
  const NativeDecoder = globalThis.TextDecoder;
  const nativeEncoder = NativeEncoder ? new NativeEncoder() : { encode: internal.utf8Encode };
  const nativeDecoder = NativeDecoder ? new NativeDecoder('utf-8', { ignoreBOM: true }) : { decode: internal.utf8Decode };
  const nativeFatalDecoder = NativeDecoder ? new NativeDecoder('utf-8', { ignoreBOM: true, fatal: true }) : {
    decode(bytes) {
      // Valid UTF-8 is exactly what its decoding encodes to.
      const text = internal.utf8Decode(bytes);
      const back = internal.utf8Encode(text);
      if (back.length !== bytes.length || back.some((b, i) => b !== bytes[i])) throw new TypeError('invalid');
      return text;
    },
  };

  const LABELS = new Map();
  for (const [encoding, labels] of [
    ['utf-8', ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8']],
    ['utf-16le', ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le']],
    ['utf-16be', ['unicodefffe', 'utf-16be']],
    ['windows-1252', ['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1',
      'iso-ir-100', 'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii',
      'windows-1252', 'x-cp1252']],
  ]) {
    for (const label of labels) LABELS.set(label, encoding);
  }
  // windows-1252's 0x80–0x9f (the rest of its bytes are their code points).
  const CP1252 = [0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039,
    0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
    0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178];

  function invalidData(encoding) {
    const err = new TypeError(`The encoded data was not valid for encoding ${encoding}`);
    err.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
    return err;
  }

  function bytesOf(input) {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && input instanceof SharedArrayBuffer)) {
      return new Uint8Array(input);
    }
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const err = new TypeError(`The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.${
      ` Received ${internal.inspect(input, { depth: -1 })}`}`);
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }

  /** How many bytes at the end of `bytes` start an unfinished UTF-8 sequence. */
  function utf8Tail(bytes) {
    const n = bytes.length;
    for (let back = 1; back <= 3 && back <= n; back++) {
      const b = bytes[n - back];
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? back : 0;
    }
    return 0;
  }

  const STATE = new WeakMap();
  const stateOf = (decoder) => {
    const state = STATE.get(decoder);
    if (state === undefined) {
      const err = new TypeError('Value of "this" must be of type TextDecoder');
      err.code = 'ERR_INVALID_THIS';
      throw err;
    }
    return state;
  };

  class TextDecoder {
    constructor(encoding = 'utf-8', options = {}) {
      const label = `${encoding}`.trim().toLowerCase();
      const name = LABELS.get(label);
      if (name === undefined) {
        const err = new RangeError(`The "${encoding}" encoding is not supported`);
        err.code = 'ERR_ENCODING_NOT_SUPPORTED';
        throw err;
      }
      if (options !== null && typeof options !== 'object') {
        throw internal.nodeErrors.invalidArgType('options', 'object', options);
      }
      STATE.set(this, {
        encoding: name,
        fatal: Boolean(options?.fatal),
        ignoreBOM: Boolean(options?.ignoreBOM),
        pending: null, // bytes of an unfinished character
        started: false, // whether output began (a BOM is only looked for first)
      });
    }
    get encoding() { return stateOf(this).encoding; }
    get fatal() { return stateOf(this).fatal; }
    get ignoreBOM() { return stateOf(this).ignoreBOM; }

    decode(input = undefined, options = {}) {
      const state = stateOf(this);
      let bytes = bytesOf(input);
      const stream = Boolean(options?.stream);
      if (state.pending !== null) {
        const joined = new Uint8Array(state.pending.length + bytes.length);
        joined.set(state.pending);
        joined.set(bytes, state.pending.length);
        bytes = joined;
        state.pending = null;
      }
      let text;
      switch (state.encoding) {
        case 'utf-8': text = decodeUtf8(state, bytes, stream); break;
        case 'windows-1252': text = decodeCp1252(bytes); break;
        default: text = decodeUtf16(state, bytes, stream, state.encoding === 'utf-16be');
      }
      if (!state.started && text.length > 0) {
        if (!state.ignoreBOM && text.charCodeAt(0) === 0xfeff && state.encoding !== 'windows-1252') text = text.slice(1);
        state.started = text.length > 0 || state.started;
      }
      if (!stream) {
        state.started = false;
        state.pending = null;
      }
      return text;
    }
  }

  function decodeUtf8(state, bytes, stream) {
    let body = bytes;
    if (stream) {
      const tail = utf8Tail(bytes);
      if (tail > 0) {
        state.pending = bytes.slice(bytes.length - tail);
        body = bytes.subarray(0, bytes.length - tail);
      }
    }
    if (state.fatal) {
      try {
        return nativeFatalDecoder.decode(body);
      } catch {
        throw invalidData('utf-8');
      }
    }
    return nativeDecoder.decode(body);
  }

  function decodeCp1252(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i += 4096) {
      const codes = [];
      for (let j = i; j < Math.min(i + 4096, bytes.length); j++) {
        const b = bytes[j];
        codes.push(b >= 0x80 && b <= 0x9f ? CP1252[b - 0x80] : b);
      }
      out += String.fromCharCode(...codes);
    }
    return out;
  }

  function decodeUtf16(state, bytes, stream, bigEndian) {
    let end = bytes.length - (bytes.length % 2);
    const units = [];
    for (let i = 0; i < end; i += 2) units.push(bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8));
    // A high surrogate at the end of a streamed chunk waits for its pair.
    if (stream && units.length > 0) {
      const last = units[units.length - 1];
      if (last >= 0xd800 && last <= 0xdbff) {
        units.pop();
        end -= 2;
      }
    }
    if (end < bytes.length) {
      if (stream) state.pending = bytes.slice(end);
      else if (state.fatal) throw invalidData(state.encoding);
    }
    let out = '';
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < units.length && units[i + 1] >= 0xdc00 && units[i + 1] <= 0xdfff) {
        out += String.fromCharCode(u, units[++i]);
      } else if (u >= 0xd800 && u <= 0xdfff) {
        if (state.fatal) throw invalidData(state.encoding);
        out += '\ufffd';
      } else {
        out += String.fromCharCode(u);
      }
    }
    if (!stream && end < bytes.length) out += '\ufffd';
    return out;
  }

  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return nativeEncoder.encode(`${input}`); }
    encodeInto(source, destination) {
      if (!(destination instanceof Uint8Array)) {
        throw internal.nodeErrors.invalidArgType('dest', 'Uint8Array', destination);
      }
      const src = `${source}`;
      let read = 0, written = 0;
      const room = destination.length;
      for (let i = 0; i < src.length; i++) {
        let cp = src.charCodeAt(i);
        let units = 1;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < src.length) {
          const low = src.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            units = 2;
          }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate
        const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (written + size > room) break;
        if (size === 1) {
          destination[written] = cp;
        } else if (size === 2) {
          destination[written] = 0xc0 | (cp >> 6);
          destination[written + 1] = 0x80 | (cp & 0x3f);
        } else if (size === 3) {
          destination[written] = 0xe0 | (cp >> 12);
          destination[written + 1] = 0x80 | ((cp >> 6) & 0x3f);
          destination[written + 2] = 0x80 | (cp & 0x3f);
        } else {
          destination[written] = 0xf0 | (cp >> 18);
          destination[written + 1] = 0x80 | ((cp >> 12) & 0x3f);
          destination[written + 2] = 0x80 | ((cp >> 6) & 0x3f);
          destination[written + 3] = 0x80 | (cp & 0x3f);
        }
        written += size;
        read += units;
        i += units - 1;
      }
      return { read, written };
    }
  }

  for (const cls of [TextEncoder, TextDecoder]) {
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (key !== 'constructor') Object.defineProperty(cls.prototype, key, { enumerable: true });
    }
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: cls.name, configurable: true });
  }
  for (const [name, value] of [['TextEncoder', TextEncoder], ['TextDecoder', TextDecoder]]) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
