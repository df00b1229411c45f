// util.inspect / util.format, modelled on Node 20's lib/internal/util/inspect.js
// so that console.log output matches Node's for ordinary values.
//
// Known deviations from Node (no access to engine internals from plain JS):
// - Promise state is not observable: prints `Promise { <unknown> }` unless the
//   host puts `internal.promiseState(p) -> { state, value } | undefined` on
//   `internal` ('pending' | 'fulfilled' | 'rejected').
// - Proxies are not detected (traps may run); Map/Set iterators print as
//   `Object [Map Iterator] {}` (entries can't be previewed without consuming).
// - Built-ins whose prototype was swapped away (Object.setPrototypeOf(new Map, null))
//   are printed as plain objects. WeakMap/WeakSet contents are never shown.
// - Arrays and typed arrays longer than 10,000 elements don't show extra
//   string-keyed properties (finding them means listing every index).
// - `colors` and `compact: true` are not supported (colors are ignored;
//   compact true behaves like 3). showHidden does not list prototype properties.
// - QuickJS error stacks carry no "Name: message" header; it is added from
//   Error.prototype.toString so errors print like Node's.
(function (native, internal) {
  'use strict';

  const customInspect = Symbol.for('nodejs.util.inspect.custom');
  const defaults = {
    showHidden: false, depth: 2, colors: false, customInspect: true, showProxy: false,
    maxArrayLength: 100, maxStringLength: 10000, breakLength: 80, compact: 3,
    sorted: false, getters: false, numericSeparator: false,
  };
  const kObjectType = 0, kArrayType = 1, kArrayExtrasType = 2;

  const hasOwn = Object.hasOwn;
  const objToString = Object.prototype.toString;
  const isEnumerable = Object.prototype.propertyIsEnumerable;
  const fnToString = Function.prototype.toString;
  const symToString = Symbol.prototype.toString;
  const errToString = Error.prototype.toString;
  const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
  const typedArrayTag = getter(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag);
  const typedArrayLength = getter(Object.getPrototypeOf(Uint8Array.prototype), 'length');
  const mapSize = getter(Map.prototype, 'size');
  const setSize = getter(Set.prototype, 'size');
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;

  // Brand checks. The toStringTag only selects a candidate; an intrinsic that
  // throws on the wrong receiver confirms it, so spoofed tags fall back to
  // plain-object formatting.
  const brand = (method) => (v) => method.call(v, v);
  const brands = {
    Map: brand(mapSize),
    Set: brand(setSize),
    WeakMap: brand(WeakMap.prototype.has),
    WeakSet: brand(WeakSet.prototype.has),
    Date: brand(Date.prototype.getTime),
    RegExp: brand(getter(RegExp.prototype, 'source')),
    ArrayBuffer: brand(getter(ArrayBuffer.prototype, 'byteLength')),
    DataView: brand(getter(DataView.prototype, 'byteLength')),
    Number: brand(Number.prototype.valueOf),
    String: brand(String.prototype.valueOf),
    Boolean: brand(Boolean.prototype.valueOf),
    BigInt: brand(BigInt.prototype.valueOf),
    Symbol: brand(Symbol.prototype.valueOf),
    Error: () => true,
    Arguments: () => true,
    Promise: () => true,
  };
  if (typeof SharedArrayBuffer === 'function') {
    brands.SharedArrayBuffer = brand(getter(SharedArrayBuffer.prototype, 'byteLength'));
  }
  const boxedKinds = new Set(['Number', 'String', 'Boolean', 'BigInt', 'Symbol']);

  function kindOf(v) {
    if (Array.isArray(v)) return 'Array';
    if (typeof v === 'function') return 'Function';
    if (typedArrayTag.call(v) !== undefined) return 'TypedArray';
    const tag = objToString.call(v).slice(8, -1);
    const check = hasOwn(brands, tag) ? brands[tag] : undefined;
    if (check !== undefined) {
      try { check(v); return tag; } catch { /* a spoofed tag */ }
    }
    // Like Node's isError: DOMException and other Error-derived objects count.
    return isInstanceof(v, Error) ? 'Error' : 'Object';
  }

  function internalName(v, kind) {
    if (kind === 'TypedArray') return typedArrayTag.call(v);
    return kind === 'Arguments' || boxedKinds.has(kind) ? 'Object' : kind;
  }

  const builtInObjects = new Set(('Object Function Array Number Boolean String Symbol BigInt Date ' +
    'Promise RegExp Error AggregateError EvalError RangeError ReferenceError SyntaxError TypeError ' +
    'URIError ArrayBuffer SharedArrayBuffer DataView Map Set WeakMap WeakSet WeakRef ' +
    'FinalizationRegistry Proxy Reflect JSON Math Atomics Intl Int8Array Uint8Array ' +
    'Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array ' +
    'BigInt64Array BigUint64Array WebAssembly').split(' '));

  /* eslint-disable no-control-regex */
  const strEscapeRe = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const strEscapeReSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  /* eslint-enable no-control-regex */
  const numberRegExp = /^(0|[1-9][0-9]*)$/;
  const classRegExp = /^(\s+[^(]*?)\s*{/;
  const stripCommentsRegExp = /(\/\/.*?\n)|(\/\*(.|\n)*?\*\/)/g;
  const specialEscapes = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };

  function escapeFn(ch) {
    const c = ch.charCodeAt(0);
    if (hasOwn(specialEscapes, c)) return specialEscapes[c];
    return c < 0xa0 ? '\\x' + c.toString(16).toUpperCase().padStart(2, '0') : '\\u' + c.toString(16);
  }

  // Regex calls are slow in QuickJS; short strings (the common case) are scanned by hand.
  function isPlain(str, quote) {
    if (str.length > 64) return false;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 0x20 || c === quote || c === 0x5c || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return false;
    }
    return true;
  }

  function isIdentifier(key) {
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f ||
          (i > 0 && c >= 0x30 && c <= 0x39))) return false;
    }
    return key.length > 0;
  }

  // Quote with ' unless the string contains ' (then " or `), escaping like Node.
  function strEscape(str) {
    let quote = "'", re = strEscapeRe;
    if (str.includes("'")) {
      if (!str.includes('"')) quote = '"';
      else if (!str.includes('`') && !str.includes('${')) quote = '`';
      if (quote !== "'") re = strEscapeReSingle;
    }
    if (!isPlain(str, quote === "'" ? 0x27 : -1)) str = str.replace(re, escapeFn);
    return quote + str + quote;
  }

  function addNumericSeparator(s) {
    let result = '', i = s.length;
    const start = s[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) result = `_${s.slice(i - 3, i)}${result}`;
    return i === s.length ? s : `${s.slice(0, i)}${result}`;
  }

  function formatNumber(n, separator) {
    if (Object.is(n, -0)) return '-0';
    const s = `${n}`;
    if (!separator || !Number.isFinite(n) || s.includes('e')) return s;
    const dot = s.indexOf('.');
    if (dot === -1) return addNumericSeparator(s);
    const frac = s.slice(dot + 1).replace(/(\d{3})(?=\d)/g, '$1_');
    return `${addNumericSeparator(s.slice(0, dot))}.${frac}`;
  }

  const formatBigInt = (n, separator) => `${separator ? addNumericSeparator(`${n}`) : n}n`;

  function formatPrimitive(value, ctx) {
    switch (typeof value) {
      case 'string': {
        let trailer = '';
        if (value.length > ctx.maxStringLength) {
          const remaining = value.length - ctx.maxStringLength;
          value = value.slice(0, ctx.maxStringLength);
          trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
        }
        if (ctx.compact !== true && value.length > 16 &&
            value.length > ctx.breakLength - ctx.indentationLvl - 4) {
          return value.split(/(?<=\n)/).map(strEscape)
            .join(` +\n${' '.repeat(ctx.indentationLvl + 2)}`) + trailer;
        }
        return strEscape(value) + trailer;
      }
      case 'number': return formatNumber(value, ctx.numericSeparator);
      case 'bigint': return formatBigInt(value, ctx.numericSeparator);
      case 'symbol': return symToString.call(value);
      default: return String(value);
    }
  }

  function isInstanceof(object, ctor) {
    try { return object instanceof ctor; } catch { return false; }
  }

  function getConstructorName(obj, ctx, recurseTimes, kind) {
    let firstProto;
    const tmp = obj;
    while (obj) {
      const desc = Object.getOwnPropertyDescriptor(obj, 'constructor');
      if (desc !== undefined && typeof desc.value === 'function' && desc.value.name !== '' &&
          isInstanceof(tmp, desc.value)) {
        return String(desc.value.name);
      }
      obj = Object.getPrototypeOf(obj);
      if (firstProto === undefined) firstProto = obj;
    }
    if (firstProto === null) return null;
    const res = internalName(tmp, kind);
    if (ctx.depth !== null && recurseTimes > ctx.depth) return `${res} <Complex prototype>`;
    const protoConstr = getConstructorName(firstProto, ctx, recurseTimes + 1, kindOf(firstProto));
    if (protoConstr === null) {
      return `${res} <${inspect(firstProto, { ...userOptions(ctx), customInspect: false, depth: -1 })}>`;
    }
    return `${res} <${protoConstr}>`;
  }

  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    if (tag !== '' && constructor !== tag) return `${constructor}${size} [${tag}] `;
    return `${constructor}${size} `;
  }

  function getCtxStyle(value, constructor, tag, kind) {
    let fallback = '';
    if (constructor === null) {
      fallback = internalName(value, kind);
      if (fallback === tag) fallback = 'Object';
    }
    return getPrefix(constructor, tag, fallback);
  }

  function getKeys(value, showHidden) {
    const symbols = Object.getOwnPropertySymbols(value);
    const keys = showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
    for (const s of symbols) if (showHidden || isEnumerable.call(value, s)) keys.push(s);
    return keys;
  }

  const isIndex = (k) => numberRegExp.test(k) && +k < 4294967295;

  function getNonIndexKeys(value, showHidden, length) {
    if (length > 10000) {
      // Listing a million index keys to find a rare extra property costs more
      // than it is worth; only symbol keys are looked at.
      const keys = showHidden && Array.isArray(value) ? ['length'] : [];
      for (const s of Object.getOwnPropertySymbols(value)) if (showHidden || isEnumerable.call(value, s)) keys.push(s);
      return keys;
    }
    const all = getKeys(value, showHidden);
    // Index keys come first in ascending order; skip a dense prefix in one step.
    let i = length > 0 && all[length - 1] === `${length - 1}` ? length : 0;
    const out = [];
    for (; i < all.length; i++) if (typeof all[i] === 'symbol' || !isIndex(all[i])) out.push(all[i]);
    return out;
  }

  const noEntries = () => [];
  const unknownEntries = () => ['<items unknown>'];
  const tooDeep = (ctx, recurseTimes) => ctx.depth !== null && recurseTimes > ctx.depth;

  function userOptions(ctx) {
    const opts = {};
    for (const key of Object.keys(defaults)) opts[key] = ctx[key];
    opts.stylize = ctx.stylize;
    return Object.assign(opts, ctx.userOptions);
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value, ctx);
    if (value === null) return 'null';

    if (ctx.customInspect) {
      const maybeCustom = value[customInspect];
      if (typeof maybeCustom === 'function' && maybeCustom !== inspect &&
          !(value.constructor && value.constructor.prototype === value)) {
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const ret = maybeCustom.call(value, depth, userOptions(ctx), inspect);
        if (ret !== value) {
          if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
          return ret.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
        }
      }
    }

    if (ctx.seen.includes(value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = new Map([[value, index]]);
      } else {
        index = ctx.circular.get(value);
        if (index === undefined) {
          index = ctx.circular.size + 1;
          ctx.circular.set(value, index);
        }
      }
      return `[Circular *${index}]`;
    }
    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    const kind = kindOf(value);
    const constructor = getConstructorName(value, ctx, recurseTimes, kind);
    let tag = value[Symbol.toStringTag];
    if (typeof tag !== 'string' ||
        (tag !== '' && (ctx.showHidden ? hasOwn : (o, k) => isEnumerable.call(o, k))(value, Symbol.toStringTag))) {
      tag = '';
    }
    let keys, base = '', formatter = noEntries, braces = ['{', '}'], extrasType = kObjectType;

    if (kind === 'Array') {
      const prefix = constructor !== 'Array' || tag !== ''
        ? getPrefix(constructor, tag, 'Array', `(${value.length})`) : '';
      keys = getNonIndexKeys(value, ctx.showHidden, value.length);
      braces = [`${prefix}[`, ']'];
      if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
      extrasType = kArrayExtrasType;
      formatter = formatArray;
    } else if (kind === 'Set' || kind === 'Map') {
      const size = (kind === 'Set' ? setSize : mapSize).call(value);
      const prefix = getPrefix(constructor, tag, kind, `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = kind === 'Set' ? formatSet : formatMap;
      if (size === 0 && keys.length === 0) return `${prefix}{}`;
      braces = [`${prefix}{`, '}'];
    } else if (kind === 'TypedArray') {
      const size = typedArrayLength.call(value);
      keys = getNonIndexKeys(value, ctx.showHidden, size);
      const fallback = constructor === null ? typedArrayTag.call(value) : '';
      braces = [`${getPrefix(constructor, tag, fallback, `(${size})`)}[`, ']'];
      if (size === 0 && keys.length === 0 && !ctx.showHidden) return `${braces[0]}]`;
      formatter = formatTypedArray;
      extrasType = kArrayExtrasType;
    } else {
      keys = getKeys(value, ctx.showHidden);
      if (kind === 'Function') {
        base = getFunctionBase(value, constructor, tag);
        if (keys.length === 0) return base;
      } else if (constructor === 'Object') {
        if (kind === 'Arguments') braces[0] = '[Arguments] {';
        else if (tag !== '') braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
        if (keys.length === 0) return `${braces[0]}}`;
      } else if (kind === 'RegExp') {
        base = RegExp.prototype.toString.call(constructor !== null ? value : new RegExp(value));
        const prefix = getPrefix(constructor, tag, 'RegExp');
        if (prefix !== 'RegExp ') base = `${prefix}${base}`;
        if (keys.length === 0 || tooDeep(ctx, recurseTimes)) return base;
      } else if (kind === 'Date') {
        base = Number.isNaN(Date.prototype.getTime.call(value))
          ? Date.prototype.toString.call(value) : Date.prototype.toISOString.call(value);
        const prefix = getPrefix(constructor, tag, 'Date');
        if (prefix !== 'Date ') base = `${prefix}${base}`;
        if (keys.length === 0) return base;
      } else if (kind === 'Error') {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0) return base;
      } else if (kind === 'ArrayBuffer' || kind === 'SharedArrayBuffer') {
        const prefix = getPrefix(constructor, tag, kind);
        if (typedArray === undefined) formatter = formatArrayBuffer;
        else if (keys.length === 0) return `${prefix}{ byteLength: ${formatNumber(value.byteLength, false)} }`;
        braces[0] = `${prefix}{`;
        keys.unshift('byteLength');
      } else if (kind === 'DataView') {
        braces[0] = `${getPrefix(constructor, tag, 'DataView')}{`;
        keys.unshift('byteLength', 'byteOffset', 'buffer');
      } else if (kind === 'Promise') {
        braces[0] = `${getPrefix(constructor, tag, 'Promise')}{`;
        formatter = formatPromise;
      } else if (kind === 'WeakSet' || kind === 'WeakMap') {
        braces[0] = `${getPrefix(constructor, tag, kind)}{`;
        formatter = unknownEntries;
      } else if (boxedKinds.has(kind)) {
        base = getBoxedBase(value, ctx, keys, constructor, tag, kind);
        if (keys.length === 0) return base;
      } else {
        if (keys.length === 0) return `${getCtxStyle(value, constructor, tag, kind)}{}`;
        braces[0] = `${getCtxStyle(value, constructor, tag, kind)}{`;
      }
    }

    if (tooDeep(ctx, recurseTimes)) {
      const name = getCtxStyle(value, constructor, tag, kind).slice(0, -1);
      return constructor !== null ? `[${name}]` : name;
    }
    recurseTimes += 1;
    ctx.seen.push(value);
    ctx.currentDepth = recurseTimes;
    const output = formatter(ctx, value, recurseTimes);
    for (let i = 0; i < keys.length; i++) {
      output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) base = base === '' ? `<ref *${index}>` : `<ref *${index}> ${base}`;
    }
    ctx.seen.pop();

    if (ctx.sorted) {
      const cmp = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === kObjectType) output.sort(cmp);
      else if (keys.length > 1) {
        const sorted = output.slice(output.length - keys.length).sort(cmp);
        output.splice(output.length - keys.length, keys.length, ...sorted);
      }
    }
    return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  }

  function getFunctionBase(value, constructor, tag) {
    const source = fnToString.call(value);
    if (source.startsWith('class') && source.endsWith('}')) {
      const slice = source.slice(5, -1);
      const bracketIndex = slice.indexOf('{');
      if (bracketIndex !== -1 && (!slice.slice(0, bracketIndex).includes('(') ||
          classRegExp.test(slice.replace(stripCommentsRegExp, '')))) {
        return getClassBase(value, constructor, tag);
      }
    }
    const fnTag = objToString.call(value);
    let type = 'Function';
    if (fnTag === '[object GeneratorFunction]' || fnTag === '[object AsyncGeneratorFunction]') type = `Generator${type}`;
    if (fnTag === '[object AsyncFunction]' || fnTag === '[object AsyncGeneratorFunction]') type = `Async${type}`;
    let base = `[${type}`;
    if (constructor === null) base += ' (null prototype)';
    base += value.name === '' ? ' (anonymous)' : `: ${value.name}`;
    base += ']';
    if (constructor !== type && constructor !== null) base += ` ${constructor}`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    return base;
  }

  function getClassBase(value, constructor, tag) {
    const name = (hasOwn(value, 'name') && value.name) || '(anonymous)';
    let base = `class ${name}`;
    if (constructor !== 'Function' && constructor !== null) base += ` [${constructor}]`;
    if (tag !== '' && constructor !== tag) base += ` [${tag}]`;
    if (constructor !== null) {
      const superName = Object.getPrototypeOf(value).name;
      if (superName) base += ` extends ${superName}`;
    } else {
      base += ' extends [null prototype]';
    }
    return `[${base}]`;
  }

  function getBoxedBase(value, ctx, keys, constructor, tag, type) {
    const primitive = globalThis[type].prototype.valueOf.call(value);
    if (type === 'String') keys.splice(0, primitive.length);
    let base = `[${type}`;
    if (type !== constructor) base += constructor === null ? ' (null prototype)' : ` (${constructor})`;
    const compact = ctx.compact;
    ctx.compact = true; // boxed strings are never split across lines
    base += `: ${formatPrimitive(primitive, ctx)}]`;
    ctx.compact = compact;
    if (tag !== '' && tag !== constructor) base += ` [${tag}]`;
    return base;
  }

  function getStackString(err) {
    let stack = err.stack;
    if (!stack) return errToString.call(err);
    stack = String(stack);
    if (stack.startsWith('    at ')) {
      stack = `${errToString.call(err)}\n${stack}`;
      if (stack.endsWith('\n')) stack = stack.slice(0, -1);
    }
    return stack;
  }

  // Length and offset of the first run (> 3 lines) of frames shared with b.
  function identicalSequenceRange(a, b) {
    for (let i = 0; i < a.length - 3; i++) {
      const pos = b.indexOf(a[i]);
      if (pos !== -1) {
        const rest = b.length - pos;
        if (rest > 3) {
          let len = 1;
          const maxLen = Math.min(a.length - i, rest);
          while (maxLen > len && a[i + len] === b[pos + len]) len++;
          if (len > 3) return { len, offset: i };
        }
      }
    }
    return { len: 0, offset: 0 };
  }

  function getStackFrames(err, stack) {
    const frames = stack.split('\n');
    let cause;
    try { ({ cause } = err); } catch { /* a throwing `cause` getter is ignored */ }
    if (cause != null && kindOf(cause) === 'Error') {
      const causeStack = getStackString(cause);
      const start = causeStack.indexOf('\n    at');
      if (start !== -1) {
        const causeFrames = causeStack.slice(start + 1).split('\n');
        const { len, offset } = identicalSequenceRange(frames, causeFrames);
        if (len > 0) {
          const skipped = len - 2;
          frames.splice(offset + 1, skipped, `    ... ${skipped} lines matching cause stack trace ...`);
        }
      }
    }
    return frames;
  }

  function improveStack(stack, constructor, name, tag) {
    let len = name.length;
    if (constructor === null || (name.endsWith('Error') && stack.startsWith(name) &&
        (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
      let fallback = 'Error';
      if (constructor === null) {
        const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/.exec(stack) ||
          /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = getPrefix(constructor, tag, fallback).slice(0, -1);
      if (name !== prefix) {
        if (prefix.includes(name)) {
          stack = len === 0 ? `${prefix}: ${stack}` : `${prefix}${stack.slice(len)}`;
        } else {
          stack = `${prefix} [${name}]${stack.slice(len)}`;
        }
      }
    }
    return stack;
  }

  function formatError(err, constructor, tag, ctx, keys) {
    const name = err.name != null ? String(err.name) : 'Error';
    let stack = getStackString(err);
    if (!ctx.showHidden && keys.length !== 0) {
      for (const key of ['name', 'message', 'stack']) {
        const index = keys.indexOf(key);
        if (index !== -1 && stack.includes(err[key])) keys.splice(index, 1);
      }
    }
    if ('cause' in err && !keys.includes('cause')) keys.push('cause');
    if (Array.isArray(err.errors) && !keys.includes('errors')) keys.push('errors');
    stack = improveStack(stack, constructor, name, tag);

    let pos = (err.message && stack.indexOf(err.message)) || -1;
    if (pos !== -1) pos += err.message.length;
    const stackStart = stack.indexOf('\n    at', pos);
    if (stackStart === -1) {
      stack = `[${stack}]`;
    } else {
      const lines = getStackFrames(err, stack.slice(stackStart + 1));
      stack = `${stack.slice(0, stackStart)}\n${lines.join('\n')}`;
    }
    if (ctx.indentationLvl !== 0) stack = stack.replaceAll('\n', `\n${' '.repeat(ctx.indentationLvl)}`);
    return stack;
  }

  const remainingText = (n) => `... ${n} more item${n > 1 ? 's' : ''}`;

  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
    const output = [];
    for (let i = 0; i < len; i++) {
      const desc = Object.getOwnPropertyDescriptor(value, i);
      if (desc === undefined) return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
      output.push(formatProperty(ctx, value, recurseTimes, i, kArrayType, desc));
    }
    if (valLen > len) output.push(remainingText(valLen - len));
    return output;
  }

  // Sparse arrays: runs of holes print as `<n empty items>`.
  function formatSpecialArray(ctx, value, recurseTimes, maxLength, output, i) {
    const keys = Object.keys(value);
    let index = i;
    for (; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      if (tmp > 2 ** 32 - 2) break;
      if (`${index}` !== key) {
        if (!numberRegExp.test(key)) break;
        const emptyItems = tmp - index;
        output.push(`<${emptyItems} empty item${emptyItems > 1 ? 's' : ''}>`);
        index = tmp;
        if (output.length === maxLength) break;
      }
      output.push(formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) output.push(`<${remaining} empty item${remaining > 1 ? 's' : ''}>`);
    } else if (remaining > 0) {
      output.push(remainingText(remaining));
    }
    return output;
  }

  function formatTypedArray(ctx, value, recurseTimes) {
    const length = typedArrayLength.call(value);
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = new Array(maxLength);
    for (let i = 0; i < maxLength; ++i) {
      const v = value[i];
      output[i] = typeof v === 'number' ? formatNumber(v, ctx.numericSeparator) : formatBigInt(v, ctx.numericSeparator);
    }
    if (length > maxLength) output[maxLength] = remainingText(length - maxLength);
    if (ctx.showHidden) {
      ctx.indentationLvl += 2;
      for (const key of ['BYTES_PER_ELEMENT', 'length', 'byteLength', 'byteOffset', 'buffer']) {
        output.push(`[${key}]: ${formatValue(ctx, value[key], recurseTimes, true)}`);
      }
      ctx.indentationLvl -= 2;
    }
    return output;
  }

  function formatArrayBuffer(ctx, value) {
    let bytes;
    try { bytes = new Uint8Array(value); } catch { return ['(detached)']; }
    const n = Math.min(ctx.maxArrayLength, bytes.length);
    let str = '';
    for (let i = 0; i < n; i++) str += (i ? ' ' : '') + (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    const remaining = bytes.length - ctx.maxArrayLength;
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return [`[Uint8Contents]: <${str}>`];
  }

  function formatSet(ctx, value, recurseTimes) {
    const length = setSize.call(value);
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    ctx.indentationLvl += 2;
    for (const v of setValues.call(value)) {
      if (output.length >= maxLength) break;
      output.push(formatValue(ctx, v, recurseTimes));
    }
    if (length > maxLength) output.push(remainingText(length - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const length = mapSize.call(value);
    const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
    const output = [];
    ctx.indentationLvl += 2;
    for (const [k, v] of mapEntries.call(value)) {
      if (output.length >= maxLength) break;
      output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
    }
    if (length > maxLength) output.push(remainingText(length - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatPromise(ctx, value, recurseTimes) {
    const details = typeof internal.promiseState === 'function' ? internal.promiseState(value) : undefined;
    if (details === undefined) return ['<unknown>'];
    if (details.state === 'pending') return ['<pending>'];
    ctx.indentationLvl += 2;
    const str = formatValue(ctx, details.value, recurseTimes);
    ctx.indentationLvl -= 2;
    return [details.state === 'rejected' ? `<rejected> ${str}` : str];
  }

  function formatProperty(ctx, value, recurseTimes, key, type, desc) {
    let name, str;
    desc = desc || Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, desc.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else if (desc.get !== undefined) {
      const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
      const g = ctx.getters;
      if (g && (g === true || (g === 'get' && desc.set === undefined) || (g === 'set' && desc.set !== undefined))) {
        try {
          const tmp = desc.get.call(value);
          ctx.indentationLvl += 2;
          if (tmp === null) str = `[${label}: null]`;
          else if (typeof tmp === 'object') str = `[${label}] ${formatValue(ctx, tmp, recurseTimes)}`;
          else str = `[${label}: ${formatPrimitive(tmp, ctx)}]`;
          ctx.indentationLvl -= 2;
        } catch (err) {
          str = `[${label}: <Inspection threw (${err.message})>]`;
        }
      } else {
        str = `[${label}]`;
      }
    } else {
      str = desc.set !== undefined ? '[Setter]' : 'undefined';
    }
    if (type === kArrayType) return str;
    if (typeof key === 'symbol') {
      name = `[${symToString.call(key).replace(strEscapeRe, escapeFn)}]`;
    } else if (key === '__proto__') {
      name = "['__proto__']";
    } else if (desc.enumerable === false) {
      name = `[${key.replace(strEscapeRe, escapeFn)}]`;
    } else if (isIdentifier(key)) {
      name = key;
    } else {
      name = strEscape(key);
    }
    return `${name}: ${str}`;
  }

  // Terminal column width: wide East Asian characters count 2, combining marks 0.
  function getStringWidth(str) {
    let ascii = true;
    for (let i = 0; i < str.length && ascii; i++) ascii = str.charCodeAt(i) >= 0x20 && str.charCodeAt(i) < 0x7f;
    if (ascii) return str.length;
    let width = 0;
    for (const ch of str.normalize('NFC')) {
      const c = ch.codePointAt(0);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || /^[\p{Mn}\p{Me}\p{Cf}]$/u.test(ch)) continue;
      width += (c >= 0x1100 && (c <= 0x115f || c === 0x2329 || c === 0x232a ||
        (c >= 0x2e80 && c <= 0x3247 && c !== 0x303f) || (c >= 0x3250 && c <= 0x4dbf) ||
        (c >= 0x4e00 && c <= 0xa4c6) || (c >= 0xa960 && c <= 0xa97c) || (c >= 0xac00 && c <= 0xd7a3) ||
        (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19) || (c >= 0xfe30 && c <= 0xfe6b) ||
        (c >= 0xff01 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1b000 && c <= 0x1b001) ||
        (c >= 0x1f200 && c <= 0x1f251) || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x20000 && c <= 0x3fffd))) ? 2 : 1;
    }
    return width;
  }

  // Lays out arrays of more than six short entries in aligned columns.
  function groupArrayElements(ctx, output, value) {
    let totalLength = 0, maxLength = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) outputLength--; // the "... more items" entry
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = getStringWidth(output[i]);
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
        (totalLength / actualMax > 5 || maxLength <= 6)) {
      const averageBias = Math.sqrt(actualMax - totalLength / output.length);
      const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      const columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15,
      );
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineMaxLength = 0;
        for (let j = i; j < output.length; j += columns) {
          if (dataLen[j] > lineMaxLength) lineMaxLength = dataLen[j];
        }
        maxLineLength.push(lineMaxLength + separatorSpace);
      }
      let padStart = true;
      if (value !== undefined) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
            padStart = false;
            break;
          }
        }
      }
      for (let i = 0; i < outputLength; i += columns) {
        const max = Math.min(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < max - 1; j++) {
          const padding = maxLineLength[j - i] + output[j].length - dataLen[j];
          str += padStart ? `${output[j]}, `.padStart(padding, ' ') : `${output[j]}, `.padEnd(padding, ' ');
        }
        if (padStart) {
          const padding = maxLineLength[j - i] + output[j].length - dataLen[j] - separatorSpace;
          str += output[j].padStart(padding, ' ');
        } else {
          str += output[j];
        }
        tmp.push(str);
      }
      if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
      output = tmp;
    }
    return output;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength) return false;
    for (let i = 0; i < output.length; i++) {
      totalLength += output[i].length;
      if (totalLength > ctx.breakLength) return false;
    }
    return base === '' || !base.includes('\n');
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    const compact = ctx.compact === true ? 3 : ctx.compact;
    if (typeof compact === 'number' && compact >= 1) {
      const entries = output.length;
      if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
      // Nest up to `compact` inner levels on one line if it fits in breakLength.
      if (ctx.currentDepth - recurseTimes < compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, output, start, base)) {
          const joined = output.join(', ');
          if (!joined.includes('\n')) return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
        }
      }
    }
    const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }

  const identity = (s) => s;
  const primitiveCtx = { ...defaults, indentationLvl: 0 };
  // Per-call state lives on an object inheriting the defaults (cheaper than copying them).
  const ctxProto = { ...defaults, stylize: identity, userOptions: undefined };

  function inspect(value, opts) {
    if (arguments.length === 1 && typeof value !== 'object' && typeof value !== 'function') {
      return formatPrimitive(value, primitiveCtx);
    }
    const ctx = Object.create(ctxProto);
    ctx.seen = [];
    ctx.indentationLvl = 0;
    ctx.currentDepth = 0;
    ctx.circular = undefined;
    if (arguments.length > 1) {
      if (arguments.length > 2) {
        if (arguments[2] !== undefined) ctx.depth = arguments[2];
        if (arguments.length > 3 && arguments[3] !== undefined) ctx.colors = arguments[3];
      }
      if (typeof opts === 'boolean') {
        ctx.showHidden = opts;
      } else if (opts) {
        for (const key of Object.keys(opts)) {
          if (hasOwn(defaults, key) || key === 'stylize') ctx[key] = opts[key];
          else if (ctx.userOptions === undefined) ctx.userOptions = opts;
        }
      }
    }
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspect;
  inspect.defaultOptions = defaults;

  // Whether `%s` should inspect the object (true) or call its own toString (false).
  function hasBuiltInToString(value) {
    let checkToString = true, checkToPrimitive = true;
    if (typeof value.toString !== 'function') {
      if (typeof value[Symbol.toPrimitive] !== 'function') return true;
      if (hasOwn(value, Symbol.toPrimitive)) return false;
      checkToString = false;
    } else if (hasOwn(value, 'toString')) {
      return false;
    } else if (typeof value[Symbol.toPrimitive] !== 'function') {
      checkToPrimitive = false;
    } else if (hasOwn(value, Symbol.toPrimitive)) {
      return false;
    }
    let pointer = value;
    do {
      pointer = Object.getPrototypeOf(pointer);
    } while (!(checkToString && hasOwn(pointer, 'toString')) &&
             !(checkToPrimitive && hasOwn(pointer, Symbol.toPrimitive)));
    const desc = Object.getOwnPropertyDescriptor(pointer, 'constructor');
    return desc !== undefined && typeof desc.value === 'function' && builtInObjects.has(desc.value.name);
  }

  let circularMessage;
  const firstLine = (err) => String(err.message).split('\n', 1)[0];
  function tryStringify(arg) {
    try {
      return JSON.stringify(arg);
    } catch (err) {
      if (circularMessage === undefined) {
        try { const a = {}; a.a = a; JSON.stringify(a); } catch (e) { circularMessage = firstLine(e); }
      }
      if (err.name === 'TypeError' && firstLine(err) === circularMessage) return '[Circular]';
      throw err;
    }
  }

  const inspectWith = (value, options) => (options === undefined ? inspect(value) : inspect(value, options));

  function formatWithOptions(inspectOptions, ...args) {
    const first = args[0];
    const numberOpt = inspectOptions && inspectOptions.numericSeparator;
    let a = 0, str = '', join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      let tempStr, lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: { // 's'
              const arg = args[++a];
              if (typeof arg === 'number') tempStr = formatNumber(arg, numberOpt);
              else if (typeof arg === 'bigint') tempStr = formatBigInt(arg, numberOpt);
              else if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg)) tempStr = String(arg);
              else tempStr = inspect(arg, { ...inspectOptions, compact: 3, colors: false, depth: 0 });
              break;
            }
            case 106: tempStr = tryStringify(args[++a]); break; // 'j'
            case 100: { // 'd'
              const arg = args[++a];
              if (typeof arg === 'bigint') tempStr = formatBigInt(arg, numberOpt);
              else tempStr = typeof arg === 'symbol' ? 'NaN' : formatNumber(Number(arg), numberOpt);
              break;
            }
            case 79: tempStr = inspectWith(args[++a], inspectOptions); break; // 'O'
            case 111: // 'o'
              tempStr = inspect(args[++a], { ...inspectOptions, showHidden: true, showProxy: true, depth: 4 });
              break;
            case 105: { // 'i'
              const arg = args[++a];
              if (typeof arg === 'bigint') tempStr = formatBigInt(arg, numberOpt);
              else tempStr = typeof arg === 'symbol' ? 'NaN' : formatNumber(Number.parseInt(arg), numberOpt);
              break;
            }
            case 102: { // 'f'
              const arg = args[++a];
              tempStr = typeof arg === 'symbol' ? 'NaN' : formatNumber(Number.parseFloat(arg), numberOpt);
              break;
            }
            case 99: a += 1; tempStr = ''; break; // 'c'
            case 37: // '%'
              str += first.slice(lastPos, i);
              lastPos = i + 1;
              continue;
            default:
              continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += first.slice(lastPos);
      }
    }
    while (a < args.length) {
      const value = args[a];
      str += join;
      str += typeof value !== 'string' ? inspectWith(value, inspectOptions) : value;
      join = ' ';
      a++;
    }
    return str;
  }

  internal.inspect = inspect;
  internal.format = (...args) => formatWithOptions(undefined, ...args);
  internal.formatWithOptions = formatWithOptions;
})
