// @slack/web-api: a WebClient call against a refused URL (retries off).
const { WebClient, ErrorCode, LogLevel } = require('@slack/web-api');

async function handleEvent(event) {
  const client = new WebClient('xoxb-test', {
    slackApiUrl: `${event.refused}/api/`,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    timeout: 5000,
  });
  let error;
  try {
    await client.chat.postMessage({ channel: 'C123', text: 'hello' });
  } catch (err) {
    error = err;
  }
  return {
    name: error.constructor.name,
    code: error.code,
    isRequestError: error.code === ErrorCode.RequestError,
    original: error.original && error.original.constructor.name,
    originalMessage: error.original && error.original.message,
    causeCode: error.original && error.original.cause && error.original.cause.code,
  };
}
