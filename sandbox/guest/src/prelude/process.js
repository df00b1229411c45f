// A Node-like `process` with what handlers and pure-JS packages commonly
// read: env (from the chat runtime), nextTick, hrtime, platform. Nothing in
// it reaches outside the sandbox.
(function (native, internal) {
  'use strict';
  const env = {};

  function hrtime(previous) {
    const ns = Math.round(native.now() * 1e6);
    let seconds = Math.floor(ns / 1e9);
    let nanos = ns % 1e9;
    if (Array.isArray(previous)) {
      seconds -= previous[0];
      nanos -= previous[1];
      if (nanos < 0) { seconds -= 1; nanos += 1e9; }
    }
    return [seconds, nanos];
  }
  hrtime.bigint = () => BigInt(Math.round(native.now() * 1e6));

  function outputStream(fd, emit) {
    const stream = {
      fd,
      isTTY: false,
      writable: true,
      write(chunk, encoding, callback) {
        emit(String(chunk).replace(/\n$/, ''));
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') queueMicrotask(done);
        return true;
      },
      end() { return stream; },
      on() { return stream; },
      once() { return stream; },
      off() { return stream; },
      removeListener() { return stream; },
      emit: () => false,
      hasColors: () => false,
      getColorDepth: () => 1,
    };
    return stream;
  }

  const process = {
    env,
    argv: ['chatfn'],
    execArgv: [],
    platform: 'linux',
    arch: 'wasm32',
    pid: 1,
    title: 'chatfn',
    // Packages read the Node version to pick code paths: the built-ins here
    // follow Node 20's documented behaviour.
    version: 'v20.19.0',
    versions: { node: '20.19.0', modules: '115', chatfn: '1' },
    release: { name: 'node', lts: 'Iron' },
    features: { inspector: false, ipv6: true, tls: true, typescript: false },
    config: { variables: {} },
    execPath: '/usr/local/bin/node',
    exitCode: undefined,
    umask: () => 0o22,
    getuid: () => 0,
    geteuid: () => 0,
    getgid: () => 0,
    getegid: () => 0,
    cpuUsage: () => ({ user: 0, system: 0 }),
    resourceUsage: () => ({ userCPUTime: 0, systemCPUTime: 0, maxRSS: 0 }),
    binding(name) {
      const err = new Error(`No such module: ${name}`);
      err.code = 'ERR_INVALID_MODULE';
      throw err;
    },
    cwd: () => '/',
    uptime: () => native.now() / 1000,
    hrtime,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    nextTick(callback, ...args) {
      queueMicrotask(() => callback(...args));
    },
    emitWarning(warning) {
      console.warn(typeof warning === 'string' ? `Warning: ${warning}` : warning);
    },
    exit(code) {
      const err = new Error(`process.exit(${code === undefined ? '' : code}) is not available in the chat runtime; return from handleEvent instead`);
      err.code = 'ERR_PROCESS_EXIT';
      throw err;
    },
    // Writes go to the invocation's log, a line per write (a trailing
    // newline is not repeated).
    stdout: outputStream(1, (text) => console.log(text)),
    stderr: outputStream(2, (text) => console.error(text)),
    on() { return process; },
    once() { return process; },
    off() { return process; },
    removeListener() { return process; },
    listenerCount: () => 0,
    emit: () => false,
    [Symbol.toStringTag]: 'process',
  };

  // What `addEnv` replaced (key -> earlier value, or undefined when it was
  // not set), so that `resetEnv` can put it back.
  const replaced = new Map();

  /**
   * Adds variables to the environment for this invocation only (secrets:
   * never part of an image; `resetEnv` takes them out before an instance
   * serves another invocation).
   */
  internal.addEnv = function (vars) {
    internal.needsReset = true;
    for (const key of Object.keys(vars)) {
      if (!replaced.has(key)) replaced.set(key, Object.prototype.hasOwnProperty.call(env, key) ? env[key] : undefined);
      env[key] = String(vars[key]);
    }
  };

  /** Takes out what `addEnv` added: a reused instance's next invocation
   * sees only its own secrets. */
  internal.resetEnv = function () {
    if (replaced.size === 0) return;
    for (const [key, value] of replaced) {
      if (value === undefined) delete env[key]; else env[key] = value;
    }
    replaced.clear();
  };

  /** Replaces the environment (chat runtime variables; values as strings). */
  internal.setEnv = function (vars) {
    for (const key of Object.keys(env)) delete env[key];
    for (const key of Object.keys(vars)) env[key] = String(vars[key]);
  };
  internal.setEnvJson = (json) => internal.setEnv(JSON.parse(json));

  Object.defineProperty(globalThis, 'process', {
    value: process, writable: true, configurable: true, enumerable: false,
  });
  Object.defineProperty(globalThis, 'global', {
    value: globalThis, writable: true, configurable: true, enumerable: false,
  });
})
