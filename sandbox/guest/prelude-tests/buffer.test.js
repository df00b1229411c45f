'use strict';
// Compares Buffer and StringDecoder (src/prelude/node_buffer.js) with Node's.
const test = require('node:test');
const assert = require('node:assert');
const { StringDecoder } = require('node:string_decoder');
const { loadNode, outcome, plain, rng } = require('./node-env.js');

function randomBytes(rand, max) {
  return Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256));
}

function randomString(rand, max) {
  const pools = [[0x20, 0x7f], [0, 0x100], [0x100, 0x800], [0x800, 0xd800], [0xd800, 0xe000], [0xe000, 0x10000]];
  let s = '';
  const len = Math.floor(rand() * max);
  for (let i = 0; i < len; i++) {
    if (rand() < 0.1) {
      s += String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff));
    } else {
      const [lo, hi] = pools[Math.floor(rand() * pools.length)];
      s += String.fromCharCode(lo + Math.floor(rand() * (hi - lo)));
    }
  }
  return s;
}

// Everything runs twice: with the TextEncoder/TextDecoder the guest has
// (javy's) and without them, when the shims' own UTF-8 code runs.
for (const textCodecs of [true, false]) {
  const variant = textCodecs ? '' : ' (own UTF-8 code)';
  const env = loadNode({ textCodecs });
  const MyBuffer = env.run('Buffer');
  const { StringDecoder: MyStringDecoder } = env.require('string_decoder');
  const ENCODINGS = ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii', 'utf16le', 'ucs2', 'UTF8', 'Hex'];

  // The same call on Node's Buffer and ours. Range messages name the maximum
  // length, which is QuickJS's in the guest (2 ** 31 - 1), not V8's.
  const NODE_MAX_LENGTH = String(require('node:buffer').kMaxLength);
  function same(label, call, { messages = true } = {}) {
    const mine = outcome(() => call(MyBuffer));
    const node = outcome(() => call(Buffer));
    if (node.message) node.message = node.message.replaceAll(`<= ${NODE_MAX_LENGTH}.`, `<= ${env.require("buffer").kMaxLength}.`);
    if (!messages) {
      delete mine.message;
      delete node.message;
    }
    assert.deepStrictEqual(mine, node, label);
  }

  test(`toString matches Node in every encoding on random bytes${variant}`, () => {
    const rand = rng(1);
    for (let i = 0; i < 400; i++) {
      const bytes = randomBytes(rand, 40);
      for (const enc of ENCODINGS) {
        assert.strictEqual(MyBuffer.from(bytes).toString(enc), Buffer.from(bytes).toString(enc), `${enc} ${bytes}`);
      }
      assert.strictEqual(MyBuffer.from(bytes).toString(), Buffer.from(bytes).toString());
    }
  });

  test(`UTF-8 decoding replaces invalid sequences like Node${variant}`, () => {
    const rand = rng(2);
    // Mostly lead and continuation bytes, so that many sequences are broken.
    const interesting = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41, 0x9f, 0xa0, 0x90, 0x8f];
    for (let i = 0; i < 3000; i++) {
      const bytes = Array.from({ length: Math.floor(rand() * 8) }, () => interesting[Math.floor(rand() * interesting.length)]);
      assert.strictEqual(MyBuffer.from(bytes).toString(), Buffer.from(bytes).toString(), String(bytes));
    }
  });

  test(`Buffer.from(string, encoding) matches Node on random strings${variant}`, () => {
    const rand = rng(3);
    for (let i = 0; i < 400; i++) {
      const s = randomString(rand, 20);
      for (const enc of ENCODINGS) same(`${enc} ${JSON.stringify(s)}`, (B) => B.from(s, enc));
      same('byteLength', (B) => B.byteLength(s));
    }
  });

  test(`random bytes survive every encoding round trip${variant}`, () => {
    const rand = rng(4);
    for (let i = 0; i < 200; i++) {
      const bytes = MyBuffer.from(randomBytes(rand, 64));
      for (const enc of ['hex', 'base64', 'base64url', 'latin1']) {
        assert.deepStrictEqual(plain(MyBuffer.from(bytes.toString(enc), enc)), plain(bytes), enc);
      }
    }
  });

  test(`hex and base64 edge cases${variant}`, () => {
    const inputs = ['', 'a', 'ab', 'abc', 'abzz12', 'zz', 'AbCdEf', '0g', '\u0161b', ' ab', 'ab cd',
      'Zg', 'Zg=', 'Zg==', 'Zm9v', 'Zm9vYg', 'Zm9vYmE=', 'Zm9v\u0141A==', 'Zm9v!!Ym==Fy', 'Zm=9v', 'Z', '====',
      'Zm9v-_', 'Zm9v+/', ' Z m 9 v ', 'Zm9v\nYmFy', '-_-_', '////', 'aGVsbG8gd29ybGQ', 'aGVsbG8gd29ybGQ='];
    for (const s of inputs) {
      for (const enc of ['hex', 'base64', 'base64url']) {
        same(`${enc} ${JSON.stringify(s)}`, (B) => B.from(s, enc));
        same(`byteLength ${enc} ${JSON.stringify(s)}`, (B) => B.byteLength(s, enc));
        same(`write ${enc} ${JSON.stringify(s)}`, (B) => {
          const b = B.alloc(4);
          return [b.write(s, enc), b];
        });
      }
    }
  });

  test(`static methods and their errors${variant}`, () => {
    const cases = [
      (B) => B.from([1, 2, 300, -1, 1.5, 'x']),
      (B) => B.from(new Uint16Array([1, 256, 65535])),
      (B) => B.from(new Uint8Array([1, 2, 3]).buffer, 1),
      (B) => B.from(new Uint8Array([1, 2, 3]).buffer, 1, 1),
      (B) => B.from(new ArrayBuffer(4), 5),
      (B) => B.from(new ArrayBuffer(4), 1, 5),
      (B) => B.from({ length: 2, 0: 300, 1: -1 }),
      (B) => B.from({ length: '2' }),
      (B) => B.from({ type: 'Buffer', data: [1, 2] }),
      (B) => B.from(new String('hi')),
      (B) => B.from({ [Symbol.toPrimitive]: () => 'hey' }),
      (B) => B.from(5),
      (B) => B.from(null),
      (B) => B.from('abc', 'bogus'),
      (B) => B.from('abc', 5),
      (B) => B.alloc(3),
      (B) => B.alloc(5, 'ab'),
      (B) => B.alloc(5, 'abz', 'hex'),
      (B) => B.alloc(5, 'zz', 'hex'),
      (B) => B.alloc(5, '€'),
      (B) => B.alloc(5, ''),
      (B) => B.alloc(5, true),
      (B) => B.alloc(5, {}),
      (B) => B.alloc(5, 257),
      (B) => B.alloc(5, B.from([1, 2])),
      (B) => B.alloc(5, B.alloc(0)),
      (B) => B.alloc(5, 'ab', 'ucs2'),
      (B) => B.alloc(3, 'abcd', 'base64'),
      (B) => B.alloc(3, '\u0100', 'latin1'),
      (B) => B.alloc(3, 'x', 'bogus'),
      (B) => B.alloc(3, 'x', 5),
      (B) => B.alloc('5'),
      (B) => B(3),
      (B) => B('abc', 'hex'),
      (B) => B(3, 'utf8'),
      (B) => B.allocUnsafe(4).length,
      (B) => B.of(1, 2, 300),
      (B) => B.byteLength('aGk=', 'base64'),
      (B) => B.byteLength('héllo', 'latin1'),
      (B) => B.byteLength('é', 'bogus'),
      (B) => B.byteLength(new Uint16Array(3)),
      (B) => B.byteLength(new ArrayBuffer(7)),
      (B) => B.byteLength(5),
      (B) => B.isEncoding('UTF-8'),
      (B) => B.isEncoding('buffer'),
      (B) => B.isEncoding(''),
      (B) => B.isEncoding(null),
      (B) => B.isBuffer(B.from('x')),
      (B) => B.isBuffer(new Uint8Array(1)),
      (B) => B.compare(B.from('a'), B.from('b')),
      (B) => B.compare(B.from('b'), B.from('a')),
      (B) => B.compare(B.from('ab'), B.from('a')),
      (B) => B.compare(B.from('a'), 'b'),
      (B) => B.concat([B.from('a'), B.from('bc'), new Uint8Array([100])]),
      (B) => B.concat([B.from('ab')], 5),
      (B) => B.concat([B.from('ab')], 1),
      (B) => B.concat([]),
      (B) => B.concat([B.from('a'), 'b']),
      (B) => B.concat('x'),
      (B) => B.copyBytesFrom(new Uint16Array([1, 2, 3]), 1, 1),
      (B) => B.copyBytesFrom(new Uint16Array([1, 2, 3]), 5),
      (B) => B.copyBytesFrom([1, 2]),
    ];
    // kMaxLength differs (QuickJS's limit), so range messages for sizes differ.
    cases.forEach((call, i) => same(`case ${i}: ${call}`, call));
    same('alloc(-1)', (B) => B.alloc(-1));
  });

  test(`instance methods match Node${variant}`, () => {
    const cases = [
      (B) => B.from('héllo wörld').toString('utf8', 1, 5),
      (B) => B.from('héllo').toString('hex', -1, 100),
      (B) => B.from('hello').toString(undefined, 1.5, 3.9),
      (B) => B.from('hello').toString('utf8', 4, 2),
      (B) => B.from('hello').toString(null),
      (B) => B.from('hello').toString('bogus'),
      (B) => B.from('hello').toJSON(),
      (B) => JSON.stringify(B.from('hi')),
      (B) => B.from('hello').equals(B.from('hello')),
      (B) => B.from('hello').equals(new Uint8Array([104])),
      (B) => B.from('ab').equals('ab'),
      (B) => B.from('abc').compare(B.from('abd')),
      (B) => B.from('abc').compare(B.from('abd'), 0, 2, 0, 2),
      (B) => B.from('abc').compare(B.from('abd'), 1, 3, 1, 3),
      (B) => B.from('abc').compare(B.from('abd'), 0, 5),
      (B) => B.from('abc').compare(B.from('abd'), 2, 1),
      (B) => B.from('abc').compare('x'),
      (B) => { const t = B.alloc(5); return [B.from('abc').copy(t, 1), t]; },
      (B) => { const t = B.alloc(2); return [B.from('abc').copy(t, 0, 1), t]; },
      (B) => { const t = B.alloc(5); return [B.from('abcdef').copy(t, 3, 1, 5), t]; },
      (B) => { const t = B.alloc(5); return [B.from('abc').copy(t, 1.7, '1'), t]; },
      (B) => B.from('abc').copy(B.alloc(2), 0, 5),
      (B) => B.from('abc').copy(B.alloc(2), -1),
      (B) => B.from('abc').copy(new Uint16Array(2)),
      (B) => { const b = B.from('abcdef'); b.copy(b, 2, 0, 4); return b; },
      (B) => B.from('abc').fill('x', 1, 'latin1'),
      (B) => B.from('abcdef').fill('xy', 1, 5),
      (B) => B.from('abcdef').fill(0x41, 2),
      (B) => B.from('abcdef').fill('', 2),
      (B) => B.from('abc').fill('x', 1, 5),
      (B) => B.from('abc').fill('x', -1),
      (B) => B.from('abc').fill('x', 2, 1),
      (B) => B.from('abcdef').fill('6869', 'hex'),
      (B) => { const b = B.alloc(4); return [b.write('abcdef', 'hex'), b]; },
      (B) => { const b = B.alloc(4); return [b.write('a€b', 1), b]; },
      (B) => { const b = B.alloc(2); return [b.write('€a'), b]; },
      (B) => { const b = B.alloc(3); return [b.write('a\ud800'), b]; },
      (B) => { const b = B.alloc(5); return [b.write('abc', 1, 'ucs2'), b]; },
      (B) => { const b = B.alloc(5); return [b.write('abc', 1, 2, 'latin1'), b]; },
      (B) => { const b = B.alloc(5); return [b.write('\u0141bc', 'ascii'), b]; },
      (B) => B.alloc(4).write(5),
      (B) => B.alloc(4).write('zz', 5),
      (B) => B.alloc(4).write('zz', 1, 5),
      (B) => B.alloc(4).write('zz', 'bogus'),
      (B) => B.from('abcdef').slice(1, -1),
      (B) => B.from('abcdef').slice(-2),
      (B) => B.from('abcdef').subarray(4, 2),
      (B) => B.from('abcdef').slice('1', NaN),
      (B) => { const b = B.from('abc'); b.slice(1)[0] = 0x7a; return b; },
      (B) => B.isBuffer(B.from('abc').slice(1)),
      (B) => B.isBuffer(B.from('abc').subarray(1)),
      (B) => B.isBuffer(B.from('abc').map((x) => x + 1)),
      (B) => B.from('abcd').swap16(),
      (B) => B.from('abcdefgh').swap32(),
      (B) => B.from('abcdefgh').swap64(),
      (B) => B.from('abc').swap16(),
      (B) => B.from('abc').swap32(),
      (B) => B.from('hi').hexSlice(),
      (B) => B.from('hi').utf8Slice(1),
      (B) => B.from('hi').latin1Slice(2, 1),
      (B) => B.from('hi').latin1Slice(0, 5),
      (B) => B.from('hi').latin1Slice(-1),
      (B) => { const b = B.alloc(4); return [b.utf8Write('hé', 1), b]; },
      (B) => { const b = B.alloc(4); return [b.hexWrite('abcd', 1, 1), b]; },
      (B) => B.alloc(4).utf8Write('x', 5),
      (B) => B.alloc(4).utf8Write(5),
    ];
    cases.forEach((call, i) => same(`case ${i}: ${call}`, call));
  });

  test(`indexOf / lastIndexOf / includes match Node${variant}`, () => {
    const rand = rng(5);
    const alphabet = [0x61, 0x62, 0x00, 0xc3, 0xa9];
    const needles = ['a', 'b', 'ab', 'ba', '', 'é', 'aé', '\u0000', 'abab', 'YQ==', '61', 'é\u0000'];
    const encodings = [undefined, 'utf8', 'latin1', 'ucs2', 'hex', 'base64', 'ascii', 'bogus'];
    const offsets = [undefined, 0, 1, 2, 3, -1, -2, -100, 100, 1.5, '1', 'utf8', null, NaN, Infinity, -Infinity];
    for (let i = 0; i < 3000; i++) {
      const hay = Array.from({ length: Math.floor(rand() * 9) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const pick = rand();
      const needle = pick < 0.5 ? needles[Math.floor(rand() * needles.length)]
        : pick < 0.7 ? Math.floor(rand() * 600) - 50
          : Array.from({ length: Math.floor(rand() * 3) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const offset = offsets[Math.floor(rand() * offsets.length)];
      const enc = encodings[Math.floor(rand() * encodings.length)];
      for (const method of ['indexOf', 'lastIndexOf', 'includes']) {
        const call = (B) => B.from(hay)[method](Array.isArray(needle) ? B.from(needle) : needle, offset, enc);
        const mine = outcome(() => call(MyBuffer));
        const node = outcome(() => call(Buffer));
        // Node's 'ucs2' search reports a miss on an odd-length buffer as
        // length - 1 (a bug; ours says -1).
        const ucs2 = (typeof offset === 'string' ? offset : enc) === 'ucs2' && typeof needle !== 'number';
        if (ucs2 && hay.length % 2 === 1 &&
            (method === 'includes' ? node.value && !mine.value : node.value === hay.length - 1 && mine.value === -1)) {
          continue;
        }
        assert.deepStrictEqual(mine, node, `${method}(${JSON.stringify(needle)}, ${String(offset)}, ${enc}) in ${hay}`);
      }
    }
  });

  test(`reading and writing numbers matches Node, errors included${variant}`, () => {
    const rand = rng(6);
    const sizes = { 8: 1, 16: 2, 32: 4 };
    const readers = [];
    for (const kind of ['UInt', 'Int', 'Uint']) {
      readers.push(`read${kind}8`);
      for (const bits of [16, 32]) for (const e of ['LE', 'BE']) readers.push(`read${kind}${bits}${e}`);
    }
    for (const kind of ['Float', 'Double', 'BigUInt64', 'BigInt64', 'BigUint64']) for (const e of ['LE', 'BE']) readers.push(`read${kind}${e}`);
    const offsets = [undefined, 0, 1, 2, 3, 4, 7, 8, 9, -1, 1.5, '1', NaN, null];
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(rand, 12);
      for (const reader of readers) {
        const offset = offsets[Math.floor(rand() * offsets.length)];
        same(`${reader}(${offset}) of ${bytes}`, (B) => B.from(bytes)[reader](offset));
      }
      for (const name of ['readUIntLE', 'readUIntBE', 'readIntLE', 'readIntBE']) {
        const byteLength = [1, 2, 3, 4, 5, 6, 0, 7, 1.5, '2', undefined][Math.floor(rand() * 11)];
        const offset = [0, 1, 2, undefined, -1][Math.floor(rand() * 5)];
        same(`${name}(${offset}, ${byteLength}) of ${bytes}`, (B) => B.from(bytes)[name](offset, byteLength));
      }
    }
    const values = [0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, -32768, 65535, 65536, 2 ** 31 - 1, 2 ** 31,
      -(2 ** 31), 2 ** 32 - 1, 2 ** 32, 2 ** 40, -(2 ** 47), 2 ** 47, 2 ** 48 - 1, 2 ** 48, 1.5, -1.5, NaN, '12', Infinity, 300.7];
    const writers = [];
    for (const kind of ['UInt', 'Int']) {
      writers.push(`write${kind}8`);
      for (const bits of [16, 32]) for (const e of ['LE', 'BE']) writers.push(`write${kind}${bits}${e}`);
    }
    for (const kind of ['Float', 'Double']) for (const e of ['LE', 'BE']) writers.push(`write${kind}${e}`);
    for (const writer of writers) {
      for (const value of values) {
        for (const offset of [undefined, 0, 3, 5, 8, -1, 1.5]) {
          same(`${writer}(${value}, ${offset})`, (B) => {
            const b = B.alloc(8);
            return [b[writer](value, offset), b];
          });
        }
      }
    }
    for (const name of ['writeUIntLE', 'writeUIntBE', 'writeIntLE', 'writeIntBE']) {
      for (const value of values) {
        for (const byteLength of [1, 2, 3, 4, 5, 6, 7]) {
          same(`${name}(${value}, 1, ${byteLength})`, (B) => {
            const b = B.alloc(8);
            return [b[name](value, 1, byteLength), b];
          });
        }
      }
    }
    const bigValues = [0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, 12345678901234567890n];
    for (const name of ['writeBigUInt64LE', 'writeBigUInt64BE', 'writeBigInt64LE', 'writeBigInt64BE', 'writeBigUint64LE']) {
      for (const value of bigValues) {
        for (const offset of [undefined, 0, 1, 2]) {
          same(`${name}(${value}, ${offset})`, (B) => {
            const b = B.alloc(9);
            return [b[name](value, offset), b];
          });
        }
      }
      same(`${name}(1)`, (B) => B.alloc(8)[name](1), { messages: false });
    }
  });

  test(`inspect shows a Buffer like Node${variant}`, () => {
    const myInspect = env.internal.inspect;
    const { inspect } = require('node:util');
    for (const make of [(B) => B.from('hi'), (B) => B.alloc(0), (B) => B.alloc(60, 7), (B) => B.alloc(51),
      (B) => Object.assign(B.from('hi'), { x: 1 }), (B) => Object.assign(B.alloc(0), { y: 'z' }), (B) => ({ b: B.from([1, 2]) })]) {
      assert.strictEqual(myInspect(make(MyBuffer)), inspect(make(Buffer)), String(make));
    }
  });

  test(`Buffer is a Uint8Array subclass like Node${variant}`, () => {
    const b = MyBuffer.from('abc');
    assert.ok(b instanceof env.run('Uint8Array'));
    assert.ok(b instanceof MyBuffer);
    assert.strictEqual(b.constructor, MyBuffer);
    assert.strictEqual(Object.getPrototypeOf(MyBuffer), env.run('Uint8Array'));
    assert.strictEqual(env.run('new Buffer(2).length'), 2);
    assert.strictEqual(env.run('Buffer.from("abc").buffer.byteLength'), 3);
    assert.strictEqual(env.run('require("buffer").Buffer'), MyBuffer);
    assert.strictEqual(env.run('require("node:buffer").Buffer'), MyBuffer);
    assert.strictEqual(env.run('Object.getOwnPropertyDescriptor(globalThis, "Buffer").enumerable'), false);
    const mod = env.require('buffer');
    assert.strictEqual(mod.INSPECT_MAX_BYTES, 50);
    for (const bytes of [[], [0x61], [0xc3, 0xa9], [0xc3], [0xed, 0xa0, 0x80], [0xef, 0xbf, 0xbd], [0x80]]) {
      assert.strictEqual(mod.isUtf8(new Uint8Array(bytes)), require('node:buffer').isUtf8(new Uint8Array(bytes)), String(bytes));
      assert.strictEqual(mod.isAscii(new Uint8Array(bytes)), require('node:buffer').isAscii(new Uint8Array(bytes)), String(bytes));
    }
    assert.throws(() => mod.isUtf8('x'), { code: 'ERR_INVALID_ARG_TYPE' });
  });

  test(`StringDecoder matches Node fed in random pieces and byte by byte${variant}`, () => {
    const rand = rng(7);
    const encodings = ['utf8', 'utf16le', 'base64', 'base64url', 'hex', 'latin1', 'ascii'];
    const interesting = [0x41, 0x80, 0xbf, 0xc2, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xe0, 0xed, 0xf0, 0x9f, 0x98, 0x80, 0xf4, 0xf5, 0xff, 0xd8, 0xdc, 0x00];
    for (let i = 0; i < 1500; i++) {
      const bytes = Array.from({ length: Math.floor(rand() * 14) }, () =>
        (rand() < 0.7 ? interesting[Math.floor(rand() * interesting.length)] : Math.floor(rand() * 256)));
      const enc = encodings[Math.floor(rand() * encodings.length)];
      const byteByByte = rand() < 0.5;
      const pieces = [];
      for (let p = 0; p < bytes.length;) {
        const n = byteByByte ? 1 : 1 + Math.floor(rand() * 4);
        pieces.push(bytes.slice(p, p + n));
        p += n;
      }
      const run = (Decoder, B) => {
        const d = new Decoder(enc);
        const out = pieces.map((piece) => d.write(B.from(piece)));
        out.push(d.end());
        return { out, encoding: d.encoding };
      };
      assert.deepStrictEqual(run(MyStringDecoder, MyBuffer), run(StringDecoder, Buffer), `${enc} ${JSON.stringify(pieces)}`);
    }
  });

  test(`StringDecoder details match Node${variant}`, () => {
    const cases = [
      (D, B) => new D().encoding,
      (D, B) => new D('UCS-2').encoding,
      (D, B) => new D('bogus'),
      (D, B) => new D().write('str'),
      (D, B) => new D().write(5),
      (D, B) => new D().end(B.from([0xe2, 0x82])),
      (D, B) => { const d = new D(); d.write(B.from([0xe2])); return [d.lastNeed, d.lastTotal, d.end()]; },
      (D, B) => new D('utf16le').write(new Uint16Array([0x41, 0x263a])),
      (D, B) => new D('utf8').write(new DataView(new Uint8Array([0x68, 0x69]).buffer)),
      (D, B) => { const d = new D(); d.write(B.from([0xe2])); return d.text(B.from('xyz'), 1); },
    ];
    cases.forEach((call, i) => {
      assert.deepStrictEqual(outcome(() => call(MyStringDecoder, MyBuffer)), outcome(() => call(StringDecoder, Buffer)), `case ${i}: ${call}`);
    });
  });
}
