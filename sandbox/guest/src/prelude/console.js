// `console`: every line goes to the host with its level, formatted like
// Node's console (util.format). Once the host says the invocation's log
// budget is spent, formatting stops too.
(function (native, internal) {
  'use strict';
  const DEBUG = 0, LOG = 1, INFO = 2, WARN = 3, ERROR = 4;
  let full = false;
  let indent = '';
  const counts = new Map();
  const timers = new Map();

  function emit(level, args) {
    if (full) return;
    let line = internal.format(...args);
    if (indent) line = indent + line.split('\n').join('\n' + indent);
    full = native.log(level, line);
    if (full) internal.needsReset = true;
  }

  const console = {
    log: (...args) => emit(LOG, args),
    info: (...args) => emit(INFO, args),
    debug: (...args) => emit(DEBUG, args),
    warn: (...args) => emit(WARN, args),
    error: (...args) => emit(ERROR, args),
    trace: (...args) => {
      const err = new Error(internal.format(...args));
      const frames = String(err.stack || '').split('\n').slice(1).join('\n');
      emit(DEBUG, ['Trace: ' + err.message + (frames ? '\n' + frames : '')]);
    },
    dir: (value, options) => emit(LOG, [internal.inspect(value, options)]),
    table: (...args) => emit(LOG, args),
    assert: (condition, ...args) => {
      if (condition) return;
      if (typeof args[0] === 'string') args[0] = 'Assertion failed: ' + args[0];
      else args.unshift('Assertion failed');
      emit(ERROR, args);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      internal.needsReset = true;
      emit(INFO, [`${label}: ${n}`]);
    },
    countReset: (label = 'default') => { counts.delete(label); },
    time: (label = 'default') => {
      timers.set(String(label), native.now());
      internal.needsReset = true;
    },
    timeLog: (label = 'default', ...args) => {
      const start = timers.get(String(label));
      if (start === undefined) return emit(WARN, [`No such label '${label}' for console.timeLog()`]);
      emit(INFO, [`${label}: ${(native.now() - start).toFixed(3)}ms`, ...args]);
    },
    timeEnd: (label = 'default') => {
      const start = timers.get(String(label));
      if (start === undefined) return emit(WARN, [`No such label '${label}' for console.timeEnd()`]);
      timers.delete(String(label));
      emit(INFO, [`${label}: ${(native.now() - start).toFixed(3)}ms`]);
    },
    group: (...args) => {
      if (args.length) emit(LOG, args);
      indent += '  ';
      internal.needsReset = true;
    },
    groupEnd: () => { indent = indent.slice(2); },
  };
  console.dirxml = console.log;
  console.groupCollapsed = console.group;

  // Each invocation starts with a fresh budget and no console state left over
  // from the init script.
  internal.resetConsole = function () {
    full = false;
    indent = '';
    counts.clear();
    timers.clear();
  };

  Object.defineProperty(globalThis, 'console', {
    value: console, writable: true, configurable: true, enumerable: false,
  });
})
