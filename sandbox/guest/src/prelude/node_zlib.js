// `zlib`: deflate, zlib, gzip and brotli, compressed and decompressed by
// native code in the guest (miniz_oxide and the brotli crate, see zlib.rs),
// in Node's sync, callback and stream forms (promise forms through
// util.promisify, as in Node), with Node's constants and error codes.
//
// Deliberate deviations from Node: the output of the deflate family is
// valid and decodes the same but is not byte-for-byte zlib's (a different
// compressor); `memLevel`, `strategy` and `dictionary` are accepted and
// not applied (nor `windowBits` when compressing: the window is always
// 32 KiB); a gzip stream of several members decodes the first member.
(function (native, internal) {
  'use strict';

  internal.builtins.zlib = () => makeZlib();
  let zlibModule = null;

  /**
   * A bare codec for the web's CompressionStream/DecompressionStream:
   * `write(bytes, finish)` returns the output so far; errors carry zlib's
   * code, as Node's do.
   */
  internal.zlibCodec = function zlibCodec(kind) {
    const handle = native.zlibNew(kind, -1, 15);
    return {
      write(bytes, finish) {
        const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const result = native.zlibWrite(handle, copy, finish ? 4 : 0);
        if (!(result instanceof ArrayBuffer)) {
          const err = new Error(result.message);
          err.errno = result.errno;
          err.code = result.code;
          throw err;
        }
        return new Uint8Array(result);
      },
      free() { native.zlibFree(handle); },
    };
  };

  function makeZlib() {
    if (zlibModule !== null) return zlibModule;
    const Buffer = internal.Buffer;
    const { Transform } = require('stream');
    const { invalidArgType, validateFunction } = internal.nodeErrors;

    const constants = {
      Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
      Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
      Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6, Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1,
      Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3,
      Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4865, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4,
      DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9, Z_MIN_WINDOWBITS: 8,
      Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity,
      Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1,
      Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1, BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1,
      BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3, BROTLI_PARAM_MODE: 0,
      BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
      BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
      BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24,
      BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_LGBLOCK: 3,
      BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24,
      BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4, BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6,
      BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8, BROTLI_DECODER_RESULT_ERROR: 0,
      BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2,
      BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0,
      BROTLI_DECODER_PARAM_LARGE_WINDOW: 1, BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1,
      BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3,
      BROTLI_DECODER_ERROR_FORMAT_PADDING_1: -14, BROTLI_DECODER_ERROR_UNREACHABLE: -31,
    };
    Object.freeze(constants);
    const codes = {
      Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
      Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    };
    for (const key of Object.keys(codes)) codes[codes[key]] = key;

    const BROTLI = new Set(['brotliCompress', 'brotliDecompress']);
    // Brotli's operations, on the deflate family's flush scale.
    const brotliFlush = (op) => (op === 2 ? 4 : op === 1 ? 2 : 0);

    function toBytes(value, name = 'buffer') {
      if (typeof value === 'string') return Buffer.from(value);
      if (value instanceof ArrayBuffer) return new Uint8Array(value);
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], value);
    }
    const ownBuffer = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

    function zlibError(result) {
      const err = new Error(result.message);
      err.errno = result.errno;
      err.code = result.code;
      return err;
    }

    /** A codec handle for `kind` with `options` (level, windowBits, params). */
    function open(kind, options = {}) {
      if (options !== null && typeof options !== 'object') throw invalidArgType('options', 'Object', options);
      let level = options.level ?? -1;
      let windowBits = options.windowBits ?? 15;
      if (BROTLI.has(kind)) {
        const params = options.params || {};
        level = params[constants.BROTLI_PARAM_QUALITY] ?? 11;
        windowBits = params[constants.BROTLI_PARAM_LGWIN] ?? 22;
      }
      const handle = native.zlibNew(kind, level, windowBits);
      if (handle < 0) throw new Error(`unknown codec ${kind}`);
      return handle;
    }

    /** Runs `bytes` through a fresh codec in one go (the sync forms). */
    function runWhole(kind, input, options = {}) {
      const bytes = toBytes(input);
      const handle = open(kind, options);
      try {
        const defaultFinish = BROTLI.has(kind) ? constants.BROTLI_OPERATION_FINISH : constants.Z_FINISH;
        let finish = options.finishFlush ?? defaultFinish;
        if (BROTLI.has(kind)) finish = brotliFlush(finish);
        const result = native.zlibWrite(handle, ownBuffer(bytes), finish);
        if (!(result instanceof ArrayBuffer)) throw zlibError(result);
        const out = Buffer.from(result);
        if (options.maxOutputLength !== undefined && out.length > options.maxOutputLength) {
          const err = new RangeError(`Cannot create a Buffer larger than ${options.maxOutputLength} bytes`);
          err.code = 'ERR_BUFFER_TOO_LARGE';
          throw err;
        }
        return options.info ? { buffer: out, engine: null } : out;
      } finally {
        native.zlibFree(handle);
      }
    }

    // -------------------------------------------------------------------
    // Streams.
    class ZlibBase extends Transform {
      constructor(kind, options) {
        const opts = options === undefined || options === null ? {} : options;
        super({ ...opts, autoDestroy: true });
        this._kind = kind;
        this._handle = open(kind, opts);
        const brotli = BROTLI.has(kind);
        this._flushFlag = brotli ? brotliFlush(opts.flush ?? 0) : (opts.flush ?? constants.Z_NO_FLUSH);
        this._finishFlushFlag = brotli ? brotliFlush(opts.finishFlush ?? 2) : (opts.finishFlush ?? constants.Z_FINISH);
        this._defaultFullFlushFlag = brotli ? 2 : constants.Z_FULL_FLUSH;
        this.bytesWritten = 0;
        this._closed = false;
      }
      _run(bytes, flush) {
        if (this._handle === null) {
          const err = new Error('zlib binding closed');
          err.code = 'ERR_ZLIB_BINDING_CLOSED';
          throw err;
        }
        const result = native.zlibWrite(this._handle, ownBuffer(bytes), flush);
        if (!(result instanceof ArrayBuffer)) throw zlibError(result);
        return Buffer.from(result);
      }
      _transform(chunk, encoding, callback) {
        let out;
        try {
          const bytes = toBytes(chunk, 'chunk');
          this.bytesWritten += bytes.length;
          out = this._run(bytes, this._flushFlag);
        } catch (err) {
          callback(err);
          return;
        }
        if (out.length > 0) this.push(out);
        callback();
      }
      _flush(callback) {
        let out;
        try {
          out = this._run(new Uint8Array(0), this._finishFlushFlag);
        } catch (err) {
          callback(err);
          return;
        }
        if (out.length > 0) this.push(out);
        this._free();
        callback();
      }
      _destroy(err, callback) {
        this._free();
        callback(err);
      }
      _free() {
        if (this._handle !== null) native.zlibFree(this._handle);
        this._handle = null;
        this._closed = true;
      }
      flush(kind, callback) {
        if (typeof kind === 'function' || kind === undefined) {
          callback = kind;
          kind = this._defaultFullFlushFlag;
        }
        if (this.writableFinished || this._handle === null) {
          if (callback) nextTick(callback);
          return;
        }
        try {
          const out = this._run(new Uint8Array(0), BROTLI.has(this._kind) ? brotliFlush(kind) : kind);
          if (out.length > 0) this.push(out);
        } catch (err) {
          this.destroy(err);
          return;
        }
        if (callback) nextTick(callback);
      }
      params(level, strategy, callback) {
        if (callback) nextTick(callback);
      }
      reset() {
        if (this._handle !== null) native.zlibFree(this._handle);
        this._handle = open(this._kind, {});
      }
      close(callback) {
        if (callback) this.once('close', callback);
        this.destroy();
      }
    }
    const nextTick = (fn) => process.nextTick(fn);

    const CLASSES = {
      Deflate: 'deflate', Inflate: 'inflate', Gzip: 'gzip', Gunzip: 'gunzip', DeflateRaw: 'deflateRaw',
      InflateRaw: 'inflateRaw', Unzip: 'unzip', BrotliCompress: 'brotliCompress', BrotliDecompress: 'brotliDecompress',
    };
    const zlib = { constants, codes, ZLIB_VERNUM: 4865 };
    for (const key of Object.keys(constants)) {
      if (key.startsWith('Z_') || key === 'DEFLATE' || key === 'INFLATE' || key === 'GZIP' || key === 'GUNZIP' ||
          key === 'DEFLATERAW' || key === 'INFLATERAW' || key === 'UNZIP') {
        Object.defineProperty(zlib, key, { value: constants[key], enumerable: false, writable: false });
      }
    }
    for (const [name, kind] of Object.entries(CLASSES)) {
      const cls = {
        [name]: class extends ZlibBase {
          constructor(options) { super(kind, options); }
        },
      }[name];
      zlib[name] = cls;
      zlib[`create${name}`] = (options) => new cls(options);
      const fn = kind;
      zlib[`${fn}Sync`] = { [`${fn}Sync`]: (buffer, options) => runWhole(kind, buffer, options || {}) }[`${fn}Sync`];
      zlib[fn] = {
        [fn](buffer, options, callback) {
          if (typeof options === 'function') {
            callback = options;
            options = {};
          }
          validateFunction(callback, 'callback');
          let result, error = null;
          try {
            result = runWhole(kind, buffer, options || {});
          } catch (err) {
            error = err;
          }
          nextTick(() => (error !== null ? callback(error) : callback(null, result)));
        },
      }[fn];
    }

    // crc32 (Node 20.15+): the IEEE polynomial, continuing from `value`.
    let table = null;
    zlib.crc32 = function crc32(data, value = 0) {
      if (table === null) {
        table = new Int32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          table[n] = c;
        }
      }
      const bytes = typeof data === 'string' ? Buffer.from(data) : toBytes(data, 'data');
      let crc = (value ^ -1) | 0;
      for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
      return (crc ^ -1) >>> 0;
    };

    zlibModule = zlib;
    return zlib;
  }
})
