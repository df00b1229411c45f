'use strict';
// Compares util (src/prelude/node_util.js) with Node's.
const test = require('node:test');
const assert = require('node:assert');
const util = require('node:util');
const { loadNode, outcome, plain } = require('./node-env.js');

const env = loadNode();
const myUtil = env.require('util');

// Evaluates `code` in Node's realm and in the guest's.
const here = (code) => new Function(`return (${code});`)();
const there = (code) => env.run(`(${code})`);

const TYPE_VALUES = [
  'new Date()', '/x/g', 'RegExp.prototype', 'Promise.resolve(1)', 'new Map()', 'new Set()', 'new WeakMap()',
  'new WeakSet()', 'new ArrayBuffer(2)', 'new DataView(new ArrayBuffer(2))', 'new Uint8Array(2)', 'Buffer.from("x")',
  'new Float32Array(1)', 'new Float64Array(1)', 'new BigInt64Array(1)', 'new BigUint64Array(1)', 'new Int8Array(1)',
  'new Uint8ClampedArray(1)', 'new Int16Array(1)', 'new Uint16Array(1)', 'new Int32Array(1)', 'new Uint32Array(1)',
  'new Error("x")', 'new TypeError("x")', 'Object.create(Error.prototype)', 'async function () {}', 'function* () {}',
  'async function* () {}', '(function* () {})()', '(async function* () {})()', 'async () => {}', 'new Number(1)',
  'new String("s")', 'Object(1n)', 'Object(Symbol("s"))', 'new Boolean(false)', '1', '"str"', 'null', 'undefined', '{}',
  '[]', 'function () {}', '(function () { return arguments; })()', 'new Map().entries()', 'new Set().values()',
  'class {}', 'Symbol("s")', '1n', 'new Map([[1, 2]]).keys()', 'Object.create(null)',
];

test('util.types matches Node on values of many kinds', () => {
  const names = Object.keys(util.types).filter((n) => n !== 'isProxy' && n !== 'isExternal' && n !== 'isKeyObject' &&
    n !== 'isCryptoKey');
  for (const name of names) assert.strictEqual(typeof myUtil.types[name], 'function', name);
  for (const code of TYPE_VALUES) {
    const value = there(code);
    for (const name of names) {
      assert.strictEqual(myUtil.types[name](value), util.types[name](value), `${name}(${code})`);
    }
  }
});

test('the legacy is* helpers match Node', () => {
  for (const name of ['isArray', 'isBoolean', 'isBuffer', 'isNull', 'isNullOrUndefined', 'isNumber', 'isString',
    'isSymbol', 'isUndefined', 'isRegExp', 'isObject', 'isDate', 'isError', 'isFunction', 'isPrimitive']) {
    for (const code of TYPE_VALUES) {
      assert.strictEqual(myUtil[name](there(code)), util[name](here(code)), `${name}(${code})`);
    }
  }
});

const EQUAL_PAIRS = [
  '[1, 1]', '[1, "1"]', '[0, -0]', '[NaN, NaN]', '[null, undefined]', '[null, null]', '["a", "a"]', '[true, 1]',
  '[{ a: 1, b: 2 }, { b: 2, a: 1 }]', '[{ a: 1 }, { a: 1, b: undefined }]', '[{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }]',
  '[{ a: [1, { b: 2 }] }, { a: [1, { b: "2" }] }]', '[[1, 2, 3], [1, 2, 3]]', '[[1, , 3], [1, undefined, 3]]',
  '[[1, 2], [2, 1]]', '[Object.assign([1], { x: 1 }), [1]]', '[Object.create(null), {}]',
  '[new (class A {})(), new (class A {})()]', '[new Date(0), new Date(0)]', '[new Date(0), new Date(1)]',
  '[/a/g, /a/g]', '[/a/g, /a/i]', '[Object.assign(/a/g, { lastIndex: 1 }), /a/g]', '[new Error("x"), new Error("x")]',
  '[new Error("x"), new Error("y")]', '[new Error("x"), new TypeError("x")]',
  '[new Error("x", { cause: 1 }), new Error("x", { cause: 2 })]', '[new Number(1), new Number(1)]',
  '[new Number(1), 1]', '[new String("a"), new String("b")]', '[new Uint8Array([1, 2]), new Uint8Array([1, 2])]',
  '[new Uint8Array([1, 2]), new Int8Array([1, 2])]', '[new Float64Array([-0]), new Float64Array([0])]',
  '[new Float64Array([NaN]), new Float64Array([NaN])]', '[Buffer.from("ab"), Buffer.from("ab")]',
  '[new ArrayBuffer(2), new ArrayBuffer(2)]', '[new Map([[1, "a"]]), new Map([[1, "a"]])]',
  '[new Map([[1, "a"]]), new Map([["1", "a"]])]', '[new Map([[{ k: 1 }, "a"]]), new Map([[{ k: 1 }, "a"]])]',
  '[new Map([[{}, "a"], [{}, "b"]]), new Map([[{}, "b"], [{}, "a"]])]', '[new Set([1, 2]), new Set([2, 1])]',
  '[new Set([{ a: 1 }, { b: 2 }]), new Set([{ b: 2 }, { a: 1 }])]', '[new Set([1]), new Set(["1"])]',
  '[new Set([null]), new Set([undefined])]', '[{ [Symbol.for("s")]: 1 }, { [Symbol.for("s")]: 1 }]',
  '[{ [Symbol.for("s")]: 1 }, {}]', '(() => { const a = { x: 1 }; a.self = a; const b = { x: 1 }; b.self = b; return [a, b]; })()',
  '(() => { const a = [1]; a.push(a); const b = [1]; b.push(b); return [a, b]; })()',
  '[new URL("http://a/b"), new URL("http://a/b")]', '[new URL("http://a/b"), new URL("http://a/c")]',
  '[() => {}, () => {}]', '[[1, 2], { 0: 1, 1: 2, length: 2 }]', '[{ a: undefined }, { b: undefined }]',
  '[new Set([1, {}]), new Set([1, {}])]', '[new Map([[NaN, 1]]), new Map([[NaN, 1]])]',
];

test('isDeepStrictEqual and loose deep equality match Node', () => {
  const assertTools = env.require('assert');
  const looseNode = (a, b) => { try { assert.deepEqual(a, b); return true; } catch { return false; } };
  const looseMine = (a, b) => { try { assertTools.deepEqual(a, b); return true; } catch { return false; } };
  for (const code of EQUAL_PAIRS) {
    const [a, b] = there(code);
    const [c, d] = here(code);
    assert.strictEqual(myUtil.isDeepStrictEqual(a, b), util.isDeepStrictEqual(c, d), `strict ${code}`);
    assert.strictEqual(myUtil.isDeepStrictEqual(b, a), util.isDeepStrictEqual(d, c), `strict reversed ${code}`);
    assert.strictEqual(looseMine(a, b), looseNode(c, d), `loose ${code}`);
  }
});

test('format and inspect are the prelude\'s', () => {
  for (const args of [['%s=%d', 'a', 1.5], ['%j', { a: [1] }], ['%o', [1]], ['a', { b: 1 }, 2], ['%%s %i', '3.7']]) {
    assert.strictEqual(myUtil.format(...args), util.format(...args));
  }
  assert.strictEqual(myUtil.formatWithOptions({ compact: false }, '%O', { a: 1 }), util.formatWithOptions({ compact: false }, '%O', { a: 1 }));
  assert.throws(() => myUtil.formatWithOptions(null, 'x'), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.strictEqual(myUtil.inspect, env.internal.inspect);
  assert.strictEqual(myUtil.inspect.custom, util.inspect.custom);
  assert.strictEqual(myUtil.promisify.custom, util.promisify.custom);
  assert.strictEqual(myUtil.stripVTControlCharacters('\u001b[31mred\u001b[39m'), 'red');
  assert.strictEqual(myUtil.toUSVString('a\ud800b'), util.toUSVString('a\ud800b'));
});

test('inherits matches Node', () => {
  const run = (u) => {
    function Base() {}
    Base.prototype.hello = () => 'hi';
    function Child() {}
    u.inherits(Child, Base);
    return [Child.super_ === Base, new Child().hello(), Object.getPrototypeOf(Child.prototype) === Base.prototype,
      Object.getOwnPropertyDescriptor(Child, 'super_').enumerable];
  };
  assert.deepStrictEqual(run(myUtil), run(util));
  for (const args of [[null, function () {}], [function () {}, null], [function () {}, Object.create(null)]]) {
    assert.deepStrictEqual(outcome(() => myUtil.inherits(...args)), outcome(() => util.inherits(...args)));
  }
});

test('promisify matches Node', async () => {
  const run = async (u) => {
    const results = [];
    function add(a, b, cb) { cb(null, a + b, 'extra'); }
    add.extra = 'prop';
    const p = u.promisify(add);
    results.push(await p(1, 2), p.extra, p.name, p === u.promisify(add) ? 'same' : 'new', u.promisify(p) === p);
    const fail = u.promisify((cb) => cb(new Error('nope')));
    results.push(await fail().catch((e) => e.message));
    const throws = u.promisify(() => { throw new Error('sync'); });
    results.push(await throws().catch((e) => e.message));
    const obj = { v: 7, get(cb) { cb(null, this.v); } };
    results.push(await u.promisify(obj.get).call(obj));
    function custom() {}
    custom[u.promisify.custom] = () => Promise.resolve('custom');
    results.push(await u.promisify(custom)());
    results.push(outcome(() => u.promisify('x')));
    return plain(results);
  };
  assert.deepStrictEqual(await run(myUtil), await run(util));
});

test('promisify(setTimeout) and setImmediate use timers/promises, like Node', async () => {
  const value = env.run('require("util").promisify(setTimeout)(1, "done")');
  const immediate = env.run('require("util").promisify(setImmediate)("now")');
  // The guest's timers run when the host polls.
  await new Promise((resolve) => setTimeout(resolve, 5));
  env.internal.timers.runDue();
  assert.strictEqual(await value, 'done');
  assert.strictEqual(await immediate, 'now');
});

test('callbackify matches Node', async () => {
  const run = (u) => new Promise((resolve) => {
    const results = [];
    const ok = u.callbackify(async (a) => a * 2);
    const falsy = u.callbackify(() => Promise.reject(null));
    const bad = u.callbackify(() => Promise.reject(new Error('bad')));
    results.push(ok.name, ok.length);
    ok(21, (err, v) => {
      results.push([err, v]);
      falsy((err2) => {
        results.push([err2.code, err2.message, err2.reason]);
        bad((err3) => {
          results.push(err3.message);
          results.push(outcome(() => ok(1)));
          resolve(plain(results));
        });
      });
    });
  });
  assert.deepStrictEqual(await run(myUtil), await run(util));
});

test('deprecate wraps the function and warns once', () => {
  const warnings = [];
  const saved = env.run('process.emitWarning');
  env.run('process').emitWarning = (...args) => warnings.push(args);
  try {
    const fn = myUtil.deprecate(function (a) { return a + 1; }, 'old', 'DEP0999');
    assert.strictEqual(fn(1), 2);
    assert.strictEqual(fn(2), 3);
    class C { constructor(x) { this.x = x; } }
    const D = myUtil.deprecate(C, 'old class');
    assert.ok(new D(5) instanceof C);
    assert.deepStrictEqual(warnings, [['old', 'DeprecationWarning', 'DEP0999'], ['old class', 'DeprecationWarning', undefined]]);
  } finally {
    env.run('process').emitWarning = saved;
  }
  const debug = myUtil.debuglog('x');
  assert.strictEqual(debug.enabled, false);
  assert.strictEqual(debug('ignored'), undefined);
});

test('the modules are reachable through require', () => {
  for (const name of ['util', 'node:util', 'util/types', 'assert', 'node:assert/strict', 'timers', 'timers/promises',
    'events', 'buffer', 'string_decoder', 'path', 'path/posix', 'url', 'querystring', 'crypto']) {
    assert.ok(env.require(name), name);
  }
  assert.strictEqual(env.require('util/types'), myUtil.types);
  assert.strictEqual(env.require('assert/strict'), env.require('assert').strict);
  assert.throws(() => env.require('fs'), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
  assert.throws(() => env.require('stream'), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
});

test('timers and timers/promises', async () => {
  const timers = env.require('timers');
  assert.strictEqual(timers.setTimeout, env.run('setTimeout'));
  assert.strictEqual(timers.promises, env.require('timers/promises'));
  const tp = env.require('timers/promises');
  const order = [];
  const a = tp.setTimeout(3, 'a').then((v) => order.push(v));
  const b = tp.setImmediate('b').then((v) => order.push(v));
  const c = tp.scheduler.wait(1).then((v) => order.push(v));
  await new Promise((resolve) => setTimeout(resolve, 10));
  env.internal.timers.runDue();
  await Promise.all([a, b, c]);
  assert.deepStrictEqual(order, ['b', undefined, 'a']);
  await assert.rejects(tp.setTimeout('x'), { code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(tp.setTimeout(1, 'v', { ref: 'no' }), { code: 'ERR_INVALID_ARG_TYPE' });
  const unref = tp.setTimeout(1000, 'later', { ref: false });
  assert.strictEqual(env.internal.timers.hasRef(), false);
  env.internal.timers.clearAll();
  assert.ok(unref instanceof env.run('Promise'));
});
