// Built-in `net`, `tls`, `dns` and `http2` against Node 20: a real exchange
// with redis-server (event.redisPort), a refused port, idle timeouts.
const net = require('net');
const tls = require('tls');
const dns = require('dns');

function talk(port, lines) {
  return new Promise((resolve) => {
    const events = [];
    let data = '';
    const socket = net.connect({ port, host: '127.0.0.1' }, () => events.push('connect-cb'));
    socket.on('connect', () => events.push('connect'));
    socket.on('ready', () => events.push('ready'));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => { data += chunk; if (data.split('\r\n').length > lines.length) socket.end(); });
    socket.on('end', () => events.push('end'));
    socket.on('error', (e) => events.push('error ' + e.code));
    socket.on('close', (hadError) => { events.push('close ' + hadError); resolve({ events, data, remote: [socket.remoteAddress, socket.remotePort], written: socket.bytesWritten, read: socket.bytesRead }); });
    for (const line of lines) socket.write(line + '\r\n');
  });
}

async function handleEvent(event) {
  const out = {};
  const redisPort = Number(event.redisPort);
  out.redis = await talk(redisPort, ['PING', 'SET k hello', 'GET k', 'DEL k']);
  const refusedPort = Number(new URL(event.refused).port);
  out.refused = await new Promise((resolve) => {
    const s = net.createConnection(refusedPort, '127.0.0.1');
    const events = [];
    s.on('error', (e) => events.push([e.code, e.errno, e.syscall, e.address, e.port, e.message]));
    s.on('close', (hadError) => { events.push(['close', hadError]); resolve(events); });
  });
  out.tlsRefused = await new Promise((resolve) => {
    const s = tls.connect({ port: refusedPort, host: '127.0.0.1' });
    s.on('error', (e) => resolve([e.code, e.syscall, e.message]));
  });
  out.isIP = [net.isIP('1.2.3.4'), net.isIP('::1'), net.isIP('fe80::1%eth0'), net.isIP('1.2.3'), net.isIP('host'), net.isIPv6('1::2::3'), net.isIPv4('255.255.255.255'), net.isIP('::ffff:1.2.3.4')];
  out.lookup = await new Promise((resolve) => dns.lookup('127.0.0.1', (err, address, family) => resolve([err, address, family])));
  out.lookupAll = await dns.promises.lookup('localhost', { all: true, family: 4 });
  out.badPort = (() => { try { net.connect(70000); } catch (e) { return [e.code, e.name]; } })();
  out.timeout = await new Promise((resolve) => {
    const s = net.connect(redisPort, '127.0.0.1');
    s.setTimeout(50, () => { s.destroy(); resolve('timeout'); });
  });
  out.socket = [typeof net.Socket, new net.Socket() instanceof require('stream').Duplex, new net.Socket().readyState, tls.TLSSocket.prototype instanceof net.Socket];
  out.http2 = [require('http2').constants.HTTP2_HEADER_PATH, require('http2').constants.HTTP_STATUS_NOT_FOUND, require('http2').constants.NGHTTP2_CANCEL];
  return out;
}
