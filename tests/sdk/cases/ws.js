// ws: a WebSocket client against a refused port, and frame encoding.
const WebSocket = require('ws');

async function handleEvent(event) {
  const url = event.refused.replace(/^http/, 'ws') + '/socket';
  const outcome = await new Promise((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: 5000 });
    const seen = [];
    socket.on('error', (err) => seen.push({ event: 'error', name: err.constructor.name, code: err.code }));
    socket.on('close', (code) => {
      seen.push({ event: 'close', code, readyState: socket.readyState });
      resolve(seen);
    });
  });
  const frame = WebSocket.Sender.frame(Buffer.from('hello'), {
    fin: true,
    opcode: 1,
    mask: false,
    readOnly: false,
    rsv1: false,
  });
  return {
    outcome,
    states: [WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED],
    frame: Buffer.concat(frame).toString('hex'),
  };
}
