// axios (default import: its Node build, http adapter) against a refused port.
const axios = require('axios');

async function handleEvent(event) {
  const client = axios.create({ baseURL: event.refused, timeout: 5000, headers: { 'x-case': 'axios' } });
  let error;
  try {
    await client.get('/v1/items', { params: { q: 'a b', tags: ['x', 'y'] } });
  } catch (err) {
    error = err;
  }
  return {
    isAxiosError: axios.isAxiosError(error),
    name: error.constructor.name,
    code: error.code,
    method: error.config.method,
    url: error.config.url,
    header: error.config.headers['x-case'],
    response: error.response === undefined,
    uri: client.getUri({ url: '/v1/items', params: { q: 'a b', n: 1 } }).replace(event.refused, 'REFUSED'),
    merged: axios.mergeConfig({ headers: { a: '1' } }, { headers: { b: '2' } }).headers,
    errorJSON: new axios.AxiosError('boom', 'ERR_BAD_RESPONSE').toJSON().code,
  };
}
