// structuredClone (HTML's StructuredSerialize/Deserialize, done in one pass).
//
// Deviations from Node: built-ins whose prototype was swapped away
// (Object.setPrototypeOf(new Map, null)) are cloned as plain objects, and
// Proxies are cloned through their traps rather than rejected. With
// `transfer`, buffers are copied and the originals then detached (when the
// engine has ArrayBuffer.prototype.transfer), which is observably the same.
(function (native, internal) {
  'use strict';

  const hasOwn = Object.hasOwn;
  const objToString = Object.prototype.toString;
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
  const typedArrayTag = getter(TypedArrayProto, Symbol.toStringTag);
  const typedArrayBuffer = getter(TypedArrayProto, 'buffer');
  const typedArrayOffset = getter(TypedArrayProto, 'byteOffset');
  const typedArrayLength = getter(TypedArrayProto, 'length');
  const bufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
  const bufferSlice = ArrayBuffer.prototype.slice;
  const viewBuffer = getter(DataView.prototype, 'buffer');
  const viewOffset = getter(DataView.prototype, 'byteOffset');
  const viewLength = getter(DataView.prototype, 'byteLength');
  const regexpSource = getter(RegExp.prototype, 'source');
  const regexpFlags = getter(RegExp.prototype, 'flags');
  const mapSet = Map.prototype.set;
  const mapEntries = Map.prototype.entries;
  const setAdd = Set.prototype.add;
  const setValues = Set.prototype.values;
  const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

  // Brand checks confirm what the toStringTag suggests, so a spoofed tag
  // falls through to plain-object cloning.
  const brands = {
    Map: (v) => getter(Map.prototype, 'size').call(v),
    Set: (v) => getter(Set.prototype, 'size').call(v),
    Date: (v) => Date.prototype.getTime.call(v),
    RegExp: (v) => regexpSource.call(v),
    ArrayBuffer: (v) => bufferByteLength.call(v),
    SharedArrayBuffer: (v) => getter(SharedArrayBuffer.prototype, 'byteLength').call(v),
    DataView: (v) => viewLength.call(v),
    Number: (v) => Number.prototype.valueOf.call(v),
    String: (v) => String.prototype.valueOf.call(v),
    Boolean: (v) => Boolean.prototype.valueOf.call(v),
    BigInt: (v) => BigInt.prototype.valueOf.call(v),
    Symbol: (v) => Symbol.prototype.valueOf.call(v),
    WeakMap: (v) => WeakMap.prototype.has.call(v, v),
    WeakSet: (v) => WeakSet.prototype.has.call(v, v),
    WeakRef: (v) => WeakRef.prototype.deref.call(v),
    FinalizationRegistry: (v) => FinalizationRegistry.prototype.unregister.call(v, {}),
    Promise: () => true,
    Error: () => true,
    Arguments: () => true,
    Generator: () => true,
    AsyncGenerator: () => true,
    'Map Iterator': () => true,
    'Set Iterator': () => true,
    'Array Iterator': () => true,
    'String Iterator': () => true,
    'RegExp String Iterator': () => true,
  };

  function kindOf(v) {
    if (Array.isArray(v)) return 'Array';
    if (typedArrayTag.call(v) !== undefined) return 'TypedArray';
    const tag = objToString.call(v).slice(8, -1);
    const check = hasOwn(brands, tag) ? brands[tag] : undefined;
    if (check === undefined) return 'Object';
    try { check(v); return tag; } catch { return 'Object'; }
  }

  function dataCloneError(message) {
    if (typeof DOMException === 'function') return new DOMException(message, 'DataCloneError');
    const err = new Error(message);
    Object.defineProperty(err, 'name', { value: 'DataCloneError', writable: true, configurable: true });
    Object.defineProperty(err, 'code', { value: 25, writable: true, configurable: true });
    return err;
  }

  // How V8 names a value it refuses to clone.
  function describe(v, kind) {
    if (typeof v === 'symbol') return String(v);
    if (typeof v === 'function') return Function.prototype.toString.call(v);
    if (kind === 'Symbol' || kind === 'Generator') return `[object ${kind}]`;
    let name = 'Object';
    try {
      const ctor = v.constructor;
      if (typeof ctor === 'function' && ctor.name) name = ctor.name;
    } catch { /* keep 'Object' */ }
    return `#<${name}>`;
  }

  const uncloneable = (v, kind) => dataCloneError(`${describe(v, kind)} could not be cloned.`);

  function define(target, key, value) {
    if (key === '__proto__') {
      Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
      target[key] = value;
    }
  }

  function copyProperties(source, target, memory) {
    for (const key of Object.keys(source)) {
      if (hasOwn(source, key)) define(target, key, clone(source[key], memory));
    }
  }

  function cloneBuffer(buffer) {
    if (buffer.detached === true) throw dataCloneError('An ArrayBuffer is detached and could not be cloned.');
    const length = bufferByteLength.call(buffer);
    if (!buffer.resizable) return bufferSlice.call(buffer, 0, length);
    const copy = new ArrayBuffer(length, { maxByteLength: buffer.maxByteLength });
    new Uint8Array(copy).set(new Uint8Array(buffer));
    return copy;
  }

  function clone(value, memory) {
    if (typeof value === 'symbol' || typeof value === 'function') throw uncloneable(value);
    if (typeof value !== 'object' || value === null) return value;
    const seen = memory.get(value);
    if (seen !== undefined) return seen;

    const kind = kindOf(value);
    let out;
    switch (kind) {
      case 'Object':
        out = {};
        memory.set(value, out);
        copyProperties(value, out, memory);
        return out;
      case 'Array':
        out = new Array(value.length);
        memory.set(value, out);
        copyProperties(value, out, memory);
        return out;
      case 'Boolean': case 'Number': case 'String': case 'BigInt':
        out = Object(globalThis[kind].prototype.valueOf.call(value));
        break;
      case 'Date':
        out = new Date(Date.prototype.getTime.call(value));
        break;
      case 'RegExp':
        out = new RegExp(regexpSource.call(value), regexpFlags.call(value));
        break;
      case 'ArrayBuffer':
        out = cloneBuffer(value);
        break;
      case 'SharedArrayBuffer':
        out = value;
        break;
      case 'TypedArray': {
        const buffer = clone(typedArrayBuffer.call(value), memory);
        const Ctor = globalThis[typedArrayTag.call(value)];
        out = new Ctor(buffer, typedArrayOffset.call(value), typedArrayLength.call(value));
        break;
      }
      case 'DataView':
        out = new DataView(clone(viewBuffer.call(value), memory), viewOffset.call(value), viewLength.call(value));
        break;
      case 'Map': {
        out = new Map();
        memory.set(value, out);
        const entries = Array.from(mapEntries.call(value));
        for (const [k, v] of entries) mapSet.call(out, clone(k, memory), clone(v, memory));
        return out;
      }
      case 'Set': {
        out = new Set();
        memory.set(value, out);
        const values = Array.from(setValues.call(value));
        for (const v of values) setAdd.call(out, clone(v, memory));
        return out;
      }
      case 'Error': {
        const name = value.name;
        const Ctor = typeof name === 'string' && hasOwn(ERRORS, name) ? ERRORS[name] : Error;
        out = new Ctor();
        memory.set(value, out);
        const hidden = (key, v) => Object.defineProperty(out, key, { value: v, writable: true, configurable: true });
        if (hasOwn(value, 'message')) hidden('message', String(value.message));
        const stack = value.stack;
        if (typeof stack === 'string') hidden('stack', stack);
        if (hasOwn(value, 'cause')) hidden('cause', clone(value.cause, memory));
        return out;
      }
      default:
        throw uncloneable(value, kind);
    }
    memory.set(value, out);
    return out;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw new TypeError('The value argument must be specified');
    let transfer = [];
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw new TypeError('The options argument must be either an object or undefined');
      if (options.transfer !== undefined && options.transfer !== null) {
        if (typeof options.transfer[Symbol.iterator] !== 'function') {
          throw new TypeError('Optional transferList argument must be an iterable');
        }
        transfer = Array.from(options.transfer);
        for (const item of transfer) {
          if (kindOf(item) !== 'ArrayBuffer') throw new TypeError('Found invalid object in transferList');
        }
        if (new Set(transfer).size !== transfer.length) throw dataCloneError('Transfer list contains duplicate');
      }
    }
    const result = clone(value, new Map());
    if (typeof ArrayBuffer.prototype.transfer === 'function') {
      for (const buffer of transfer) buffer.transfer();
    }
    return result;
  }

  Object.defineProperty(globalThis, 'structuredClone', {
    value: structuredClone, writable: true, configurable: true, enumerable: false,
  });
})
