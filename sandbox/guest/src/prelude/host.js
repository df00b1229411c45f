// The host-call bridge: `internal.hostCall(name, args)` returns a promise
// that the host settles later (`internal.complete`), with a JSON value or an
// error object `{name, message, ...props}`. Everything a handler can do
// outside the sandbox goes through here, and the host decides what each
// name grants.
(function (native, internal) {
  'use strict';
  const pending = new Map(); // id -> { resolve, reject, name }
  const REFUSALS = {
    [-1]: 'the invocation made too many host calls',
    [-2]: 'the host call is too large',
    [-3]: 'host calls are not available during initialization',
  };

  function toError(value, name) {
    const data = value && typeof value === 'object' ? value : { message: String(value) };
    const err = new Error(typeof data.message === 'string' ? data.message : `host call '${name}' failed`);
    for (const key of Object.keys(data)) {
      if (key === 'message' || key === 'stack') continue;
      err[key] = data[key];
    }
    if (typeof data.name !== 'string') err.name = 'Error';
    return err;
  }

  internal.hostCall = function hostCall(name, args) {
    let json;
    try {
      json = JSON.stringify(args === undefined ? null : args);
    } catch (err) {
      return Promise.reject(err);
    }
    const id = native.callStart(String(name), json);
    if (id < 0) {
      const err = new Error(`${REFUSALS[id] || 'the host call was refused'} ('${name}')`);
      err.name = 'HostCallError';
      return Promise.reject(err);
    }
    internal.needsReset = true;
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject, name }));
  };

  internal.complete = function complete(id, ok, json) {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    let value;
    try {
      value = JSON.parse(json);
    } catch (err) {
      call.reject(err);
      return;
    }
    if (ok) call.resolve(value); else call.reject(toError(value, call.name));
  };

  internal.pendingCalls = () => pending.size;

  // Calls an earlier invocation left running never complete on a reused
  // instance (the host dropped them, and its ids start again): their
  // promises stay pending, as a frozen Lambda's do.
  internal.dropCalls = () => pending.clear();
})
