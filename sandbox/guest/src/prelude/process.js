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
    version: '',
    versions: {},
    release: { name: 'chatfn' },
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
  };

  /** Replaces the environment (chat runtime variables; values as strings). */
  internal.setEnv = function (vars) {
    for (const key of Object.keys(env)) delete env[key];
    for (const key of Object.keys(vars)) env[key] = String(vars[key]);
  };

  Object.defineProperty(globalThis, 'process', {
    value: process, writable: true, configurable: true, enumerable: false,
  });
  Object.defineProperty(globalThis, 'global', {
    value: globalThis, writable: true, configurable: true, enumerable: false,
  });
})
