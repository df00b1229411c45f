'use strict';
// Compares structuredClone (src/prelude/clone.js) with Node's. Results are
// compared through util.inspect with showHidden, which shows structure,
// prototypes, hidden error fields and reference cycles alike.
const test = require('node:test');
const assert = require('node:assert');
const util = require('node:util');
const { load } = require('./load.js');

const { run } = load('clone.js');
const clone = run('structuredClone');
const show = (v) => util.inspect(v, { showHidden: true, depth: Infinity });

const VALUES = [
  '1', '"s"', 'null', 'undefined', '-0', 'NaN', '12n', 'true',
  '({ a: 1, b: { c: [1, 2, { d: "x" }] } })', '[1, , 3]', 'Object.assign([1, 2], { extra: "x" })', 'new Array(3)',
  '({ a: undefined, [Symbol("skipped")]: 1 })', 'Object.defineProperty({ a: 1 }, "hidden", { value: 2 })',
  '({ get g() { return { computed: true }; } })', 'Object.defineProperty({}, "__proto__", { value: 5, enumerable: true })',
  'class Foo { constructor() { this.a = 1; } get b() { return 2; } method() {} }; new Foo()',
  'Object.create(null, { x: { value: 1, enumerable: true } })', 'Object.create({ inherited: 1 })',
  'new Date(1700000000000)', 'new Date(NaN)', 'Object.assign(new Date(0), { dropped: 1 })',
  '/ab+c/gimsuy', '(() => { const r = /x/g; r.lastIndex = 3; r.dropped = 1; return r; })()',
  'new Map([[{ k: 1 }, new Set([1, [2]])], ["s", new Map()]])', 'new Set([1, "a", { b: 2 }, [3]])',
  'class M extends Map {}; new M([[1, 2]])',
  'new ArrayBuffer(8)', 'new Uint8Array([1, 2, 3])', 'new Float64Array([1.5, -0, NaN])', 'new BigUint64Array([1n, 2n ** 63n])',
  '(() => { const b = new ArrayBuffer(8); new Uint8Array(b).set([1, 2, 3, 4, 5, 6, 7, 8]); return { u: new Uint8Array(b, 2, 3), d: new DataView(b, 1, 4), b }; })()',
  'new Uint16Array(new ArrayBuffer(10), 2, 3)', 'new DataView(new ArrayBuffer(4))',
  'new Number(3)', 'new String("str")', 'new Boolean(false)', 'Object(7n)',
  'new Error("msg")', 'new TypeError("t")', 'new RangeError("r", { cause: { why: [1] } })', 'new EvalError("e")',
  'new ReferenceError("x")', 'new SyntaxError("y")', 'new URIError("z")',
  '(() => { const e = new RangeError("renamed"); e.name = "Foo"; return e; })()',
  '(() => { const e = new Error("x"); e.name = "TypeError"; return e; })()',
  'class MyErr extends Error {}; new MyErr("sub")', 'Object.assign(new Error("props"), { code: 1 })',
  '(() => { const e = new Error(); e.message = 5; return e; })()', 'new Error("c", { cause: new Error("inner") })',
  '(() => { const a = { x: 1 }; a.self = a; a.list = [a, { a }]; return a; })()',
  '(() => { const shared = { s: 1 }; return [shared, shared, { shared }]; })()',
  '(() => { const m = new Map(); m.set(m, m); return m; })()', '(() => { const s = new Set(); s.add(s); return s; })()',
  '(() => { const e = new Error("cyc"); const o = { e }; e.cause = o; return o; })()',
  'Math', '(function () { return { args: Array.from(arguments) }; })(1, 2)',
];

for (const src of VALUES) {
  test(`structuredClone(${src})`, () => {
    const value = run(`(${src.includes(';') ? `() => { ${src.replace(/;([^;]*)$/, '; return $1')} }` : `() => ${src}`})()`);
    const mine = clone(value);
    assert.strictEqual(show(mine), show(structuredClone(value)));
    if (typeof value === 'object' && value !== null) assert.notStrictEqual(mine, value);
  });
}

test('shared buffers and identities are preserved, prototypes are the realm intrinsics', () => {
  const out = clone(run('(() => { const b = new ArrayBuffer(4); const o = { k: 1 }; return { x: new Uint8Array(b), y: new DataView(b), o1: o, o2: o, b }; })()'));
  assert.strictEqual(out.x.buffer, out.y.buffer);
  assert.strictEqual(out.x.buffer, out.b);
  assert.strictEqual(out.o1, out.o2);
  assert.strictEqual(Object.getPrototypeOf(out), run('Object.prototype'));
  assert.strictEqual(Object.getPrototypeOf(clone(run('new (class X extends Map {})()'))), run('Map.prototype'));
  assert.strictEqual(Object.getPrototypeOf(clone(run('new RangeError("x")'))), run('RangeError.prototype'));
});

const UNCLONEABLE = [
  '() => {}', 'function foo() {}', 'Symbol("x")', 'new WeakMap()', 'new WeakSet()', 'Promise.resolve()',
  '({ a() {} })', 'Object(Symbol("q"))', '({ nested: [1, { f: Math.max }] })', 'new WeakRef({})',
  '(function* () {})()', 'new Map().keys()', '(function () { return arguments; })()',
];

for (const src of UNCLONEABLE) {
  test(`structuredClone(${src}) throws DataCloneError`, () => {
    const value = run(`(${src})`);
    // V8 words the message differently for objects of another realm, so Node
    // gets its own copy of the value.
    let expected;
    // eslint-disable-next-line no-eval
    try { structuredClone((0, eval)(`(${src})`)); } catch (err) { expected = err; }
    assert.throws(() => clone(value), (err) => {
      assert.strictEqual(err.name, 'DataCloneError');
      assert.strictEqual(err.code, 25);
      assert.ok(err instanceof run('Error'));
      assert.strictEqual(err.message, expected.message);
      return true;
    });
  });
}

test('argument handling', () => {
  assert.throws(() => clone(), { name: 'TypeError' });
  assert.throws(() => clone(1, 5), { name: 'TypeError' });
  assert.throws(() => clone(1, { transfer: 5 }), { name: 'TypeError' });
  assert.throws(() => clone(1, { transfer: [{}] }), { name: 'TypeError' });
  assert.strictEqual(clone(1, null), 1);
  assert.strictEqual(clone(1, { transfer: [] }), 1);
  const buf = run('new ArrayBuffer(4)');
  const out = clone({ buf }, { transfer: [buf] });
  assert.strictEqual(out.buf.byteLength, 4);
  if (typeof ArrayBuffer.prototype.transfer === 'function') assert.strictEqual(buf.byteLength, 0);
});

test('getters run once and see the original', () => {
  const value = run('({ n: 0, get g() { return ++this.n; } })');
  assert.strictEqual(clone(value).g, 1);
});
