// Timers that live within one invocation. The host has no timer of its own
// for the guest: after the job queue drains, `internal.poll` runs the timers
// that are due and tells the host how long to sleep until the next one.
// Like Node, an unref'd timer does not keep the invocation waiting.
(function (native, internal) {
  'use strict';
  const TIMEOUT_MAX = 2147483647;
  const active = new Map(); // id -> Timeout
  let nextId = 1;
  let sequence = 0;

  class Timeout {
    constructor(callback, delay, args, repeat) {
      this._id = nextId++;
      this._callback = callback;
      this._args = args;
      this._delay = delay;
      this._repeat = repeat;
      this._ref = true;
      this._schedule();
    }
    _schedule() {
      this._when = native.now() + this._delay;
      this._sequence = sequence++;
      active.set(this._id, this);
      internal.needsReset = true;
    }
    ref() { this._ref = true; return this; }
    unref() { this._ref = false; return this; }
    hasRef() { return this._ref; }
    refresh() { if (active.has(this._id)) this._schedule(); return this; }
    close() { active.delete(this._id); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }

  function delayOf(ms) {
    ms = Number(ms);
    return ms >= 1 && ms <= TIMEOUT_MAX ? ms : 1;
  }

  function schedule(callback, ms, args, repeat) {
    if (typeof callback !== 'function') {
      throw new TypeError('The "callback" argument must be of type function. Received ' + internal.inspect(callback));
    }
    return new Timeout(callback, delayOf(ms), args, repeat);
  }

  function clear(timer) {
    if (timer == null) return;
    const id = typeof timer === 'object' ? timer._id : Number(timer);
    active.delete(id);
  }

  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
  define('setTimeout', function setTimeout(callback, ms, ...args) { return schedule(callback, ms, args, false); });
  define('setInterval', function setInterval(callback, ms, ...args) { return schedule(callback, ms, args, true); });
  define('setImmediate', function setImmediate(callback, ...args) { return schedule(callback, 0, args, false); });
  define('clearTimeout', clear);
  define('clearInterval', clear);
  define('clearImmediate', clear);

  internal.timers = {
    /** Runs every timer due by now, in due order; returns how many ran. */
    runDue() {
      const now = native.now();
      const due = [];
      for (const t of active.values()) if (t._when <= now) due.push(t);
      if (due.length === 0) return 0;
      due.sort((a, b) => a._when - b._when || a._sequence - b._sequence);
      for (const t of due) {
        if (!active.has(t._id)) continue; // cleared by an earlier callback
        if (t._repeat) t._schedule(); else active.delete(t._id);
        try { t._callback(...t._args); } catch (err) { internal.uncaught(err); }
      }
      return due.length;
    },
    /** Milliseconds until the next timer, or -1 when none is scheduled. */
    nextDelay() {
      let next = Infinity;
      for (const t of active.values()) if (t._when < next) next = t._when;
      return next === Infinity ? -1 : Math.max(next - native.now(), 0);
    },
    /** Whether a timer that keeps the invocation alive is scheduled. */
    hasRef() {
      for (const t of active.values()) if (t._ref) return true;
      return false;
    },
    clearAll() { active.clear(); },
    Timeout,
  };
})
