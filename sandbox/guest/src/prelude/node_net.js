// `net`, `tls` and `dns`: outbound TCP connections (TLS optional) and name
// lookups, carried by the host's `net.*` host calls under the egress
// policy fetch uses (internal addresses refused unless the operator allows
// them), with per-invocation limits on connections and bytes; every
// connect is in the invocation's call log. `net.Socket` is a Duplex as in
// Node (connect, write, end, destroy, setTimeout, the 'connect', 'ready',
// 'data', 'end', 'close', 'timeout' and 'error' events, Node's error codes).
// Also `http2`: loadable, with its constants, failing clearly when used.
//
// Deliberate deviations from Node: no servers (`createServer`), no Unix
// sockets (`path`), no upgrading a connected socket to TLS (`tls.connect({
// socket })`, STARTTLS); TLS always verifies the server against the
// system's roots (`ca`, `cert`, `key`, `rejectUnauthorized` are not
// applied); `getPeerCertificate()` is empty. `dns` answers `lookup` (and
// `resolve4/6` through it) with the addresses a connect may use; the other
// record types are not offered.
(function (native, internal) {
  'use strict';
  const builtins = internal.builtins;
  const ERRNO = {
    ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110, ENOTFOUND: -3008, EHOSTUNREACH: -113,
    ENETUNREACH: -101, EPIPE: -32,
  };

  function hostError(err) {
    const out = new Error(err && err.message ? err.message : 'socket error');
    for (const key of ['code', 'syscall', 'address', 'port', 'hostname']) {
      if (err && err[key] !== undefined) out[key] = err[key];
    }
    if (out.code in ERRNO) out.errno = ERRNO[out.code];
    return out;
  }

  // IP address syntax, as net.isIP decides it.
  const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  function isIPv6(input) {
    const s = String(input).split('%')[0];
    if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
    let parts = s.split(':');
    const last = parts[parts.length - 1];
    let groups = 8;
    if (last.includes('.')) {
      if (!V4.test(last)) return false;
      parts = parts.slice(0, -1);
      groups = 6;
    }
    const double = s.indexOf('::');
    if (double !== s.lastIndexOf('::')) return false;
    const filled = parts.filter((p) => p !== '');
    if (filled.some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p))) return false;
    if (double >= 0) return filled.length < groups;
    return parts.length === groups && filled.length === groups;
  }
  const isIPv4 = (input) => V4.test(String(input));
  const isIP = (input) => (isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0);

  let netModule = null;
  builtins.net = () => netModule || (netModule = makeNet());

  // Sockets connecting or connected. Their connections belong to the
  // invocation that opened them: the host closes them when it ends. A
  // reused instance's next invocation finds them closed ('close', no
  // error), as a client library kept in module scope would see a server
  // hang up, and reconnects.
  const live = new Set();
  internal.resetSockets = function () {
    if (live.size === 0) return;
    for (const socket of live) {
      socket._id = null;
      socket.connecting = false;
      socket.destroy();
    }
    live.clear();
  };

  function makeNet() {
    const { Duplex } = require('stream');
    const { invalidArgType } = internal.nodeErrors;

    class Socket extends Duplex {
      constructor(options = {}) {
        super({
          allowHalfOpen: options.allowHalfOpen === true,
          emitClose: false,
          autoDestroy: true,
          decodeStrings: true,
        });
        if (options.fd !== undefined || options.handle !== undefined) {
          throw internal.unavailable('sockets on file descriptors');
        }
        this.connecting = false;
        this._id = null;
        this._tls = false;
        this._reading = false;
        this._wantRead = false;
        this._queued = [];
        this._timeout = 0;
        this._timer = null;
        this.bytesRead = 0;
        this._bytesWritten = 0;
        this._peer = null;
      }

      // Read from the connection while it is open, as Node reads its handle.
      get remoteAddress() { return this._id === null ? undefined : this._peer.remoteAddress; }
      get remotePort() { return this._id === null ? undefined : this._peer.remotePort; }
      get remoteFamily() { return this._id === null ? undefined : this._peer.remoteFamily; }
      get localAddress() { return this._id === null ? undefined : this._peer.localAddress ?? undefined; }
      get localPort() { return this._id === null ? undefined : this._peer.localPort ?? undefined; }

      get pending() { return this._id === null; }
      get bytesWritten() { return this._bytesWritten; }
      get readyState() {
        if (this.connecting) return 'opening';
        if (this.readable && this.writable) return 'open';
        if (this.readable) return 'readOnly';
        if (this.writable) return 'writeOnly';
        return 'closed';
      }

      connect(...args) {
        let options, callback;
        if (args[0] !== null && typeof args[0] === 'object') {
          options = args[0];
          callback = args[1];
        } else if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) {
          options = { path: args[0] };
          callback = args[1];
        } else {
          options = { port: args[0] };
          if (typeof args[1] === 'string') {
            options.host = args[1];
            callback = args[2];
          } else {
            callback = args[1];
          }
        }
        if (options.path !== undefined) throw internal.unavailable('Unix domain sockets (path)');
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535 || options.port === '' || options.port === undefined || options.port === null) {
          const err = new RangeError(`Port should be >= 0 and < 65536. Received ${internal.inspect(options.port)}.`);
          err.code = 'ERR_SOCKET_BAD_PORT';
          throw err;
        }
        const host = options.host || 'localhost';
        if (typeof callback === 'function') this.once(this._tls ? 'secureConnect' : 'connect', callback);
        if (options.timeout) this.setTimeout(options.timeout);
        this.connecting = true;
        live.add(this);
        internal.needsReset = true;
        this._touch();
        internal.hostCall('net.connect', { host, port, tls: this._tls, servername: options.servername }).then((info) => {
          this.connecting = false;
          if (this.destroyed) {
            internal.hostCall('net.close', { id: info.id }).catch(() => {});
            return;
          }
          this._id = info.id;
          this._peer = info;
          this._touch();
          const queued = this._queued;
          this._queued = [];
          for (const [chunk, cb] of queued) this._send(chunk, cb);
          this.emit('connect');
          if (this._tls) this.emit('secureConnect');
          this.emit('ready');
          if (this._wantRead) this._pump();
        }, (err) => {
          this.connecting = false;
          this.destroy(hostError(err));
        });
        return this;
      }

      _send(chunk, callback) {
        this._touch();
        internal.hostCall('net.write', { id: this._id, data: internal.base64Encode(chunk) }).then(() => {
          this._bytesWritten += chunk.length;
          this._touch();
          callback();
        }, (err) => callback(hostError(err)));
      }

      _write(chunk, encoding, callback) {
        if (this._id === null) {
          if (this.connecting) this._queued.push([chunk, callback]);
          else callback(Object.assign(new Error('This socket is closed'), { code: 'ERR_SOCKET_CLOSED' }));
          return;
        }
        this._send(chunk, callback);
      }

      // Writes made while one is in flight go out together: one host call.
      _writev(chunks, callback) {
        const bytes = internal.Buffer.concat(chunks.map(({ chunk }) => chunk));
        this._write(bytes, 'buffer', callback);
      }

      _final(callback) {
        const end = () => {
          internal.hostCall('net.end', { id: this._id }).then(() => callback(), (err) => callback(hostError(err)));
        };
        if (this._id === null && this.connecting) this.once('connect', end);
        else if (this._id === null) callback();
        else end();
      }

      _read() {
        this._wantRead = true;
        if (this._id !== null) this._pump();
      }

      // One read at a time, while the stream wants data.
      _pump() {
        if (this._reading || this.destroyed || this._id === null) return;
        this._reading = true;
        internal.hostCall('net.read', { id: this._id }).then((result) => {
          this._reading = false;
          if (this.destroyed) return;
          this._touch();
          if (result.eof) {
            this.push(null);
            return;
          }
          const bytes = internal.base64Decode(result.data);
          this.bytesRead += bytes.length;
          this._wantRead = this.push(bytes);
          if (this._wantRead) this._pump();
        }, (err) => {
          this._reading = false;
          this.destroy(hostError(err));
        });
      }

      _destroy(err, callback) {
        if (this._timer !== null) clearTimeout(this._timer);
        this._timer = null;
        if (this._id !== null) {
          internal.hostCall('net.close', { id: this._id }).catch(() => {});
        }
        this._id = null;
        live.delete(this);
        callback(err);
        process.nextTick(() => this.emit('close', !!err));
      }

      // An idle timeout, as Node's: 'timeout' after `ms` without activity.
      setTimeout(ms, callback) {
        this._timeout = ms;
        if (callback) {
          if (ms === 0) this.removeListener('timeout', callback);
          else this.once('timeout', callback);
        }
        this._touch();
        return this;
      }
      _touch() {
        if (this._timer !== null) clearTimeout(this._timer);
        this._timer = null;
        if (this._timeout > 0 && !this.destroyed) {
          this._timer = setTimeout(() => {
            this._timer = null;
            this.emit('timeout');
          }, this._timeout);
        }
      }
      setNoDelay() { return this; }
      setKeepAlive() { return this; }
      ref() { return this; }
      unref() { return this; }
      address() {
        return this.localAddress === undefined ? {} : { address: this.localAddress, family: this.remoteFamily, port: this.localPort };
      }
      resetAndDestroy() { return this.destroy(); }
    }

    function normalize(args) {
      if (args[0] !== null && typeof args[0] === 'object') return [{ ...args[0] }, args[1]];
      if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) return [{ path: args[0] }, args[1]];
      const options = { port: args[0] };
      if (typeof args[1] === 'string') return [{ ...options, host: args[1] }, args[2]];
      return [options, args[1]];
    }

    function connect(...args) {
      const [options, callback] = normalize(args);
      const socket = new Socket(options);
      return socket.connect(options, callback);
    }

    class BlockList {
      constructor() { this.rules = []; }
      addAddress(address) { this.rules.push(address); }
      check(address) { return this.rules.includes(address); }
    }

    const serverUnavailable = () => internal.unavailable('net servers', 'handlers answer events, they do not listen');
    return {
      Socket,
      Stream: Socket,
      connect,
      createConnection: connect,
      createServer() { throw serverUnavailable(); },
      Server: class Server { constructor() { throw serverUnavailable(); } },
      isIP,
      isIPv4,
      isIPv6,
      BlockList,
      getDefaultAutoSelectFamily: () => true,
      setDefaultAutoSelectFamily() {},
      getDefaultAutoSelectFamilyAttemptTimeout: () => 250,
      setDefaultAutoSelectFamilyAttemptTimeout() {},
      _normalizeArgs: normalize,
    };
  }

  // ---------------------------------------------------------------------
  let tlsModule = null;
  builtins.tls = () => tlsModule || (tlsModule = makeTls());

  function makeTls() {
    const net = require('net');
    class TLSSocket extends net.Socket {
      constructor(socket, options = {}) {
        if (socket) throw internal.unavailable('upgrading a connected socket to TLS (tls.connect({ socket }))');
        super(options);
        this._tls = true;
        this.encrypted = true;
        this.authorized = true;
        this.authorizationError = null;
        this.alpnProtocol = false;
        this.servername = options.servername;
      }
      getPeerCertificate() { return {}; }
      getCertificate() { return null; }
      getProtocol() { return this._id === null ? null : 'TLSv1.3'; }
      getCipher() { return { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' }; }
      getSession() { return undefined; }
      isSessionReused() { return false; }
      setServername() {}
      setMaxSendFragment() { return true; }
      exportKeyingMaterial() { throw internal.unavailable('TLSSocket.exportKeyingMaterial()'); }
    }
    function connect(...args) {
      let options = {};
      let callback;
      if (args[0] !== null && typeof args[0] === 'object') {
        options = { ...args[0] };
        callback = args[1];
      } else {
        options.port = args[0];
        let i = 1;
        if (typeof args[i] === 'string') options.host = args[i++];
        if (args[i] !== null && typeof args[i] === 'object') options = { ...args[i++], ...options };
        callback = args[i];
      }
      const socket = new TLSSocket(options.socket, options);
      const host = options.host || 'localhost';
      return socket.connect({ ...options, host, servername: options.servername || (net.isIP(host) ? undefined : host) }, callback);
    }
    const serverUnavailable = () => internal.unavailable('tls servers', 'handlers answer events, they do not listen');
    return {
      TLSSocket,
      connect,
      createSecureContext: (options) => ({ context: {}, options }),
      SecureContext: class SecureContext {},
      checkServerIdentity: () => undefined,
      createServer() { throw serverUnavailable(); },
      Server: class Server { constructor() { throw serverUnavailable(); } },
      rootCertificates: Object.freeze([]),
      getCiphers: () => ['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256'],
      DEFAULT_ECDH_CURVE: 'auto',
      DEFAULT_MIN_VERSION: 'TLSv1.2',
      DEFAULT_MAX_VERSION: 'TLSv1.3',
      DEFAULT_CIPHERS: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
      CLIENT_RENEG_LIMIT: 3,
      CLIENT_RENEG_WINDOW: 600,
    };
  }

  // ---------------------------------------------------------------------
  let dnsModule = null;
  builtins.dns = () => dnsModule || (dnsModule = makeDns());
  builtins['dns/promises'] = () => require('dns').promises;

  function makeDns() {
    const { validateFunction } = internal.nodeErrors;

    /** The addresses of `hostname`, filtered by `family` (0, 4, 6). */
    async function addressesOf(hostname, family) {
      if (typeof hostname !== 'string') throw internal.nodeErrors.invalidArgType('hostname', 'string', hostname);
      const literal = isIP(hostname);
      if (literal) return [{ address: hostname, family: literal }];
      if (hostname === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
      let result;
      try {
        result = await internal.hostCall('net.lookup', { hostname });
      } catch (err) {
        throw hostError(err);
      }
      const all = result.addresses.filter((a) => !family || a.family === family);
      if (all.length === 0) throw hostError({ code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname, message: `getaddrinfo ENOTFOUND ${hostname}` });
      return all;
    }

    function familyOf(options) {
      if (typeof options === 'number') return options;
      if (options && typeof options === 'object') {
        if (options.family === 'IPv4') return 4;
        if (options.family === 'IPv6') return 6;
        return Number(options.family) || 0;
      }
      return 0;
    }

    async function lookupAsync(hostname, options) {
      const all = await addressesOf(hostname, familyOf(options));
      return options && typeof options === 'object' && options.all ? all : all[0];
    }

    function lookup(hostname, options, callback) {
      if (typeof options === 'function') {
        callback = options;
        options = {};
      }
      validateFunction(callback, 'callback');
      lookupAsync(hostname, options).then(
        (result) => (Array.isArray(result) ? callback(null, result) : callback(null, result.address, result.family)),
        (err) => callback(err));
      return {};
    }

    async function resolveFamily(hostname, family) {
      return (await addressesOf(hostname, family)).map((a) => a.address);
    }
    const notOffered = (what) => async () => {
      const err = new Error(`dns.${what}() is not available in the chat runtime: only address lookups are offered`);
      err.code = 'ENOTIMP';
      throw err;
    };
    const promises = {
      lookup: lookupAsync,
      resolve: (hostname, rrtype = 'A') => (rrtype === 'A' ? resolveFamily(hostname, 4) : rrtype === 'AAAA' ? resolveFamily(hostname, 6) : notOffered(`resolve(${rrtype})`)()),
      resolve4: (hostname) => resolveFamily(hostname, 4),
      resolve6: (hostname) => resolveFamily(hostname, 6),
    };
    for (const name of ['resolveAny', 'resolveCname', 'resolveCaa', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'lookupService']) {
      promises[name] = notOffered(name);
    }
    class Resolver {
      cancel() {}
      getServers() { return []; }
      setServers() {}
      setLocalAddress() {}
    }
    const callbackForm = (fn) => function (...args) {
      const callback = args.pop();
      validateFunction(callback, 'callback');
      fn(...args).then((value) => callback(null, value), (err) => callback(err));
    };
    const dns = { lookup, promises, Resolver, getServers: () => [], setServers() {}, setDefaultResultOrder() {}, getDefaultResultOrder: () => 'verbatim' };
    for (const [name, fn] of Object.entries(promises)) {
      if (name === 'lookup') continue;
      dns[name] = callbackForm(fn);
      Resolver.prototype[name] = dns[name];
    }
    promises.Resolver = class extends Resolver {};
    for (const [name, fn] of Object.entries(promises)) {
      if (typeof fn === 'function' && name !== 'Resolver') promises.Resolver.prototype[name] = fn;
    }
    for (const code of ['NODATA', 'FORMERR', 'SERVFAIL', 'NOTFOUND', 'NOTIMP', 'REFUSED', 'BADQUERY', 'BADNAME',
      'BADFAMILY', 'BADRESP', 'CONNREFUSED', 'TIMEOUT', 'EOF', 'FILE', 'NOMEM', 'DESTRUCTION', 'BADSTR', 'BADFLAGS',
      'NONAME', 'BADHINTS', 'NOTINITIALIZED', 'LOADIPHLPAPI', 'ADDRGETNETWORKPARAMS', 'CANCELLED']) {
      dns[code] = `E${code}`;
    }
    Object.assign(dns, { ADDRCONFIG: 1024, V4MAPPED: 2048, ALL: 256 });
    return dns;
  }

  // ---------------------------------------------------------------------
  // http2: SDKs (gRPC clients) read its constants at load time.
  builtins.http2 = function () {
    const constants = {
      NGHTTP2_NO_ERROR: 0, NGHTTP2_PROTOCOL_ERROR: 1, NGHTTP2_INTERNAL_ERROR: 2, NGHTTP2_FLOW_CONTROL_ERROR: 3,
      NGHTTP2_SETTINGS_TIMEOUT: 4, NGHTTP2_STREAM_CLOSED: 5, NGHTTP2_FRAME_SIZE_ERROR: 6, NGHTTP2_REFUSED_STREAM: 7,
      NGHTTP2_CANCEL: 8, NGHTTP2_COMPRESSION_ERROR: 9, NGHTTP2_CONNECT_ERROR: 10, NGHTTP2_ENHANCE_YOUR_CALM: 11,
      NGHTTP2_INADEQUATE_SECURITY: 12, NGHTTP2_HTTP_1_1_REQUIRED: 13, NGHTTP2_DEFAULT_WEIGHT: 16,
      HTTP2_HEADER_STATUS: ':status', HTTP2_HEADER_METHOD: ':method', HTTP2_HEADER_AUTHORITY: ':authority',
      HTTP2_HEADER_SCHEME: ':scheme', HTTP2_HEADER_PATH: ':path', HTTP2_HEADER_PROTOCOL: ':protocol',
    };
    for (const name of ['accept-encoding', 'accept-language', 'accept-ranges', 'accept', 'access-control-allow-credentials',
      'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin', 'age',
      'authorization', 'cache-control', 'connection', 'content-disposition', 'content-encoding', 'content-length',
      'content-type', 'cookie', 'date', 'etag', 'forwarded', 'host', 'if-modified-since', 'if-none-match', 'if-range',
      'last-modified', 'link', 'location', 'range', 'referer', 'server', 'set-cookie', 'strict-transport-security',
      'transfer-encoding', 'te', 'upgrade-insecure-requests', 'upgrade', 'user-agent', 'vary', 'x-content-type-options',
      'x-frame-options', 'keep-alive', 'proxy-connection', 'x-xss-protection', 'alt-svc', 'content-security-policy',
      'early-data', 'expect-ct', 'origin', 'purpose', 'timing-allow-origin', 'x-forwarded-for', 'priority',
      'accept-charset', 'access-control-max-age', 'allow', 'content-language', 'content-location', 'content-md5',
      'content-range', 'dnt', 'expect', 'expires', 'from', 'if-match', 'if-unmodified-since', 'max-forwards', 'prefer',
      'proxy-authenticate', 'proxy-authorization', 'refresh', 'retry-after', 'trailer', 'tk', 'via', 'warning',
      'www-authenticate', 'http2-settings']) {
      constants[`HTTP2_HEADER_${name.toUpperCase().replace(/-/g, '_')}`] = name;
    }
    for (const method of ['ACL', 'BASELINE_CONTROL', 'BIND', 'CHECKIN', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET',
      'HEAD', 'LABEL', 'LINK', 'LOCK', 'MERGE', 'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MKREDIRECTREF', 'MKWORKSPACE',
      'MOVE', 'OPTIONS', 'ORDERPATCH', 'PATCH', 'POST', 'PRI', 'PROPFIND', 'PROPPATCH', 'PUT', 'REBIND', 'REPORT',
      'SEARCH', 'TRACE', 'UNBIND', 'UNCHECKOUT', 'UNLINK', 'UNLOCK', 'UPDATE', 'UPDATEREDIRECTREF', 'VERSION_CONTROL']) {
      constants[`HTTP2_METHOD_${method}`] = method.replace(/_/g, '-');
    }
    const { STATUS_CODES } = require('http');
    for (const [code, reason] of Object.entries(STATUS_CODES)) {
      const name = reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
      constants[`HTTP_STATUS_${name}`] = Number(code);
    }
    const unavailable = () => internal.unavailable('HTTP/2', 'use https (HTTP/1.1) or fetch');
    return {
      constants,
      connect() { throw unavailable(); },
      createServer() { throw unavailable(); },
      createSecureServer() { throw unavailable(); },
      getDefaultSettings: () => ({ headerTableSize: 4096, enablePush: true, initialWindowSize: 65535, maxFrameSize: 16384, maxConcurrentStreams: 4294967295, maxHeaderListSize: 65535, maxHeaderSize: 65535, enableConnectProtocol: false }),
      getPackedSettings: () => internal.Buffer.alloc(0),
      getUnpackedSettings: () => ({}),
      sensitiveHeaders: Symbol('nodejs.http2.sensitiveHeaders'),
      Http2ServerRequest: class Http2ServerRequest {},
      Http2ServerResponse: class Http2ServerResponse {},
    };
  };
})
