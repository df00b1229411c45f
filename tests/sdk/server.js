// The loopback HTTP server the comparison cases call (event.server), started
// by tests/tests/sdks.rs: /echo answers with the request it got (method, path,
// headers but the ones that depend on how the body was framed, body); /gzip a
// gzipped JSON; /redirect a 302; /slow answers after 2 s; /status/N answers N
// with a JSON error; /hangup closes the connection without answering.
// Prints its port on its first line.
const http = require('http'); const zlib = require('zlib');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/echo') {
      const body = Buffer.concat(chunks).toString();
      const headers = { ...req.headers }; delete headers.host; delete headers.connection; delete headers['user-agent']; delete headers['content-length']; delete headers['transfer-encoding'];
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ method: req.method, path: req.url, headers, body }));
    } else if (url.pathname === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ zipped: true, items: [1, 2, 3] })));
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: '/echo?from=redirect' }); res.end();
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else if (url.pathname.startsWith('/status/')) {
      res.writeHead(Number(url.pathname.slice(8)), { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { message: 'nope', type: 'invalid_request_error' } }));
    } else if (url.pathname === '/hangup') {
      req.socket.destroy();
    } else { res.writeHead(404); res.end(); }
  });
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => console.log(server.address().port));
