'use strict';
// Compares Headers, Request and Response (src/prelude/fetch.js) with Node's
// (undici), and checks fetch against a stand-in host that records each
// request and answers with canned responses.
const test = require('node:test');
const assert = require('node:assert');
const { loadNode, outcome, plain, rng } = require('./node-env.js');

let respond = () => ({ ok: false, value: { message: 'unset' } });
const env = loadNode({ respond: (name, args) => respond(name, args) });
const G = env.run('globalThis');
const mine = { Headers: G.Headers, Request: G.Request, Response: G.Response, URLSearchParams: G.URLSearchParams };
const node = { Headers, Request, Response, URLSearchParams };

// The settled value (made plain) or the error's name and message.
async function settle(value) {
  try {
    return { value: plain(await value) };
  } catch (err) {
    return { error: err.name, message: err.message };
  }
}

// Runs `scenario(classes)` with the guest's classes and Node's; the results must match.
async function same(label, scenario) {
  const run = (impl) => settle((async () => scenario(impl))());
  assert.deepStrictEqual(await run(mine), await run(node), label);
}

test('Headers match Node over random operation sequences', () => {
  const rand = rng(31);
  const names = ['a', 'A', 'Content-Type', 'content-type', 'set-cookie', 'Set-Cookie', 'cookie', 'x-y', 'bad name',
    'ü', '', 'x:y', 'Accept'];
  const values = ['1', ' spaced\t', 'a, b', 'x=1; Path=/', '', 'bad\nvalue', 'nul\0', 'é', '\u0100', 'v'];
  for (let i = 0; i < 400; i++) {
    const ops = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => ({
      op: ['append', 'set', 'delete', 'get', 'has', 'getSetCookie'][Math.floor(rand() * 6)],
      name: names[Math.floor(rand() * names.length)],
      value: values[Math.floor(rand() * values.length)],
    }));
    const run = ({ Headers: H }) => {
      const h = new H();
      const log = ops.map(({ op, name, value }) => outcome(() => h[op](name, value)));
      log.push([...h], [...h.keys()], [...h.values()]);
      const each = [];
      h.forEach((v, k, self) => each.push([k, v, self === h]));
      log.push(each);
      return plain(log);
    };
    assert.deepStrictEqual(run(mine), run(node), JSON.stringify(ops));
  }
});

test('Headers constructor and argument checks match Node', () => {
  const inits = [
    undefined, [['a', '1'], ['B', '2'], ['a', '3']], { b: '2', A: '1' }, [['a', '1', '2']], [['a']], ['ab'], [5],
    5, 'str', null, { 'bad name': 'x' }, { a: 'x\ny' }, [['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']],
    new Map([['m', '1']]), { [Symbol('s')]: 'x' }, { a: 1, b: true, c: null }, { a: Symbol('v') },
    [['a', Symbol('v')]], [[Symbol('k'), 'a']], [{}],
  ];
  inits.forEach((init, i) => {
    const run = ({ Headers: H }) => outcome(() => [...new H(init)]);
    assert.deepStrictEqual(run(mine), run(node), `init ${i}`);
  });
  const copyRun = ({ Headers: H }) => {
    const h = new H([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['X', '1']]);
    return plain([[...new H(h)], new H(h).getSetCookie(), h.get('set-cookie')]);
  };
  assert.deepStrictEqual(copyRun(mine), copyRun(node));
  const checks = ({ Headers: H }) => {
    const h = new H();
    return plain([outcome(() => h.append('a')), outcome(() => h.get()), outcome(() => h.forEach()),
      outcome(() => h.forEach('x')), outcome(() => H.prototype.get.call({}, 'a')), Object.prototype.toString.call(h),
      Object.keys(H.prototype).sort(), typeof h[Symbol.iterator], Object.prototype.toString.call(h.entries()),
      outcome(() => h.entries().next())]);
  };
  assert.deepStrictEqual(checks(mine), checks(node));
  assert.strictEqual(env.internal.inspect(new G.Headers([['A', '1'], ['b', '2']])), require('node:util').inspect(new Headers([['A', '1'], ['b', '2']])));
});

test('Request matches Node', async () => {
  const scenarios = {
    basics: ({ Request: R }) => {
      const r = new R('http://example.com/a?b#c');
      return [r.method, r.url, [...r.headers], r.body, r.bodyUsed, r.redirect];
    },
    methods: ({ Request: R }) => ['get', 'Get', 'POST', 'patch', 'PATCH', 'custom', 'delete', 'OPTIONS', 'head', 'connect',
      'TRACE', 'bad method', ''].map((method) => outcome(() => new R('http://x/', { method }).method)),
    urls: ({ Request: R }) => ['http://x', 'relative/path', 'http://u:p@x/', 'not a url', 'HTTP://X.COM/%7e'].map(
      (u) => outcome(() => new R(u).url)),
    getWithBody: ({ Request: R }) => [outcome(() => new R('http://x/', { body: 'x' })),
      outcome(() => new R('http://x/', { method: 'HEAD', body: 'x' })), outcome(() => new R('http://x/', { body: null }).method)],
    bodies: async ({ Request: R, URLSearchParams: P }) => {
      const out = [];
      for (const body of ['text', new P('a=1&b=2'), new Uint8Array([1, 2, 255]), new Uint16Array([258]).buffer,
        { plain: 'object' }, 42, 'caf\u00e9\ud800']) {
        const r = new R('http://x/', { method: 'POST', body });
        out.push([r.headers.get('content-type'), await r.text(), r.bodyUsed]);
      }
      return out;
    },
    explicitContentType: async ({ Request: R }) => {
      const r = new R('http://x/', { method: 'PUT', body: 'x', headers: { 'Content-Type': 'application/json' } });
      return [[...r.headers], await r.json().catch((e) => e.name)];
    },
    fromRequest: async ({ Request: R }) => {
      const a = new R('http://x/a', { method: 'POST', body: 'payload', headers: { x: '1' }, redirect: 'manual' });
      const b = new R(a, { headers: { y: '2' } });
      const c = new R(b);
      return [b.method, b.url, [...b.headers], b.redirect, a.bodyUsed, await c.text(), outcome(() => new R(b))];
    },
    clone: async ({ Request: R }) => {
      const a = new R('http://x/', { method: 'POST', body: 'abc' });
      const b = a.clone();
      const first = await a.text();
      return [first, await b.text(), outcome(() => a.clone()), a.bodyUsed, await a.text().catch((e) => [e.name, e.message])];
    },
    redirectModes: ({ Request: R }) => ['follow', 'manual', 'error', 'bogus'].map(
      (redirect) => outcome(() => new R('http://x/', { redirect }).redirect)),
    noArguments: ({ Request: R }) => outcome(() => new R()),
    badInit: ({ Request: R }) => [outcome(() => new R('http://x/', 5)), outcome(() => new R('http://x/', { method: Symbol('m') }))],
  };
  for (const [name, scenario] of Object.entries(scenarios)) await same(`Request ${name}`, scenario);
});

test('Response matches Node', async () => {
  const scenarios = {
    defaults: ({ Response: R }) => {
      const r = new R();
      return [r.status, r.ok, r.statusText, r.type, r.url, r.redirected, r.body, r.bodyUsed, [...r.headers]];
    },
    statuses: ({ Response: R }) => [200, 201, 299, 300, 404, 599, 600, 199, 0, 65736, '204', 204].map(
      (status) => outcome(() => { const r = new R(null, { status }); return [r.status, r.ok]; })),
    nullBodyStatus: ({ Response: R }) => [204, 205, 304].map((status) => outcome(() => new R('x', { status }))),
    statusText: ({ Response: R }) => ['OK', 'Not\nOK', 'Caf\u00e9', 'bad\u0100'].map(
      (statusText) => outcome(() => new R(null, { statusText }).statusText)),
    bodies: async ({ Response: R, URLSearchParams: P }) => {
      const out = [];
      for (const body of ['hello', new P('q=1'), new Uint8Array([0xe2, 0x82, 0xac]), { a: 1 },
        '\ufeffwith BOM', new ArrayBuffer(2)]) {
        const r = new R(body);
        out.push([r.headers.get('content-type'), await r.text()]);
      }
      return out;
    },
    readers: async ({ Response: R }) => [
      new Uint8Array(await new R('abc').arrayBuffer()), await new R('[1,2]').json(), await new R('é').bytes(),
      await new R().text(), await new R('not json').json().catch((e) => e.name)],
    usedTwice: async ({ Response: R }) => {
      const r = new R('x');
      await r.text();
      return [r.bodyUsed, await r.text().catch((e) => [e.name, e.message]), outcome(() => r.clone())];
    },
    clone: async ({ Response: R }) => {
      const r = new R('body', { status: 201, statusText: 'Made', headers: { a: '1' } });
      const c = r.clone();
      return [c.status, c.statusText, [...c.headers], await c.text(), await r.text()];
    },
    json: async ({ Response: R }) => {
      const r = R.json({ a: [1, 'b'] }, { status: 202, headers: { x: 'y' } });
      return [r.status, [...r.headers], await r.text(), outcome(() => R.json(undefined)), outcome(() => R.json(() => {})),
        [...R.json('s', { headers: { 'content-type': 'text/x' } }).headers]];
    },
    error: ({ Response: R }) => {
      const r = R.error();
      return [r.type, r.status, r.ok, r.statusText, r.body, outcome(() => r.headers.set('a', 'b'))];
    },
    redirect: ({ Response: R }) => {
      const r = R.redirect('http://example.com/x y', 301);
      return [r.status, [...r.headers], outcome(() => R.redirect('http://x/', 200)), outcome(() => R.redirect('rel')),
        R.redirect('http://x/').status, outcome(() => r.headers.delete('location'))];
    },
    headersInit: ({ Response: R }) => [...new R('x', { headers: [['Content-Type', 'text/html'], ['X', '1']] }).headers],
    badInit: ({ Response: R }) => [outcome(() => new R('x', 5)), outcome(() => new R('x', null).status),
      outcome(() => new R(null, { statusText: Symbol('s') }))],
    stringTags: ({ Response: R, Request: Q }) => {
      // blob(), formData() and the Request members other than these are not
      // provided ('attribute' is an undici stray).
      const provided = (k) => !['blob', 'formData', 'attribute', 'signal', 'cache', 'credentials', 'destination', 'duplex', 'integrity',
        'isHistoryNavigation', 'isReloadNavigation', 'keepalive', 'mode', 'referrer', 'referrerPolicy'].includes(k);
      return [Object.prototype.toString.call(new R()), Object.prototype.toString.call(new Q('http://x/')),
        Object.keys(R.prototype).filter(provided).sort(), Object.keys(Q.prototype).filter(provided).sort()];
    },
  };
  for (const [name, scenario] of Object.entries(scenarios)) await same(`Response ${name}`, scenario);
});

test('a held body is a ReadableStream of one chunk', async () => {
  const r = new G.Response('streamed');
  const body = r.body;
  assert.strictEqual(r.body, body);
  assert.strictEqual(body.locked, false);
  const reader = body.getReader();
  assert.strictEqual(body.locked, true);
  assert.throws(() => body.getReader(), { name: 'TypeError' });
  await assert.rejects(r.text(), { message: 'Body is unusable: Body has already been read' });
  const first = await reader.read();
  assert.strictEqual(Buffer.from(first.value).toString(), 'streamed');
  assert.strictEqual(first.done, false);
  assert.deepStrictEqual(plain(await reader.read()), { value: undefined, done: true });
  assert.strictEqual(r.bodyUsed, true);
  const chunks = [];
  for await (const chunk of new G.Response('iterated').body) chunks.push(Buffer.from(chunk).toString());
  assert.deepStrictEqual(chunks, ['iterated']);
});

test('fetch sends the request shape the host expects', async () => {
  const answer = { status: 200, statusText: 'OK', url: 'http://example.com/final', headers: [], body: '', bodyEncoding: 'utf8' };
  respond = () => ({ ok: true, value: answer });
  env.calls.length = 0;
  await G.fetch('http://example.com/path?q=1#frag');
  await G.fetch('http://example.com/', {
    method: 'post', body: 'héllo', headers: { 'X-B': '2', 'x-a': '1', 'Set-Cookie': 'c', Accept: 'a' }, redirect: 'manual',
  });
  await G.fetch(new G.Request('http://example.com/bin', { method: 'PUT', body: new Uint8Array([0, 255, 1]) }));
  await G.fetch('http://example.com/form', { method: 'POST', body: new G.URLSearchParams({ a: '1 2' }) });
  await G.fetch(new G.URL('http://example.com/url-object'));
  assert.deepStrictEqual(env.calls.map((c) => c.name), ['fetch', 'fetch', 'fetch', 'fetch', 'fetch']);
  assert.deepStrictEqual(env.calls.map((c) => c.args), [
    { url: 'http://example.com/path?q=1', method: 'GET', headers: [], body: null, bodyEncoding: 'utf8', redirect: 'follow' },
    {
      url: 'http://example.com/', method: 'POST',
      headers: [['accept', 'a'], ['content-type', 'text/plain;charset=UTF-8'], ['set-cookie', 'c'], ['x-a', '1'], ['x-b', '2']],
      body: 'héllo', bodyEncoding: 'utf8', redirect: 'manual',
    },
    { url: 'http://example.com/bin', method: 'PUT', headers: [], body: 'AP8B', bodyEncoding: 'base64', redirect: 'follow' },
    {
      url: 'http://example.com/form', method: 'POST', headers: [['content-type', 'application/x-www-form-urlencoded;charset=UTF-8']],
      body: 'a=1+2', bodyEncoding: 'utf8', redirect: 'follow',
    },
    { url: 'http://example.com/url-object', method: 'GET', headers: [], body: null, bodyEncoding: 'utf8', redirect: 'follow' },
  ]);
});

test('fetch turns the host\'s answer into a Response', async () => {
  respond = (name, args) => ({
    ok: true,
    value: {
      status: args.method === 'HEAD' ? 200 : 201, statusText: 'Created', url: 'http://example.com/final#ignored', redirected: true,
      headers: [['Content-Type', 'application/json'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['X-Multi', 'one'], ['x-multi', 'two']],
      body: args.url.endsWith('/bin') ? Buffer.from('{"bin":true}').toString('base64') : '{"ok":true}',
      bodyEncoding: args.url.endsWith('/bin') ? 'base64' : 'utf8',
    },
  });
  const res = await G.fetch('http://example.com/start');
  assert.ok(res instanceof G.Response);
  assert.deepStrictEqual([res.status, res.statusText, res.ok, res.url, res.redirected, res.type], [201, 'Created', true, 'http://example.com/final', true, 'basic']);
  assert.strictEqual(res.headers.get('x-multi'), 'one, two');
  assert.deepStrictEqual(plain(res.headers.getSetCookie()), ['a=1', 'b=2']);
  assert.throws(() => res.headers.set('a', 'b'), { name: 'TypeError', message: 'immutable' });
  assert.deepStrictEqual(plain(await res.json()), { ok: true });
  assert.strictEqual(res.bodyUsed, true);
  const bin = await G.fetch('http://example.com/bin');
  assert.deepStrictEqual(plain(await bin.clone().json()), { bin: true });
  assert.strictEqual(Buffer.from(await bin.arrayBuffer()).toString(), '{"bin":true}');
  const head = await G.fetch('http://example.com/', { method: 'HEAD' });
  assert.strictEqual(head.body, null);
  assert.strictEqual(await head.text(), '');
  respond = () => ({ ok: true, value: { status: 204, statusText: '', url: 'http://x/', headers: [], body: '', bodyEncoding: 'utf8' } });
  const empty = await G.fetch('http://x/');
  assert.strictEqual(empty.body, null);
});

test('fetch failures reject like Node', async () => {
  respond = () => ({ ok: false, value: { name: 'ConnectError', message: 'connection refused', code: 'ECONNREFUSED' } });
  await assert.rejects(G.fetch('http://example.com/'), (err) => {
    assert.ok(err instanceof G.TypeError);
    assert.strictEqual(err.message, 'fetch failed');
    assert.deepStrictEqual([err.cause.name, err.cause.message, err.cause.code], ['ConnectError', 'connection refused', 'ECONNREFUSED']);
    return true;
  });
  env.calls.length = 0;
  // A request that cannot be built rejects with that error, without a host call.
  await assert.rejects(G.fetch('relative/url'), { name: 'TypeError', message: 'Failed to parse URL from relative/url' });
  await assert.rejects(G.fetch('http://x/', { body: 'x' }), { message: 'Request with GET/HEAD method cannot have body.' });
  assert.strictEqual(env.calls.length, 0);
  respond = () => ({ ok: true, value: { nonsense: true } });
  await assert.rejects(G.fetch('http://x/'), { name: 'TypeError' });
  respond = () => ({ ok: true, value: { status: 200, statusText: 'OK', url: 'http://x/', headers: [], body: '', bodyEncoding: 'utf8' } });
  const used = new G.Request('http://x/', { method: 'POST', body: 'once' });
  await G.fetch(used);
  assert.strictEqual(used.bodyUsed, true);
  await assert.rejects(G.fetch(used), { message: 'Cannot construct a Request with a Request object that has already been used.' });
});
