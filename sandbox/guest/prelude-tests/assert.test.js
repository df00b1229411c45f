'use strict';
// Compares assert (src/prelude/node_util.js) with Node's: pass or fail, and
// on failure the AssertionError's code, operator, message and values.
const test = require('node:test');
const assert = require('node:assert');
const { loadNode, plain } = require('./node-env.js');

const env = loadNode();

function describe(err) {
  if (err === undefined) return { passed: true };
  const out = { name: err.name, code: err.code, message: err.message };
  if (err.code === 'ERR_ASSERTION') {
    Object.assign(out, { operator: err.operator, generatedMessage: err.generatedMessage, string: String(err) });
    out.actual = plain(err.actual);
    out.expected = typeof err.expected === 'function' ? err.expected.name : plain(err.expected);
  }
  return out;
}

// Runs `code` (an expression using `assert`) in Node and in the guest.
function compare(code, { message = true } = {}) {
  const run = (evaluate) => {
    try {
      evaluate();
      return describe(undefined);
    } catch (err) {
      return describe(err);
    }
  };
  const mine = run(() => env.run(`(() => { const assert = require('assert'); ${code}; })()`));
  const node = run(() => new Function('assert', code)(assert));
  if (!message) {
    delete mine.message;
    delete node.message;
    delete mine.string;
    delete node.string;
  }
  assert.deepStrictEqual(mine, node, code);
}

test('equality assertions', () => {
  const cases = [
    'assert.equal(1, "1")', 'assert.equal(1, 2)', 'assert.equal(NaN, NaN)', 'assert.equal(null, undefined)',
    'assert.equal({}, {})', 'assert.equal(1, 2, "custom message")', 'assert.equal(1)',
    'assert.notEqual(1, "1")', 'assert.notEqual(1, 2)', 'assert.notEqual(NaN, NaN)',
    'assert.strictEqual(1, 1)', 'assert.strictEqual(1, "1")', 'assert.strictEqual(NaN, NaN)', 'assert.strictEqual(0, -0)',
    'assert.strictEqual("hello world", "goodbye world")', 'assert.strictEqual("a\\nb", "a\\nc")',
    'assert.strictEqual({ a: 1 }, { a: 1 })', 'assert.strictEqual([1, 2, 3], [1, 2, 4])',
    'assert.strictEqual(1, 2, "custom")', 'assert.strictEqual(1, 2, new TypeError("own error"))',
    'assert.notStrictEqual(1, 1)', 'assert.notStrictEqual("a long string here", "a long string here")',
    'assert.notStrictEqual({}, {})', 'assert.notStrictEqual(1, 2)',
    'assert.deepEqual({ a: 1 }, { a: "1" })', 'assert.deepEqual({ a: 1 }, { a: 2 })', 'assert.deepEqual([1, [2]], [1, [3]])',
    'assert.notDeepEqual({ a: 1 }, { a: "1" })', 'assert.notDeepEqual({ a: 1 }, { a: 2 })',
    'assert.deepStrictEqual({ a: 1 }, { a: 1 })', 'assert.deepStrictEqual({ a: 1 }, { a: "1" })',
    'assert.deepStrictEqual({ a: 1, b: [1, 2, { c: 3 }] }, { a: 1, b: [1, 2, { c: 4 }] })',
    'assert.deepStrictEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 11])',
    'assert.deepStrictEqual(new Map([[1, 2]]), new Map([[1, 3]]))', 'assert.deepStrictEqual(new Set([1]), new Set([2]))',
    'assert.deepStrictEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 8 })',
    'assert.deepStrictEqual([], {})', 'assert.deepStrictEqual(Object.create(null), {})',
    'assert.deepStrictEqual(new Error("a"), new Error("b"))', 'assert.deepStrictEqual("x", "y", "custom")',
    'assert.notDeepStrictEqual({ a: 1 }, { a: 1 })', 'assert.notDeepStrictEqual([1, 2], [1, 2])',
    'assert.notDeepStrictEqual({ a: 1 }, { a: "1" })',
    'assert.strict.equal(1, "1")', 'assert.strict.deepEqual({ a: 1 }, { a: "1" })', 'assert.strict.notEqual(1, "1")',
    'assert.strict.notDeepEqual([1], ["1"])',
  ];
  for (const code of cases) compare(code);
});

test('ok and fail', () => {
  for (const code of ['assert(true)', 'assert.ok(1)', 'assert.ok()', 'assert.ok(0, "zero")', 'assert.ok(0, new RangeError("r"))',
    'assert.strict(false, "m")', 'assert.fail()', 'assert.fail("boom")', 'assert.fail(new TypeError("own"))',
    'assert.ifError(null)', 'assert.ifError(undefined)', 'assert.ifError(new Error("e"))', 'assert.ifError("str")',
    'assert.ifError(new TypeError(""))']) {
    compare(code);
  }
  // Node quotes the failing expression from the source file; the guest cannot.
  for (const code of ['assert(false)', 'assert.ok(null)', 'assert.strict(0)']) compare(code, { message: false });
});

test('throws and doesNotThrow', () => {
  const cases = [
    'assert.throws(() => { throw new TypeError("bad thing"); })',
    'assert.throws(() => { throw new TypeError("bad thing"); }, TypeError)',
    'assert.throws(() => { throw new TypeError("bad thing"); }, RangeError)',
    'assert.throws(() => { throw new TypeError("bad thing"); }, /bad/)',
    'assert.throws(() => { throw new TypeError("bad thing"); }, /good/)',
    'assert.throws(() => { throw new TypeError("bad thing"); }, { name: "TypeError", message: "bad thing" })',
    'assert.throws(() => { throw new TypeError("bad thing"); }, { name: "TypeError", message: /thing/ })',
    'assert.throws(() => { throw new TypeError("bad thing"); }, { message: "other" })',
    'assert.throws(() => { const e = new Error("x"); e.code = "E1"; throw e; }, { code: "E2" })',
    'assert.throws(() => { throw new TypeError("bad thing"); }, (e) => e instanceof TypeError)',
    'assert.throws(() => { throw new TypeError("bad thing"); }, function check() { return false; })',
    'assert.throws(() => { throw new TypeError("bad thing"); }, {})',
    'assert.throws(() => { throw "a string"; }, { message: "x" })',
    'assert.throws(() => {})', 'assert.throws(() => {}, TypeError)', 'assert.throws(() => {}, "with message")',
    'assert.throws(() => {}, TypeError, "with message")',
    'assert.throws(() => { throw new Error("same"); }, "same")',
    'assert.throws("not a function")', 'assert.throws(() => { throw 1; }, 5)',
    'assert.throws(() => { throw new Error("x"); }, new Error("x"))',
    'assert.throws(() => { throw new Error("x"); }, new Error("y"))',
    'assert.doesNotThrow(() => {})', 'assert.doesNotThrow(() => { throw new Error("oops"); })',
    'assert.doesNotThrow(() => { throw new Error("oops"); }, "msg")',
    'assert.doesNotThrow(() => { throw new TypeError("oops"); }, RangeError)',
    'assert.doesNotThrow(() => { throw new TypeError("oops"); }, TypeError)',
  ];
  for (const code of cases) compare(code);
});

test('match and doesNotMatch', () => {
  for (const code of ['assert.match("abc", /b/)', 'assert.match("abc", /x/)', 'assert.match(123, /1/)',
    'assert.match("abc", "b")', 'assert.doesNotMatch("abc", /x/)', 'assert.doesNotMatch("abc", /b/)',
    'assert.match("abc", /x/, "custom")']) {
    compare(code);
  }
});

test('rejects and doesNotReject', async () => {
  const myAssert = env.require('assert');
  const G = env.run('globalThis');
  const run = async (a, realm) => {
    const results = [];
    const settle = (p) => p.then(() => ({ passed: true }), (err) => describe(err));
    results.push(await settle(a.rejects(realm.Promise.reject(new realm.TypeError('no')), realm.TypeError)));
    results.push(await settle(a.rejects(() => realm.Promise.reject(new realm.TypeError('no')), { message: 'yes' })));
    results.push(await settle(a.rejects(realm.Promise.resolve(1))));
    results.push(await settle(a.rejects(() => 5)));
    results.push(await settle(a.rejects(5)));
    results.push(await settle(a.doesNotReject(realm.Promise.resolve(1))));
    results.push(await settle(a.doesNotReject(realm.Promise.reject(new realm.Error('x')))));
    return plain(results);
  };
  assert.deepStrictEqual(await run(myAssert, G), await run(assert, globalThis));
});

test('AssertionError', () => {
  const { AssertionError } = env.require('assert');
  const err = new AssertionError({ actual: 1, expected: 2, operator: 'strictEqual' });
  const node = new assert.AssertionError({ actual: 1, expected: 2, operator: 'strictEqual' });
  assert.deepStrictEqual(describe(err), describe(node));
  assert.deepStrictEqual(Object.keys(err), Object.keys(node));
  assert.ok(err instanceof env.run('Error'));
  assert.strictEqual(err.name, 'AssertionError');
  assert.throws(() => new AssertionError(), { code: 'ERR_INVALID_ARG_TYPE' });
  const custom = new AssertionError({ message: 'mine' });
  assert.strictEqual(custom.message, 'mine');
  assert.strictEqual(custom.generatedMessage, false);
});
