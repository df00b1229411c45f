'use strict';
// Compares atob / btoa (src/prelude/base64.js) with Node's.
const test = require('node:test');
const assert = require('node:assert');
const { load } = require('./load.js');

const { run } = load('base64.js');
const [myAtob, myBtoa] = run('[atob, btoa]');

function outcome(fn, ...args) {
  try {
    return { value: fn(...args) };
  } catch (err) {
    return { error: err.name, message: err.message };
  }
}

// A small deterministic PRNG so failures are reproducible.
function rng(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

test('btoa matches Node on fixed inputs', () => {
  for (const input of ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar', '\0\xff\x80', 'ÿÿÿ', 'é', '\u0100', '😀',
    123, null, undefined, true, { toString: () => 'obj' }, [1, 2]]) {
    assert.deepStrictEqual(outcome(myBtoa, input), outcome(btoa, input), String(input));
  }
});

test('btoa matches Node on random binary strings', () => {
  const rand = rng(1);
  for (let i = 0; i < 500; i++) {
    let s = '';
    const len = Math.floor(rand() * 40);
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(rand() * 256));
    assert.strictEqual(myBtoa(s), btoa(s));
  }
});

test('atob matches Node on fixed inputs', () => {
  for (const input of ['', 'Zg==', 'Zg=', 'Zg', 'Zm9v', 'Zm9vYg', 'Zm9vYmE=', ' Z m\t9\nv\fY\rm E = ', 'Z', 'Zm9vY',
    '====', 'Zg===', 'Z===', 'Zm=9', '=Zm9', 'Zm9v=', 'Zm9v==', 'ab=c', 'ab= =', 'a!bc', 'ab\u00e9c', 'YQ\u00a0==',
    '/+/+', '-_-_', 'AAAA', 'ZZ', 'ZR==', '\v', 123, null, undefined, { toString: () => 'Zm9v' }]) {
    assert.deepStrictEqual(outcome(myAtob, input), outcome(atob, input), JSON.stringify(String(input)));
  }
});

test('atob matches Node on random inputs, valid and not', () => {
  const rand = rng(7);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\n\f\r*-_.\u00ff';
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const len = Math.floor(rand() * 14);
    for (let j = 0; j < len; j++) {
      // Mostly base64 characters, so that many inputs are valid.
      const pool = rand() < 0.9 ? 64 : alphabet.length;
      s += alphabet[Math.floor(rand() * pool)];
    }
    assert.deepStrictEqual(outcome(myAtob, s), outcome(atob, s), JSON.stringify(s));
  }
});

test('round trip and argument errors', () => {
  let all = '';
  for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
  assert.strictEqual(myAtob(myBtoa(all)), all);
  assert.throws(() => myAtob(), { name: 'TypeError', code: 'ERR_MISSING_ARGS' });
  assert.throws(() => myBtoa(), { name: 'TypeError', code: 'ERR_MISSING_ARGS' });
  assert.throws(() => myBtoa(Symbol('s')), { name: 'TypeError' });
  assert.throws(() => myBtoa('\u0100'), (err) => err.name === 'InvalidCharacterError' && err.code === 5 && err instanceof run('Error'));
  assert.strictEqual(myBtoa.name, 'btoa');
  assert.strictEqual(Object.getOwnPropertyDescriptor(run('globalThis'), 'atob').enumerable, false);
});
