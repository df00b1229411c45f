'use strict';
// Compares internal.inspect / internal.format (src/prelude/inspect.js) with
// Node's util.inspect / util.format. Values are built inside the prelude's own
// context and the same object is handed to both implementations.
const test = require('node:test');
const assert = require('node:assert');
const util = require('node:util');
const { load } = require('./load.js');

const { internal, run } = load('inspect.js');

const VALUES = [
  // primitives
  '1', '-0', '0', 'NaN', '-Infinity', '1e21', '0.1 + 0.2', '-1.5e-7', '123n', '-5n', 'true', 'undefined', 'null',
  'Symbol()', 'Symbol("a b")', 'Symbol.iterator', '"str"', `"it's"`, `"\\"q\\" and 's'"`, "'a`b\"c\\'d'",
  "'${x} \"y\" \\'z\\''", '"\\n\\t\\x00\\x1b\\x7f\\x9f\\\\"', '"\\ud800 lone"', '"😀 ü 中文"', '""',
  '"x".repeat(20000)', '"line one\\nline two\\n".repeat(8)',
  // plain objects
  '({})', '({ a: 1 })', '({ a: 1, b: "two", c: [3], d: { e: null } })', '({ a: { b: { c: { d: 1 } } } })',
  '({ a: { b: { c: {} } } })', '({ a: [[[[1]]]] })', '({ "a-b": 1, $x: 2, _y: 3, "1a": 4, 12: 5, "": 6, "a b": 7, ü: 8, "\\x7f": 9, "\\x10": 10, "a\\x30": 11, "_9": 12, "9_": 13, "A@[`{": 14 })',
  '({ [Symbol("k")]: 1, [Symbol()]: 2, [Symbol.for("f")]: "x" })',
  'Object.defineProperty({}, "__proto__", { value: 1, enumerable: true })',
  '({ get a() { return 1; }, set b(v) {}, get c() { return 1; }, set c(v) {} })',
  'Object.defineProperty({ visible: 1 }, "hidden", { value: 2 })',
  '({ a: undefined, b: null, c: NaN, d: -0, e: 1n, f: Symbol("s"), g: () => {} })',
  '({ text: "x".repeat(100) })', '({ text: "a\\nb".repeat(30) })', '({ nested: { text: "y".repeat(70) } })',
  'Object.fromEntries(Array.from({ length: 10 }, (_, i) => ["key" + i, i]))',
  'Object.fromEntries(Array.from({ length: 30 }, (_, i) => ["k" + i, "v" + i]))',
  '({ id: 7, name: "Ada Lovelace", email: "ada@example.com", roles: ["admin", "dev"], active: true })',
  '({ user: { id: 1, profile: { name: "x", tags: ["a", "b"], address: { city: "Paris", zip: "75001" } } }, ok: true })',
  '({ data: [{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }], meta: { page: 1, total: 3 } })',
  '({ statusCode: 200, headers: { "content-type": "application/json", "x-request-id": "abc-123-def-456" }, body: "{}" })',
  // class instances and prototypes
  'class Foo { constructor() { this.a = 1; } }; new Foo()', 'class Empty {}; new Empty()', 'new (class {})()',
  'class T { get [Symbol.toStringTag]() { return "Tagged"; } }; new T()',
  '({ [Symbol.toStringTag]: "own" })', 'Object.create({ inherited: 1 })',
  'Object.create(null)', 'Object.assign(Object.create(null), { a: 1, b: { c: 2 } })',
  'Object.create(Object.create(null))', 'class P { constructor() { this.x = { y: 1 }; } }; [new P(), new P()]',
  'class Base {}; class Derived extends Base { constructor() { super(); this.d = 1; } }; new Derived()',
  // arrays
  '[]', '[1, 2, 3]', '[1, 2, 3, 4, 5, 6]', '[1, 2, 3, 4, 5, 6, 7]', 'Array.from({ length: 26 }, (_, i) => i * 3)',
  'Array.from({ length: 120 }, (_, i) => i)', 'Array.from({ length: 30 }, (_, i) => "s" + i)',
  'Array.from({ length: 12 }, (_, i) => (i % 2 ? -i * 100 : i))', 'Array(200).fill(7)', 'new Array(5)',
  '[1, , 3, , , 6]', '[, 1]', '[1, 2, ,]', 'Object.assign([1, 2], { extra: true, [Symbol("s")]: 1 })',
  '[[1, 2], [3, 4]]', '[{ a: 1 }, { b: 2 }]', '[[1, [2, [3, [4, [5]]]]]]', '["a", "b"].concat(Array(3))',
  'Array.from({ length: 8 }, (_, i) => ({ id: i }))', 'Array.from({ length: 7 }, (_, i) => "x".repeat(i * 3))',
  'Array.from({ length: 10 }, (_, i) => [i, i * 2])', '[1.5, 22.25, 333.125, 4, 5, 6, 7, 8, 9]',
  'Array.from({ length: 16 }, (_, i) => BigInt(i) ** 5n)', '[true, false, null, undefined, 1, "a", 2n]',
  'Object.setPrototypeOf([1, 2], null)', 'class MyArr extends Array {}; MyArr.from([1, 2, 3])',
  'Array.from({ length: 101 }, (_, i) => "item number " + i)', 'Array(20000).fill(1)', 'new Uint8Array(20000)',
  'Object.assign(Array(20000).fill(0), { [Symbol("s")]: 1 })',
  // Map / Set
  'new Map()', 'new Set()', 'new Map([[1, "a"], ["b", { c: 2 }]])', 'new Set([1, "a", { b: 2 }, [3]])',
  'new Map([[{ k: 1 }, new Set([1, 2])]])', 'new Map(Array.from({ length: 120 }, (_, i) => [i, i]))',
  'new Set(Array.from({ length: 20 }, (_, i) => "v" + i))', 'class M extends Map {}; new M([[1, 2]])',
  'Object.assign(new Map([[1, 2]]), { extra: 1 })', 'new Map([[new Map([[1, new Map([[2, new Map()]])]]), 1]])',
  // functions and classes
  'function foo() {}', '(function () {})', '() => {}', 'async function af() {}', 'function* gen() {}',
  'async function* ag() {}', 'class A {}', 'class B extends Array {}', '(class {})', 'class S { static x = 1; }',
  'Object.assign(function withProps() {}, { a: 1 })', 'function foo() {}.bind(null)', 'Math.max',
  'Object.setPrototypeOf(function np() {}, null)', '({ method() {}, arrow: () => 1, named: function n() {} })',
  // errors
  'new Error("boom")', 'new TypeError("bad type")', 'new RangeError("")', 'new Error("multi\\nline message")',
  'class MyError extends Error {}; new MyError("custom")', 'class ValidationError extends Error {}; new ValidationError("v")',
  'Object.assign(new Error("with props"), { code: "E_CODE", status: 500 })',
  'new Error("outer", { cause: new Error("inner") })', 'new Error("c", { cause: "a string cause" })',
  'new Error("c", { cause: { reason: 1 } })', '({ err: new Error("nested") })', '[new Error("in array")]',
  '(() => { const e = new Error("no stack"); e.stack = undefined; return e; })()',
  '(() => { const e = new Error("renamed"); e.name = "CustomName"; return e; })()',
  '(() => { const e = new Error("msg"); delete e.stack; return e; })()',
  'new AggregateError([new Error("a"), new TypeError("b")], "many")',
  'Object.setPrototypeOf(new Error("np"), null)',
  'class TaggedError extends Error { get [Symbol.toStringTag]() { return "Tag"; } }; new TaggedError("t")',
  // dates, regexps
  'new Date(0)', 'new Date(1700000000123)', 'new Date(NaN)', 'Object.assign(new Date(0), { p: 1 })',
  '/ab+c/gi', '/[/]\\//u', 'new RegExp("")', 'Object.assign(/x/, { p: 1 })',
  // typed arrays, buffers
  'new Uint8Array([1, 2, 3])', 'new Uint8Array(0)', 'new Float64Array([1.5, -0, NaN])',
  'new BigInt64Array([1n, -2n])', 'new Uint16Array(120)', 'new Int32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])',
  'Object.assign(new Uint8Array(2), { p: 1 })', 'new ArrayBuffer(3)', 'new Uint8Array([255, 1, 16]).buffer',
  'new ArrayBuffer(120)', 'new DataView(new ArrayBuffer(4), 1, 2)', 'new SharedArrayBuffer(2)',
  '({ buf: new Uint8Array([1, 2]) })',
  // boxed primitives
  'new Number(3)', 'new Number(-0)', 'new String("ab")', 'new Boolean(false)', 'Object(1n)', 'Object(Symbol("bx"))',
  'Object.assign(new String("ab"), { extra: 1 })', 'Object.assign(new Number(1), { extra: 1 })',
  // circular
  '(() => { const a = { x: 1 }; a.self = a; return a; })()',
  '(() => { const a = [1]; a.push(a); return a; })()',
  '(() => { const a = {}, b = { a }; a.b = b; a.c = { b }; return a; })()',
  '(() => { const a = {}, b = {}; a.b = b; b.b = b; b.a = a; return a; })()',
  '(() => { const m = new Map(); m.set("m", m); return m; })()',
  '(() => { const o = { list: [] }; o.list.push({ parent: o }); return [o, o]; })()',
  // misc
  '(function () { return arguments; })(1, "a")', 'new WeakMap()', 'new WeakSet()', 'Math', 'JSON', 'globalThis.Reflect',
  '({ a: new Map([[1, { b: [1, 2, { c: 3 }] }]]) })', '[new Set([[1, 2]]), new Map([[{}, []]])]',
  '({ [Symbol.for("nodejs.util.inspect.custom")]() { return "CUSTOM"; } })',
  '({ [Symbol.for("nodejs.util.inspect.custom")]() { return { replaced: true }; } })',
  '({ inner: { [Symbol.for("nodejs.util.inspect.custom")](depth) { return "depth=" + depth; } } })',
  '({ inner: { [Symbol.for("nodejs.util.inspect.custom")]() { return "multi\\nline"; } } })',
  '({ a: 1, [Symbol.for("nodejs.util.inspect.custom")](d, o, inspect) { return "X" + inspect({ q: 1 }, o); } })',
];

const OPTIONS = [
  [{ depth: 0 }, ['({ a: { b: 1 }, c: [1], d: new Map([[1, 2]]) })', '[[1], new Set([1]), /x/, new Date(0)]', '{ f() {} }']],
  [{ depth: 1 }, ['({ a: { b: { c: 1 } } })', 'new Map([[1, { a: { b: 1 } }]])']],
  [{ depth: Infinity }, ['({ a: { b: { c: { d: { e: { f: 1 } } } } } })']],
  [{ depth: null }, ['[[[[[["deep"]]]]]]']],
  [{ breakLength: Infinity }, ['Object.fromEntries(Array.from({ length: 30 }, (_, i) => ["k" + i, i]))']],
  [{ breakLength: 40 }, ['({ alpha: 1, beta: 2, gamma: 3, delta: 4, epsilon: 5 })']],
  [{ maxArrayLength: 2 }, ['[1, 2, 3, 4]', 'new Set([1, 2, 3])', 'new Map([[1, 1], [2, 2], [3, 3]])', 'new Uint8Array(5)']],
  [{ maxArrayLength: 0 }, ['[1, 2]']],
  [{ maxStringLength: 5 }, ['"abcdefghij"', '["abcdefgh"]']],
  [{ sorted: true }, ['({ c: 1, a: 2, b: 3 })', 'new Set([3, 1, 2])']],
  [{ compact: false }, ['({ a: 1, b: [1, 2] })', '"short"']],
  [{ compact: 1 }, ['({ a: { b: 1 }, c: 2 })']],
  [{ getters: true }, ['({ get a() { return 1; }, get o() { return { x: 1 }; }, get n() { return null; }, set s(v) {} })',
    '({ get boom() { throw new Error("nope"); } })']],
  [{ numericSeparator: true }, ['[1234567, 1234.5678, -9876543210, 123456789n, 0.0001]']],
  [{ showHidden: true }, ['[1, "a"]', '({ a: 1 })', 'Object.defineProperty({}, "h", { value: 1 })', 'new Uint8Array(2)']],
  [{ customInspect: false }, ['({ [Symbol.for("nodejs.util.inspect.custom")]() { return "CUSTOM"; } })']],
];

for (const src of VALUES) {
  test(`inspect ${src}`, () => {
    const value = run(`(${src.includes(';') ? `() => { ${src.replace(/;([^;]*)$/, '; return $1')} }` : `() => ${src}`})()`);
    assert.strictEqual(internal.inspect(value), util.inspect(value));
  });
}

for (const [opts, sources] of OPTIONS) {
  for (const src of sources) {
    test(`inspect ${src} ${JSON.stringify(opts)}`, () => {
      const value = run(`(${src})`);
      assert.strictEqual(internal.inspect(value, opts), util.inspect(value, opts));
    });
  }
}

// node:test turns on async hooks, which tag every promise with symbol keys.
const bare = (p) => {
  for (const s of Object.getOwnPropertySymbols(p)) delete p[s];
  return p;
};

test('Promise state is not observable from plain JS', () => {
  assert.strictEqual(internal.inspect(bare(run('Promise.resolve(1)'))), 'Promise { <unknown> }');
  assert.strictEqual(internal.inspect({ p: bare(run('new Promise(() => {})')) }), '{ p: Promise { <unknown> } }');
});

test('internal.promiseState supplies the state when the host provides it', () => {
  const states = new Map([
    [bare(Promise.resolve({ a: 1 })), { state: 'fulfilled', value: { a: 1 } }],
    [bare(new Promise(() => {})), { state: 'pending' }],
    [bare(Promise.reject(new Error('no'))), { state: 'rejected', value: undefined }],
  ]);
  const [, , rejected] = states.keys();
  rejected.catch(() => {});
  states.get(rejected).value = new Error('no');
  internal.promiseState = (p) => states.get(p);
  try {
    for (const p of states.keys()) {
      const expected = util.inspect(p).replace(/Error: no[^]*?(?=\s*})/, 'ERR');
      assert.strictEqual(internal.inspect(p).replace(/Error: no[^]*?(?=\s*})/, 'ERR'), expected);
    }
  } finally {
    delete internal.promiseState;
  }
});

const FORMATS = [
  '"plain"', '"%s", "str"', '"%s", 42', '"%s", -0', '"%s", 5n', '"%s", null', '"%s", undefined', '"%s", Symbol("q")',
  '"%s", { a: { b: 1 } }', '"%s", [1, [2, [3]]]', '"%s", new Error("err")', '"%s", new Map([[1, 2]])',
  '"%s", new (class A { toString() { return "custom"; } })()', '"%s", new (class B {})()',
  '"%s", { toString() { return "own"; } }', '"%s", Object.create(null)', '"%s", new Date(0)', '"%s", function f() {}',
  '"%d", "42"', '"%d", 42.5', '"%d", {}', '"%d", 1n', '"%d", Symbol()', '"%d", -0', '"%d", ""',
  '"%i", 42.9', '"%i", "42.9x"', '"%i", 5n', '"%i", Symbol()', '"%f", "1.5e3"', '"%f", "x"', '"%f", Symbol()',
  '"%j", { a: [1, "x"] }', '"%j", (() => { const a = {}; a.a = a; return a; })()', '"%j", undefined',
  '"%o", { a: [1, 2] }', '"%o", [1, "a"]', '"%o", function foo() {}', '"%O", { a: { b: { c: { d: 1 } } } }',
  '"%c styled", "color: red"', '"100%% sure"', '"%%s %s", "x"', '"%s and %s", "one"', '"a%"', '"a%", 1',
  '"%x %s", 1', '"%s", "a", "b", 3, { c: 4 }', '1, "%s", 2', '{ a: 1 }, "str", [2]', '"%s%s%s", 1, 2, 3',
  '"%", 1', '"%s:%d", "port", 8080', '"no args %s"', 'null', 'undefined, null', '"%s", "%s", "x"',
  '"%O %o", 1, 2', '"%i%%", 50',
];

for (const src of FORMATS) {
  test(`format(${src})`, () => {
    const args = run(`[${src}]`);
    assert.strictEqual(internal.format(...args), util.format(...args));
  });
}

test('formatWithOptions passes options through', () => {
  const args = run('[{ a: { b: { c: 1 } } }, "%O", [1, [2, [3]]]]');
  assert.strictEqual(internal.formatWithOptions({ depth: 0 }, ...args), util.formatWithOptions({ depth: 0 }, ...args));
});
