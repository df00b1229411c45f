// Blob, File and FormData (the File API and XHR standards, as Node 20's
// undici ships them), and `multipart/form-data` encoding and parsing for
// fetch bodies (`internal.formData`). Blobs hold their bytes in memory.
(function (native, internal) {
  'use strict';
  const customInspect = Symbol.for('nodejs.util.inspect.custom');
  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
  const { invalidArgType } = internal.nodeErrors;

  // ---------------------------------------------------------------------
  // Blob and File
  const BYTES = new WeakMap(); // Blob -> { bytes: Uint8Array, type }
  const blobState = (blob) => {
    const state = BYTES.get(blob);
    if (state === undefined) {
      const err = new TypeError('Illegal invocation');
      err.code = 'ERR_INVALID_THIS';
      throw err;
    }
    return state;
  };
  // A type is kept lower-cased when it is printable ASCII, else dropped.
  const normalizeType = (type) => (/^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '');

  function partBytes(part, endings) {
    if (part instanceof Blob) return blobState(part).bytes;
    if (part instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && part instanceof SharedArrayBuffer)) {
      return new Uint8Array(part.slice(0));
    }
    if (ArrayBuffer.isView(part)) {
      return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
    }
    let text = `${part}`;
    if (endings === 'native') text = text.replace(/\r\n|\r/g, '\n');
    return internal.utf8Encode(text);
  }

  class Blob {
    constructor(blobParts = [], options = undefined) {
      if (blobParts === null || (typeof blobParts !== 'object' && typeof blobParts !== 'function') ||
          typeof blobParts[Symbol.iterator] !== 'function') {
        throw invalidArgType('sources', ['a sequence'], blobParts);
      }
      if (options !== undefined && options !== null && typeof options !== 'object') {
        throw invalidArgType('options', 'Object', options);
      }
      const endings = options?.endings === undefined ? 'transparent' : `${options.endings}`;
      if (endings !== 'transparent' && endings !== 'native') {
        const err = new TypeError(`The provided value '${endings}' is not a valid enum value of type EndingType.`);
        err.code = 'ERR_INVALID_ARG_VALUE';
        throw err;
      }
      const parts = [];
      let size = 0;
      for (const part of blobParts) {
        const bytes = partBytes(part, endings);
        parts.push(bytes);
        size += bytes.length;
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        bytes.set(part, offset);
        offset += part.length;
      }
      BYTES.set(this, { bytes, type: normalizeType(options?.type === undefined ? '' : `${options.type}`) });
    }
    get size() { return blobState(this).bytes.length; }
    get type() { return blobState(this).type; }
    slice(start = 0, end = undefined, contentType = '') {
      const { bytes } = blobState(this);
      const size = bytes.length;
      const clamp = (value, fallback) => {
        if (value === undefined) return fallback;
        const n = Math.trunc(Number(value)) || 0;
        return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
      };
      const from = clamp(start, 0);
      const to = clamp(end, size);
      const blob = Object.create(Blob.prototype);
      BYTES.set(blob, { bytes: bytes.slice(from, Math.max(from, to)), type: normalizeType(`${contentType ?? ''}`) });
      return blob;
    }
    async text() { return new TextDecoder().decode(blobState(this).bytes); }
    async arrayBuffer() { return blobState(this).bytes.slice().buffer; }
    async bytes() { return blobState(this).bytes.slice(); }
    stream() {
      const bytes = blobState(this).bytes;
      let offset = 0;
      return new ReadableStream({
        type: 'bytes',
        pull(controller) {
          if (offset >= bytes.length) {
            controller.close();
            return;
          }
          const chunk = bytes.slice(offset, offset + 65536);
          offset += chunk.length;
          controller.enqueue(chunk);
        },
      });
    }
    [customInspect](depth, options, inspect) {
      if (depth < 0) return this;
      return `Blob ${inspect({ size: this.size, type: this.type }, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
    }
  }
  Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: 'Blob', configurable: true });

  const FILES = new WeakMap(); // File -> { name, lastModified }
  class File extends Blob {
    constructor(fileBits, fileName, options = {}) {
      if (arguments.length < 2) {
        const err = new TypeError(`The "fileBits" and "fileName" arguments must be specified`);
        err.code = 'ERR_MISSING_ARGS';
        throw err;
      }
      super(fileBits, options);
      const lastModified = options?.lastModified === undefined ? Date.now() : Math.trunc(Number(options.lastModified)) || 0;
      FILES.set(this, { name: `${fileName}`, lastModified });
    }
    get name() { return FILES.get(this).name; }
    get lastModified() { return FILES.get(this).lastModified; }
    get webkitRelativePath() { return ''; }
    [customInspect](depth, options, inspect) {
      if (depth < 0) return this;
      return `File ${inspect({ size: this.size, type: this.type, name: this.name, lastModified: this.lastModified }, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
    }
  }
  Object.defineProperty(File.prototype, Symbol.toStringTag, { value: 'File', configurable: true });

  /** A File of `blob`'s bytes (no copy) under `name`. */
  function asFile(blob, name) {
    const state = blobState(blob);
    const file = Object.create(File.prototype);
    BYTES.set(file, state);
    FILES.set(file, { name, lastModified: blob instanceof File ? blob.lastModified : Date.now() });
    return file;
  }

  // ---------------------------------------------------------------------
  // FormData
  const ENTRIES = new WeakMap();
  const entriesOf = (form) => {
    const entries = ENTRIES.get(form);
    if (entries === undefined) throw new TypeError('Illegal invocation');
    return entries;
  };
  function argumentCheck(args, min, method) {
    if (args.length < min) {
      throw new TypeError(`Failed to execute '${method}' on 'FormData': ${min} argument${min > 1 ? 's' : ''} required, but only ${args.length} present.`);
    }
  }
  function entry(name, value, filename) {
    name = `${name}`;
    if (value instanceof Blob) {
      const fileName = filename !== undefined ? `${filename}` : value instanceof File ? value.name : 'blob';
      return [name, value instanceof File && filename === undefined ? value : asFile(value, fileName)];
    }
    return [name, `${value}`];
  }

  class FormData {
    constructor(form = undefined) {
      if (form !== undefined) {
        throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
      }
      ENTRIES.set(this, []);
    }
    append(name, value, filename = undefined) {
      argumentCheck(arguments, 2, 'append');
      if (arguments.length === 3 && !(value instanceof Blob)) {
        throw new TypeError("Failed to execute 'append' on 'FormData': parameter 2 is not of type 'Blob'");
      }
      entriesOf(this).push(entry(name, value, filename));
    }
    delete(name) {
      argumentCheck(arguments, 1, 'delete');
      const entries = entriesOf(this);
      name = `${name}`;
      for (let i = entries.length - 1; i >= 0; i--) if (entries[i][0] === name) entries.splice(i, 1);
    }
    get(name) {
      argumentCheck(arguments, 1, 'get');
      const found = entriesOf(this).find(([n]) => n === `${name}`);
      return found === undefined ? null : found[1];
    }
    getAll(name) {
      argumentCheck(arguments, 1, 'getAll');
      return entriesOf(this).filter(([n]) => n === `${name}`).map(([, v]) => v);
    }
    has(name) {
      argumentCheck(arguments, 1, 'has');
      return entriesOf(this).some(([n]) => n === `${name}`);
    }
    set(name, value, filename = undefined) {
      argumentCheck(arguments, 2, 'set');
      if (arguments.length === 3 && !(value instanceof Blob)) {
        throw new TypeError("Failed to execute 'set' on 'FormData': parameter 2 is not of type 'Blob'");
      }
      const entries = entriesOf(this);
      const replacement = entry(name, value, filename);
      const first = entries.findIndex(([n]) => n === replacement[0]);
      if (first < 0) {
        entries.push(replacement);
        return;
      }
      entries[first] = replacement;
      for (let i = entries.length - 1; i > first; i--) if (entries[i][0] === replacement[0]) entries.splice(i, 1);
    }
    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') {
        throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
      }
      for (const [name, value] of this) callback.call(thisArg, value, name, this);
    }
    *entries() {
      const entries = entriesOf(this);
      for (let i = 0; i < entries.length; i++) yield [entries[i][0], entries[i][1]];
    }
    *keys() { for (const [name] of this.entries()) yield name; }
    *values() { for (const [, value] of this.entries()) yield value; }
    [Symbol.iterator]() { return this.entries(); }
    [customInspect](depth, options, inspect) {
      return `FormData ${inspect(entriesOf(this).map(([name, value]) => ({ name, value })), options)}`;
    }
  }
  Object.defineProperty(FormData.prototype, Symbol.toStringTag, { value: 'FormData', configurable: true });

  // ---------------------------------------------------------------------
  // multipart/form-data, as undici encodes and parses it.
  const escape = (str) => str.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
  const normalizeLinefeeds = (value) => value.replace(/\r?\n|\r/g, '\r\n');

  /** `{ bytes, contentType }` of a FormData as a request body. */
  function encode(form) {
    const random = new Uint8Array(native.randomBytes(8));
    let digits = '';
    for (const b of random) digits += (b % 10).toString();
    const boundary = `----formdata-undici-0${digits.padEnd(11, '0').slice(0, 11)}`;
    const prefix = `--${boundary}\r\nContent-Disposition: form-data`;
    const chunks = [];
    for (const [name, value] of entriesOf(form)) {
      if (typeof value === 'string') {
        chunks.push(internal.utf8Encode(`${prefix}; name="${escape(normalizeLinefeeds(name))}"\r\n\r\n${normalizeLinefeeds(value)}\r\n`));
      } else {
        chunks.push(internal.utf8Encode(`${prefix}; name="${escape(normalizeLinefeeds(name))}"` +
          (value.name ? `; filename="${escape(value.name)}"` : '') + '\r\n' +
          `Content-Type: ${value.type || 'application/octet-stream'}\r\n\r\n`));
        chunks.push(blobState(value).bytes);
        chunks.push(internal.utf8Encode('\r\n'));
      }
    }
    chunks.push(internal.utf8Encode(`--${boundary}--\r\n`));
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
  }

  const indexOf = (bytes, needle, from) => {
    outer: for (let i = from; i <= bytes.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };

  /** A FormData from a body's bytes and its Content-Type. */
  function parse(bytes, contentType) {
    const form = new FormData();
    const type = (contentType || '').toLowerCase();
    if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [name, value] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(name, value);
      return form;
    }
    const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || '');
    if (!type.startsWith('multipart/form-data') || !match) {
      throw new TypeError('Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".');
    }
    const delimiter = internal.utf8Encode(`--${match[1] || match[2]}`);
    let at = indexOf(bytes, delimiter, 0);
    const failed = () => new TypeError('Failed to parse body as FormData.');
    if (at < 0) throw failed();
    for (;;) {
      at += delimiter.length;
      if (bytes[at] === 0x2d && bytes[at + 1] === 0x2d) return form; // the closing "--"
      at += 2; // CRLF
      const headerEnd = indexOf(bytes, internal.utf8Encode('\r\n\r\n'), at);
      if (headerEnd < 0) throw failed();
      const headers = new TextDecoder().decode(bytes.subarray(at, headerEnd));
      const next = indexOf(bytes, delimiter, headerEnd + 4);
      if (next < 0) throw failed();
      const content = bytes.subarray(headerEnd + 4, next - 2);
      const disposition = /content-disposition:[^\r\n]*/i.exec(headers);
      const name = disposition && /\bname="([^"]*)"/i.exec(disposition[0]);
      if (!name) throw failed();
      const filename = /filename="([^"]*)"/i.exec(disposition[0]);
      if (filename) {
        const partType = /content-type:\s*([^\r\n]*)/i.exec(headers);
        form.append(name[1], new File([content], filename[1], { type: partType ? partType[1] : '' }));
      } else {
        form.append(name[1], new TextDecoder().decode(content));
      }
      at = next;
    }
  }

  internal.blobBytes = (blob) => blobState(blob).bytes;
  internal.makeBlob = (bytes, type) => {
    const blob = Object.create(Blob.prototype);
    BYTES.set(blob, { bytes, type: normalizeType(type) });
    return blob;
  };
  internal.formData = { encode, parse, isFormData: (value) => ENTRIES.has(value) };
  define('Blob', Blob);
  define('File', File);
  define('FormData', FormData);
})
