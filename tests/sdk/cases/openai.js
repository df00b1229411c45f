// openai against a refused port (retries off), and its webhook signature check.
const OpenAI = require('openai');
const crypto = require('crypto');

async function handleEvent(event) {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${event.refused}/v1`, maxRetries: 0, timeout: 5000 });
  let error;
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  } catch (err) {
    error = err;
  }
  // Webhooks are signed as in the Standard Webhooks spec.
  const secret = `whsec_${Buffer.from('a test webhook secret').toString('base64')}`;
  const body = JSON.stringify({ id: 'evt_1', type: 'response.completed', created_at: 1, data: { id: 'resp_1' } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = crypto
    .createHmac('sha256', Buffer.from('a test webhook secret'))
    .update(`msg_1.${timestamp}.${body}`)
    .digest('base64');
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
  const unwrapped = await client.webhooks.unwrap(body, headers, secret);
  let bad;
  try {
    await client.webhooks.unwrap(body, { ...headers, 'webhook-signature': 'v1,AAAA' }, secret);
  } catch (err) {
    bad = { name: err.constructor.name, message: err.message };
  }
  return {
    name: error.constructor.name,
    isConnectionError: error instanceof OpenAI.APIConnectionError,
    message: error.message,
    status: error.status,
    baseURL: client.baseURL.replace(event.refused, 'REFUSED'),
    unwrapped: [unwrapped.type, unwrapped.data.id],
    bad,
  };
}
