// got 11 (CommonJS) against a refused port, with retries off.
const got = require('got');

async function handleEvent(event) {
  const seen = [];
  const client = got.extend({
    prefixUrl: event.refused,
    retry: 0,
    timeout: 5000,
    hooks: { beforeRequest: [(options) => { seen.push(options.url.pathname + options.url.search); }] },
  });
  let error;
  try {
    await client.get('api/items', { searchParams: { q: 'a b' } }).json();
  } catch (err) {
    error = err;
  }
  return {
    name: error.constructor.name,
    errorName: error.name,
    code: error.code,
    isRequestError: error instanceof got.RequestError,
    seen,
    method: error.options.method,
    retryLimit: error.options.retry.limit,
  };
}
