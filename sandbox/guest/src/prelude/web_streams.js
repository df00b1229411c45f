// The WHATWG streams as globals and as `stream/web`: ReadableStream,
// WritableStream, TransformStream and their readers, writers, controllers
// and queuing strategies (web-streams-polyfill, vendored by
// scripts/vendor-js.mjs, which passes the web-platform tests), plus
// TextEncoderStream, TextDecoderStream, CompressionStream and
// DecompressionStream built on them. Each global is made on first use, so
// handlers that never touch a stream do not pay for loading them.
(function (native, internal) {
  'use strict';

  let streams = null;
  function load() {
    if (streams !== null) return streams;
    const ponyfill = internal.vendored('web-streams-polyfill');
    const { TransformStream } = ponyfill;

    // TextEncoderStream: strings in, UTF-8 out; a surrogate pair split
    // across chunks is kept whole, as the Encoding standard says.
    class TextEncoderStream {
      #transform;
      constructor() {
        const encoder = new TextEncoder();
        let pending = '';
        this.#transform = new TransformStream({
          transform(chunk, controller) {
            let text = pending + String(chunk);
            pending = '';
            const last = text.charCodeAt(text.length - 1);
            if (last >= 0xd800 && last <= 0xdbff) {
              pending = text.slice(-1);
              text = text.slice(0, -1);
            }
            if (text !== '') controller.enqueue(encoder.encode(text));
          },
          flush(controller) {
            if (pending !== '') controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
          },
        });
      }
      get encoding() { return 'utf-8'; }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
    }

    class TextDecoderStream {
      #transform;
      #decoder;
      constructor(label = 'utf-8', options = {}) {
        const decoder = this.#decoder = new TextDecoder(label, options);
        this.#transform = new TransformStream({
          transform(chunk, controller) {
            const text = decoder.decode(chunk, { stream: true });
            if (text !== '') controller.enqueue(text);
          },
          flush(controller) {
            const text = decoder.decode();
            if (text !== '') controller.enqueue(text);
          },
        });
      }
      get encoding() { return this.#decoder.encoding; }
      get fatal() { return this.#decoder.fatal; }
      get ignoreBOM() { return this.#decoder.ignoreBOM; }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
    }

    // CompressionStream / DecompressionStream over the guest's zlib.
    const FORMATS = { gzip: ['gzip', 'gunzip'], deflate: ['deflate', 'inflate'], 'deflate-raw': ['deflateRaw', 'inflateRaw'] };
    function codecStream(format, index, name) {
      const kinds = FORMATS[format];
      if (kinds === undefined) {
        const err = new TypeError(`The "format" argument must be one of: 'deflate', 'deflate-raw', 'gzip'. Received ${internal.inspect(format)}`);
        err.code = 'ERR_INVALID_ARG_VALUE';
        throw err;
      }
      const codec = internal.zlibCodec(kinds[index]);
      const bytes = (chunk) => {
        if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
        if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        throw new TypeError(`${name}: chunks must be an ArrayBuffer or an ArrayBufferView`);
      };
      return new TransformStream({
        transform(chunk, controller) {
          const out = codec.write(bytes(chunk), false);
          if (out.length > 0) controller.enqueue(out);
        },
        flush(controller) {
          try {
            const out = codec.write(new Uint8Array(0), true);
            if (out.length > 0) controller.enqueue(out);
          } finally {
            codec.free();
          }
        },
      });
    }
    class CompressionStream {
      #transform;
      constructor(format) { this.#transform = codecStream(format, 0, 'CompressionStream'); }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
    }
    class DecompressionStream {
      #transform;
      constructor(format) { this.#transform = codecStream(format, 1, 'DecompressionStream'); }
      get readable() { return this.#transform.readable; }
      get writable() { return this.#transform.writable; }
    }

    for (const [cls, tag] of [[TextEncoderStream, 'TextEncoderStream'], [TextDecoderStream, 'TextDecoderStream'],
      [CompressionStream, 'CompressionStream'], [DecompressionStream, 'DecompressionStream']]) {
      Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
    }
    streams = {
      ReadableStream: ponyfill.ReadableStream,
      ReadableStreamDefaultReader: ponyfill.ReadableStreamDefaultReader,
      ReadableStreamBYOBReader: ponyfill.ReadableStreamBYOBReader,
      ReadableStreamBYOBRequest: ponyfill.ReadableStreamBYOBRequest,
      ReadableByteStreamController: ponyfill.ReadableByteStreamController,
      ReadableStreamDefaultController: ponyfill.ReadableStreamDefaultController,
      TransformStream: ponyfill.TransformStream,
      TransformStreamDefaultController: ponyfill.TransformStreamDefaultController,
      WritableStream: ponyfill.WritableStream,
      WritableStreamDefaultWriter: ponyfill.WritableStreamDefaultWriter,
      WritableStreamDefaultController: ponyfill.WritableStreamDefaultController,
      ByteLengthQueuingStrategy: ponyfill.ByteLengthQueuingStrategy,
      CountQueuingStrategy: ponyfill.CountQueuingStrategy,
      TextEncoderStream,
      TextDecoderStream,
      CompressionStream,
      DecompressionStream,
    };
    return streams;
  }
  internal.webStreams = load;

  // Globals that load the streams on first access, then become plain
  // values (assignable, like the other globals).
  const NAMES = ['ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
    'ReadableStreamBYOBRequest', 'ReadableByteStreamController', 'ReadableStreamDefaultController',
    'TransformStream', 'TransformStreamDefaultController', 'WritableStream', 'WritableStreamDefaultWriter',
    'WritableStreamDefaultController', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy',
    'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream'];
  for (const name of NAMES) {
    const settle = (value) => Object.defineProperty(globalThis, name, {
      value, writable: true, configurable: true, enumerable: false,
    });
    Object.defineProperty(globalThis, name, {
      get() {
        const value = load()[name];
        settle(value);
        return value;
      },
      set(value) { settle(value); },
      configurable: true,
      enumerable: false,
    });
  }

  internal.builtins['stream/web'] = () => ({ ...load() });
})
