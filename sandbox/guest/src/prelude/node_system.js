// The Node built-ins about the process and the machine it runs on, as far
// as a sandboxed handler has them: `os` (a fixed, neutral machine),
// `module` (`createRequire`), `vm` (this context only), `async_hooks`,
// `perf_hooks`, `diagnostics_channel`, `worker_threads` (the main thread),
// and the modules a sandbox cannot offer (`child_process`, `cluster`,
// `http2`, `dgram`, `inspector`, `repl`, ...): loadable, since SDKs
// require them at load time, and failing with a clear error when used.
//
// Deliberate deviations from Node: AsyncLocalStorage's store is seen
// synchronously inside run() and by callbacks bound with AsyncResource
// (QuickJS has no promise hooks, so it is not carried across `await`);
// `vm` runs code in the handler's own context only.
(function (native, internal) {
  'use strict';
  const builtins = internal.builtins;

  function unavailable(what, hint = '') {
    const err = new Error(`${what} is not available in the chat runtime${hint ? `; ${hint}` : ''}`);
    err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
    return err;
  }
  const refuse = (what, hint) => function () { throw unavailable(what, hint); };
  internal.unavailable = unavailable;

  // -------------------------------------------------------------------
  // os: what pure-JS packages read about the machine.
  builtins.os = function () {
    const signals = {
      SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7,
      SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14,
      SIGTERM: 15, SIGCHLD: 17, SIGSTKFLT: 16, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21,
      SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
      SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
    };
    const errno = {
      E2BIG: 7, EACCES: 13, EADDRINUSE: 98, EADDRNOTAVAIL: 99, EAFNOSUPPORT: 97, EAGAIN: 11,
      EALREADY: 114, EBADF: 9, EBUSY: 16, ECANCELED: 125, ECONNABORTED: 103, ECONNREFUSED: 111,
      ECONNRESET: 104, EEXIST: 17, EHOSTUNREACH: 113, EINTR: 4, EINVAL: 22, EIO: 5, EISCONN: 106,
      EISDIR: 21, EMFILE: 24, ENETDOWN: 100, ENETUNREACH: 101, ENOENT: 2, ENOMEM: 12, ENOSPC: 28,
      ENOSYS: 38, ENOTCONN: 107, ENOTDIR: 20, ENOTEMPTY: 39, ENOTSOCK: 88, ENOTSUP: 95, EPERM: 1,
      EPIPE: 32, EROFS: 30, ETIMEDOUT: 110, EXDEV: 18,
    };
    return {
      EOL: '\n',
      devNull: '/dev/null',
      platform: () => 'linux',
      type: () => 'Linux',
      arch: () => 'wasm32',
      machine: () => 'wasm32',
      release: () => '',
      version: () => '',
      hostname: () => 'chatfn',
      homedir: () => '/',
      tmpdir: () => '/tmp',
      endianness: () => 'LE',
      uptime: () => Math.floor(native.now() / 1000),
      loadavg: () => [0, 0, 0],
      totalmem: () => 0,
      freemem: () => 0,
      availableParallelism: () => 1,
      cpus: () => [],
      networkInterfaces: () => ({}),
      userInfo: () => ({ uid: -1, gid: -1, username: 'chatfn', homedir: '/', shell: null }),
      getPriority: () => 0,
      setPriority: refuse('os.setPriority()'),
      constants: { signals, errno, priority: { PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 }, dlopen: {}, UV_UDP_REUSEADDR: 4 },
    };
  };

  // -------------------------------------------------------------------
  // module
  const BUILTIN_MODULES = ('_http_agent _http_client _http_common _http_incoming _http_outgoing _http_server ' +
    '_stream_duplex _stream_passthrough _stream_readable _stream_transform _stream_wrap _stream_writable ' +
    '_tls_common _tls_wrap assert assert/strict async_hooks buffer child_process cluster console constants ' +
    'crypto dgram diagnostics_channel dns dns/promises domain events fs fs/promises http http2 https ' +
    'inspector inspector/promises module net os path path/posix path/win32 perf_hooks process punycode ' +
    'querystring readline readline/promises repl stream stream/consumers stream/promises stream/web ' +
    'string_decoder sys timers timers/promises tls trace_events tty url util util/types v8 vm wasi ' +
    'worker_threads zlib').split(' ');

  builtins.module = function () {
    function toDir(filename) {
      let path = filename;
      if (path instanceof URL) path = path.href;
      if (typeof path !== 'string') throw internal.nodeErrors.invalidArgType('filename', ['string', 'URL'], filename);
      if (path.startsWith('file:')) path = decodeURIComponent(new URL(path).pathname);
      if (!path.startsWith('/')) {
        const err = new TypeError(`The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received ${internal.inspect(filename)}`);
        err.code = 'ERR_INVALID_ARG_VALUE';
        throw err;
      }
      if (path.endsWith('/')) return path.length > 1 ? path.slice(0, -1) : path;
      const i = path.lastIndexOf('/');
      return i <= 0 ? '/' : path.slice(0, i);
    }
    const createRequire = (filename) => internal.makeRequire(toDir(filename));
    function Module(id = '', parent = undefined) {
      this.id = id;
      this.path = id ? toDir(id) : '/';
      this.exports = {};
      this.filename = null;
      this.loaded = false;
      this.children = [];
      this.parent = parent;
    }
    const isBuiltin = (name) => {
      const bare = String(name).startsWith('node:') ? String(name).slice(5) : String(name);
      return BUILTIN_MODULES.includes(bare) && !bare.startsWith('_');
    };
    Object.assign(Module, {
      Module,
      createRequire,
      builtinModules: BUILTIN_MODULES.slice(),
      isBuiltin,
      wrap: (script) => `(function (exports, require, module, __filename, __dirname) { ${script}\n});`,
      wrapper: ['(function (exports, require, module, __filename, __dirname) { ', '\n});'],
      _cache: require.cache,
      _extensions: { '.js': () => {}, '.json': () => {}, '.node': refuse('native addons (.node files)') },
      _pathCache: Object.create(null),
      globalPaths: [],
      syncBuiltinESMExports() {},
      findSourceMap: () => undefined,
      register: refuse('module.register()', 'ES module hooks are not supported'),
      enableCompileCache: () => ({ status: 3, message: 'not available in the chat runtime' }),
    });
    Module._resolveFilename = (request, parent) => internal.makeRequire(parent && parent.filename ? toDir(parent.filename) : '/').resolve(request);
    Module._load = (request, parent) => internal.makeRequire(parent && parent.filename ? toDir(parent.filename) : '/')(request);
    Module.prototype.require = function (request) { return internal.makeRequire(this.path)(request); };
    return Module;
  };

  // -------------------------------------------------------------------
  // vm: code runs in the handler's own context; new contexts are not offered.
  builtins.vm = function () {
    const runInThisContext = (code, options) => {
      const filename = typeof options === 'string' ? options : (options && options.filename) || 'evalmachine.<anonymous>';
      return native.evalScript(String(code), filename);
    };
    class Script {
      #code;
      #filename;
      constructor(code, options) {
        this.#code = String(code);
        this.#filename = typeof options === 'string' ? options : (options && options.filename) || 'evalmachine.<anonymous>';
      }
      runInThisContext() { return runInThisContext(this.#code, this.#filename); }
      runInContext() { throw unavailable('vm.Script.runInContext()', 'code can run in the handler\'s own context only (runInThisContext)'); }
      runInNewContext() { throw unavailable('vm.Script.runInNewContext()', 'code can run in the handler\'s own context only (runInThisContext)'); }
      createCachedData() { return internal.Buffer.alloc(0); }
    }
    const newContext = refuse('new vm contexts', 'code can run in the handler\'s own context only (runInThisContext)');
    return {
      Script,
      runInThisContext,
      createContext: newContext,
      runInContext: newContext,
      runInNewContext: newContext,
      compileFunction: (code, params = []) => native.evalScript(`(function (${params.join(', ')}) {\n${code}\n})`, 'evalmachine.<anonymous>'),
      isContext: () => false,
      measureMemory: () => Promise.reject(unavailable('vm.measureMemory()')),
      constants: { USE_MAIN_CONTEXT_DEFAULT_LOADER: Symbol('USE_MAIN_CONTEXT_DEFAULT_LOADER'), DONT_CONTEXTIFY: Symbol('DONT_CONTEXTIFY') },
    };
  };

  // -------------------------------------------------------------------
  // async_hooks
  let currentStores = new Map(); // AsyncLocalStorage -> store, for the running callback
  builtins.async_hooks = function () {
    class AsyncLocalStorage {
      static bind(fn) { return AsyncResource.bind(fn); }
      static snapshot() {
        const captured = currentStores;
        return (fn, ...args) => withStores(captured, () => fn(...args));
      }
      getStore() { return currentStores.get(this); }
      run(store, callback, ...args) {
        const next = new Map(currentStores);
        next.set(this, store);
        return withStores(next, () => callback(...args));
      }
      exit(callback, ...args) {
        const next = new Map(currentStores);
        next.delete(this);
        return withStores(next, () => callback(...args));
      }
      enterWith(store) {
        currentStores = new Map(currentStores);
        currentStores.set(this, store);
      }
      disable() {
        currentStores = new Map(currentStores);
        currentStores.delete(this);
      }
    }
    function withStores(stores, fn) {
      const saved = currentStores;
      currentStores = stores;
      try {
        return fn();
      } finally {
        currentStores = saved;
      }
    }
    let nextId = 2;
    class AsyncResource {
      #stores = currentStores;
      #id = nextId++;
      constructor(type, options) {
        if (typeof type !== 'string') throw internal.nodeErrors.invalidArgType('type', 'string', type);
        this.type = type;
        this.triggerId = typeof options === 'number' ? options : (options && options.triggerAsyncId) || 1;
      }
      runInAsyncScope(fn, thisArg, ...args) { return withStores(this.#stores, () => fn.apply(thisArg, args)); }
      emitDestroy() { return this; }
      asyncId() { return this.#id; }
      triggerAsyncId() { return this.triggerId; }
      bind(fn, thisArg) {
        const resource = this;
        const bound = function (...args) { return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args); };
        Object.defineProperties(bound, {
          length: { value: fn.length, configurable: true },
          asyncResource: { value: this, configurable: true, writable: true, enumerable: true },
        });
        return bound;
      }
      static bind(fn, type, thisArg) {
        return new AsyncResource(type || fn.name || 'bound-anonymous-fn').bind(fn, thisArg);
      }
    }
    const hook = { enable() { return hook; }, disable() { return hook; } };
    return {
      AsyncLocalStorage,
      AsyncResource,
      createHook: () => hook,
      executionAsyncId: () => 1,
      triggerAsyncId: () => 0,
      executionAsyncResource: () => ({}),
      asyncWrapProviders: Object.freeze({ NONE: 0 }),
    };
  };

  // -------------------------------------------------------------------
  // perf_hooks
  builtins.perf_hooks = function () {
    class PerformanceObserver {
      constructor(callback) { this.callback = callback; }
      observe() {}
      disconnect() {}
      takeRecords() { return []; }
      static get supportedEntryTypes() { return []; }
    }
    const histogram = () => ({
      min: 0, max: 0, mean: 0, stddev: 0, count: 0, exceeds: 0, percentiles: new Map(),
      percentile: () => 0, reset() {}, enable: () => true, disable: () => true, record() {}, recordDelta() {},
    });
    return {
      performance,
      PerformanceObserver,
      PerformanceEntry: class PerformanceEntry {},
      monitorEventLoopDelay: histogram,
      createHistogram: histogram,
      constants: { NODE_PERFORMANCE_GC_MAJOR: 4, NODE_PERFORMANCE_GC_MINOR: 1, NODE_PERFORMANCE_GC_INCREMENTAL: 8, NODE_PERFORMANCE_GC_WEAKCB: 16 },
    };
  };

  // -------------------------------------------------------------------
  // diagnostics_channel: named channels with subscribers, as libraries
  // (undici, pino, fastify) publish to them.
  builtins.diagnostics_channel = function () {
    const channels = new Map();
    class Channel {
      constructor(name) { this.name = name; this.subscribers = []; }
      get hasSubscribers() { return this.subscribers.length > 0; }
      subscribe(fn) { this.subscribers.push(fn); }
      unsubscribe(fn) {
        const i = this.subscribers.indexOf(fn);
        if (i < 0) return false;
        this.subscribers.splice(i, 1);
        return true;
      }
      publish(message) {
        for (const fn of this.subscribers.slice()) {
          try { fn(message, this.name); } catch (err) { process.nextTick(() => { throw err; }); }
        }
      }
      bindStore() {}
      unbindStore() { return false; }
      runStores(data, fn, thisArg, ...args) {
        this.publish(data);
        return fn.apply(thisArg, args);
      }
    }
    const channel = (name) => {
      let ch = channels.get(name);
      if (ch === undefined) channels.set(name, (ch = new Channel(name)));
      return ch;
    };
    function tracingChannel(nameOrChannels) {
      const names = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];
      const tc = {};
      for (const n of names) tc[n] = typeof nameOrChannels === 'string' ? channel(`tracing:${nameOrChannels}:${n}`) : nameOrChannels[n];
      return {
        ...tc,
        get hasSubscribers() { return names.some((n) => tc[n].hasSubscribers); },
        subscribe(handlers) { for (const n of names) if (handlers[n]) tc[n].subscribe(handlers[n]); },
        unsubscribe(handlers) { let all = true; for (const n of names) if (handlers[n] && !tc[n].unsubscribe(handlers[n])) all = false; return all; },
        traceSync(fn, context = {}, thisArg, ...args) {
          tc.start.publish(context);
          try {
            context.result = fn.apply(thisArg, args);
            return context.result;
          } catch (err) {
            context.error = err;
            tc.error.publish(context);
            throw err;
          } finally {
            tc.end.publish(context);
          }
        },
        tracePromise(fn, context = {}, thisArg, ...args) {
          tc.start.publish(context);
          try {
            return Promise.resolve(fn.apply(thisArg, args)).then((result) => {
              context.result = result;
              tc.asyncStart.publish(context);
              tc.asyncEnd.publish(context);
              return result;
            }, (err) => {
              context.error = err;
              tc.error.publish(context);
              tc.asyncStart.publish(context);
              tc.asyncEnd.publish(context);
              throw err;
            });
          } finally {
            tc.end.publish(context);
          }
        },
        traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
          return fn.apply(thisArg, args);
        },
      };
    }
    return {
      channel,
      hasSubscribers: (name) => channels.has(name) && channels.get(name).hasSubscribers,
      subscribe: (name, fn) => channel(name).subscribe(fn),
      unsubscribe: (name, fn) => channel(name).unsubscribe(fn),
      tracingChannel,
      Channel,
    };
  };

  // -------------------------------------------------------------------
  // worker_threads: a handler is always the main thread.
  builtins.worker_threads = () => ({
    isMainThread: true,
    parentPort: null,
    workerData: null,
    threadId: 0,
    resourceLimits: {},
    SHARE_ENV: Symbol.for('nodejs.worker_threads.SHARE_ENV'),
    Worker: class Worker { constructor() { throw unavailable('worker_threads.Worker'); } },
    markAsUntransferable() {},
    isMarkedAsUntransferable: () => false,
    moveMessagePortToContext: refuse('worker_threads.moveMessagePortToContext()'),
    receiveMessageOnPort: () => undefined,
    getEnvironmentData: () => undefined,
    setEnvironmentData() {},
  });

  // -------------------------------------------------------------------
  // Modules a sandboxed handler cannot use: loadable, failing when used.
  builtins.child_process = function () {
    const out = {};
    for (const name of ['exec', 'execSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']) {
      out[name] = refuse(`child_process.${name}()`, 'handlers cannot start processes');
    }
    out.ChildProcess = class ChildProcess { constructor() { throw unavailable('child_process.ChildProcess'); } };
    return out;
  };
  builtins.cluster = () => ({
    isMaster: true, isPrimary: true, isWorker: false, workers: {}, settings: {},
    fork: refuse('cluster.fork()'), setupPrimary: refuse('cluster.setupPrimary()'), setupMaster: refuse('cluster.setupMaster()'),
    on() { return this; }, once() { return this; },
  });
  builtins.dgram = () => ({ createSocket: refuse('dgram.createSocket()', 'UDP sockets are not offered'), Socket: class Socket { constructor() { throw unavailable('dgram.Socket'); } } });
  builtins.inspector = () => ({
    url: () => undefined, open: refuse('inspector.open()'), close() {}, waitForDebugger: refuse('inspector.waitForDebugger()'),
    console: globalThis.console, Session: class Session { constructor() { throw unavailable('inspector.Session'); } },
  });
  builtins.repl = () => ({ start: refuse('repl.start()') });
  builtins.trace_events = () => ({ createTracing: refuse('trace_events.createTracing()'), getEnabledCategories: () => undefined });
  builtins.wasi = () => ({ WASI: class WASI { constructor() { throw unavailable('wasi.WASI'); } } });
  builtins.domain = () => ({
    create: refuse('domain.create()', 'domains are deprecated; use try/catch and promise rejections'),
    active: null,
  });
  builtins.v8 = () => ({
    cachedDataVersionTag: () => 0,
    getHeapStatistics: () => ({ total_heap_size: 0, total_heap_size_executable: 0, total_physical_size: 0, total_available_size: 0, used_heap_size: 0, heap_size_limit: 0, malloced_memory: 0, peak_malloced_memory: 0, does_zap_garbage: 0, number_of_native_contexts: 1, number_of_detached_contexts: 0, total_global_handles_size: 0, used_global_handles_size: 0, external_memory: 0 }),
    getHeapSpaceStatistics: () => [],
    setFlagsFromString() {},
    serialize: refuse('v8.serialize()', 'use JSON or structuredClone'),
    deserialize: refuse('v8.deserialize()', 'use JSON or structuredClone'),
    writeHeapSnapshot: refuse('v8.writeHeapSnapshot()'),
    getHeapSnapshot: refuse('v8.getHeapSnapshot()'),
  });
  builtins.readline = () => ({
    createInterface: refuse('readline.createInterface()', 'handlers have no terminal or standard input'),
    clearLine: () => true, clearScreenDown: () => true, cursorTo: () => true, moveCursor: () => true,
    emitKeypressEvents() {},
    Interface: class Interface { constructor() { throw unavailable('readline.Interface'); } },
  });
  builtins['readline/promises'] = () => ({ createInterface: refuse('readline.createInterface()'), Interface: require('readline').Interface });
  builtins.process = () => globalThis.process;
  builtins.console = () => globalThis.console;
  builtins.sys = () => require('util');
  builtins.punycode = () => internal.vendored('punycode');
  builtins.constants = () => ({ ...require('os').constants.errno, ...require('os').constants.signals, ...require('fs').constants });
})
