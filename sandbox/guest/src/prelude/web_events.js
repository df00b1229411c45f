// DOMException, Event, EventTarget, CustomEvent, AbortController and
// AbortSignal, as the DOM standard defines them and Node 20 ships them
// (same messages, names and legacy codes). SDKs pass AbortSignals to cancel
// requests and time them out (`AbortSignal.timeout`).
//
// Deliberate deviations from Node: an exception thrown by a listener fails
// the invocation as an uncaught error (Node emits 'uncaughtException',
// which ends the process by default); there is no `NodeEventTarget`.
(function (native, internal) {
  'use strict';
  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
  const customInspect = Symbol.for('nodejs.util.inspect.custom');

  // -------------------------------------------------------------------
  // DOMException (WebIDL), with the legacy code of each historical name.
  const LEGACY_CODES = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
    SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
    QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  const EXCEPTIONS = new WeakMap();
  class DOMException extends Error {
    constructor(message = '', options = 'Error') {
      super();
      let name = 'Error';
      if (options !== null && typeof options === 'object') {
        name = 'name' in options ? String(options.name) : 'Error';
        if ('cause' in options) {
          Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true, enumerable: false });
        }
      } else {
        name = String(options);
      }
      EXCEPTIONS.set(this, { message: String(message), name });
      // The message and name are accessors on the prototype; the stack is
      // the one Error made, headed as Node heads it.
      Object.defineProperty(this, 'message', { value: String(message), writable: true, configurable: true, enumerable: false });
    }
    get name() { return EXCEPTIONS.get(this)?.name ?? 'Error'; }
    get code() { return LEGACY_CODES[EXCEPTIONS.get(this)?.name] ?? 0; }
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException', configurable: true });
  for (const [name, code] of Object.entries(LEGACY_CODES)) {
    const constant = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase().replace(/_ERROR$/, '_ERR');
    const key = { TypeMismatchError: 'TYPE_MISMATCH_ERR', URLMismatchError: 'URL_MISMATCH_ERR', DataCloneError: 'DATA_CLONE_ERR' }[name] || constant;
    Object.defineProperty(DOMException, key, { value: code, enumerable: true });
    Object.defineProperty(DOMException.prototype, key, { value: code, enumerable: true });
  }
  define('DOMException', DOMException);

  // -------------------------------------------------------------------
  // Event
  const EVENTS = new WeakMap();
  const eventState = (event) => {
    const state = EVENTS.get(event);
    if (state === undefined) throw new TypeError('Value of "this" must be of type Event');
    return state;
  };
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;

  class Event {
    constructor(type, options = undefined) {
      if (arguments.length === 0) {
        const err = new TypeError('The "type" argument must be specified');
        err.code = 'ERR_MISSING_ARGS';
        throw err;
      }
      if (options !== undefined && options !== null && typeof options !== 'object') {
        throw internal.nodeErrors.invalidArgType('options', 'object', options);
      }
      EVENTS.set(this, {
        type: `${type}`,
        bubbles: !!options?.bubbles,
        cancelable: !!options?.cancelable,
        composed: !!options?.composed,
        defaultPrevented: false,
        timeStamp: performance.now(),
        target: null,
        currentTarget: null,
        phase: NONE,
        stop: false,
        stopImmediate: false,
        trusted: false,
      });
    }
    get type() { return eventState(this).type; }
    get bubbles() { return eventState(this).bubbles; }
    get cancelable() { return eventState(this).cancelable; }
    get composed() { return eventState(this).composed; }
    get defaultPrevented() { const s = eventState(this); return s.cancelable && s.defaultPrevented; }
    get timeStamp() { return eventState(this).timeStamp; }
    get target() { return eventState(this).target; }
    get currentTarget() { return eventState(this).currentTarget; }
    get srcElement() { return eventState(this).target; }
    get eventPhase() { return eventState(this).phase; }
    get isTrusted() { return eventState(this).trusted; }
    get returnValue() { const s = eventState(this); return !(s.cancelable && s.defaultPrevented); }
    set returnValue(value) { if (!value) this.preventDefault(); }
    get cancelBubble() { return eventState(this).stop; }
    set cancelBubble(value) { if (value) eventState(this).stop = true; }
    composedPath() { const s = eventState(this); return s.phase === NONE ? [] : [s.currentTarget]; }
    preventDefault() { eventState(this).defaultPrevented = true; }
    stopPropagation() { eventState(this).stop = true; }
    stopImmediatePropagation() { const s = eventState(this); s.stop = true; s.stopImmediate = true; }
    initEvent(type, bubbles = false, cancelable = false) {
      const s = eventState(this);
      if (s.phase !== NONE) return;
      Object.assign(s, { type: `${type}`, bubbles: !!bubbles, cancelable: !!cancelable });
    }
    [customInspect](depth, options, inspect) {
      const name = this.constructor.name;
      if (depth < 0) return name;
      return `${name} ${inspect({
        type: this.type, defaultPrevented: this.defaultPrevented, cancelable: this.cancelable,
        timeStamp: this.timeStamp,
      }, { ...options, depth: options.depth === null ? null : options.depth - 1 })}`;
    }
  }
  for (const [key, value] of Object.entries({ NONE, CAPTURING_PHASE, AT_TARGET, BUBBLING_PHASE })) {
    Object.defineProperty(Event, key, { value, enumerable: true });
    Object.defineProperty(Event.prototype, key, { value, enumerable: false });
  }
  Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: 'Event', configurable: true });

  class CustomEvent extends Event {
    #detail;
    constructor(type, options = undefined) {
      super(type, options);
      this.#detail = options?.detail ?? null;
    }
    get detail() { return this.#detail; }
  }
  Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: 'CustomEvent', configurable: true });

  // -------------------------------------------------------------------
  // EventTarget
  const LISTENERS = new WeakMap(); // target -> Map(type -> [{ callback, capture, once, passive, removed }])
  const listenersOf = (target) => {
    let map = LISTENERS.get(target);
    if (map === undefined) {
      if (!(target instanceof EventTarget)) throw new TypeError('Value of "this" must be of type EventTarget');
      map = new Map();
      LISTENERS.set(target, map);
    }
    return map;
  };
  const flatten = (options) => (typeof options === 'boolean' ? { capture: options } : (options ?? {}));

  class EventTarget {
    constructor() {
      LISTENERS.set(this, new Map());
    }
    addEventListener(type, callback, options = undefined) {
      if (arguments.length < 2) {
        const err = new TypeError('The "type" and "listener" arguments must be specified');
        err.code = 'ERR_MISSING_ARGS';
        throw err;
      }
      const map = listenersOf(this);
      if (callback === null || callback === undefined) return;
      const { capture = false, once = false, passive = false, signal } = flatten(options);
      if (signal?.aborted) return;
      type = `${type}`;
      let list = map.get(type);
      if (list === undefined) map.set(type, (list = []));
      if (list.some((l) => l.callback === callback && l.capture === !!capture)) return;
      const entry = { callback, capture: !!capture, once: !!once, passive: !!passive, removed: false };
      list.push(entry);
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, callback, options), { once: true });
    }
    removeEventListener(type, callback, options = undefined) {
      const list = listenersOf(this).get(`${type}`);
      if (list === undefined) return;
      const capture = !!flatten(options).capture;
      const i = list.findIndex((l) => l.callback === callback && l.capture === capture);
      if (i >= 0) {
        list[i].removed = true;
        list.splice(i, 1);
      }
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) {
        const err = new TypeError(`The "event" argument must be an instance of Event. Received ${internal.inspect(event, { depth: -1 })}`);
        err.code = 'ERR_INVALID_ARG_TYPE';
        throw err;
      }
      const state = eventState(event);
      if (state.phase !== NONE) throw new DOMException('The event is already being dispatched', 'InvalidStateError');
      state.target = this;
      state.currentTarget = this;
      state.phase = AT_TARGET;
      const list = listenersOf(this).get(state.type);
      for (const entry of list ? list.slice() : []) {
        if (entry.removed) continue;
        if (entry.once) this.removeEventListener(state.type, entry.callback, { capture: entry.capture });
        try {
          const callback = entry.callback;
          if (typeof callback === 'function') callback.call(this, event);
          else if (callback && typeof callback.handleEvent === 'function') callback.handleEvent(event);
        } catch (err) {
          internal.uncaught(err);
        }
        if (state.stopImmediate) break;
      }
      state.currentTarget = null;
      state.phase = NONE;
      return !(state.cancelable && state.defaultPrevented);
    }
    [customInspect](depth, options, inspect) {
      return depth < 0 ? this.constructor.name : `${this.constructor.name} ${inspect({}, options)}`;
    }
  }
  Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: 'EventTarget', configurable: true });

  // Marks an event as dispatched by the platform (AbortSignal's 'abort').
  function trustedEvent(type) {
    const event = new Event(type);
    eventState(event).trusted = true;
    return event;
  }

  // -------------------------------------------------------------------
  // AbortSignal and AbortController
  const SIGNALS = new WeakMap();
  const signalState = (signal) => {
    const state = SIGNALS.get(signal);
    if (state === undefined) throw new TypeError('Value of "this" must be of type AbortSignal');
    return state;
  };
  let constructing = false;

  function newSignal() {
    constructing = true;
    try {
      return new AbortSignal();
    } finally {
      constructing = false;
    }
  }

  function abortSignal(signal, reason) {
    const state = signalState(signal);
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    signal.dispatchEvent(trustedEvent('abort'));
    for (const dependent of state.dependents) abortSignal(dependent, state.reason);
  }

  class AbortSignal extends EventTarget {
    constructor() {
      if (!constructing) {
        const err = new TypeError('Illegal constructor');
        err.code = 'ERR_ILLEGAL_CONSTRUCTOR';
        throw err;
      }
      super();
      SIGNALS.set(this, { aborted: false, reason: undefined, onabort: null, onabortListener: null, dependents: [] });
    }
    get aborted() { return signalState(this).aborted; }
    get reason() { return signalState(this).reason; }
    get onabort() { return signalState(this).onabort; }
    set onabort(value) {
      const state = signalState(this);
      // An event handler is a listener added where it was first set, as
      // in Node; setting it again keeps that place.
      if (!state.onabortListener) {
        state.onabortListener = (event) => {
          if (typeof state.onabort === 'function') state.onabort.call(this, event);
        };
        this.addEventListener('abort', state.onabortListener);
      }
      state.onabort = typeof value === 'function' ? value : null;
    }
    throwIfAborted() {
      const state = signalState(this);
      if (state.aborted) throw state.reason;
    }
    static abort(reason = new DOMException('This operation was aborted', 'AbortError')) {
      const signal = newSignal();
      abortSignal(signal, reason);
      return signal;
    }
    static timeout(delay) {
      const { validateInteger } = internal.nodeErrors;
      validateInteger(delay, 'delay', 0, 4294967295);
      const signal = newSignal();
      setTimeout(() => abortSignal(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), delay);
      return signal;
    }
    static any(signals) {
      const signal = newSignal();
      for (const source of signals) {
        if (!(source instanceof AbortSignal)) {
          const err = new TypeError('The "signals" argument must be an instance of AbortSignal[]');
          err.code = 'ERR_INVALID_ARG_TYPE';
          throw err;
        }
        if (source.aborted) {
          abortSignal(signal, source.reason);
          return signal;
        }
      }
      // Strong references (QuickJS has no WeakRef): an invocation is short.
      for (const source of signals) signalState(source).dependents.push(signal);
      return signal;
    }
    [customInspect](depth, options, inspect) {
      return `AbortSignal ${inspect({ aborted: this.aborted }, options)}`;
    }
  }
  Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: 'AbortSignal', configurable: true });

  class AbortController {
    #signal = newSignal();
    get signal() { return this.#signal; }
    abort(reason = undefined) { abortSignal(this.#signal, reason); }
    [customInspect](depth, options, inspect) {
      return `AbortController ${inspect({ signal: this.signal }, options)}`;
    }
  }
  Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: 'AbortController', configurable: true });

  for (const cls of [Event, CustomEvent, EventTarget, AbortSignal, AbortController]) {
    for (const key of Object.getOwnPropertyNames(cls.prototype)) {
      if (key !== 'constructor' && !/^[A-Z_]+$/.test(key)) Object.defineProperty(cls.prototype, key, { enumerable: true });
    }
  }
  // As in Node 20, where these two were added later.
  for (const key of ['reason', 'throwIfAborted']) Object.defineProperty(AbortSignal.prototype, key, { enumerable: false });
  define('Event', Event);
  define('CustomEvent', CustomEvent);
  define('EventTarget', EventTarget);
  define('AbortSignal', AbortSignal);
  define('AbortController', AbortController);
})
