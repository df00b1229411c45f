// stripe against a refused port (retries off), and webhook signatures.
const Stripe = require('stripe');

async function handleEvent(event) {
  const url = new URL(event.refused);
  const stripe = new Stripe('sk_test_123', {
    host: url.hostname,
    port: url.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    timeout: 5000,
  });
  let error;
  try {
    await stripe.customers.create({ email: 'ada@example.com' });
  } catch (err) {
    error = err;
  }
  const secret = 'whsec_test_secret';
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'charge.succeeded' });
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: 1700000000 });
  const verified = stripe.webhooks.constructEvent(payload, header, secret, 1e12);
  let bad;
  try {
    stripe.webhooks.constructEvent(payload, header.replace(/v1=./, 'v1=0'), secret, 1e12);
  } catch (err) {
    bad = { name: err.constructor.name, type: err.type };
  }
  return {
    name: error.constructor.name,
    type: error.type,
    isConnectionError: error instanceof Stripe.errors.StripeConnectionError,
    header,
    verified: [verified.id, verified.type],
    bad,
  };
}
