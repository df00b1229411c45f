// `stream` is Node's own streams code (readable-stream 4, the package Node
// publishes from lib/internal/streams; vendored by scripts/vendor-js.mjs),
// evaluated on first require. Also `stream/promises`, `stream/consumers`
// and `tty` (no terminal is ever attached).
(function (native, internal) {
  'use strict';
  const builtins = internal.builtins;

  builtins.stream = () => internal.vendored('readable-stream');
  builtins['stream/promises'] = () => require('stream').promises;
  // What readable-stream falls back to without global AbortController.
  builtins['chatfn:abort-controller'] = () => ({ AbortController, AbortSignal });

  // The stream/consumers helpers: read a stream or async iterable whole.
  builtins['stream/consumers'] = function () {
    async function buffer(stream) {
      const chunks = [];
      for await (const chunk of stream) {
        chunks.push(typeof chunk === 'string' ? internal.Buffer.from(chunk) : chunk);
      }
      return internal.Buffer.concat(chunks);
    }
    async function text(stream) {
      const decoder = new TextDecoder();
      let out = '';
      for await (const chunk of stream) {
        out += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      }
      return out + decoder.decode();
    }
    return {
      buffer,
      text,
      async arrayBuffer(stream) {
        const bytes = await buffer(stream);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
      async json(stream) { return JSON.parse(await text(stream)); },
      async blob(stream) { return new Blob([await buffer(stream)]); },
    };
  };

  // No terminal is attached to a handler (packages such as debug ask).
  builtins.tty = function () {
    const { Readable, Writable } = require('stream');
    class ReadStream extends Readable { get isTTY() { return false; } }
    class WriteStream extends Writable { get isTTY() { return false; } }
    return { isatty: () => false, ReadStream, WriteStream };
  };
})
