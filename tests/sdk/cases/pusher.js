// pusher: channel authorization, webhook validation, and a trigger against
// a refused port.
const Pusher = require('pusher');
const crypto = require('crypto');

async function handleEvent(event) {
  const url = new URL(event.refused);
  const pusher = new Pusher({
    appId: '12345',
    key: 'app-key',
    secret: 'app-secret',
    host: url.hostname,
    port: url.port,
    useTLS: false,
    timeout: 5000,
  });
  const channel = pusher.authorizeChannel('1234.5678', 'private-room');
  const presence = pusher.authorizeChannel('1234.5678', 'presence-room', { user_id: 'ada', user_info: { name: 'Ada' } });
  const body = JSON.stringify({ time_ms: 1700000000000, events: [{ name: 'channel_occupied', channel: 'private-room' }] });
  const signature = crypto.createHmac('sha256', 'app-secret').update(body).digest('hex');
  const webhook = pusher.webhook({ headers: { 'content-type': 'application/json', 'x-pusher-key': 'app-key', 'x-pusher-signature': signature }, rawBody: body });
  let error;
  try {
    await pusher.trigger('room', 'message', { text: 'hi' });
  } catch (err) {
    error = err;
  }
  return {
    channel,
    presence,
    webhook: [webhook.isValid(), webhook.getEvents(), webhook.getTime().toISOString()],
    name: error.constructor.name,
    isRequestError: error instanceof Pusher.RequestError,
    message: error.message,
    cause: error.error && error.error.constructor.name,
    causeCode: error.error && error.error.code,
  };
}
