// Invocations: `boot` evaluates the image bundle at build time (before the
// snapshot); `start` runs handleEvent(event, context); `poll` reports back
// to the host until the handler's promise settles. An instance serves one
// invocation, or several in turn when the host reuses it (`start` then
// clears what the last one left).
(function (native, internal) {
  'use strict';
  const FINISH_OK = 0, FINISH_EXCEPTION = 1, FINISH_INVALID_RESULT = 2, FINISH_UNSETTLED = 3;
  let handler = null;
  let createContext = null; // the image's context script, if it has one
  // { settled, ok, value, promise } once started; `promise` is the
  // handler's native promise while its state is read directly.
  let current = null;
  // Captured before user code runs, which could replace the global.
  const NativePromise = Promise;

  internal.boot = function boot(bundleJson) {
    const bundle = JSON.parse(bundleJson);
    internal.setEnv(bundle.env || {});
    if (bundle.context) createContext = loadContextScript(bundle.context);
    if (bundle.init) runInit(bundle.init);
    // A runtime image has no handler yet: `load` adds it to each instance.
    if (bundle.handler) internal.load(bundle.handler);
  };

  /**
   * Compiles and runs the handler script (after setting the environment
   * it came with, which a runtime snapshot without an init script leaves
   * out); returns what a later load of it needs instead of the source,
   * `[bytecode, commonJs, filename, env as JSON or '']`.
   */
  internal.load = function load(script) {
    if (typeof script === 'string') script = JSON.parse(script);
    if (script.env) internal.setEnv(script.env);
    const commonJs = script.format === 'commonjs';
    const compiled = native.compileScript(
      commonJs ? internal.commonJsWrapper(script.source, HANDLER_TAIL) : script.source, script.filename);
    internal.loadCompiled(commonJs, native.runCompiled(compiled), script.filename);
    return [compiled, commonJs, script.filename, script.env ? JSON.stringify(script.env) : ''];
  };

  /** Takes the handler from a handler script's completion value. */
  internal.loadCompiled = function loadCompiled(commonJs, value, filename) {
    handler = commonJs ? commonJsHandler(value, filename) : scriptHandler();
    if (typeof handler !== 'function') {
      throw new TypeError(`${filename} must define a function named handleEvent, e.g. \`async function handleEvent(event, context) { ... }\``);
    }
  };

  // A plain script runs in global scope, so its declarations are globals the
  // handler sees; an ES module's named exports become those globals instead.
  function runInit(init) {
    if (init.format !== 'commonjs') {
      native.evalScript(init.source, init.filename);
      return;
    }
    const { exports } = internal.runCommonJs(init.source, init.filename, '');
    for (const key of Object.keys(exports)) {
      if (key !== 'default') globalThis[key] = exports[key];
    }
  }

  // The embedder's context script (CommonJS) exports a function that turns
  // the invocation's context data into the handler's `context` argument.
  function loadContextScript(script) {
    const { exports } = internal.runCommonJs(script.source, script.filename, '');
    if (typeof exports !== 'function') throw new TypeError(`${script.filename} must export a function`);
    return exports;
  }

  // An ES module handler's `handleEvent` may be a local of its module
  // function rather than an export: the wrapper returns it.
  const HANDLER_TAIL = ';return typeof handleEvent === "function" ? handleEvent : undefined;';

  function commonJsHandler(moduleFunction, filename) {
    const { exports, local } = internal.runCommonJsFunction(moduleFunction, filename);
    if (typeof exports.handleEvent === 'function') return exports.handleEvent;
    if (typeof exports.default === 'function') return exports.default;
    return local;
  }

  // A plain script's declarations are globals. Compiled here, once, so a
  // load compiles nothing more than the handler.
  function scriptHandler() {
    return typeof handleEvent === 'function' ? handleEvent : undefined;
  }

  /** Ends the init phase: timers set by the init script never fire. */
  internal.sealInit = function sealInit() {
    internal.needsReset = false;
    internal.timers.clearAll();
    // Every instance starts from this state: console counters and timers
    // left by the init script are reset once, here, not per invocation.
    internal.resetConsole();
    if (internal.pendingCalls() !== 0) throw new Error('host calls are not available during initialization');
  };

  /**
   * Walks the invocation path once before the snapshot, so what QuickJS
   * creates lazily on first use (built-in property lists, atoms, shapes)
   * is in the image instead of being rebuilt by every instance.
   */
  internal.rehearse = function rehearse() {
    const input = JSON.parse('{"event":{"id":1,"name":"x"},"context":{"attempt":1}}');
    const context = Object.freeze(input.context);
    const promise = (async () => ({ ok: true, context }))();
    if (native.promiseState(promise) === 1) JSON.stringify(native.promiseResult(promise));
  };

  // Set by whatever leaves per-invocation state (a timer, a host call,
  // console state, secrets, a socket).
  internal.needsReset = false;

  /**
   * Before a reused instance's next invocation: what belonged to the last
   * one goes (its timers, host calls, console state and secrets; its
   * sockets close), and module scope stays. A handler that left none
   * (most) skips the five calls, a tenth of a trivial invocation's
   * instructions.
   */
  function resetInvocation() {
    if (!internal.needsReset) return;
    internal.needsReset = false;
    internal.timers.clearAll();
    internal.dropCalls();
    internal.resetConsole();
    internal.resetEnv();
    internal.resetSockets();
  }

  const clock = internal.clock;

  internal.start = function start(inputJson, startedMs, startedWallMs) {
    if (current !== null) resetInvocation();
    clock.origin = startedMs;
    clock.wall = startedWallMs;
    // One record serves every invocation of an instance: `settle` reads
    // `current` when called, so a fresh object would change nothing but
    // cost an allocation and its collection.
    if (current === null) {
      current = { settled: false, ok: false, value: undefined, promise: null };
    } else {
      current.settled = false;
      current.ok = false;
      current.value = undefined;
      current.promise = null;
    }
    let result;
    try {
      const input = JSON.parse(inputJson);
      if (input.env !== undefined) internal.addEnv(input.env);
      // The parsed context is this invocation's own object: freezing it
      // needs no copy.
      const context = createContext !== null
        ? createContext(input.context)
        : Object.freeze(input.context);
      result = handler(input.event, context);
    } catch (err) {
      settle(false, err);
      return;
    }
    // What `await result` gives. A native promise whose constructor is
    // Promise (what an async handler returns) is awaited through its
    // internal state, never its `then`: its state is read once the job
    // queue is drained, with no reaction or resolving functions to
    // allocate. Anything else (a subclass, a thenable, a plain value) goes
    // through PromiseResolve, calling its `then`, as `await` does.
    if (native.promiseState(result) >= 0 && result.constructor === NativePromise) {
      current.promise = result;
      // The host reads it too: once it is fulfilled with plain data, the
      // guest's `drive` writes the result without calling `poll`.
      return result;
    }
    NativePromise.resolve(result).then((value) => settle(true, value), (err) => settle(false, err));
  };

  /** Settles from the watched promise, if it has settled. */
  function settleFromPromise() {
    if (current.settled || current.promise === null) return;
    const state = native.promiseState(current.promise);
    if (state !== 0) settle(state === 1, native.promiseResult(current.promise));
  }

  function settle(ok, value) {
    if (current === null || current.settled) return;
    current.settled = true;
    current.ok = ok;
    current.value = value;
  }

  /** An error nothing caught (a timer or microtask threw): the invocation fails. */
  internal.uncaught = function uncaught(err) {
    if (current === null) throw err; // during init: fails the build
    // From now on the outcome is decided here, not by the host reading
    // the handler's promise.
    native.sawUncaught();
    // Once the handler's promise has settled, its outcome stands.
    settleFromPromise();
    settle(false, err);
  };

  internal.errorJson = function errorJson(err) {
    try {
      if (err !== null && typeof err === 'object' && typeof err.message === 'string') {
        return JSON.stringify({
          name: typeof err.name === 'string' ? err.name : 'Error',
          message: err.message,
          stack: typeof err.stack === 'string' ? err.stack : undefined,
        });
      }
      return JSON.stringify({ name: 'Error', message: `Uncaught ${internal.inspect(err)}` });
    } catch (_) {
      return JSON.stringify({ name: 'Error', message: 'Uncaught exception (it could not be described)' });
    }
  };

  function report() {
    if (!current.ok) return native.finish(FINISH_EXCEPTION, internal.errorJson(current.value));
    const value = current.value;
    // Plain data is written natively; anything else as JSON.stringify does.
    if (native.finishResult(value === undefined ? null : value)) return;
    let json;
    try {
      json = JSON.stringify(value === undefined ? null : value);
    } catch (err) {
      return native.finish(FINISH_INVALID_RESULT, JSON.stringify({
        message: `handleEvent returned a value that cannot be stored as JSON: ${err && err.message}`,
      }));
    }
    if (json === undefined) {
      return native.finish(FINISH_INVALID_RESULT, JSON.stringify({
        message: `handleEvent returned a ${typeof value}, which cannot be stored as JSON`,
      }));
    }
    native.finish(FINISH_OK, json);
  }

  /**
   * After the job queue drained: -1 done (reported), 0 timers ran (drain
   * again), -2 waiting on host calls only, > 0 ms until the next timer.
   */
  internal.poll = function poll() {
    settleFromPromise();
    if (current.settled) {
      report();
      return -1;
    }
    if (internal.timers.runDue() > 0) return 0;
    const calls = internal.pendingCalls();
    if (calls === 0 && !internal.timers.hasRef()) {
      native.finish(FINISH_UNSETTLED, JSON.stringify({
        message: 'handleEvent returned a promise that never settles: nothing is left that could resolve or reject it (no timer or host call is pending)',
      }));
      return -1;
    }
    const delay = internal.timers.nextDelay();
    return delay < 0 ? -2 : Math.max(delay, 0.001);
  };
})
