'use strict';
// Compares path, querystring and the legacy url API (src/prelude/node_path.js)
// with Node's. The guest's working directory is '/'.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const querystring = require('node:querystring');
const url = require('node:url');
const { loadNode, outcome, plain, rng } = require('./node-env.js');

const env = loadNode();
const myPath = env.require('path');
const myQs = env.require('querystring');
const myUrl = env.require('url');

const PATHS = ['', '.', '..', '/', '//', '///', 'a', '/a', 'a/', '/a/', 'a/b', '/a/b/', 'a//b', 'a/./b', 'a/../b',
  '../a', '../../a/b', '/..', '/../a', './', './a', 'a/..', 'a/../..', '.a', 'a.', 'a.b', 'a.b.c', '.a.b', '..a',
  'a..', 'a/.b', 'a/b.', '/a/b.txt', '/a/b.txt/', 'a/b/.', 'a/b/..', '...', '/.../a', 'a/.../b', '.git/config',
  '/foo/bar/baz/asdf/quux.html', 'file.tar.gz', '/a b/c d.e f', 'é/ü.ö', '\\a\\b.c', 'C:\\x\\y'];

test('path functions match path.posix on tricky paths', () => {
  for (const p of PATHS) {
    for (const fn of ['normalize', 'dirname', 'basename', 'extname', 'isAbsolute', 'parse', 'toNamespacedPath']) {
      assert.deepStrictEqual(outcome(() => myPath[fn](p)), outcome(() => path.posix[fn](p)), `${fn}(${JSON.stringify(p)})`);
    }
    for (const ext of ['.txt', 'b.txt', 'txt', '', '/', 'a', '.', 'c', '.html', 'x']) {
      assert.strictEqual(myPath.basename(p, ext), path.posix.basename(p, ext), `basename(${JSON.stringify(p)}, ${ext})`);
    }
    assert.deepStrictEqual(plain(myPath.format(myPath.parse(p))), path.posix.format(path.posix.parse(p)), `format(parse(${p}))`);
  }
});

test('join, resolve and relative match path.posix on random paths', () => {
  const rand = rng(11);
  // resolve() starts from the working directory, '/' in the guest.
  const resolve = (...args) => path.posix.resolve('/', ...args);
  for (let i = 0; i < 3000; i++) {
    const args = Array.from({ length: Math.floor(rand() * 4) }, () => PATHS[Math.floor(rand() * PATHS.length)]);
    assert.strictEqual(myPath.join(...args), path.posix.join(...args), `join(${JSON.stringify(args)})`);
    assert.strictEqual(myPath.resolve(...args), resolve(...args), `resolve(${JSON.stringify(args)})`);
    if (args.length >= 2) {
      assert.strictEqual(myPath.relative(args[0], args[1]), path.posix.relative(resolve(args[0]), resolve(args[1])),
        `relative(${JSON.stringify(args)})`);
    }
  }
});

test('path details match Node', () => {
  const cases = [
    (p) => p.join(), (p) => p.join('a', 5), (p) => p.resolve('a', null), (p) => p.normalize(5),
    (p) => p.basename('a', 5), (p) => p.relative(1, 'a'), (p) => p.parse(null), (p) => p.format(null),
    (p) => p.format({ dir: '/x', base: 'y.z' }), (p) => p.format({ root: '/', name: 'n', ext: 'e' }),
    (p) => p.format({ root: '/', dir: '/', base: 'b' }), (p) => p.format({ name: 'n', ext: '.e', base: '' }),
    (p) => p.format({}), (p) => [p.sep, p.delimiter, p.posix === p], (p) => p.relative('/a/b', '/a/b/c/d'),
    (p) => p.relative('/', '/x'), (p) => p.relative('/x/y', '/'), (p) => p.relative('/a/bc', '/a/b'),
  ];
  for (const call of cases) assert.deepStrictEqual(outcome(() => call(myPath)), outcome(() => call(path.posix)), String(call));
  assert.strictEqual(env.require('path/posix'), myPath);
  assert.strictEqual(myPath.resolve(), '/');
  assert.strictEqual(myPath.resolve('a/b', '../c'), '/a/c');
});

const QUERIES = ['', 'a=1', 'a=1&b=2', 'a=1&a=2&a=3', 'a', 'a=', '=b', '&&a=1&&', 'a=1&', 'a+b=c+d', 'a%20b=c%20d',
  'a%zz=1', '%E4%B8%AD=%E6%96%87', '%C3=x', 'a=b=c', 'key=va%lue', 'a[]=1&a[]=2', '__proto__=1&toString=2',
  'é=ü', 'a;b=1;c', 'x=%2B%26%3D', 'a=1&b&c=&=d', '%=%', 'a%2=1'];

test('querystring.parse matches Node', () => {
  for (const q of QUERIES) {
    assert.deepStrictEqual(plain(myQs.parse(q)), plain(querystring.parse(q)), q);
    assert.deepStrictEqual(plain(myQs.parse(q, ';', ':')), plain(querystring.parse(q, ';', ':')), q);
    assert.deepStrictEqual(plain(myQs.parse(q, '&&', '==')), plain(querystring.parse(q, '&&', '==')), q);
    assert.deepStrictEqual(plain(myQs.parse(q, null, null, { maxKeys: 2 })), plain(querystring.parse(q, null, null, { maxKeys: 2 })), q);
    const decodeURIComponent = (s) => s.toUpperCase();
    assert.deepStrictEqual(plain(myQs.parse(q, null, null, { decodeURIComponent })),
      plain(querystring.parse(q, null, null, { decodeURIComponent })), q);
    assert.strictEqual(myQs.unescape(q), querystring.unescape(q), q);
    assert.strictEqual(myQs.escape(q), querystring.escape(q), q);
  }
  assert.strictEqual(Object.getPrototypeOf(myQs.parse('a=1')), null);
  assert.strictEqual(myQs.decode, myQs.parse);
});

test('querystring.stringify matches Node', () => {
  const objects = [
    { a: 1, b: 'x y', c: true, d: false, e: null, f: undefined, g: [1, 2], h: [], i: NaN, j: Infinity, k: 1e21, l: 5n },
    { 'é ü': '中文', '!*()~\'': '-_.', 'a&b': 'c=d' }, {}, { a: { b: 1 } }, { a: '\ud83d\ude00' },
  ];
  for (const o of objects) {
    assert.strictEqual(myQs.stringify(o), querystring.stringify(o));
    assert.strictEqual(myQs.stringify(o, ';', ':'), querystring.stringify(o, ';', ':'));
    const encodeURIComponent = (s) => `[${s}]`;
    assert.strictEqual(myQs.stringify(o, null, null, { encodeURIComponent }), querystring.stringify(o, null, null, { encodeURIComponent }));
  }
  for (const v of ['x', 5, null, undefined]) assert.strictEqual(myQs.stringify(v), querystring.stringify(v));
  assert.deepStrictEqual(outcome(() => myQs.stringify({ a: '\ud800' })), outcome(() => querystring.stringify({ a: '\ud800' })));
  assert.deepStrictEqual(plain(myQs.unescapeBuffer('a%41+%zz')), plain(querystring.unescapeBuffer('a%41+%zz')));
});

const URLS = [
  'http://user:pass@host.com:8080/p/a/t/h?query=string#hash', 'HTTP://EXAMPLE.com/Path', 'https://example.com',
  'http://example.com/a b?c d#e f', '//host/path', '/just/a/path?x=1', 'path/only', '?q=1', '#frag', '',
  'mailto:user@example.com', 'javascript:alert(1)', 'file:///etc/passwd', 'file:/x/y', 'file://host/share',
  'http://[::1]:3000/x', 'http://[fe80::1]/', 'http://a@b@c/d', 'http://a@b?@c', 'http://x.com\\y\\z?\\q',
  '  http://trim.me/  ', 'http://ex.com/%zz', 'http://ex.com/?a=1&a=2&b', 'xmpp:isaacschlueter@jabber.org',
  'http://münchen.de/', 'http://ex.com:/', 'http://ex.com:abc/', 'http://ex.com/"quotes"<>`{}|^', 'HtTp://x',
  'http://a.com/b/c/d;p?q', 'git+ssh://git@github.com:org/repo.git', 'http://\u00a0x.com', 'http://x.com#a#b',
  'http://x.com?a#b?c', 'ws://x/y', 'http:x.com', 'http:/x.com', 'localhost:3000', 'www.example.com/x',
];

function snapshotUrl(u) {
  const out = {};
  for (const key of Object.keys(u)) out[key] = plain(u[key]);
  return out;
}

test('url.parse matches Node', () => {
  for (const input of URLS) {
    for (const [parseQuery, slashes] of [[false, false], [true, false], [false, true]]) {
      const mine = outcome(() => snapshotUrl(myUrl.parse(input, parseQuery, slashes)));
      const node = outcome(() => snapshotUrl(url.parse(input, parseQuery, slashes)));
      assert.deepStrictEqual(mine, node, `${JSON.stringify(input)} ${parseQuery} ${slashes}`);
    }
  }
  assert.ok(myUrl.parse('http://x/') instanceof myUrl.Url);
  assert.deepStrictEqual(outcome(() => myUrl.parse(5)), outcome(() => url.parse(5)));
});

test('url.format matches Node', () => {
  for (const input of URLS) {
    assert.deepStrictEqual(outcome(() => myUrl.format(input)), outcome(() => url.format(input)), JSON.stringify(input));
    assert.deepStrictEqual(outcome(() => myUrl.format(myUrl.parse(input, true))),
      outcome(() => url.format(url.parse(input, true))), JSON.stringify(input));
  }
  const objects = [
    { protocol: 'http', hostname: 'x.com', port: 80, pathname: '/a', query: { b: 1, c: [2, 3] } },
    { protocol: 'https:', host: 'y.com', search: 'q=1', hash: 'h' },
    { protocol: 'mailto', auth: 'u s:p', hostname: 'h' }, { hostname: '::1', port: 3000 }, { pathname: 'a?b#c' },
    { protocol: 'file', pathname: '/x' }, { protocol: 'http', slashes: true, pathname: 'rel' }, {},
  ];
  for (const o of objects) assert.strictEqual(myUrl.format(o), url.format(o), JSON.stringify(o));
  for (const bad of [null, 5, undefined]) assert.deepStrictEqual(outcome(() => myUrl.format(bad)), outcome(() => url.format(bad)));
});

test('url.format of a WHATWG URL matches Node', () => {
  const MyURL = env.run('URL');
  for (const input of ['http://user:pw@example.com:81/p?q=1#h', 'https://xn--mnchen-3ya.de/', 'http://a/#', 'http://a/?']) {
    for (const options of [undefined, { fragment: false }, { search: false }, { auth: false }, { unicode: true },
      { fragment: false, search: false, auth: false, unicode: true }]) {
      assert.strictEqual(myUrl.format(new MyURL(input), options), url.format(new URL(input), options), `${input} ${JSON.stringify(options)}`);
    }
  }
});

test('url.resolve and resolveObject match Node', () => {
  const bases = ['http://a/b/c/d;p?q', 'http://example.com/', 'http://example.com/one/two', 'mailto:a@b.com',
    'file:///a/b', '/one/two/three', 'one/two', 'http://u:p@h.com/x', 'https://x.com', ''];
  const relatives = ['g', './g', 'g/', '/g', '//g', '?y', 'g?y', '#s', 'g#s', '..', '../g', '../..', '../../../g',
    '.', './', 'http://other.com/x', 'https:x', 'mailto:c@d.com', '', 'g;x?y#s', '/./g', 'g/../h', '//u@host', 'file:z'];
  for (const base of bases) {
    for (const rel of relatives) {
      assert.strictEqual(myUrl.resolve(base, rel), url.resolve(base, rel), `resolve(${base}, ${rel})`);
      if (base) {
        assert.deepStrictEqual(snapshotUrl(myUrl.resolveObject(base, rel)), snapshotUrl(url.resolveObject(base, rel)),
          `resolveObject(${base}, ${rel})`);
      }
    }
  }
});

test('fileURLToPath, pathToFileURL, domain helpers and urlToHttpOptions match Node', () => {
  const MyURL = env.run('URL');
  for (const input of ['file:///a/b%20c', 'file:///tmp/%2Fx', 'file://host/x', 'http://x/y', 'file:///é', 'not a url']) {
    assert.deepStrictEqual(outcome(() => myUrl.fileURLToPath(input)), outcome(() => url.fileURLToPath(input)), input);
  }
  assert.strictEqual(myUrl.fileURLToPath(new MyURL('file:///x/y')), '/x/y');
  assert.deepStrictEqual(outcome(() => myUrl.fileURLToPath(5)), outcome(() => url.fileURLToPath(5)));
  for (const p of ['/a/b c', '/x/%/#?', '/dir/', '/tab\there', '/~user/[x]^|"', '/é', '/a\\b']) {
    assert.strictEqual(myUrl.pathToFileURL(p).href, url.pathToFileURL(p).href, p);
  }
  assert.strictEqual(myUrl.pathToFileURL('rel/x').href, 'file:///rel/x');
  // (url.js does not reject every invalid IDNA label, e.g. 'xn--iñvalid.com'.)
  for (const d of ['example.com', 'EXAMPLE.com', 'münchen.de', 'xn--mnchen-3ya.de', 'a..b', '', '中文.com', 'xn--ls8h.la']) {
    assert.strictEqual(myUrl.domainToASCII(d), url.domainToASCII(d), `toASCII ${d}`);
    assert.strictEqual(myUrl.domainToUnicode(d), url.domainToUnicode(d), `toUnicode ${d}`);
  }
  assert.throws(() => myUrl.domainToASCII(), { code: 'ERR_MISSING_ARGS' });
  for (const input of ['http://u:p%20w@[::1]:81/p?q#h', 'https://x.com/']) {
    assert.deepStrictEqual(plain(myUrl.urlToHttpOptions(new MyURL(input))), plain(url.urlToHttpOptions(new URL(input))), input);
  }
  assert.strictEqual(myUrl.URL, MyURL);
  assert.strictEqual(myUrl.URLSearchParams, env.run('URLSearchParams'));
});
