// `util`, `assert` (and `assert/strict`), `timers` and `timers/promises`,
// after Node 20's lib/util.js, lib/internal/util/comparisons.js,
// lib/assert.js and lib/internal/assert/assertion_error.js.
//
// Deliberate deviations from Node:
// - util.types cannot see engine internals: isProxy and isExternal are
//   always false, and isPromise / isNativeError / isGeneratorObject /
//   isAsyncFunction trust the object's Symbol.toStringTag.
// - assert.ok(falsy) cannot quote the failing expression (Node reads the
//   caller's source file), so its message is Node's fallback "false == true".
// - timers/promises takes no AbortSignal (the chat runtime has no
//   AbortController) and has no setInterval iterator.
// - Not provided: util.parseArgs, util.styleText, util.MIMEType,
//   util.getSystemErrorName, assert.CallTracker.
(function (native, internal) {
  'use strict';
  const {
    nodeError, determineSpecificType, invalidArgType, invalidArgValue, missingArgs,
    validateNumber, validateString, validateFunction, validateObject, validateBoolean,
  } = internal.nodeErrors;
  const inspect = internal.inspect;
  const { setTimeout, setImmediate } = globalThis;
  const URLClass = globalThis.URL;

  // ---------------------------------------------------------------------
  // util.types. Brand checks call an intrinsic that throws on the wrong
  // receiver, so a spoofed Symbol.toStringTag does not fool them.
  const objToString = (v) => Object.prototype.toString.call(v);
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const brand = (check) => (v) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
    try {
      check(v);
      return true;
    } catch {
      return false;
    }
  };
  const typedArrayTag = getter(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag);
  const tagged = (...tags) => (v) => tags.includes(objToString(v));
  const typedArrayOf = (name) => (v) => typedArrayTag.call(v) === name;
  const regExpGlobal = getter(RegExp.prototype, 'global');

  const boxed = (valueOf) => {
    const check = brand((v) => valueOf.call(v));
    return (v) => typeof v === 'object' && check(v);
  };
  const isRegExpOrPrototype = brand((v) => regExpGlobal.call(v));

  const types = {
    isDate: brand((v) => Date.prototype.getTime.call(v)),
    // RegExp.prototype itself passes the getter without being a RegExp.
    isRegExp: (v) => v !== RegExp.prototype && isRegExpOrPrototype(v),
    isMap: brand((v) => getter(Map.prototype, 'size').call(v)),
    isSet: brand((v) => getter(Set.prototype, 'size').call(v)),
    isWeakMap: brand((v) => WeakMap.prototype.has.call(v, {})),
    isWeakSet: brand((v) => WeakSet.prototype.has.call(v, {})),
    isArrayBuffer: brand((v) => getter(ArrayBuffer.prototype, 'byteLength').call(v)),
    isSharedArrayBuffer: typeof SharedArrayBuffer === 'function'
      ? brand((v) => getter(SharedArrayBuffer.prototype, 'byteLength').call(v)) : () => false,
    isDataView: brand((v) => getter(DataView.prototype, 'byteLength').call(v)),
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isTypedArray: (v) => typedArrayTag.call(v) !== undefined,
    isNumberObject: boxed(Number.prototype.valueOf),
    isStringObject: boxed(String.prototype.valueOf),
    isBooleanObject: boxed(Boolean.prototype.valueOf),
    isBigIntObject: boxed(BigInt.prototype.valueOf),
    isSymbolObject: boxed(Symbol.prototype.valueOf),
    isPromise: tagged('[object Promise]'),
    isNativeError: tagged('[object Error]'),
    isArgumentsObject: tagged('[object Arguments]'),
    isAsyncFunction: (v) => typeof v === 'function' && tagged('[object AsyncFunction]', '[object AsyncGeneratorFunction]')(v),
    isGeneratorFunction: (v) => typeof v === 'function' &&
      tagged('[object GeneratorFunction]', '[object AsyncGeneratorFunction]')(v),
    isGeneratorObject: tagged('[object Generator]', '[object AsyncGenerator]'),
    isMapIterator: tagged('[object Map Iterator]'),
    isSetIterator: tagged('[object Set Iterator]'),
    isModuleNamespaceObject: tagged('[object Module]'),
    isProxy: () => false,
    isExternal: () => false,
    isKeyObject: () => false,
    isCryptoKey: () => false,
  };
  types.isAnyArrayBuffer = (v) => types.isArrayBuffer(v) || types.isSharedArrayBuffer(v);
  types.isBoxedPrimitive = (v) => types.isNumberObject(v) || types.isStringObject(v) || types.isBooleanObject(v) ||
    types.isBigIntObject(v) || types.isSymbolObject(v);
  for (const name of ['Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'Int8Array', 'Int16Array',
    'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
    types[`is${name}`] = typedArrayOf(name);
  }
  const isError = (e) => objToString(e) === '[object Error]' || e instanceof Error;

  // ---------------------------------------------------------------------
  // Deep equality (lib/internal/util/comparisons.js).
  const kNoIterator = 0, kIsArray = 1, kIsSet = 2, kIsMap = 3;
  const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const isEnumerable = (o, k) => Object.prototype.propertyIsEnumerable.call(o, k);
  const isIndex = (key) => /^(?:0|[1-9][0-9]*)$/.test(key) && +key < 4294967295;

  /** Own enumerable keys that are not array indices (symbols unless `skipSymbols`). */
  function ownNonIndexKeys(value, skipSymbols) {
    const keys = [];
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string' ? isIndex(key) : skipSymbols) continue;
      if (isEnumerable(value, key)) keys.push(key);
    }
    return keys;
  }

  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const viewBytes = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

  function isEqualBoxedPrimitive(val1, val2) {
    if (types.isNumberObject(val1)) {
      return types.isNumberObject(val2) && Object.is(Number.prototype.valueOf.call(val1), Number.prototype.valueOf.call(val2));
    }
    if (types.isStringObject(val1)) {
      return types.isStringObject(val2) && String.prototype.valueOf.call(val1) === String.prototype.valueOf.call(val2);
    }
    if (types.isBooleanObject(val1)) {
      return types.isBooleanObject(val2) && Boolean.prototype.valueOf.call(val1) === Boolean.prototype.valueOf.call(val2);
    }
    if (types.isBigIntObject(val1)) {
      return types.isBigIntObject(val2) && BigInt.prototype.valueOf.call(val1) === BigInt.prototype.valueOf.call(val2);
    }
    return types.isSymbolObject(val2) && Symbol.prototype.valueOf.call(val1) === Symbol.prototype.valueOf.call(val2);
  }

  function innerDeepEqual(val1, val2, strict, memos) {
    if (val1 === val2) return val1 !== 0 || Object.is(val1, val2) || !strict;
    if (strict) {
      if (typeof val1 === 'number') return Number.isNaN(val1) && Number.isNaN(val2);
      if (typeof val2 !== 'object' || typeof val1 !== 'object' || val1 === null || val2 === null ||
          Object.getPrototypeOf(val1) !== Object.getPrototypeOf(val2)) {
        return false;
      }
    } else {
      if (val1 === null || typeof val1 !== 'object') {
        if (val2 === null || typeof val2 !== 'object') {
          // eslint-disable-next-line eqeqeq
          return val1 == val2 || (Number.isNaN(val1) && Number.isNaN(val2));
        }
        return false;
      }
      if (val2 === null || typeof val2 !== 'object') return false;
    }
    const val1Tag = objToString(val1);
    if (val1Tag !== objToString(val2)) return false;

    if (Array.isArray(val1)) {
      if (!Array.isArray(val2) || val1.length !== val2.length) return false;
      const keys1 = ownNonIndexKeys(val1, !strict);
      if (keys1.length !== ownNonIndexKeys(val2, !strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kIsArray, keys1);
    } else if (val1Tag === '[object Object]') {
      return keyCheck(val1, val2, strict, memos, kNoIterator);
    } else if (types.isDate(val1)) {
      if (!types.isDate(val2) || Date.prototype.getTime.call(val1) !== Date.prototype.getTime.call(val2)) return false;
    } else if (types.isRegExp(val1)) {
      if (!types.isRegExp(val2) || val1.source !== val2.source || val1.flags !== val2.flags ||
          val1.lastIndex !== val2.lastIndex) {
        return false;
      }
    } else if (ArrayBuffer.isView(val1)) {
      if (typedArrayTag.call(val1) !== typedArrayTag.call(val2)) return false;
      if (!strict && (types.isFloat32Array(val1) || types.isFloat64Array(val1))) {
        // Loosely, elements compare with == (so 0 equals -0 and NaN nothing).
        if (val1.byteLength !== val2.byteLength) return false;
        for (let i = 0; i < val1.length; i++) if (val1[i] !== val2[i]) return false;
      } else if (!bytesEqual(viewBytes(val1), viewBytes(val2))) {
        return false;
      }
      const keys1 = ownNonIndexKeys(val1, !strict);
      if (keys1.length !== ownNonIndexKeys(val2, !strict).length) return false;
      return keyCheck(val1, val2, strict, memos, kNoIterator, keys1);
    } else if (types.isSet(val1)) {
      if (!types.isSet(val2) || val1.size !== val2.size) return false;
      return keyCheck(val1, val2, strict, memos, kIsSet);
    } else if (types.isMap(val1)) {
      if (!types.isMap(val2) || val1.size !== val2.size) return false;
      return keyCheck(val1, val2, strict, memos, kIsMap);
    } else if (types.isAnyArrayBuffer(val1)) {
      if (!types.isAnyArrayBuffer(val2) || !bytesEqual(new Uint8Array(val1), new Uint8Array(val2))) return false;
    } else if (isError(val1)) {
      if (!isError(val2)) return false;
      // message, name, cause and errors are compared even when not enumerable.
      for (const key of ['message', 'name', 'cause', 'errors']) {
        const enumerable = isEnumerable(val1, key);
        if (enumerable !== isEnumerable(val2, key)) return false;
        if (enumerable) continue;
        if (key === 'message' || key === 'name' ? val1[key] !== val2[key]
          : !innerDeepEqual(val1[key], val2[key], strict, memos)) {
          return false;
        }
      }
    } else if (types.isBoxedPrimitive(val1)) {
      if (!isEqualBoxedPrimitive(val1, val2)) return false;
    } else if (Array.isArray(val2) || ArrayBuffer.isView(val2) || types.isSet(val2) || types.isMap(val2) ||
               types.isDate(val2) || types.isRegExp(val2) || types.isAnyArrayBuffer(val2) ||
               types.isBoxedPrimitive(val2) || isError(val2)) {
      return false;
    } else if (val1 instanceof URLClass) {
      if (!(val2 instanceof URLClass) || val1.href !== val2.href) return false;
    }
    return keyCheck(val1, val2, strict, memos, kNoIterator);
  }

  function keyCheck(val1, val2, strict, memos, iterationType, aKeys) {
    const isArrayLikeObject = aKeys !== undefined;
    if (aKeys === undefined) aKeys = Object.keys(val1);
    for (const key of aKeys) if (!isEnumerable(val2, key)) return false;

    if (!isArrayLikeObject) {
      if (aKeys.length !== Object.keys(val2).length) return false;
      if (strict) {
        const symbolKeysA = Object.getOwnPropertySymbols(val1);
        const symbolKeysB = Object.getOwnPropertySymbols(val2);
        let count = 0;
        for (const key of symbolKeysA) {
          if (isEnumerable(val1, key)) {
            if (!isEnumerable(val2, key)) return false;
            aKeys.push(key);
            count++;
          } else if (isEnumerable(val2, key)) {
            return false;
          }
        }
        if (symbolKeysB.filter((k) => isEnumerable(val2, k)).length !== count) return false;
      }
    }

    if (aKeys.length === 0 &&
        (iterationType === kNoIterator || (iterationType === kIsArray && val1.length === 0) || val1.size === 0)) {
      return true;
    }

    // Cycle detection: pairs being compared further up are taken as equal.
    if (memos === undefined) {
      memos = { set: undefined, a: val1, b: val2, c: undefined, d: undefined, deep: false, deleteFailures: false };
      return objEquiv(val1, val2, strict, aKeys, memos, iterationType);
    }
    if (memos.set === undefined) {
      if (memos.deep === false) {
        if (memos.a === val1 && memos.b === val2) return true;
        memos.c = val1;
        memos.d = val2;
        memos.deep = true;
        const result = objEquiv(val1, val2, strict, aKeys, memos, iterationType);
        memos.deep = false;
        return result;
      }
      memos.set = new Set([memos.a, memos.b, memos.c, memos.d]);
    }
    const { set } = memos;
    const originalSize = set.size;
    set.add(val1);
    set.add(val2);
    if (originalSize === set.size) return true;
    const areEq = objEquiv(val1, val2, strict, aKeys, memos, iterationType);
    if (areEq || memos.deleteFailures) {
      set.delete(val1);
      set.delete(val2);
    }
    return areEq;
  }

  function setHasEqualElement(set, val2, strict, memo) {
    const { deleteFailures } = memo;
    memo.deleteFailures = true;
    for (const val1 of set) {
      if (innerDeepEqual(val1, val2, strict, memo)) {
        set.delete(val1);
        memo.deleteFailures = deleteFailures;
        return true;
      }
    }
    memo.deleteFailures = deleteFailures;
    return false;
  }

  // For loose comparison: whether a primitive might equal (==) another one.
  function findLooseMatchingPrimitives(prim) {
    switch (typeof prim) {
      case 'undefined': return null;
      case 'object': return undefined; // only null gets here
      case 'symbol': return false;
      case 'string': prim = +prim; // fall through
      case 'number': if (Number.isNaN(prim)) return false;
    }
    return true;
  }

  function setMightHaveLoosePrim(a, b, prim) {
    const altValue = findLooseMatchingPrimitives(prim);
    if (altValue != null) return altValue;
    return b.has(altValue) && !a.has(altValue);
  }

  function mapMightHaveLoosePrim(a, b, prim, item, memo) {
    const altValue = findLooseMatchingPrimitives(prim);
    if (altValue != null) return altValue;
    const curB = b.get(altValue);
    if ((curB === undefined && !b.has(altValue)) || !innerDeepEqual(item, curB, false, memo)) return false;
    return !a.has(altValue) && innerDeepEqual(item, curB, false, memo);
  }

  function setEquiv(a, b, strict, memo) {
    let set = null;
    for (const val of a) {
      if (!b.has(val)) {
        if ((typeof val !== 'object' || val === null) && (strict || !setMightHaveLoosePrim(a, b, val))) return false;
        if (set === null) {
          if (b.size === 1) return innerDeepEqual(val, b.values().next().value, strict, memo);
          set = new Set();
        }
        set.add(val);
      }
    }
    if (set !== null) {
      for (const val of b) {
        if (typeof val === 'object' && val !== null) {
          if (!a.has(val) && !setHasEqualElement(set, val, strict, memo)) return false;
        } else if (!strict && !a.has(val) && !setHasEqualElement(set, val, strict, memo)) {
          return false;
        }
      }
      return set.size === 0;
    }
    return true;
  }

  function mapHasEqualEntry(set, map, key2, item2, strict, memo) {
    const { deleteFailures } = memo;
    memo.deleteFailures = true;
    for (const key1 of set) {
      if (innerDeepEqual(key1, key2, strict, memo) && innerDeepEqual(map.get(key1), item2, strict, memo)) {
        set.delete(key1);
        memo.deleteFailures = deleteFailures;
        return true;
      }
    }
    memo.deleteFailures = deleteFailures;
    return false;
  }

  function mapEquiv(a, b, strict, memo) {
    let set = null;
    for (const [key, item1] of a) {
      if (typeof key === 'object' && key !== null) {
        if (set === null) {
          if (b.size === 1) {
            const [key2, item2] = b.entries().next().value;
            return innerDeepEqual(key, key2, strict, memo) && innerDeepEqual(item1, item2, strict, memo);
          }
          set = new Set();
        }
        set.add(key);
      } else {
        const item2 = b.get(key);
        if ((item2 === undefined && !b.has(key)) || !innerDeepEqual(item1, item2, strict, memo)) {
          if (strict) return false;
          if (!mapMightHaveLoosePrim(a, b, key, item1, memo)) return false;
          if (set === null) set = new Set();
          set.add(key);
        }
      }
    }
    if (set !== null) {
      for (const [key, item] of b) {
        if (typeof key === 'object' && key !== null) {
          if (!mapHasEqualEntry(set, a, key, item, strict, memo)) return false;
        } else if (!strict && (!a.has(key) || !innerDeepEqual(a.get(key), item, strict, memo)) &&
                   !mapHasEqualEntry(set, a, key, item, strict, memo)) {
          return false;
        }
      }
      return set.size === 0;
    }
    return true;
  }

  function objEquiv(a, b, strict, keys, memos, iterationType) {
    for (const key of keys) if (!innerDeepEqual(a[key], b[key], strict, memos)) return false;
    if (iterationType === kIsArray) {
      for (let i = 0; i < a.length; i++) {
        if (hasOwn(a, i)) {
          if (!hasOwn(b, i) || !innerDeepEqual(a[i], b[i], strict, memos)) return false;
        } else if (hasOwn(b, i)) {
          return false;
        } else {
          // A sparse array: compare the remaining keys.
          const keysA = Object.keys(a);
          for (; i < keysA.length; i++) {
            const key = keysA[i];
            if (!hasOwn(b, key) || !innerDeepEqual(a[key], b[key], strict, memos)) return false;
          }
          return keysA.length === Object.keys(b).length;
        }
      }
    } else if (iterationType === kIsSet) {
      if (!setEquiv(a, b, strict, memos)) return false;
    } else if (iterationType === kIsMap) {
      if (!mapEquiv(a, b, strict, memos)) return false;
    }
    return true;
  }

  const isDeepEqual = (a, b) => innerDeepEqual(a, b, false);
  const isDeepStrictEqual = (a, b) => innerDeepEqual(a, b, true);

  // ---------------------------------------------------------------------
  // util
  const kCustomPromisified = Symbol.for('nodejs.util.promisify.custom');

  function promisify(original) {
    validateFunction(original, 'original');
    if (original[kCustomPromisified]) {
      const fn = original[kCustomPromisified];
      validateFunction(fn, 'util.promisify.custom');
      return Object.defineProperty(fn, kCustomPromisified, {
        value: fn, enumerable: false, writable: false, configurable: true,
      });
    }
    function fn(...args) {
      return new Promise((resolve, reject) => {
        args.push((err, ...values) => {
          if (err) return reject(err);
          resolve(values[0]);
        });
        Reflect.apply(original, this, args);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    Object.defineProperty(fn, kCustomPromisified, { value: fn, enumerable: false, writable: false, configurable: true });
    return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
  }
  promisify.custom = kCustomPromisified;

  function callbackify(original) {
    validateFunction(original, 'original');
    function callbackified(...args) {
      const maybeCb = args.pop();
      validateFunction(maybeCb, 'last argument');
      const cb = maybeCb.bind(this);
      Reflect.apply(original, this, args).then(
        (ret) => process.nextTick(cb, null, ret),
        (rej) => {
          if (!rej) {
            const err = nodeError(Error, 'ERR_FALSY_VALUE_REJECTION', 'Promise was rejected with falsy value');
            err.reason = rej;
            rej = err;
          }
          process.nextTick(cb, rej);
        });
    }
    const descriptors = Object.getOwnPropertyDescriptors(original);
    if (typeof descriptors.length.value === 'number') descriptors.length.value++;
    if (typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
    Object.defineProperties(callbackified, descriptors);
    return callbackified;
  }

  function inherits(ctor, superCtor) {
    if (ctor === undefined || ctor === null) throw invalidArgType('ctor', 'Function', ctor);
    if (superCtor === undefined || superCtor === null) throw invalidArgType('superCtor', 'Function', superCtor);
    if (superCtor.prototype === undefined) throw invalidArgType('superCtor.prototype', 'Object', superCtor.prototype);
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  const warnedCodes = new Set();
  function deprecate(fn, msg, code) {
    if (code !== undefined) validateString(code, 'code');
    let warned = false;
    function deprecated(...args) {
      if (!warned && !process.noDeprecation) {
        warned = true;
        if (code === undefined || !warnedCodes.has(code)) {
          if (code !== undefined) warnedCodes.add(code);
          process.emitWarning(msg, 'DeprecationWarning', code);
        }
      }
      if (new.target) return Reflect.construct(fn, args, new.target);
      return Reflect.apply(fn, this, args);
    }
    Object.setPrototypeOf(deprecated, fn);
    if (fn.prototype) deprecated.prototype = fn.prototype;
    return deprecated;
  }

  // NODE_DEBUG sections are never enabled in the chat runtime.
  function debuglog(section, callback) {
    const logger = () => {};
    Object.defineProperty(logger, 'enabled', { get: () => false, configurable: true, enumerable: true });
    if (typeof callback === 'function') callback(logger);
    return logger;
  }

  const ansi = new RegExp('[\\u001B\\u009B][[\\]()#;?]*' +
    '(?:(?:(?:(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]+)*' +
    '|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]*)*)?' +
    '(?:\\u0007|\\u001B\\u005C|\\u009C))' +
    '|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PR-TZcf-ntqry=><~]))', 'g');
  function stripVTControlCharacters(str) {
    validateString(str, 'str');
    return str.replace(ansi, '');
  }

  const loneSurrogates = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

  const util = {
    format: internal.format,
    formatWithOptions(inspectOptions, ...args) {
      if (inspectOptions === null || typeof inspectOptions !== 'object') {
        throw invalidArgType('inspectOptions', 'Object', inspectOptions);
      }
      return internal.formatWithOptions(inspectOptions, ...args);
    },
    inspect,
    inherits,
    promisify,
    callbackify,
    deprecate,
    debuglog,
    debug: debuglog,
    isDeepStrictEqual,
    types,
    stripVTControlCharacters,
    toUSVString: (input) => `${input}`.replace(loneSurrogates, '\ufffd'),
    TextEncoder: globalThis.TextEncoder,
    TextDecoder: globalThis.TextDecoder,
    _extend(target, source) {
      if (source === null || typeof source !== 'object') return target;
      for (const key of Object.keys(source)) target[key] = source[key];
      return target;
    },
    // Legacy type checks.
    isArray: Array.isArray,
    isBoolean: (arg) => typeof arg === 'boolean',
    isBuffer: (arg) => internal.Buffer.isBuffer(arg),
    isNull: (arg) => arg === null,
    isNullOrUndefined: (arg) => arg === null || arg === undefined,
    isNumber: (arg) => typeof arg === 'number',
    isString: (arg) => typeof arg === 'string',
    isSymbol: (arg) => typeof arg === 'symbol',
    isUndefined: (arg) => arg === undefined,
    isRegExp: types.isRegExp,
    isObject: (arg) => arg !== null && typeof arg === 'object',
    isDate: types.isDate,
    isError,
    isFunction: (arg) => typeof arg === 'function',
    isPrimitive: (arg) => arg === null || (typeof arg !== 'object' && typeof arg !== 'function'),
  };

  // ---------------------------------------------------------------------
  // AssertionError (lib/internal/assert/assertion_error.js), without colors.
  const kReadableOperator = {
    deepStrictEqual: 'Expected values to be strictly deep-equal:',
    strictEqual: 'Expected values to be strictly equal:',
    strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
    deepEqual: 'Expected values to be loosely deep-equal:',
    notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
    notStrictEqual: 'Expected "actual" to be strictly unequal to:',
    notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
    notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
    notIdentical: 'Values have same structure but are not reference-equal:',
    notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
  };
  const kMaxShortLength = 12;

  function copyError(source) {
    const target = Object.assign({ __proto__: Object.getPrototypeOf(source) }, source);
    Object.defineProperty(target, 'message', { value: source.message });
    return target;
  }

  const inspectValue = (val) => inspect(val, {
    compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity,
    showHidden: false, showProxy: false, sorted: true, getters: true,
  });

  // A line diff of the two values' inspections, as Node prints it.
  function createErrDiff(actual, expected, operator, message = '') {
    let other = '';
    let res = '';
    let end = '';
    let skipped = false;
    const actualInspected = inspectValue(actual);
    const actualLines = actualInspected.split('\n');
    const expectedLines = inspectValue(expected).split('\n');
    let i = 0;
    let indicator = '';

    if (operator === 'strictEqual' &&
        ((typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) ||
         (typeof actual === 'function' && typeof expected === 'function'))) {
      operator = 'strictEqualObject';
    }

    if (actualLines.length === 1 && expectedLines.length === 1 && actualLines[0] !== expectedLines[0]) {
      const inputLength = actualLines[0].length + expectedLines[0].length;
      if (inputLength <= kMaxShortLength) {
        if ((typeof actual !== 'object' || actual === null) && (typeof expected !== 'object' || expected === null) &&
            (actual !== 0 || expected !== 0)) {
          return `${message || kReadableOperator[operator]}\n\n${actualLines[0]} !== ${expectedLines[0]}\n`;
        }
      } else if (operator !== 'strictEqualObject' && inputLength < 80) {
        // Point at the first difference.
        while (actualLines[0][i] === expectedLines[0][i]) i++;
        if (i > 2) {
          indicator = `\n  ${' '.repeat(i)}^`;
          i = 0;
        }
      }
    }

    // Common trailing lines are shown once (at most three of them).
    let a = actualLines[actualLines.length - 1];
    let b = expectedLines[expectedLines.length - 1];
    while (a === b) {
      if (i++ < 3) end = `\n  ${a}${end}`;
      else other = a;
      actualLines.pop();
      expectedLines.pop();
      if (actualLines.length === 0 || expectedLines.length === 0) break;
      a = actualLines[actualLines.length - 1];
      b = expectedLines[expectedLines.length - 1];
    }

    const maxLines = Math.max(actualLines.length, expectedLines.length);
    if (maxLines === 0) {
      const lines = actualInspected.split('\n');
      if (lines.length > 50) {
        lines[46] = '...';
        while (lines.length > 47) lines.pop();
      }
      return `${kReadableOperator.notIdentical}\n\n${lines.join('\n')}\n`;
    }

    if (i >= 5) {
      end = `\n...${end}`;
      skipped = true;
    }
    if (other !== '') {
      end = `\n  ${other}${end}`;
      other = '';
    }

    let printedLines = 0;
    let identical = 0;
    const msg = `${message || kReadableOperator[operator]}\n+ actual - expected`;
    const skippedMsg = ' ... Lines skipped';
    let lines = actualLines;
    let plusMinus = '+';
    let maxLength = expectedLines.length;
    if (actualLines.length < maxLines) {
      lines = expectedLines;
      plusMinus = '-';
      maxLength = actualLines.length;
    }

    // Context before a difference: up to two identical lines, or "...".
    const addContext = (source) => {
      if (identical > 2) {
        if (identical > 3) {
          if (identical > 4) {
            if (identical === 5) {
              res += `\n  ${source[i - 3]}`;
              printedLines++;
            } else {
              res += '\n...';
              skipped = true;
            }
          }
          res += `\n  ${source[i - 2]}`;
          printedLines++;
        }
        res += `\n  ${source[i - 1]}`;
        printedLines++;
      }
      identical = 0;
    };

    for (i = 0; i < maxLines; i++) {
      if (maxLength < i + 1) {
        addContext(lines);
        if (lines === actualLines) res += `\n${plusMinus} ${lines[i]}`;
        else other += `\n${plusMinus} ${lines[i]}`;
        printedLines++;
      } else {
        const expectedLine = expectedLines[i];
        let actualLine = actualLines[i];
        // Lines differing only by a trailing comma count as the same.
        let divergingLines = actualLine !== expectedLine &&
          (!actualLine.endsWith(',') || actualLine.slice(0, -1) !== expectedLine);
        if (divergingLines && expectedLine.endsWith(',') && expectedLine.slice(0, -1) === actualLine) {
          divergingLines = false;
          actualLine += ',';
        }
        if (divergingLines) {
          addContext(actualLines);
          res += `\n+ ${actualLine}`;
          other += `\n- ${expectedLine}`;
          printedLines += 2;
        } else {
          res += other;
          other = '';
          identical++;
          if (identical <= 2) {
            res += `\n  ${actualLine}`;
            printedLines++;
          }
        }
      }
      if (printedLines > 50 && i < maxLines - 2) {
        return `${msg}${skippedMsg}\n${res}\n...${other}\n...`;
      }
    }
    return `${msg}${skipped ? skippedMsg : ''}\n${res}${other}${end}${indicator}`;
  }

  function addEllipsis(string) {
    const lines = string.split('\n', 11);
    if (lines.length > 10) {
      lines.length = 10;
      return `${lines.join('\n')}\n...`;
    } else if (string.length > 512) {
      return `${string.slice(512)}...`;
    }
    return string;
  }

  class AssertionError extends Error {
    constructor(options) {
      validateObject(options, 'options');
      const { message, operator, details } = options;
      let { actual, expected } = options;

      if (message != null) {
        if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
          super(createErrDiff(actual, expected, operator, message));
        } else {
          super(String(message));
        }
      } else {
        if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null &&
            'stack' in actual && actual instanceof Error && 'stack' in expected && expected instanceof Error) {
          actual = copyError(actual);
          expected = copyError(expected);
        }
        if (operator === 'deepStrictEqual' || operator === 'strictEqual') {
          super(createErrDiff(actual, expected, operator));
        } else if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
          let base = kReadableOperator[operator];
          const res = inspectValue(actual).split('\n');
          if (operator === 'notStrictEqual' &&
              ((typeof actual === 'object' && actual !== null) || typeof actual === 'function')) {
            base = kReadableOperator.notStrictEqualObject;
          }
          if (res.length > 50) {
            res[46] = '...';
            while (res.length > 47) res.pop();
          }
          if (res.length === 1) super(`${base}${res[0].length > 5 ? '\n\n' : ' '}${res[0]}`);
          else super(`${base}\n\n${res.join('\n')}\n`);
        } else {
          let res = inspectValue(actual);
          let other = inspectValue(expected);
          const knownOperator = kReadableOperator[operator];
          if (operator === 'notDeepEqual' && res === other) {
            res = `${knownOperator}\n\n${res}`;
            if (res.length > 1024) res = `${res.slice(0, 1021)}...`;
            super(res);
          } else {
            if (res.length > 512) res = `${res.slice(0, 509)}...`;
            if (other.length > 512) other = `${other.slice(0, 509)}...`;
            if (operator === 'deepEqual') {
              res = `${knownOperator}\n\n${res}\n\nshould loosely deep-equal\n\n`;
            } else {
              const newOp = kReadableOperator[`${operator}Unequal`];
              if (newOp) res = `${newOp}\n\n${res}\n\nshould not loosely deep-equal\n\n`;
              else other = ` ${operator} ${other}`;
            }
            super(`${res}${other}`);
          }
        }
      }

      this.generatedMessage = !message;
      Object.defineProperty(this, 'name', {
        value: 'AssertionError', enumerable: false, writable: true, configurable: true,
      });
      this.code = 'ERR_ASSERTION';
      if (details) {
        this.actual = undefined;
        this.expected = undefined;
        this.operator = undefined;
        for (let i = 0; i < details.length; i++) {
          this['message ' + i] = details[i].message;
          this['actual ' + i] = details[i].actual;
          this['expected ' + i] = details[i].expected;
          this['operator ' + i] = details[i].operator;
          this['stack trace ' + i] = details[i].stack;
        }
      } else {
        this.actual = actual;
        this.expected = expected;
        this.operator = operator;
      }
    }

    toString() {
      return `${this.name} [${this.code}]: ${this.message}`;
    }

    [inspect.custom](recurseTimes, ctx) {
      const tmpActual = this.actual;
      const tmpExpected = this.expected;
      if (typeof this.actual === 'string') this.actual = addEllipsis(this.actual);
      if (typeof this.expected === 'string') this.expected = addEllipsis(this.expected);
      const result = inspect(this, { ...ctx, customInspect: false, depth: 0 });
      this.actual = tmpActual;
      this.expected = tmpExpected;
      return result;
    }
  }

  // ---------------------------------------------------------------------
  // assert (lib/assert.js)
  const NO_EXCEPTION_SENTINEL = {};

  function innerFail(obj) {
    if (obj.message instanceof Error) throw obj.message;
    throw new AssertionError(obj);
  }

  function innerOk(argLen, value, message) {
    if (!value) {
      let generatedMessage = false;
      if (argLen === 0) {
        generatedMessage = true;
        message = 'No value argument passed to `assert.ok()`';
      } else if (message == null) {
        generatedMessage = true;
      } else if (isError(message)) {
        throw message;
      }
      const err = new AssertionError({ actual: value, expected: true, message, operator: '==' });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }

  function ok(...args) {
    innerOk(args.length, ...args);
  }
  const assert = ok;
  assert.ok = ok;
  assert.AssertionError = AssertionError;

  let failWarned = false;
  assert.fail = function fail(actual, expected, message, operator) {
    const argsLen = arguments.length;
    let internalMessage = false;
    if (actual == null && argsLen <= 1) {
      internalMessage = true;
      message = 'Failed';
    } else if (argsLen === 1) {
      message = actual;
      actual = undefined;
    } else {
      if (!failWarned) {
        failWarned = true;
        process.emitWarning('assert.fail() with more than one argument is deprecated. ' +
          'Please use assert.strictEqual() instead or only pass a message.', 'DeprecationWarning', 'DEP0094');
      }
      if (argsLen === 2) operator = '!=';
    }
    if (message instanceof Error) throw message;
    const err = new AssertionError({
      actual, expected, operator: operator === undefined ? 'fail' : operator, message,
    });
    if (internalMessage) err.generatedMessage = true;
    throw err;
  };

  // The two-value assertions: `passes(actual, expected)` decides.
  function comparison(name, operator, passes) {
    return {
      [name](actual, expected, message) {
        if (arguments.length < 2) throw missingArgs('actual', 'expected');
        if (!passes(actual, expected)) innerFail({ actual, expected, message, operator });
      },
    }[name];
  }
  /* eslint-disable eqeqeq */
  assert.equal = comparison('equal', '==',
    (a, e) => a == e || (Number.isNaN(a) && Number.isNaN(e)));
  assert.notEqual = comparison('notEqual', '!=',
    (a, e) => !(a == e || (Number.isNaN(a) && Number.isNaN(e))));
  /* eslint-enable eqeqeq */
  assert.deepEqual = comparison('deepEqual', 'deepEqual', isDeepEqual);
  assert.notDeepEqual = comparison('notDeepEqual', 'notDeepEqual', (a, e) => !isDeepEqual(a, e));
  assert.deepStrictEqual = comparison('deepStrictEqual', 'deepStrictEqual', isDeepStrictEqual);
  assert.notDeepStrictEqual = comparison('notDeepStrictEqual', 'notDeepStrictEqual', (a, e) => !isDeepStrictEqual(a, e));
  assert.strictEqual = comparison('strictEqual', 'strictEqual', Object.is);
  assert.notStrictEqual = comparison('notStrictEqual', 'notStrictEqual', (a, e) => !Object.is(a, e));

  class Comparison {
    constructor(obj, keys, actual) {
      for (const key of keys) {
        if (key in obj) {
          if (actual !== undefined && typeof actual[key] === 'string' && types.isRegExp(obj[key]) &&
              obj[key].exec(actual[key]) !== null) {
            this[key] = actual[key];
          } else {
            this[key] = obj[key];
          }
        }
      }
    }
  }

  function compareExceptionKey(actual, expected, key, message, keys, fn) {
    if (!(key in actual) || !isDeepStrictEqual(actual[key], expected[key])) {
      if (!message) {
        const a = new Comparison(actual, keys);
        const b = new Comparison(expected, keys, actual);
        const err = new AssertionError({ actual: a, expected: b, operator: 'deepStrictEqual' });
        err.actual = actual;
        err.expected = expected;
        err.operator = fn.name;
        throw err;
      }
      innerFail({ actual, expected, message, operator: fn.name });
    }
  }

  function expectedException(actual, expected, message, fn) {
    let generatedMessage = false;
    let throwError = false;
    if (typeof expected !== 'function') {
      if (types.isRegExp(expected)) {
        const str = String(actual);
        if (expected.exec(str) !== null) return;
        if (!message) {
          generatedMessage = true;
          message = 'The input did not match the regular expression ' +
            `${inspect(expected)}. Input:\n\n${inspect(str)}\n`;
        }
        throwError = true;
      } else if (typeof actual !== 'object' || actual === null) {
        const err = new AssertionError({ actual, expected, message, operator: 'deepStrictEqual' });
        err.operator = fn.name;
        throw err;
      } else {
        // Every own key of `expected` (plus name and message for errors) must match.
        const keys = Object.keys(expected);
        if (expected instanceof Error) keys.push('name', 'message');
        else if (keys.length === 0) throw invalidArgValue('error', expected, 'may not be an empty object');
        for (const key of keys) {
          if (typeof actual[key] === 'string' && types.isRegExp(expected[key]) && expected[key].exec(actual[key]) !== null) {
            continue;
          }
          compareExceptionKey(actual, expected, key, message, keys, fn);
        }
        return;
      }
    } else if (expected.prototype !== undefined && actual instanceof expected) {
      return;
    } else if (Object.prototype.isPrototypeOf.call(Error, expected)) {
      if (!message) {
        generatedMessage = true;
        message = `The error is expected to be an instance of "${expected.name}". Received `;
        if (isError(actual)) {
          const name = (actual.constructor && actual.constructor.name) || actual.name;
          if (expected.name === name) message += 'an error with identical name but a different prototype.';
          else message += `"${name}"`;
          if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
        } else {
          message += `"${inspect(actual, { depth: -1 })}"`;
        }
      }
      throwError = true;
    } else {
      // A validation function.
      const res = Reflect.apply(expected, {}, [actual]);
      if (res !== true) {
        if (!message) {
          generatedMessage = true;
          const name = expected.name ? `"${expected.name}" ` : '';
          message = `The ${name}validation function is expected to return "true". Received ${inspect(res)}`;
          if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
        }
        throwError = true;
      }
    }
    if (throwError) {
      const err = new AssertionError({ actual, expected, message, operator: fn.name });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }

  function getActual(fn) {
    validateFunction(fn, 'fn');
    try {
      fn();
    } catch (e) {
      return e;
    }
    return NO_EXCEPTION_SENTINEL;
  }

  const checkIsPromise = (obj) => types.isPromise(obj) ||
    (obj !== null && typeof obj === 'object' && typeof obj.then === 'function' && typeof obj.catch === 'function');

  async function waitForActual(promiseFn) {
    let resultPromise;
    if (typeof promiseFn === 'function') {
      resultPromise = promiseFn();
      if (!checkIsPromise(resultPromise)) {
        throw nodeError(TypeError, 'ERR_INVALID_RETURN_VALUE', 'Expected instance of Promise to be returned from the ' +
          `"promiseFn" function but got ${determineSpecificType(resultPromise)}.`);
      }
    } else if (checkIsPromise(promiseFn)) {
      resultPromise = promiseFn;
    } else {
      throw invalidArgType('promiseFn', ['Function', 'Promise'], promiseFn);
    }
    try {
      await resultPromise;
    } catch (e) {
      return e;
    }
    return NO_EXCEPTION_SENTINEL;
  }

  function expectsError(fn, actual, error, message) {
    if (typeof error === 'string') {
      if (arguments.length === 4) throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
      if (typeof actual === 'object' && actual !== null) {
        if (actual.message === error) {
          throw nodeError(TypeError, 'ERR_AMBIGUOUS_ARGUMENT',
            `The "error/message" argument is ambiguous. The error message "${actual.message}" is identical to the message.`);
        }
      } else if (actual === error) {
        throw nodeError(TypeError, 'ERR_AMBIGUOUS_ARGUMENT',
          `The "error/message" argument is ambiguous. The error "${actual}" is identical to the message.`);
      }
      message = error;
      error = undefined;
    } else if (error != null && typeof error !== 'object' && typeof error !== 'function') {
      throw invalidArgType('error', ['Object', 'Error', 'Function', 'RegExp'], error);
    }
    if (actual === NO_EXCEPTION_SENTINEL) {
      let details = '';
      if (error && error.name) details += ` (${error.name})`;
      details += message ? `: ${message}` : '.';
      const fnType = fn === assert.rejects ? 'rejection' : 'exception';
      innerFail({
        actual: undefined, expected: error, operator: fn.name, message: `Missing expected ${fnType}${details}`,
      });
    }
    if (!error) return;
    expectedException(actual, error, message, fn);
  }

  function hasMatchingError(actual, expected) {
    if (typeof expected !== 'function') {
      if (types.isRegExp(expected)) return expected.exec(String(actual)) !== null;
      throw invalidArgType('expected', ['Function', 'RegExp'], expected);
    }
    if (expected.prototype !== undefined && actual instanceof expected) return true;
    if (Object.prototype.isPrototypeOf.call(Error, expected)) return false;
    return Reflect.apply(expected, {}, [actual]) === true;
  }

  function expectsNoError(fn, actual, error, message) {
    if (actual === NO_EXCEPTION_SENTINEL) return;
    if (typeof error === 'string') {
      message = error;
      error = undefined;
    }
    if (!error || hasMatchingError(actual, error)) {
      const details = message ? `: ${message}` : '.';
      const fnType = fn === assert.doesNotReject ? 'rejection' : 'exception';
      innerFail({
        actual, expected: error, operator: fn.name,
        message: `Got unwanted ${fnType}${details}\nActual message: "${actual && actual.message}"`,
      });
    }
    throw actual;
  }

  assert.throws = function throws(promiseFn, ...args) {
    expectsError(throws, getActual(promiseFn), ...args);
  };
  assert.rejects = async function rejects(promiseFn, ...args) {
    expectsError(rejects, await waitForActual(promiseFn), ...args);
  };
  assert.doesNotThrow = function doesNotThrow(fn, ...args) {
    expectsNoError(doesNotThrow, getActual(fn), ...args);
  };
  assert.doesNotReject = async function doesNotReject(fn, ...args) {
    expectsNoError(doesNotReject, await waitForActual(fn), ...args);
  };

  assert.ifError = function ifError(err) {
    if (err !== null && err !== undefined) {
      let message = 'ifError got unwanted exception: ';
      if (typeof err === 'object' && typeof err.message === 'string') {
        if (err.message.length === 0 && err.constructor) message += err.constructor.name;
        else message += err.message;
      } else {
        message += inspect(err);
      }
      throw new AssertionError({ actual: err, expected: null, operator: 'ifError', message });
    }
  };

  function internalMatch(string, regexp, message, fn) {
    if (!types.isRegExp(regexp)) throw invalidArgType('regexp', 'RegExp', regexp);
    const match = fn === assert.match;
    if (typeof string !== 'string' || (regexp.exec(string) !== null) !== match) {
      if (message instanceof Error) throw message;
      const generatedMessage = !message;
      message = message || (typeof string !== 'string'
        ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
        : (match ? 'The input did not match the regular expression '
          : 'The input was expected to not match the regular expression ') +
          `${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
      const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name });
      err.generatedMessage = generatedMessage;
      throw err;
    }
  }
  assert.match = function match(string, regexp, message) {
    internalMatch(string, regexp, message, match);
  };
  assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
    internalMatch(string, regexp, message, doesNotMatch);
  };

  function strict(...args) {
    innerOk(args.length, ...args);
  }
  assert.strict = Object.assign(strict, assert, {
    equal: assert.strictEqual,
    deepEqual: assert.deepStrictEqual,
    notEqual: assert.notStrictEqual,
    notDeepEqual: assert.notDeepStrictEqual,
  });
  assert.strict.strict = assert.strict;

  // ---------------------------------------------------------------------
  // timers and timers/promises, over the prelude's timers.
  function validateTimerOptions(options) {
    validateObject(options, 'options');
    if (options.ref !== undefined) validateBoolean(options.ref, 'options.ref');
  }

  const timersPromises = {
    setTimeout(after, value, options = {}) {
      try {
        if (after !== undefined) validateNumber(after, 'delay');
        validateTimerOptions(options);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, after, value);
        if (options.ref === false) timer.unref();
      });
    },
    setImmediate(value, options = {}) {
      try {
        validateTimerOptions(options);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve) => {
        const timer = setImmediate(resolve, value);
        if (options.ref === false) timer.unref();
      });
    },
  };
  timersPromises.scheduler = {
    wait: (delay, options) => timersPromises.setTimeout(delay, undefined, options),
    yield: () => timersPromises.setImmediate(),
  };
  // util.promisify(setTimeout) resolves after the delay, like Node's.
  for (const [fn, promised] of [[setTimeout, timersPromises.setTimeout], [setImmediate, timersPromises.setImmediate]]) {
    Object.defineProperty(fn, kCustomPromisified, { value: promised, enumerable: true, configurable: true });
  }

  internal.isDeepStrictEqual = isDeepStrictEqual;
  internal.builtins.util = () => util;
  internal.builtins.assert = () => assert;
  internal.builtins['assert/strict'] = () => assert.strict;
  internal.builtins['util/types'] = () => types;
  internal.builtins.timers = () => ({
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    setImmediate: globalThis.setImmediate,
    clearImmediate: globalThis.clearImmediate,
    promises: timersPromises,
  });
  internal.builtins['timers/promises'] = () => timersPromises;
})
