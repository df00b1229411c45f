// fetch, Headers, Request and Response, as undici implements them in
// Node 20, over one host call. The host does the network I/O. Loaded after
// node_buffer.js, whose UTF-8 and base64 helpers it uses.
//
// Host call: internal.hostCall('fetch', request), where request is
//   {
//     url: string,              // absolute, as serialized by URL, without the #fragment
//     method: string,           // 'GET', 'POST', ... (standard methods uppercased)
//     headers: [[name, value], ...], // as Headers iterates: lowercase names, sorted, the
//                               //   values of a repeated name joined with ', ' ('; ' for
//                               //   cookie), each set-cookie apart; no defaults added
//                               //   (user-agent, accept, ... are the host's to add)
//     body: string | null,      // null: no body
//     bodyEncoding: 'utf8' | 'base64', // 'base64': body is the bytes, base64-encoded
//     redirect: 'follow' | 'manual' | 'error', // the request's redirect mode
//   }
// The host resolves with
//   {
//     status: number, statusText: string,
//     url: string,              // the final URL, after redirects
//     redirected: boolean,      // optional: whether a redirect was followed
//     headers: [[name, value], ...],
//     body: string,             // '' when there is none
//     bodyEncoding: 'utf8' | 'base64', // 'utf8' only for bytes that are valid UTF-8
//   }
// or rejects with an error ({ name, message, code? }) when the request could
// not be made; fetch then rejects with TypeError('fetch failed') whose
// `cause` is that error, like Node.
//
// Bodies may be strings, buffers, URLSearchParams, Blobs, FormData
// (multipart/form-data, as undici encodes it) or ReadableStreams (with
// `duplex: 'half'`); a response's `body` is a ReadableStream, and `blob()`
// and `formData()` read it. An AbortSignal (`signal`) rejects the fetch
// with its reason.
//
// Deliberate deviations from Node: request bodies are read whole before
// the request is sent, and responses arrive whole (the host call carries
// both), so a stream body is not sent as it is produced; an aborted fetch
// stops waiting at once but the host may finish the request.
(function (native, internal) {
  'use strict';
  const URL = globalThis.URL;
  const URLSearchParams = globalThis.URLSearchParams;
  const customInspect = Symbol.for('nodejs.util.inspect.custom');

  // ---------------------------------------------------------------------
  // WebIDL conversions, with undici's messages.
  const webidlError = (prefix, message) => new TypeError(`${prefix}: ${message}`);

  function argumentLengthCheck(args, min, prefix) {
    if (args.length < min) {
      throw webidlError(prefix, `${min} argument${min !== 1 ? 's' : ''} required, but${args.length ? ' only' : ''} ${args.length} found.`);
    }
  }

  function toDOMString(value, prefix, argument) {
    if (typeof value === 'symbol') {
      throw webidlError(prefix, `${argument} is a symbol, which cannot be converted to a DOMString.`);
    }
    return String(value);
  }

  function toByteString(value, prefix, argument) {
    const x = toDOMString(value, prefix, argument);
    for (let index = 0; index < x.length; index++) {
      if (x.charCodeAt(index) > 255) {
        throw new TypeError('Cannot convert argument to a ByteString because the character at index ' +
          `${index} has a value of ${x.charCodeAt(index)} which is greater than 255.`);
      }
    }
    return x;
  }

  const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const toUSVString = (value) => `${value}`.replace(loneSurrogates, '\ufffd');

  const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

  // How WebIDL error messages show a value.
  function stringify(value) {
    if (typeof value === 'symbol') return `Symbol(${value.description})`;
    if (isObject(value)) return internal.inspect(value);
    if (typeof value === 'string') return `"${value}"`;
    return `${value}`;
  }

  // ---------------------------------------------------------------------
  // Headers: a map from lowercase name to { name, value } (the first
  // spelling of the name, values joined), plus the set-cookie values apart.
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
  const isHttpWhitespace = (c) => c === 0x0a || c === 0x0d || c === 0x09 || c === 0x20;

  function normalizeValue(value) {
    let i = 0, j = value.length;
    while (j > i && isHttpWhitespace(value.charCodeAt(j - 1))) --j;
    while (j > i && isHttpWhitespace(value.charCodeAt(i))) ++i;
    return i === 0 && j === value.length ? value : value.substring(i, j);
  }

  const HEADERS = new WeakMap(); // Headers -> { list: Map, cookies: string[] | null, guard, sorted }

  function headersState(headers) {
    const state = HEADERS.get(headers);
    if (!state) {
      const err = new TypeError('Illegal invocation');
      err.code = 'ERR_INVALID_THIS';
      throw err;
    }
    return state;
  }

  function listAppend(state, name, value) {
    state.sorted = null;
    const lower = name.toLowerCase();
    const exists = state.list.get(lower);
    if (exists) {
      const delimiter = lower === 'cookie' ? '; ' : ', ';
      state.list.set(lower, { name: exists.name, value: `${exists.value}${delimiter}${value}` });
    } else {
      state.list.set(lower, { name, value });
    }
    if (lower === 'set-cookie') (state.cookies ??= []).push(value);
  }

  function checkName(name, prefix) {
    if (!TOKEN.test(name)) throw webidlError(prefix, `"${name}" is an invalid header name.`);
  }

  // (Node reports these as errors of Headers.append whichever way they came.)
  function appendHeader(headers, name, value) {
    value = normalizeValue(value);
    checkName(name, 'Headers.append');
    if (INVALID_VALUE.test(value)) throw webidlError('Headers.append', `"${value}" is an invalid header value.`);
    const state = headersState(headers);
    if (state.guard === 'immutable') throw new TypeError('immutable');
    listAppend(state, name, value);
  }

  // HeadersInit: a Headers, a sequence of [name, value] pairs or a record.
  // (undici's conversions say "contructor", sic.)
  function fillHeaders(headers, init) {
    if (!isObject(init)) {
      throw webidlError('Headers constructor',
        'Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.');
    }
    const prefix = 'Headers contructor';
    if (init instanceof Headers) {
      for (const [name, value] of entriesList(headersState(init))) appendHeader(headers, name, value);
      return;
    }
    if (typeof init[Symbol.iterator] === 'function') {
      let index = 0;
      for (const pair of init) {
        if (!isObject(pair)) throw webidlError(prefix, `init[${index}] (${stringify(pair)}) is not iterable.`);
        if (typeof pair[Symbol.iterator] !== 'function') throw webidlError(prefix, `init[${index}] is not iterable.`);
        const header = Array.from(pair, (v, i) => toByteString(v, prefix, `init[${index}][${i}]`));
        if (header.length !== 2) {
          throw webidlError('Headers constructor', `expected name/value pair to be length 2, found ${header.length}.`);
        }
        appendHeader(headers, header[0], header[1]);
        index++;
      }
      return;
    }
    for (const key of Reflect.ownKeys(init)) {
      if (!Object.prototype.propertyIsEnumerable.call(init, key)) continue;
      appendHeader(headers, toByteString(key, prefix, 'init'), toByteString(init[key], prefix, 'init'));
    }
  }

  // The list with each set-cookie value apart, in insertion order.
  function entriesList(state) {
    const out = [];
    for (const [lower, { name, value }] of state.list) {
      if (lower === 'set-cookie') for (const cookie of state.cookies) out.push([name, cookie]);
      else out.push([name, value]);
    }
    return out;
  }

  // "Sort and combine": lowercase names in order, each set-cookie apart.
  function sortedList(state) {
    if (state.sorted) return state.sorted;
    const out = [];
    for (const name of [...state.list.keys()].sort()) {
      if (name === 'set-cookie' && state.cookies.length > 1) {
        for (const cookie of state.cookies) out.push([name, cookie]);
      } else {
        out.push([name, state.list.get(name).value]);
      }
    }
    return (state.sorted = out);
  }

  function newHeaders(guard) {
    const headers = Object.create(Headers.prototype);
    HEADERS.set(headers, { list: new Map(), cookies: null, guard, sorted: null });
    return headers;
  }

  function copyHeaders(from, guard) {
    const headers = newHeaders(guard);
    const src = headersState(from);
    const dst = headersState(headers);
    dst.list = new Map(src.list);
    dst.cookies = src.cookies && src.cookies.slice();
    return headers;
  }

  // Iterates over the sorted list as it is at each step, like the spec's
  // iterator (headers changed while iterating are seen).
  class HeadersIterator {
    #target;
    #kind;
    #index = 0;

    constructor(target, kind) {
      headersState(target);
      this.#target = target;
      this.#kind = kind;
    }

    next() {
      const list = sortedList(headersState(this.#target));
      if (this.#index >= list.length) return { value: undefined, done: true };
      const [name, value] = list[this.#index++];
      return { value: this.#kind === 'key' ? name : this.#kind === 'value' ? value : [name, value], done: false };
    }
  }
  Object.setPrototypeOf(HeadersIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  Object.defineProperty(HeadersIterator.prototype, Symbol.toStringTag, { value: 'Headers Iterator', configurable: true });

  class Headers {
    constructor(init = undefined) {
      HEADERS.set(this, { list: new Map(), cookies: null, guard: 'none', sorted: null });
      if (init !== undefined) fillHeaders(this, init);
    }

    append(name, value) {
      headersState(this);
      argumentLengthCheck(arguments, 2, 'Headers.append');
      appendHeader(this, toByteString(name, 'Headers.append', 'name'), toByteString(value, 'Headers.append', 'value'));
    }

    delete(name) {
      const state = headersState(this);
      argumentLengthCheck(arguments, 1, 'Headers.delete');
      name = toByteString(name, 'Headers.delete', 'name');
      checkName(name, 'Headers.delete');
      if (state.guard === 'immutable') throw new TypeError('immutable');
      const lower = name.toLowerCase();
      if (!state.list.has(lower)) return;
      state.sorted = null;
      if (lower === 'set-cookie') state.cookies = null;
      state.list.delete(lower);
    }

    get(name) {
      const state = headersState(this);
      argumentLengthCheck(arguments, 1, 'Headers.get');
      name = toByteString(name, 'Headers.get', 'name');
      checkName(name, 'Headers.get');
      const entry = state.list.get(name.toLowerCase());
      return entry === undefined ? null : entry.value;
    }

    has(name) {
      const state = headersState(this);
      argumentLengthCheck(arguments, 1, 'Headers.has');
      name = toByteString(name, 'Headers.has', 'name');
      checkName(name, 'Headers.has');
      return state.list.has(name.toLowerCase());
    }

    set(name, value) {
      const state = headersState(this);
      argumentLengthCheck(arguments, 2, 'Headers.set');
      name = toByteString(name, 'Headers.set', 'name');
      value = normalizeValue(toByteString(value, 'Headers.set', 'value'));
      checkName(name, 'Headers.set');
      if (INVALID_VALUE.test(value)) throw webidlError('Headers.set', `"${value}" is an invalid header value.`);
      if (state.guard === 'immutable') throw new TypeError('immutable');
      state.sorted = null;
      const lower = name.toLowerCase();
      if (lower === 'set-cookie') state.cookies = [value];
      state.list.set(lower, { name, value });
    }

    getSetCookie() {
      const state = headersState(this);
      return state.cookies ? state.cookies.slice() : [];
    }

    forEach(callbackFn, thisArg = globalThis) {
      headersState(this);
      argumentLengthCheck(arguments, 1, 'Headers.forEach');
      if (typeof callbackFn !== 'function') {
        throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
      }
      for (const [key, value] of this) callbackFn.call(thisArg, value, key, this);
    }

    entries() {
      return new HeadersIterator(this, 'key+value');
    }

    keys() {
      return new HeadersIterator(this, 'key');
    }

    values() {
      return new HeadersIterator(this, 'value');
    }

    [customInspect](depth, options, inspect) {
      const entries = {};
      for (const { name, value } of headersState(this).list.values()) entries[name] = value;
      return `Headers ${inspect(entries, options)}`;
    }
  }
  Headers.prototype[Symbol.iterator] = Headers.prototype.entries;

  // ---------------------------------------------------------------------
  // Bodies. A body holds a string (from a string body or a UTF-8 host
  // response) or bytes, converted on demand.
  const nullBodyStatus = [101, 204, 205, 304];

  function makeBody(source) {
    return typeof source === 'string' ? { text: source, bytes: null } : { text: null, bytes: source };
  }
  const bodyBytes = (body) => body.bytes ?? (body.bytes = internal.utf8Encode(body.text));
  // UTF-8 decode, dropping a byte order mark, like the Fetch spec.
  function bodyText(body) {
    const text = body.text ?? internal.utf8Decode(body.bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  // A ReadableStream without loading the streams to ask `instanceof`.
  const isReadableStream = (value) => value !== null && typeof value === 'object' &&
    typeof value.getReader === 'function' && typeof value.pipeTo === 'function';

  /** Fetch's "extract a body": [body, content type or null]. */
  function extractBody(object) {
    if (typeof object === 'string') return [makeBody(toUSVString(object)), 'text/plain;charset=UTF-8'];
    if (object instanceof URLSearchParams) {
      return [makeBody(object.toString()), 'application/x-www-form-urlencoded;charset=UTF-8'];
    }
    if (internal.isAnyArrayBuffer(object)) return [makeBody(new Uint8Array(object.slice(0))), null];
    if (ArrayBuffer.isView(object)) {
      return [makeBody(new Uint8Array(object.buffer.slice(object.byteOffset, object.byteOffset + object.byteLength))), null];
    }
    if (object instanceof Blob) return [makeBody(internal.blobBytes(object).slice()), object.type || null];
    if (internal.formData.isFormData(object)) {
      const { bytes, contentType } = internal.formData.encode(object);
      return [makeBody(bytes), contentType];
    }
    if (isReadableStream(object)) {
      if (object.locked) throw new TypeError('Response body object should not be disturbed or locked');
      return [{ text: null, bytes: null, source: object }, null];
    }
    if (object !== null && typeof object === 'object' && typeof object[Symbol.asyncIterator] === 'function') {
      return [{ text: null, bytes: null, source: ReadableStream.from(object) }, null];
    }
    // Anything else is stringified (plain objects are not JSON-encoded).
    return [makeBody(toUSVString(object)), 'text/plain;charset=UTF-8'];
  }

  /** Reads a stream body whole into its bytes (once). */
  async function materialize(body) {
    if (body.source === undefined) return body;
    const reader = body.source.getReader();
    const chunks = [];
    let size = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = typeof value === 'string' ? internal.utf8Encode(value)
        : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : internal.isAnyArrayBuffer(value) ? new Uint8Array(value) : null;
      if (chunk === null) throw new TypeError('Received non-Uint8Array chunk');
      chunks.push(chunk);
      size += chunk.length;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    body.bytes = bytes;
    body.source = undefined;
    return body;
  }

  // A body held whole, as a ReadableStream of one chunk; reading it
  // disturbs the body.
  function bodyStream(state) {
    return new ReadableStream({
      type: 'bytes',
      pull(controller) {
        state.disturbed = true;
        const bytes = bodyBytes(state.body);
        if (bytes.length > 0) controller.enqueue(bytes.slice());
        controller.close();
      },
    });
  }

  // State shared by Request and Response: { body, disturbed, stream }.
  const unusable = (state) => state.body !== null && (state.disturbed || (state.stream !== null && state.stream.locked));

  function consumeBody(state, convert) {
    if (unusable(state)) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    if (state.body === null) return Promise.resolve().then(() => convert({ text: '', bytes: null }));
    state.disturbed = true;
    const body = state.body;
    return materialize(body).then(convert);
  }

  const contentTypeOf = (state) => state.headers.get('content-type');

  /** A body for a clone: held bodies are shared, a stream is teed. */
  function cloneBody(state) {
    const body = state.body;
    if (body === null || body.source === undefined) return body;
    const [mine, theirs] = body.source.tee();
    body.source = mine;
    state.stream = null;
    return { text: null, bytes: null, source: theirs };
  }

  function defineBodyMixin(cls, getState) {
    Object.assign(cls.prototype, {
      text() { return consumeBody(getState(this), bodyText); },
      json() { return consumeBody(getState(this), (body) => JSON.parse(bodyText(body))); },
      arrayBuffer() { return consumeBody(getState(this), (body) => bodyBytes(body).slice().buffer); },
      bytes() { return consumeBody(getState(this), (body) => bodyBytes(body).slice()); },
      blob() {
        const state = getState(this);
        return consumeBody(state, (body) => internal.makeBlob(bodyBytes(body).slice(), contentTypeOf(state) ?? ''));
      },
      formData() {
        const state = getState(this);
        return consumeBody(state, (body) => internal.formData.parse(bodyBytes(body), contentTypeOf(state)));
      },
    });
    Object.defineProperties(cls.prototype, {
      body: {
        get() {
          const state = getState(this);
          if (state.body === null) return null;
          return state.stream ?? (state.stream = state.body.source ?? bodyStream(state));
        },
        enumerable: true, configurable: true,
      },
      bodyUsed: {
        get() {
          const state = getState(this);
          return state.body !== null && state.disturbed;
        },
        enumerable: true, configurable: true,
      },
    });
  }

  function stateGetter(map) {
    return (obj) => {
      const state = map.get(obj);
      if (!state) {
        const err = new TypeError('Illegal invocation');
        err.code = 'ERR_INVALID_THIS';
        throw err;
      }
      return state;
    };
  }

  // ---------------------------------------------------------------------
  // Request
  const REQUESTS = new WeakMap();
  const requestState = stateGetter(REQUESTS);
  const NORMALIZED_METHODS = Object.assign(Object.create(null), {
    delete: 'DELETE', DELETE: 'DELETE', get: 'GET', GET: 'GET', head: 'HEAD', HEAD: 'HEAD',
    options: 'OPTIONS', OPTIONS: 'OPTIONS', post: 'POST', POST: 'POST', put: 'PUT', PUT: 'PUT',
    patch: 'patch', PATCH: 'PATCH',
  });
  const UPPERCASED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
  const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
  const REDIRECT_MODES = ['follow', 'manual', 'error'];

  function normalizeMethod(method) {
    const known = NORMALIZED_METHODS[method];
    if (known !== undefined) return known;
    if (!TOKEN.test(method)) throw new TypeError(`'${method}' is not a valid HTTP method.`);
    const upper = method.toUpperCase();
    if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`'${method}' HTTP method is unsupported.`);
    return UPPERCASED_METHODS.has(upper) ? upper : method;
  }

  class Request {
    constructor(input, init = {}) {
      const prefix = 'Request constructor';
      argumentLengthCheck(arguments, 1, prefix);
      if (init !== undefined && init !== null && !isObject(init)) {
        throw webidlError(prefix, `Expected ${String(init)} to be one of: Null, Undefined, Object.`);
      }
      init = init ?? {};
      let base = null;
      let url;
      if (input instanceof Request) {
        base = requestState(input);
        url = base.url;
      } else {
        input = toUSVString(input);
        let parsed;
        try {
          parsed = new URL(input);
        } catch (err) {
          throw new TypeError(`Failed to parse URL from ${input}`, { cause: err });
        }
        if (parsed.username || parsed.password) {
          throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${input}`);
        }
        url = parsed.href;
      }

      let method = base ? base.method : 'GET';
      if (init.method !== undefined) method = normalizeMethod(toByteString(init.method, prefix, 'init.method'));
      let redirect = base ? base.redirect : 'follow';
      if (init.redirect !== undefined) {
        redirect = String(init.redirect);
        if (!REDIRECT_MODES.includes(redirect)) {
          throw webidlError(prefix, `${redirect} is not an accepted type. Expected one of ${REDIRECT_MODES.join(', ')}.`);
        }
      }

      let headers;
      if (init.headers !== undefined) {
        headers = newHeaders('request');
        fillHeaders(headers, init.headers);
      } else {
        headers = base ? copyHeaders(base.headers, 'request') : newHeaders('request');
      }

      const inputBody = base ? base.body : null;
      if ((init.body != null || inputBody !== null) && (method === 'GET' || method === 'HEAD')) {
        throw new TypeError('Request with GET/HEAD method cannot have body.');
      }
      let body = null;
      if (init.body != null) {
        const [extracted, contentType] = extractBody(init.body);
        if (extracted.source !== undefined && init.duplex !== 'half') {
          throw new TypeError('RequestInit: duplex option is required when sending a body.');
        }
        body = extracted;
        if (contentType && !headersState(headers).list.has('content-type')) listAppend(headersState(headers), 'content-type', contentType);
      } else if (inputBody !== null) {
        // The new request takes the input's body, which counts as read.
        if (unusable(base)) throw new TypeError('Cannot construct a Request with a Request object that has already been used.');
        body = inputBody;
        base.disturbed = true;
      }

      let signal = base ? base.signal : null;
      if (init.signal !== undefined) {
        if (init.signal !== null && !(init.signal instanceof AbortSignal)) {
          throw webidlError(prefix, 'Expected signal ("init.signal") to be an instance of AbortSignal.');
        }
        signal = init.signal;
      }

      REQUESTS.set(this, { url, method, headers, redirect, body, disturbed: false, stream: null, signal });
    }

    get method() { return requestState(this).method; }
    get signal() {
      const state = requestState(this);
      return state.signal ?? (state.signal = new AbortController().signal);
    }
    get duplex() { return 'half'; }
    get url() { return requestState(this).url; }
    get headers() { return requestState(this).headers; }
    get redirect() { return requestState(this).redirect; }

    clone() {
      const state = requestState(this);
      if (unusable(state)) throw new TypeError('unusable');
      const copy = Object.create(Request.prototype);
      REQUESTS.set(copy, { ...state, body: cloneBody(state), headers: copyHeaders(state.headers, 'request'), disturbed: false, stream: null });
      return copy;
    }

    [customInspect](depth, options, inspect) {
      const { method, url, headers, redirect } = requestState(this);
      return `Request ${inspect({ method, url, headers, redirect, body: this.body, bodyUsed: this.bodyUsed }, options)}`;
    }
  }
  defineBodyMixin(Request, requestState);

  // ---------------------------------------------------------------------
  // Response
  const RESPONSES = new WeakMap();
  const responseState = stateGetter(RESPONSES);
  const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
  const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

  function makeResponse(fields) {
    const response = Object.create(Response.prototype);
    RESPONSES.set(response, {
      type: 'default', status: 200, statusText: '', url: '', redirected: false,
      headers: newHeaders('response'), body: null, disturbed: false, stream: null, ...fields,
    });
    return response;
  }

  // Applies a ResponseInit and a body to a new response (undici's
  // initializeResponse). Its conversion errors say "undefined" (sic).
  function initializeResponse(state, init, body, contentType) {
    if (init !== undefined && init !== null && !isObject(init)) {
      throw webidlError('undefined', `Expected ${String(init)} to be one of: Null, Undefined, Object.`);
    }
    init = init ?? {};
    if (init.status !== undefined) {
      // WebIDL `unsigned short`.
      const n = Math.trunc(Number(init.status)) || 0;
      state.status = ((n % 65536) + 65536) % 65536;
    }
    if (state.status < 200 || state.status > 599) {
      throw new RangeError('init["status"] must be in the range of 200 to 599, inclusive.');
    }
    if (init.statusText !== undefined) {
      const statusText = toByteString(init.statusText, 'undefined', 'undefined.statusText');
      if (!REASON_PHRASE.test(statusText)) throw new TypeError('Invalid statusText');
      state.statusText = statusText;
    }
    if (init.headers !== undefined) fillHeaders(state.headers, init.headers);
    if (body !== null) {
      if (nullBodyStatus.includes(state.status)) {
        throw webidlError('Response constructor', `Invalid response status code ${state.status}`);
      }
      state.body = body;
      const headers = headersState(state.headers);
      if (contentType && !headers.list.has('content-type')) listAppend(headers, 'content-type', contentType);
    }
  }

  class Response {
    constructor(body = null, init = {}) {
      const state = {
        type: 'default', status: 200, statusText: '', url: '', redirected: false,
        headers: newHeaders('response'), body: null, disturbed: false, stream: null,
      };
      let extracted = null, contentType = null;
      if (body !== null && body !== undefined) [extracted, contentType] = extractBody(body);
      initializeResponse(state, init, extracted, contentType);
      RESPONSES.set(this, state);
    }

    static error() {
      return makeResponse({ type: 'error', status: 0, headers: newHeaders('immutable') });
    }

    static json(data, init = {}) {
      argumentLengthCheck(arguments, 1, 'Response.json');
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError('Value is not JSON serializable');
      const response = makeResponse({});
      initializeResponse(responseState(response), init, makeBody(text), 'application/json');
      return response;
    }

    static redirect(url, status = 302) {
      argumentLengthCheck(arguments, 1, 'Response.redirect');
      url = toUSVString(url);
      let parsed;
      try {
        parsed = new URL(url);
      } catch (err) {
        throw new TypeError(`Failed to parse URL from ${url}`, { cause: err });
      }
      status = Math.trunc(Number(status)) || 0;
      if (!REDIRECT_STATUSES.includes(status)) throw new RangeError(`Invalid status code ${status}`);
      const response = makeResponse({ status, headers: newHeaders('immutable') });
      listAppend(headersState(responseState(response).headers), 'location', parsed.href);
      return response;
    }

    get type() { return responseState(this).type; }
    get url() { return responseState(this).url; }
    get redirected() { return responseState(this).redirected; }
    get status() { return responseState(this).status; }
    get ok() {
      const { status } = responseState(this);
      return status >= 200 && status <= 299;
    }
    get statusText() { return responseState(this).statusText; }
    get headers() { return responseState(this).headers; }

    clone() {
      const state = responseState(this);
      if (unusable(state)) throw webidlError('Response.clone', 'Body has already been consumed.');
      const guard = headersState(state.headers).guard;
      return makeResponse({ ...state, body: cloneBody(state), headers: copyHeaders(state.headers, guard), disturbed: false, stream: null });
    }

    [customInspect](depth, options, inspect) {
      const properties = {
        status: this.status, statusText: this.statusText, headers: this.headers, body: this.body,
        bodyUsed: this.bodyUsed, ok: this.ok, redirected: this.redirected, type: this.type, url: this.url,
      };
      return `Response ${inspect(properties, options)}`;
    }
  }
  defineBodyMixin(Response, responseState);

  // WebIDL members are enumerable, unlike class members.
  for (const [cls, tag] of [[Headers, 'Headers'], [Request, 'Request'], [Response, 'Response']]) {
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (key !== 'constructor') Object.defineProperty(cls.prototype, key, { enumerable: true });
    }
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: tag, configurable: true });
  }

  // ---------------------------------------------------------------------
  // fetch
  function responseFromHost(result, method) {
    if (!isObject(result) || typeof result.status !== 'number' || !Array.isArray(result.headers) ||
        typeof result.body !== 'string') {
      throw new TypeError('fetch: the host returned a malformed response');
    }
    const headers = newHeaders('immutable');
    const headerState = headersState(headers);
    for (const [name, value] of result.headers) listAppend(headerState, String(name), String(value));
    let url = '';
    if (typeof result.url === 'string' && result.url !== '') {
      const parsed = new URL(result.url);
      parsed.hash = '';
      url = parsed.href;
    }
    const hasBody = !nullBodyStatus.includes(result.status) && method !== 'HEAD';
    return makeResponse({
      type: 'basic',
      status: result.status,
      statusText: typeof result.statusText === 'string' ? result.statusText : '',
      url,
      redirected: result.redirected === true,
      headers,
      body: !hasBody ? null : makeBody(result.bodyEncoding === 'base64' ? internal.base64Decode(result.body) : result.body),
    });
  }

  function fetch(input, init = undefined) {
    let request, state;
    try {
      request = new Request(input, init);
      state = requestState(request);
      if (state.body !== null) state.disturbed = true; // fetch reads the request body
    } catch (err) {
      return Promise.reject(err);
    }
    const signal = state.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    const sent = (state.body === null ? Promise.resolve(null) : materialize(state.body)).then((body) => send(state, body));
    if (!signal) return sent;
    // An abort settles the fetch at once; the host's answer is then ignored.
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      sent.then((response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      }, (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
    });
  }

  function send(state, body) {
    const call = {
      url: state.url.split('#', 1)[0], // a fragment never goes over the wire
      method: state.method,
      headers: sortedList(headersState(state.headers)).map(([name, value]) => [name, value]),
      body: body === null ? null : body.text ?? internal.base64Encode(body.bytes),
      bodyEncoding: body !== null && body.text === null ? 'base64' : 'utf8',
      redirect: state.redirect,
    };
    return internal.hostCall('fetch', call).then(
      (result) => responseFromHost(result, state.method),
      (err) => {
        throw new TypeError('fetch failed', { cause: err });
      });
  }

  for (const [name, value] of [['fetch', fetch], ['Headers', Headers], ['Request', Request], ['Response', Response]]) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
})
