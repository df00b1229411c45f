// web-push: VAPID keys and headers, payload encryption, and a push to a
// refused endpoint.
const webpush = require('web-push');
const crypto = require('crypto');

const VAPID = {
  publicKey: 'BAb09hKKYf8D3-Pwad9zzxzh_pDqhZf3b9Nl8U13BQXHBSBhRSVTeVJxa_FNvKx15ijoa_dxp2eqHLS6-37bYRs',
  privateKey: 'rw0NZ0fEYdBx_NegLbddDktH-sur-vk3VDwkKCyVG7Q',
};
const SUBSCRIPTION_KEYS = {
  p256dh: 'BL1-pwDmzDLPKVYDEYNFKzwleUuI6zI5ZM_yyuZOj5VVBXXlYXgLcouRcqgoekSDldHlFkbFSbG8Ah9OLp8Ov8A',
  auth: 'J6gDqxiNKdXCc-U4p9jl7w',
};

// The VAPID JWT's ES256 signature, checked with the public key.
function verifies(token, publicKey) {
  const point = Buffer.from(publicKey, 'base64url');
  const key = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const [header, payload, signature] = token.split('.');
  return crypto.verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
}

function decodeSegment(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString());
}

async function handleEvent(event) {
  const fresh = webpush.generateVAPIDKeys();
  const expiration = Math.floor(Date.now() / 1000) + 3600;
  const headers = webpush.getVapidHeaders(
    'https://push.example.com',
    'mailto:ops@example.com',
    VAPID.publicKey,
    VAPID.privateKey,
    'aes128gcm',
    expiration,
  );
  const [, token, key] = /^vapid t=([^,]+), k=(.+)$/.exec(headers.Authorization);
  const [header, payload, signature] = token.split('.');
  const subscription = { endpoint: `${event.refused}/push/abc`, keys: SUBSCRIPTION_KEYS };
  const request = webpush.generateRequestDetails(subscription, 'hello', {
    vapidDetails: { subject: 'mailto:ops@example.com', ...VAPID },
    TTL: 60,
    urgency: 'high',
  });
  webpush.setVapidDetails('mailto:ops@example.com', VAPID.publicKey, VAPID.privateKey);
  let error;
  try {
    await webpush.sendNotification(subscription, 'hello', { TTL: 60, timeout: 5000 });
  } catch (err) {
    error = err;
  }
  return {
    fresh: [fresh.publicKey.length, fresh.privateKey.length, Buffer.from(fresh.publicKey, 'base64url')[0]],
    jwtHeader: decodeSegment(header),
    jwtPayload: { ...decodeSegment(payload), exp: decodeSegment(payload).exp === expiration },
    signatureBytes: Buffer.from(signature, 'base64url').length,
    verifies: verifies(token, VAPID.publicKey),
    key: key === VAPID.publicKey,
    request: {
      method: request.method,
      endpoint: request.endpoint.replace(event.refused, 'REFUSED'),
      headers: Object.keys(request.headers).sort(),
      ttl: request.headers.TTL,
      urgency: request.headers.Urgency,
      encoding: request.headers['Content-Encoding'],
      // aes128gcm: 86-byte header, the padded record, a 16-byte tag.
      bodyBytes: request.body.length,
    },
    name: error && error.constructor.name,
    code: error && error.code,
    message: error && error.message.replace(new URL(event.refused).host, 'REFUSED'),
  };
}
