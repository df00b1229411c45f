// `http` and `https` clients, carried over the host's `fetch` host call (the
// same egress policy, limits and call log as the global fetch): `request`,
// `get`, `Agent` (subclassable), `globalAgent`, `ClientRequest` (a
// Writable: headers, `setTimeout`, `abort`, `destroy`, AbortSignal),
// `IncomingMessage` (a Readable with `statusCode`, `headers`,
// `rawHeaders`), `STATUS_CODES`, `METHODS`. A request that fails without a
// response errors with Node's code and message (`connect ECONNREFUSED
// 127.0.0.1:9`, `getaddrinfo ENOTFOUND host`, `ETIMEDOUT`, `socket hang up`).
//
// Deliberate deviations from Node: bodies are buffered, not streamed: a
// request is sent when it is ended, and its response arrives whole (both
// within the host call's size limit, about 700 KiB of request body and 640
// KiB of response body); response header names arrive in lower case;
// redirects are not followed (as in Node), and the host adds a User-Agent
// when there is none. Agents do not pool sockets or reach proxies (the host
// keeps its own connections); TLS options (`ca`, `cert`, `key`,
// `rejectUnauthorized`) are not applied: the host always verifies servers
// against the system's roots. Servers (`createServer`) are not available.
(function (native, internal) {
  'use strict';

  const STATUS_CODES = {
    100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
    200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
    205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
    300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
    305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
    400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
    409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
    414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
    418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
    424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
    429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
    500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
    507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
    511: 'Network Authentication Required',
  };
  const METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK',
    'M-SEARCH', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST',
    'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE',
    'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];
  // Response headers of which Node keeps only the first.
  const SINGLE_VALUED = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires',
    'from', 'host', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'location',
    'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent']);
  // Node's errno for the codes the host reports.
  const ERRNO = { ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110, ENOTFOUND: -3008, EHOSTUNREACH: -113, ENETUNREACH: -101 };

  let shared = null;
  internal.builtins.http = () => (shared || (shared = makeHttp())).http;
  internal.builtins.https = () => (shared || (shared = makeHttp())).https;
  internal.builtins._http_agent = () => ({ Agent: require('http').Agent, globalAgent: require('http').globalAgent });
  internal.builtins._http_client = () => ({ ClientRequest: require('http').ClientRequest });
  internal.builtins._http_incoming = () => ({ IncomingMessage: require('http').IncomingMessage });
  internal.builtins._http_outgoing = () => ({ OutgoingMessage: require('http').OutgoingMessage });
  internal.builtins._http_common = () => ({ METHODS: METHODS.slice(), STATUS_CODES });

  function makeHttp() {
    const EventEmitter = require('events');
    const { Readable, Writable } = require('stream');
    const Buffer = internal.Buffer;
    const { nodeError, invalidArgType } = internal.nodeErrors;

    // -------------------------------------------------------------------
    // Header validation, as Node's _http_common checks it.
    const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
    const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
    function validateHeaderName(name, label = 'Header name') {
      if (typeof name !== 'string' || !name || !TOKEN.test(name)) {
        throw nodeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `${label} must be a valid HTTP token ["${name}"]`);
      }
    }
    function validateHeaderValue(name, value) {
      if (value === undefined) {
        throw nodeError(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "${value}" for header "${name}"`);
      }
      if (INVALID_VALUE.test(String(value))) {
        throw nodeError(TypeError, 'ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
      }
    }

    // -------------------------------------------------------------------
    // A stand-in for the connection: libraries listen on it and set
    // timeouts through it; the host owns the real one.
    class FakeSocket extends EventEmitter {
      constructor(host, port, encrypted) {
        super();
        this.remoteAddress = host;
        this.remotePort = port;
        this.remoteFamily = host.includes(':') ? 'IPv6' : 'IPv4';
        this.localAddress = undefined;
        this.localPort = undefined;
        this.encrypted = encrypted || undefined;
        this.authorized = encrypted ? true : undefined;
        this.alpnProtocol = encrypted ? 'http/1.1' : undefined;
        this.connecting = false;
        this.destroyed = false;
        this.readable = true;
        this.writable = true;
        this.timeout = 0;
        this.bytesWritten = 0;
        this.bytesRead = 0;
      }
      setTimeout(ms, callback) {
        this.timeout = ms;
        if (callback) this.once('timeout', callback);
        return this;
      }
      setNoDelay() { return this; }
      setKeepAlive() { return this; }
      ref() { return this; }
      unref() { return this; }
      address() { return {}; }
      getPeerCertificate() { return {}; }
      getCipher() { return undefined; }
      getProtocol() { return this.encrypted ? 'TLSv1.3' : null; }
      end() { return this; }
      write() { return true; }
      destroy() { this.destroyed = true; return this; }
    }

    // -------------------------------------------------------------------
    class Agent extends EventEmitter {
      constructor(options) {
        super();
        this.defaultPort = 80;
        this.protocol = 'http:';
        this.options = { __proto__: null, ...options };
        this.options.path = null;
        this.keepAlive = this.options.keepAlive || false;
        this.keepAliveMsecs = this.options.keepAliveMsecs || 1000;
        this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
        this.maxFreeSockets = this.options.maxFreeSockets || 256;
        this.maxTotalSockets = this.options.maxTotalSockets || Infinity;
        this.totalSocketCount = 0;
        this.scheduling = this.options.scheduling || 'lifo';
        this.requests = { __proto__: null };
        this.sockets = { __proto__: null };
        this.freeSockets = { __proto__: null };
      }
      getName(options = {}) {
        let name = options.host || 'localhost';
        name += ':';
        if (options.port) name += options.port;
        name += ':';
        if (options.localAddress) name += options.localAddress;
        if (options.family === 4 || options.family === 6) name += `:${options.family}`;
        return name;
      }
      createConnection() {
        throw internal.unavailable('http.Agent.createConnection()', 'requests are made by the host');
      }
      // The host makes the connection; a request only asks its agent's
      // protocol and port.
      addRequest() {}
      removeSocket() {}
      keepSocketAlive() { return true; }
      reuseSocket() {}
      destroy() {}
    }
    Agent.defaultMaxSockets = Infinity;

    class HttpsAgent extends Agent {
      constructor(options) {
        super(options);
        this.defaultPort = 443;
        this.protocol = 'https:';
        this.maxCachedSessions = this.options.maxCachedSessions ?? 100;
      }
      getName(options = {}) {
        let name = super.getName(options);
        for (const key of ['ca', 'cert', 'clientCertEngine', 'ciphers', 'key', 'pfx', 'rejectUnauthorized', 'servername',
          'minVersion', 'maxVersion', 'secureProtocol', 'crl', 'honorCipherOrder', 'ecdhCurve', 'dhparam',
          'secureOptions', 'sessionIdContext', 'sigalgs', 'privateKeyEngine', 'privateKeyIdentifier']) {
          name += ':';
          if (options[key] !== undefined) name += options[key];
        }
        return name;
      }
    }

    const globalAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });
    const httpsGlobalAgent = new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5000 });

    // -------------------------------------------------------------------
    // Node's OutgoingMessage is not a Writable, but writes like one; the
    // request closes itself (not when its body is written).
    class OutgoingMessage extends Writable {
      constructor() {
        super({ autoDestroy: false, emitClose: false });
        this[kHeaders] = new Map(); // lower-case name -> [name, value]
        this.headersSent = false;
        this.sendDate = false;
        this.finished = false;
        this.chunkedEncoding = false;
        this.useChunkedEncodingByDefault = true;
        this.maxRequestsOnConnectionReached = false;
      }
      setHeader(name, value) {
        if (this.headersSent) throw nodeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
        validateHeaderName(name);
        validateHeaderValue(name, value);
        this[kHeaders].set(name.toLowerCase(), [name, value]);
        return this;
      }
      appendHeader(name, value) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
        const key = name.toLowerCase();
        const existing = this[kHeaders].get(key);
        if (existing === undefined) return this.setHeader(name, value);
        const values = [].concat(existing[1], value);
        this[kHeaders].set(key, [existing[0], values]);
        return this;
      }
      getHeader(name) {
        if (typeof name !== 'string') throw invalidArgType('name', 'string', name);
        const entry = this[kHeaders].get(name.toLowerCase());
        return entry === undefined ? undefined : entry[1];
      }
      getHeaders() {
        const out = { __proto__: null };
        for (const [key, [, value]] of this[kHeaders]) out[key] = value;
        return out;
      }
      getHeaderNames() { return [...this[kHeaders].keys()]; }
      getRawHeaderNames() { return [...this[kHeaders].values()].map(([name]) => name); }
      hasHeader(name) {
        if (typeof name !== 'string') throw invalidArgType('name', 'string', name);
        return this[kHeaders].has(name.toLowerCase());
      }
      removeHeader(name) {
        if (this.headersSent) throw nodeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
        this[kHeaders].delete(String(name).toLowerCase());
      }
      flushHeaders() {}
      setTimeout(ms, callback) { return this; }
      get connection() { return this.socket; }
    }
    const kHeaders = Symbol('kOutHeaders');

    // -------------------------------------------------------------------
    class IncomingMessage extends Readable {
      constructor(socket) {
        super();
        this.socket = socket;
        this.httpVersionMajor = 1;
        this.httpVersionMinor = 1;
        this.httpVersion = '1.1';
        this.complete = false;
        this.rawHeaders = [];
        this.rawTrailers = [];
        this.headers = {};
        this.trailers = {};
        this.aborted = false;
        this.upgrade = false;
        this.url = '';
        this.method = null;
        this.statusCode = null;
        this.statusMessage = null;
      }
      get connection() { return this.socket; }
      get headersDistinct() {
        const out = { __proto__: null };
        for (let i = 0; i < this.rawHeaders.length; i += 2) {
          const key = this.rawHeaders[i].toLowerCase();
          (out[key] || (out[key] = [])).push(this.rawHeaders[i + 1]);
        }
        return out;
      }
      get trailersDistinct() { return { __proto__: null }; }
      setTimeout(ms, callback) {
        if (callback) this.on('timeout', callback);
        return this;
      }
      _read() {}
    }

    function addHeader(headers, name, value) {
      const key = name.toLowerCase();
      if (key === 'set-cookie') {
        (headers[key] || (headers[key] = [])).push(value);
      } else if (!(key in headers)) {
        headers[key] = value;
      } else if (!SINGLE_VALUED.has(key)) {
        headers[key] += (key === 'cookie' ? '; ' : ', ') + value;
      }
    }

    // -------------------------------------------------------------------
    function connResetException(message) {
      const err = new Error(message);
      err.code = 'ECONNRESET';
      return err;
    }

    /** The Node error for a request the host could not make. */
    function networkError(hostError, hostname, port) {
      const code = hostError && hostError.code;
      let err;
      if (code === 'ENOTFOUND') {
        err = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        Object.assign(err, { errno: ERRNO.ENOTFOUND, code, syscall: 'getaddrinfo', hostname });
      } else if (code === 'ECONNRESET') {
        err = connResetException('socket hang up');
      } else if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
        const address = hostname.replace(/^\[|\]$/g, '');
        err = new Error(`connect ${code} ${address}:${port}`);
        Object.assign(err, { errno: ERRNO[code], code, syscall: 'connect', address, port });
      } else {
        err = new Error(hostError && hostError.message ? hostError.message : 'the request failed');
        if (code) err.code = code;
      }
      return err;
    }

    // -------------------------------------------------------------------
    class ClientRequest extends OutgoingMessage {
      constructor(input, options, callback) {
        super();
        if (typeof input === 'string') {
          input = urlToHttpOptions(parseUrl(input));
        } else if (input instanceof URL) {
          input = urlToHttpOptions(input);
        } else {
          callback = options;
          options = input;
          input = null;
        }
        if (typeof options === 'function') {
          callback = options;
          options = input || {};
        } else {
          options = { ...input, ...options };
        }

        let agent = options.agent;
        const defaultAgent = options._defaultAgent || globalAgent;
        if (agent === false) {
          agent = new defaultAgent.constructor();
        } else if (agent === null || agent === undefined) {
          agent = typeof options.createConnection !== 'function' ? defaultAgent : undefined;
        } else if (typeof agent.addRequest !== 'function') {
          throw invalidArgType('options.agent', ['Agent-like Object', 'undefined', 'false'], agent);
        }
        this.agent = agent;

        const protocol = options.protocol || defaultAgent.protocol;
        let expected = defaultAgent.protocol;
        if (this.agent && this.agent.protocol) expected = this.agent.protocol;
        if (protocol !== expected) {
          throw nodeError(TypeError, 'ERR_INVALID_PROTOCOL', `Protocol "${protocol}" not supported. Expected "${expected}"`);
        }
        if (options.socketPath) throw internal.unavailable('http requests over a Unix socket (socketPath)');
        const defaultPort = options.defaultPort || (this.agent && this.agent.defaultPort) || (protocol === 'https:' ? 443 : 80);
        this.protocol = protocol;
        const port = Number(options.port || defaultPort);
        const host = options.host = options.hostname || options.host || 'localhost';
        this.host = host;
        this.port = port;
        if (options.path !== undefined && options.path !== null && /[\u0000-\u0020]/.test(String(options.path))) {
          throw nodeError(TypeError, 'ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters');
        }
        this.path = options.path ?? '/';
        const method = options.method === undefined || options.method === null ? 'GET' : options.method;
        if (typeof method !== 'string') throw invalidArgType('options.method', 'string', method);
        validateHeaderName(method, 'Method');
        this.method = method.toUpperCase();
        this.timeout = options.timeout;
        this.aborted = false;
        this.res = null;
        this.reusedSocket = false;
        this.maxHeadersCount = null;
        this[kBody] = [];
        this[kSent] = false;
        this[kTimer] = null;

        const headers = options.headers;
        if (Array.isArray(headers)) {
          if (headers.length % 2 !== 0 && !Array.isArray(headers[0])) {
            throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', "The argument 'options.headers' is invalid.");
          }
          if (Array.isArray(headers[0])) for (const [k, v] of headers) this.appendHeader(k, v);
          else for (let i = 0; i < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1]);
        } else if (headers) {
          for (const key of Object.keys(headers)) if (headers[key] !== undefined) this.setHeader(key, headers[key]);
        }
        if (options.auth && !this.hasHeader('authorization')) {
          this.setHeader('Authorization', 'Basic ' + Buffer.from(options.auth).toString('base64'));
        }
        if (!this.hasHeader('host') && options.setHost !== false) {
          const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
          this.setHeader('Host', port !== defaultPort ? `${shownHost}:${port}` : shownHost);
        }

        this.socket = new FakeSocket(host, port, protocol === 'https:');
        if (callback !== undefined) this.once('response', callback);
        if (options.timeout !== undefined) this.setTimeout(options.timeout);
        const signal = options.signal;
        if (signal) {
          if (signal.aborted) {
            process.nextTick(() => this.destroy(abortError(signal)));
          } else {
            signal.addEventListener('abort', () => this.destroy(abortError(signal)), { once: true });
          }
        }
        process.nextTick(() => {
          if (this.destroyed) return;
          this.emit('socket', this.socket);
          this.socket.emit('connect');
          if (protocol === 'https:') this.socket.emit('secureConnect');
        });
      }

      _write(chunk, encoding, callback) {
        this.headersSent = true;
        this[kBody].push(chunk);
        callback();
      }

      _final(callback) {
        this.headersSent = true;
        this.finished = true;
        send(this);
        callback();
      }

      setTimeout(ms, callback) {
        if (callback) this.once('timeout', callback);
        if (this[kTimer] !== null) clearTimeout(this[kTimer]);
        this[kTimer] = null;
        this.timeout = ms;
        if (ms > 0 && this.res === null) {
          this[kTimer] = setTimeout(() => {
            this[kTimer] = null;
            if (this.res === null && !this.destroyed) {
              this.socket.emit('timeout');
              this.emit('timeout');
            }
          }, ms);
        }
        return this;
      }
      setNoDelay() {}
      setSocketKeepAlive() {}

      abort() {
        if (this.aborted) return;
        this.aborted = true;
        process.nextTick(() => this.emit('abort'));
        this.destroy();
      }

      _destroy(err, callback) {
        if (this[kTimer] !== null) clearTimeout(this[kTimer]);
        if (this.res !== null && !this.res.complete) {
          this.res.aborted = true;
          this.res.destroy(err || connResetException('aborted'));
        }
        // Without a response, destroying (or aborting) a request is Node's
        // "socket hang up".
        if (!err && this.res === null) err = connResetException('socket hang up');
        this.socket.destroy();
        callback(err);
        process.nextTick(() => this.emit('close'));
      }
    }
    const kBody = Symbol('kBody');
    const kSent = Symbol('kSent');
    const kTimer = Symbol('kTimer');

    function abortError(signal) {
      const err = new Error('The operation was aborted', { cause: signal.reason });
      err.name = 'AbortError';
      err.code = 'ABORT_ERR';
      return err;
    }

    function send(req) {
      if (req[kSent] || req.destroyed) return;
      req[kSent] = true;
      const headers = [];
      for (const [, [name, value]] of req[kHeaders]) {
        if (Array.isArray(value)) for (const v of value) headers.push([name.toLowerCase(), String(v)]);
        else headers.push([name.toLowerCase(), String(value)]);
      }
      const host = req.host.includes(':') && !req.host.startsWith('[') ? `[${req.host}]` : req.host;
      const path = String(req.path).startsWith('/') ? req.path : '/' + req.path;
      const body = req[kBody].length ? Buffer.concat(req[kBody].map((c) => (typeof c === 'string' ? Buffer.from(c) : c))) : null;
      req[kBody] = [];
      req.socket.bytesWritten = body ? body.length : 0;
      const call = {
        url: `${req.protocol}//${host}:${req.port}${path}`,
        method: req.method,
        headers,
        body: body === null ? null : internal.base64Encode(body),
        bodyEncoding: 'base64',
        redirect: 'manual',
      };
      internal.hostCall('fetch', call).then((result) => {
        if (req.destroyed) return;
        if (req[kTimer] !== null) clearTimeout(req[kTimer]);
        req[kTimer] = null;
        const res = new IncomingMessage(req.socket);
        res.req = req;
        res.statusCode = result.status;
        res.statusMessage = result.statusText || STATUS_CODES[result.status] || '';
        for (const [name, value] of result.headers) {
          res.rawHeaders.push(name, value);
          addHeader(res.headers, name, value);
        }
        req.res = res;
        const bytes = result.bodyEncoding === 'base64' ? internal.base64Decode(result.body) : Buffer.from(result.body, 'utf8');
        req.socket.bytesRead = bytes.length;
        res.once('end', () => {
          res.complete = true;
          process.nextTick(() => {
            req.socket.emit('close', false);
            req.emit('close');
          });
        });
        if (!req.emit('response', res)) res.resume();
        if (bytes.length > 0 && req.method !== 'HEAD') res.push(bytes);
        res.push(null);
      }, (hostError) => {
        if (req.destroyed) return;
        req.destroy(networkError(hostError, req.host, req.port));
      });
    }

    // -------------------------------------------------------------------
    function parseUrl(input) {
      try {
        return new URL(input);
      } catch {
        throw nodeError(TypeError, 'ERR_INVALID_URL', 'Invalid URL');
      }
    }

    function urlToHttpOptions(url) {
      const options = {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        hash: url.hash,
        search: url.search,
        pathname: url.pathname,
        path: `${url.pathname || ''}${url.search || ''}`,
        href: url.href,
      };
      if (url.port !== '') options.port = Number(url.port);
      if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      return options;
    }

    function module(defaultAgent) {
      function request(url, options, callback) {
        if (typeof url === 'string' || url instanceof URL) {
          if (typeof options === 'function') return new ClientRequest(url, { _defaultAgent: defaultAgent }, options);
          return new ClientRequest(url, { ...options, _defaultAgent: defaultAgent }, callback);
        }
        return new ClientRequest({ ...url, _defaultAgent: defaultAgent }, options);
      }
      function get(url, options, callback) {
        const req = request(url, options, callback);
        req.end();
        return req;
      }
      return { request, get };
    }

    const serverUnavailable = () => internal.unavailable('http servers', 'handlers answer events, they do not listen');
    class Server extends EventEmitter {
      constructor() {
        super();
        throw serverUnavailable();
      }
    }
    class ServerResponse extends OutgoingMessage {}

    const common = {
      METHODS: METHODS.slice(),
      STATUS_CODES,
      Agent,
      ClientRequest,
      IncomingMessage,
      OutgoingMessage,
      Server,
      ServerResponse,
      createServer() { throw serverUnavailable(); },
      validateHeaderName,
      validateHeaderValue,
      maxHeaderSize: 16384,
      setMaxIdleHTTPParsers() {},
    };
    const http = { ...common, ...module(globalAgent), globalAgent };
    const https = {
      Agent: HttpsAgent,
      globalAgent: httpsGlobalAgent,
      Server,
      createServer() { throw serverUnavailable(); },
      ...module(httpsGlobalAgent),
    };
    return { http, https };
  }
})
