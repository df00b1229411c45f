// ky 1 (ES module, built on fetch) against a refused port.
const ky = require('ky').default;

async function handleEvent(event) {
  const api = ky.create({ prefixUrl: event.refused, retry: 0, timeout: 5000 });
  let error;
  try {
    await api.get('items', { searchParams: { q: 'a b' } }).json();
  } catch (err) {
    error = err;
  }
  return {
    name: error.constructor.name,
    isTypeError: error instanceof TypeError,
    isHTTPError: error instanceof require('ky').HTTPError,
    causeCode: error.cause && error.cause.code,
  };
}
