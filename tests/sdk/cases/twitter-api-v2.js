// twitter-api-v2: OAuth 2 authorization links (PKCE), and a request
// against a refused URL.
const { TwitterApi, ApiRequestError } = require('twitter-api-v2');

async function handleEvent(event) {
  const app = new TwitterApi({ clientId: 'client-id', clientSecret: 'client-secret' });
  const link = app.generateOAuth2AuthLink('https://example.com/callback', { scope: ['tweet.read', 'users.read'], state: 'fixed-state' });
  const url = new URL(link.url);
  const client = new TwitterApi('bearer-token');
  let error;
  try {
    // It always speaks https.
    const refused = event.refused.replace(/^http:/, 'https:');
    await client.v2.get('users/me', undefined, { prefix: `${refused}/2/` });
  } catch (err) {
    error = err;
  }
  return {
    link: [url.origin + url.pathname, url.searchParams.get('state'), url.searchParams.get('scope'), url.searchParams.get('code_challenge_method')],
    verifier: link.codeVerifier.length >= 43,
    name: error.constructor.name,
    isApiRequestError: error instanceof ApiRequestError,
    type: error.type,
    message: error.message,
    // The socket's error.
    cause: error._options.error.constructor.name,
    causeCode: error._options.error.code,
  };
}
