// jose: HS256 JWTs with fixed times, JWE with a direct key, key generation.
const jose = require('jose');

async function handleEvent() {
  const secret = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
  const token = await new jose.SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada')
    .setIssuer('chatfn')
    .setIssuedAt(1700000000)
    .setExpirationTime(4102444800)
    .sign(secret);
  const { payload, protectedHeader } = await jose.jwtVerify(token, secret, { issuer: 'chatfn' });
  let expired;
  try {
    await jose.jwtVerify(token, secret, { currentDate: new Date(4102444900 * 1000) });
  } catch (err) {
    expired = { name: err.constructor.name, code: err.code, claim: err.claim };
  }
  const key = new Uint8Array(32).fill(7);
  const jwe = await new jose.CompactEncrypt(new TextEncoder().encode('secret message'))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .encrypt(key);
  const { plaintext } = await jose.compactDecrypt(jwe, key);
  const { publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return {
    token,
    payload,
    protectedHeader,
    decoded: jose.decodeJwt(token).sub,
    expired,
    jwe: [jwe.split('.').length, jose.decodeProtectedHeader(jwe)],
    plaintext: new TextDecoder().decode(plaintext),
    jwk: [jwk.kty, jwk.crv, Object.keys(jwk).sort()],
  };
}
