// @anthropic-ai/sdk against a refused port (retries off). Live-only: its
// tarball alone is over 3 MB.
const Anthropic = require('@anthropic-ai/sdk');

async function handleEvent(event) {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: event.refused, maxRetries: 0, timeout: 5000 });
  let error;
  try {
    await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
  } catch (err) {
    error = err;
  }
  return {
    name: error.constructor.name,
    isConnectionError: error instanceof Anthropic.APIConnectionError,
    message: error.message.replace(new URL(event.refused).host, 'REFUSED'),
    baseURL: client.baseURL.replace(event.refused, 'REFUSED'),
  };
}
