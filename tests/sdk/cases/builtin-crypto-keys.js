// node:crypto key objects: PEM, DER and JWK in and out for RSA, EC (P-256,
// P-384), Ed25519 and X25519 keys and certificates, key details, equality,
// generated key shapes and the errors of bad input. Keys are fixed (made by
// Node once), so every export compares byte for byte.
const crypto = require('crypto');

const RSA_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsDasCa8oY1vD/\nwk0o2hpmeEj6Sl8riEm3Q6/pR5Ap6PIt1oqCUXrujfdKOrPdj2/mrtWcXTQnK8uY\nlZ3ovzBd3+VAi2b+x+X63vk6d3ZPXzJVFMBo8LxQK5Iy6EivKdRmNDYY27GBz6eW\nvR0MLGiYTwagZR27mqgZm0OLUKWst5TTLKBXXcdkIUw2LJvW7UOUhE+ON9uuEOaG\nF2XiAEfsLHoFGcZaX2wvD3GAilDarAAi1JwlLmr29wHAI84SfE9n38rd1eimNQLA\n8ad9VNrhrHyfHnF2zNb2Z4oMD2azO+DOcPiYEYVaM5+2L/PWUjAk2ug/do7qVgZu\nZH/rgYmNAgMBAAECggEAFb8eg85S+4PDb1hEP2sd1iDS/IvE7rApvRe5ls88SgfP\nAHszA5i/5IIeJQw5asIz/yDPEBX5vw+6ip0ymdX8i4j+pYNZL8/dYjGnp7uswQiD\nyJw4W6s96hYvwu54LWeomIh14/t0urcf9B4QG1dLmyC18jUFpo48PAxTY7r8TdGr\nNAW62o60deZYs9MuXM3E31Lnr0Bx2vvcWOvU4X6MvGCSxVRj5R+ymU4sTHoW2SRL\nI2j0N4GOwN3E5X1HKStRLmzf7p48XMWDQJjCMe2MNiWVhwf5LWEsOt2aN6mugfQl\ni/a1GOThYObZlgvtt+oLgY/3NBY6OZpnkaW+N6vs4wKBgQDh3dkTDv0xvx5iF7vw\n84s8UKUzg68dQXmZSo8W7wIgiQnnlYAwu0fpGraaZhoYZOrF+okW7571zycOgAWJ\n5tMX4zz+f7lxQBMGo2oAIg+6IRZHUNQi7WDnShTfRpHTO+ANL/esNFUIiFa5p9CJ\nITy+JdSvFwkFvdmRwubPd+mUrwKBgQDDAegdecbdDAH0DKxmlsv28cuT0scjKR6A\nABzH/kZy1AFcN2j22PlDyU0/avbc3c6RxCkamrQObialQRIln25c/4b1HaduNF1K\nWPWii4ktD9U/p8Zt9MI4FPjHIkUXnGyboa4Y7hEgnzvWryeQSt8KMvXxlKySb1wz\nhVw5OTHMgwKBgQChxwH9eaX25LpBbliKLBbVm7nIHRDndoc/Ob0lowm1/hHfEyDf\nRrUqDJ0wF+OnB1l1do6MpBMKY1bJNv9Al9ko6fU9IITVzhwSjCeXcs4q9hn7+LQJ\nVFctMs2iYux+DQvcxjey20TwuJ7NmZpvLiRQ2c3tnyUyPJpCogQqI+xlNwKBgHX1\ngk3KKwPtToUs4WBRGWHwU1/A4VqgdeWhq8dCRaUSHxyEHActqmJZs1OIRXnG5jyA\ndwizyfTspo3R9cMyVJUGsME2xd/A5ymg9Dz1wO20JR+TQlGi+5TnArGaRkcJBR2D\nSIemAlBEYfL0Eq+SyqYlu2X9tAIEQLadlfK7aSc3AoGAKuQAwScb+2pZ3ClJOjoB\nBvPObA4gcVU57Fa0VZ6oUgvQC99eTnWt9OhjbGB1Guu1peoyZ8QVnks6dIbzRngz\nEk+TkLknWU9tjv70XSYxDP7vYT54V/r2hghjlTnsDfmU3P/IL7zaUlqIV/lxGQ7I\npN8efchWIcVh3NqQEWE8jNY=\n-----END PRIVATE KEY-----\n";
const EC_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW1wFkUayyTytqolt\nkv6weAim6cibR9wN7UUtgGcyVbShRANCAARDbBxqcZ1KvIm1qf2pMAVnV1wzeWgY\nIA/1tkt0AFm7DpOwzil1nP2jfEQmiXeGU7WDfoLipZ/dJNTdxCUs8e44\n-----END PRIVATE KEY-----\n";
const EC384_SEC1 = "-----BEGIN EC PRIVATE KEY-----\nMIGkAgEBBDBhwrYx9cYwn0Et36d/DRX1ZBqpZMVjVm1LwygjEzGVPFUCpRbxNdqu\n1wudj8p3wICgBwYFK4EEACKhZANiAAQ+t7NRTIaGLEQnDhAfPhXAcygH6rNIOdKR\nNfanY80KS0U64os0gU5olVJnHL3d7j1FlBEojB7w47Nu4uW00+PT0OG/VTXDInB3\nlPWWwu9fR9c1oolEABIGRpii5VC53P4=\n-----END EC PRIVATE KEY-----\n";
const ED_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIP1l080V7UQoS1tILk8MFo26pnhwgCnT6FM3EQFRobjH\n-----END PRIVATE KEY-----\n";
const X_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJC/lh9K3B1Amk3kWcSJNbUQf3treKYlcL38ukMwzXZN\n-----END PRIVATE KEY-----\n";
const RSA_CERT = "-----BEGIN CERTIFICATE-----\nMIIC/DCCAeSgAwIBAgIBBzANBgkqhkiG9w0BAQsFADAWMRQwEgYDVQQDDAtjaGF0\nZm4tdGVzdDAgFw0yNjEyMDYwMjI1MjVaGA8yMTI2MTExMjAyMjUyNVowFjEUMBIG\nA1UEAwwLY2hhdGZuLXRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIB\nAQCsDasCa8oY1vD/wk0o2hpmeEj6Sl8riEm3Q6/pR5Ap6PIt1oqCUXrujfdKOrPd\nj2/mrtWcXTQnK8uYlZ3ovzBd3+VAi2b+x+X63vk6d3ZPXzJVFMBo8LxQK5Iy6Eiv\nKdRmNDYY27GBz6eWvR0MLGiYTwagZR27mqgZm0OLUKWst5TTLKBXXcdkIUw2LJvW\n7UOUhE+ON9uuEOaGF2XiAEfsLHoFGcZaX2wvD3GAilDarAAi1JwlLmr29wHAI84S\nfE9n38rd1eimNQLA8ad9VNrhrHyfHnF2zNb2Z4oMD2azO+DOcPiYEYVaM5+2L/PW\nUjAk2ug/do7qVgZuZH/rgYmNAgMBAAGjUzBRMB0GA1UdDgQWBBQHn3YEiw+aSKps\nqbIiMUSCRqTGuDAfBgNVHSMEGDAWgBQHn3YEiw+aSKpsqbIiMUSCRqTGuDAPBgNV\nHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBfsmE4SgI6kL7U4iitpHcM\nMWt7m8CkFJGs7JcOqJHPxcCYwSeSN/8CFKS1SDSAIPylBjiopZtH/hqFH/ahbvDu\nlrjpHvPxcrbsuME64q+6GPJn02N5CJp1lgxXz/zgGuLBBTHMS9iVVeSWUY6jJMJZ\n3IL7UWSBlOHxvJEC8cIUGAX+zC1sCoCmXeQHqeW7huPcCJXHWRhYOLghfdzQB0Ep\nmAIsVdgT1wCFwr86tuXrU+nB+w4fgP+Mt5C+upcKUaesmio47QAHwfvyIio2Nt/y\nKeUY5KpThEMkNmmM3fhD+Hr4wEe7G7K2XULgvKqX20ds7EJRaq33dC4nok8OBQ6h\n-----END CERTIFICATE-----\n";
const EC_CERT = "-----BEGIN CERTIFICATE-----\nMIIBbDCCARKgAwIBAgIBCTAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAljaGF0Zm4t\nZWMwIBcNMjYxMjA2MDIyNTI1WhgPMjEyNjExMTIwMjI1MjVaMBQxEjAQBgNVBAMM\nCWNoYXRmbi1lYzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABENsHGpxnUq8ibWp\n/akwBWdXXDN5aBggD/W2S3QAWbsOk7DOKXWc/aN8RCaJd4ZTtYN+guKln90k1N3E\nJSzx7jijUzBRMB0GA1UdDgQWBBTwOAezNdahgwcVtGIOlKMp0RFGQjAfBgNVHSME\nGDAWgBTwOAezNdahgwcVtGIOlKMp0RFGQjAPBgNVHRMBAf8EBTADAQH/MAoGCCqG\nSM49BAMCA0gAMEUCIHtqmx8AmxuOUQh9dU/LDz8f7ZIeDc1fu1WfvxSoKPs7AiEA\n+TcSK4NLvhRhCtwTm+VGIozN1NDMplS9zM5iU8KMeXo=\n-----END CERTIFICATE-----\n";

function attempt(f) {
  try {
    return f();
  } catch (err) {
    return { error: err.name, code: err.code, message: err.message };
  }
}

const hex = (buf) => (Buffer.isBuffer(buf) ? buf.toString('hex') : buf);

function describe(key) {
  const details = { ...key.asymmetricKeyDetails };
  if (details.publicExponent !== undefined) details.publicExponent = String(details.publicExponent);
  return { type: key.type, asymmetricKeyType: key.asymmetricKeyType, details, tag: Object.prototype.toString.call(key) };
}

function exports(key, types) {
  const out = { jwk: key.export({ format: 'jwk' }) };
  for (const type of types) {
    out[type] = { pem: key.export({ format: 'pem', type }), der: hex(key.export({ format: 'der', type })) };
  }
  return out;
}

async function handleEvent() {
  const result = {};
  const sources = {
    rsa: [RSA_PKCS8, ['pkcs8', 'pkcs1'], ['spki', 'pkcs1']],
    ec: [EC_PKCS8, ['pkcs8', 'sec1'], ['spki']],
    ec384: [EC384_SEC1, ['pkcs8', 'sec1'], ['spki']],
    ed25519: [ED_PKCS8, ['pkcs8'], ['spki']],
    x25519: [X_PKCS8, ['pkcs8'], ['spki']],
  };
  for (const [name, [pem, privateTypes, publicTypes]] of Object.entries(sources)) {
    const privateKey = crypto.createPrivateKey(pem);
    const publicKey = crypto.createPublicKey(pem);
    const jwk = privateKey.export({ format: 'jwk' });
    result[name] = {
      private: { ...describe(privateKey), ...exports(privateKey, privateTypes) },
      public: { ...describe(publicKey), ...exports(publicKey, publicTypes) },
      // Round trips through every input form give the same key.
      fromJwk: crypto.createPrivateKey({ key: jwk, format: 'jwk' }).equals(privateKey),
      fromPublicJwk: crypto.createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' }).equals(publicKey),
      fromDer: privateTypes.map((type) => crypto.createPrivateKey({
        key: privateKey.export({ format: 'der', type }), format: 'der', type,
      }).equals(privateKey)),
      fromPublicDer: publicTypes.map((type) => crypto.createPublicKey({
        key: publicKey.export({ format: 'der', type }), format: 'der', type,
      }).equals(publicKey)),
      publicFromPrivateObject: crypto.createPublicKey(privateKey).equals(publicKey),
      fromBuffer: crypto.createPrivateKey(Buffer.from(pem)).equals(privateKey),
    };
  }
  result.certificates = {
    rsa: crypto.createPublicKey(RSA_CERT).export({ format: 'jwk' }),
    ec: crypto.createPublicKey(EC_CERT).export({ format: 'jwk' }),
    matches: crypto.createPublicKey(RSA_CERT).equals(crypto.createPublicKey(RSA_PKCS8)),
  };
  const secret = crypto.createSecretKey(Buffer.from('a secret of 24 bytes....'));
  result.secret = {
    type: secret.type,
    size: secret.symmetricKeySize,
    raw: hex(secret.export()),
    jwk: secret.export({ format: 'jwk' }),
    fromString: crypto.createSecretKey('abc', 'hex').symmetricKeySize,
    equals: [secret.equals(crypto.createSecretKey(secret.export())), secret.equals(crypto.createSecretKey(Buffer.from('x')))],
    asymmetricKeyType: secret.asymmetricKeyType,
  };
  const ec = crypto.createPrivateKey(EC_PKCS8);
  const ed = crypto.createPrivateKey(ED_PKCS8);
  // (OpenSSL's answer for keys of different types varies: not compared.)
  result.equals = [ec.equals(crypto.createPrivateKey(EC_PKCS8)), crypto.createPublicKey(ec).equals(ec),
    ed.equals(crypto.createPrivateKey(ED_PKCS8))];
  const generated = {};
  for (const [type, options] of [['ec', { namedCurve: 'P-256' }], ['ec', { namedCurve: 'secp384r1' }], ['ed25519'], ['x25519']]) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync(type, options);
    generated[`${type}:${options ? options.namedCurve : ''}`] = [describe(publicKey), describe(privateKey),
      crypto.createPublicKey(privateKey).equals(publicKey)];
  }
  const encoded = crypto.generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'sec1', format: 'der' },
  });
  generated.encoded = [encoded.publicKey.split('\n')[0], Buffer.isBuffer(encoded.privateKey)];
  generated.hmac = crypto.generateKeySync('hmac', { length: 100 }).symmetricKeySize;
  generated.aes = crypto.generateKeySync('aes', { length: 192 }).symmetricKeySize;
  result.generated = generated;
  const callback = await new Promise((resolve) => crypto.generateKeyPair('ed25519', (err, publicKey, privateKey) => {
    resolve([err, publicKey.type, privateKey.type]);
  }));
  result.generatedAsync = callback;
  result.errors = [
    () => crypto.createPrivateKey('not a key'),
    () => crypto.createPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
    () => crypto.createPrivateKey(crypto.createPublicKey(EC_PKCS8).export({ format: 'pem', type: 'spki' })),
    () => crypto.createPrivateKey(ec),
    () => crypto.createPublicKey(crypto.createPublicKey(EC_PKCS8)),
    () => crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, format: 'jwk' }),
    () => crypto.createPublicKey({ key: { kty: 'oct', k: 'AA' }, format: 'jwk' }),
    () => crypto.createPrivateKey({ key: { kty: 'RSA', n: 'AQAB', e: 'AQAB' }, format: 'jwk' }),
    () => crypto.createPrivateKey({ key: Buffer.from('3003020100', 'hex'), format: 'der' }),
    () => crypto.createPrivateKey(5),
    () => ec.export(),
    () => ec.export({ format: 'pem', type: 'pkcs1' }),
    () => ec.export({ format: 'pem', type: 'spki' }),
    () => crypto.createPublicKey(ec).export({ format: 'pem', type: 'pkcs8' }),
    () => ec.export({ format: 'xml', type: 'pkcs8' }),
    () => secret.export({ format: 'pem' }),
    () => crypto.generateKeyPairSync('ec', { namedCurve: 'bogus' }),
    () => crypto.generateKeyPairSync('ec', {}),
    () => crypto.generateKeyPairSync('rsa', {}),
    () => crypto.generateKeyPairSync('bogus', {}),
    () => crypto.generateKeySync('hmac', { length: 7 }),
    () => crypto.generateKeySync('aes', { length: 100 }),
    () => new crypto.KeyObject('secret', {}),
    () => crypto.KeyObject.from({}),
  ].map((f) => attempt(f));
  return result;
}
