// node-fetch v2 (CommonJS, Node's http) against a refused port, and its
// Headers/Request/Response classes.
const fetch = require('node-fetch');

async function handleEvent(event) {
  let error;
  try {
    await fetch(`${event.refused}/hello`, { headers: { accept: 'application/json' } });
  } catch (err) {
    error = err;
  }
  const response = new fetch.Response(JSON.stringify({ ok: true }), {
    status: 201,
    headers: { 'Content-Type': 'application/json', 'X-Two': 'a' },
  });
  const headers = new fetch.Headers({ b: '2', a: '1' });
  headers.append('a', '3');
  const request = new fetch.Request('http://example.test/path?x=1', { method: 'POST', body: 'hi' });
  return {
    name: error.constructor.name,
    errorName: error.name,
    type: error.type,
    code: error.code,
    errno: error.errno,
    isFetchError: error instanceof fetch.FetchError,
    status: response.status,
    ok: response.ok,
    json: await response.json(),
    headers: [...headers],
    request: [request.method, request.url, await request.text()],
  };
}
