// stream-chat: server-side user tokens, and a call against a refused URL.
const { StreamChat } = require('stream-chat');

async function handleEvent(event) {
  const client = new StreamChat('api-key', 'api-secret', { baseURL: event.refused, timeout: 5000 });
  const token = client.createToken('ada');
  const expiring = client.createToken('ada', 1900000000, 1700000000);
  let error;
  try {
    await client.getAppSettings();
  } catch (err) {
    error = err;
  }
  return {
    token,
    expiring,
    baseURL: client.baseURL.replace(event.refused, 'REFUSED'),
    name: error.constructor.name,
    code: error.code,
  };
}
