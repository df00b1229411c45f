// Built-in `http`/`https` against Node 20, with event.server (tests/sdk/server.js):
// requests and responses, headers, redirects, gzip bytes, errors, timeouts,
// aborts and the order of events.
const http = require('http');
const https = require('https');

function call(mod, url, options, body) {
  return new Promise((resolve) => {
    const onResponse = (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, message: res.statusMessage, httpVersion: res.httpVersion,
        type: res.headers['content-type'], cookies: res.headers['set-cookie'], location: res.headers.location,
        complete: res.complete, body: Buffer.concat(chunks).toString('base64').length,
        text: res.headers['content-encoding'] ? null : Buffer.concat(chunks).toString(),
        distinct: res.headersDistinct['set-cookie'],
      }));
    };
    const req = options === undefined ? mod.request(url, onResponse) : mod.request(url, options, onResponse);
    req.on('error', (e) => resolve({ error: { code: e.code, message: e.message, syscall: e.syscall, errno: e.errno, name: e.name } }));
    req.on('timeout', () => { req.destroy(new Error('timed out')); });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function handleEvent(event) {
  const base = event.server;
  const out = {};
  out.get = await call(http, `${base}/echo?x=1`, { headers: { 'X-Custom': 'yes', Accept: 'application/json' } });
  out.post = await call(http, `${base}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, 'payload body');
  const u = new URL(base);
  out.options = await call(http, { hostname: u.hostname, port: u.port, path: '/echo', method: 'PUT', auth: 'ada:secret' }, undefined, Buffer.from([104, 105]));
  out.redirect = await call(http, `${base}/redirect`);
  out.gzip = await call(http, `${base}/gzip`);
  out.notFound = await call(http, `${base}/nothing`);
  out.status = await call(http, `${base}/status/429`);
  out.hangup = await call(http, `${base}/hangup`);
  out.refused = await call(http, `${event.refused}/x`);
  out.timeout = await call(http, `${base}/slow`, { timeout: 100 });
  out.protocol = (() => { try { http.request('https://example.com'); } catch (e) { return [e.code, e.message]; } })();
  out.badHeader = (() => { try { http.request(`${base}/echo`, { headers: { 'bad header': 'x' } }); } catch (e) { return [e.code, e.message]; } })();
  out.abortSignal = await new Promise((resolve) => {
    const ac = new AbortController();
    const req = http.get(`${base}/slow`, { signal: ac.signal });
    req.on('error', (e) => resolve([e.name, e.code, e.message]));
    setTimeout(() => ac.abort(), 20);
  });
  out.destroyed = await new Promise((resolve) => {
    const req = http.get(`${base}/slow`);
    req.on('error', (e) => resolve([e.code, e.message]));
    setTimeout(() => req.destroy(), 20);
  });
  out.aborted = await new Promise((resolve) => {
    const events = [];
    const req = http.get(`${base}/slow`);
    req.on('error', (e) => events.push('error ' + e.code));
    req.on('abort', () => events.push('abort'));
    req.on('close', () => { events.push('close'); resolve(events); });
    setTimeout(() => req.abort(), 20);
  });
  out.events = await new Promise((resolve) => {
    const events = [];
    const req = http.request(`${base}/echo`, { method: 'POST' });
    req.on('socket', () => events.push('socket'));
    req.on('finish', () => events.push('finish'));
    req.on('response', (res) => { events.push('response'); res.on('end', () => events.push('end')); res.resume(); });
    req.on('close', () => { events.push('close'); resolve(events); });
    req.end('x');
  });
  const req = http.request(`${base}/echo`);
  req.setHeader('X-A', '1'); req.setHeader('x-b', ['2', '3']);
  out.headers = [req.getHeader('x-a'), req.getHeaders(), req.getHeaderNames(), req.hasHeader('X-B'), req.method, req.path, req.host, req.protocol];
  req.destroy();
  req.on('error', () => {});
  out.statusCodes = [http.STATUS_CODES[418], http.STATUS_CODES[200], http.METHODS.length > 30];
  out.agent = [http.globalAgent instanceof http.Agent, https.globalAgent.defaultPort, https.globalAgent.protocol,
    new (class extends https.Agent {})({ keepAlive: true }).keepAlive, typeof http.Agent.prototype.getName];
  out.httpsRefused = await call(https, `https://127.0.0.1:${new URL(event.refused).port}/`);
  return out;
}
