// Web Crypto (globalThis.crypto.subtle, also require('crypto').webcrypto):
// importKey/exportKey in raw, jwk, spki and pkcs8; sign/verify with HMAC,
// ECDSA, Ed25519, RSASSA-PKCS1-v1_5 and RSA-PSS; AES-GCM/CBC/CTR and
// RSA-OAEP encrypt/decrypt; AES-KW wrapKey/unwrapKey; ECDH, X25519, HKDF and
// PBKDF2 deriveBits/deriveKey; generateKey; digest; and the DOMExceptions of
// misuse. Keys are fixed; randomized signatures are checked by verifying.
const KEYS = {
  "RSA_PKCS8": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsDasCa8oY1vD/wk0o2hpmeEj6Sl8riEm3Q6/pR5Ap6PIt1oqCUXrujfdKOrPdj2/mrtWcXTQnK8uYlZ3ovzBd3+VAi2b+x+X63vk6d3ZPXzJVFMBo8LxQK5Iy6EivKdRmNDYY27GBz6eWvR0MLGiYTwagZR27mqgZm0OLUKWst5TTLKBXXcdkIUw2LJvW7UOUhE+ON9uuEOaGF2XiAEfsLHoFGcZaX2wvD3GAilDarAAi1JwlLmr29wHAI84SfE9n38rd1eimNQLA8ad9VNrhrHyfHnF2zNb2Z4oMD2azO+DOcPiYEYVaM5+2L/PWUjAk2ug/do7qVgZuZH/rgYmNAgMBAAECggEAFb8eg85S+4PDb1hEP2sd1iDS/IvE7rApvRe5ls88SgfPAHszA5i/5IIeJQw5asIz/yDPEBX5vw+6ip0ymdX8i4j+pYNZL8/dYjGnp7uswQiDyJw4W6s96hYvwu54LWeomIh14/t0urcf9B4QG1dLmyC18jUFpo48PAxTY7r8TdGrNAW62o60deZYs9MuXM3E31Lnr0Bx2vvcWOvU4X6MvGCSxVRj5R+ymU4sTHoW2SRLI2j0N4GOwN3E5X1HKStRLmzf7p48XMWDQJjCMe2MNiWVhwf5LWEsOt2aN6mugfQli/a1GOThYObZlgvtt+oLgY/3NBY6OZpnkaW+N6vs4wKBgQDh3dkTDv0xvx5iF7vw84s8UKUzg68dQXmZSo8W7wIgiQnnlYAwu0fpGraaZhoYZOrF+okW7571zycOgAWJ5tMX4zz+f7lxQBMGo2oAIg+6IRZHUNQi7WDnShTfRpHTO+ANL/esNFUIiFa5p9CJITy+JdSvFwkFvdmRwubPd+mUrwKBgQDDAegdecbdDAH0DKxmlsv28cuT0scjKR6AABzH/kZy1AFcN2j22PlDyU0/avbc3c6RxCkamrQObialQRIln25c/4b1HaduNF1KWPWii4ktD9U/p8Zt9MI4FPjHIkUXnGyboa4Y7hEgnzvWryeQSt8KMvXxlKySb1wzhVw5OTHMgwKBgQChxwH9eaX25LpBbliKLBbVm7nIHRDndoc/Ob0lowm1/hHfEyDfRrUqDJ0wF+OnB1l1do6MpBMKY1bJNv9Al9ko6fU9IITVzhwSjCeXcs4q9hn7+LQJVFctMs2iYux+DQvcxjey20TwuJ7NmZpvLiRQ2c3tnyUyPJpCogQqI+xlNwKBgHX1gk3KKwPtToUs4WBRGWHwU1/A4VqgdeWhq8dCRaUSHxyEHActqmJZs1OIRXnG5jyAdwizyfTspo3R9cMyVJUGsME2xd/A5ymg9Dz1wO20JR+TQlGi+5TnArGaRkcJBR2DSIemAlBEYfL0Eq+SyqYlu2X9tAIEQLadlfK7aSc3AoGAKuQAwScb+2pZ3ClJOjoBBvPObA4gcVU57Fa0VZ6oUgvQC99eTnWt9OhjbGB1Guu1peoyZ8QVnks6dIbzRngzEk+TkLknWU9tjv70XSYxDP7vYT54V/r2hghjlTnsDfmU3P/IL7zaUlqIV/lxGQ7IpN8efchWIcVh3NqQEWE8jNY=",
  "RSA_SPKI": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArA2rAmvKGNbw/8JNKNoaZnhI+kpfK4hJt0Ov6UeQKejyLdaKglF67o33Sjqz3Y9v5q7VnF00JyvLmJWd6L8wXd/lQItm/sfl+t75Ond2T18yVRTAaPC8UCuSMuhIrynUZjQ2GNuxgc+nlr0dDCxomE8GoGUdu5qoGZtDi1ClrLeU0yygV13HZCFMNiyb1u1DlIRPjjfbrhDmhhdl4gBH7Cx6BRnGWl9sLw9xgIpQ2qwAItScJS5q9vcBwCPOEnxPZ9/K3dXopjUCwPGnfVTa4ax8nx5xdszW9meKDA9mszvgznD4mBGFWjOfti/z1lIwJNroP3aO6lYGbmR/64GJjQIDAQAB",
  "EC_PKCS8": "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW1wFkUayyTytqoltkv6weAim6cibR9wN7UUtgGcyVbShRANCAARDbBxqcZ1KvIm1qf2pMAVnV1wzeWgYIA/1tkt0AFm7DpOwzil1nP2jfEQmiXeGU7WDfoLipZ/dJNTdxCUs8e44",
  "EC_SPKI": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ2wcanGdSryJtan9qTAFZ1dcM3loGCAP9bZLdABZuw6TsM4pdZz9o3xEJol3hlO1g36C4qWf3STU3cQlLPHuOA==",
  "EC2_SPKI": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3yfoaKNkjT8xcv49BkJ8EmsdppHLIYEEtnvPVcJ66+taOfi/EySTdKI21cFcclXKw6GEYfZwbaHxJw2KisJSHQ==",
  "EC384_PKCS8": "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBhwrYx9cYwn0Et36d/DRX1ZBqpZMVjVm1LwygjEzGVPFUCpRbxNdqu1wudj8p3wIChZANiAAQ+t7NRTIaGLEQnDhAfPhXAcygH6rNIOdKRNfanY80KS0U64os0gU5olVJnHL3d7j1FlBEojB7w47Nu4uW00+PT0OG/VTXDInB3lPWWwu9fR9c1oolEABIGRpii5VC53P4=",
  "ED_PKCS8": "MC4CAQAwBQYDK2VwBCIEIP1l080V7UQoS1tILk8MFo26pnhwgCnT6FM3EQFRobjH",
  "ED_SPKI": "MCowBQYDK2VwAyEA8XxUZiizYUPRx7PMQ+rI7dcCx2loGfZsi+Ii476k3MY=",
  "X_PKCS8": "MC4CAQAwBQYDK2VuBCIEIJC/lh9K3B1Amk3kWcSJNbUQf3treKYlcL38ukMwzXZN",
  "X2_SPKI": "MCowBQYDK2VuAyEAJvWsR4C4+yYgR6UKc6rZRLtc9yQw04rgOVHWAZsQuR8="
};
const NODE_ES256 = "PEpaiswOf/Y978z9g5iaRDiCa6r2EB3ggJI81+I+xX9oQHMn7Tjo61keNSUrtq9rbWWmGFBKRzbkBecWGNNl0g==";
const NODE_PS256 = "RTaHqfeR9sBiZfI8LUOhh1qeVSBqzvQUJR6pAb0Vr4fykWz02FgIqjCc78Y+4PKa6OkKZ6bBQ9QRGyyyDpHaVUnzuyIP0t6NkIb0JQ6hp8Kpe8AgqDzQv9vznvtTZEFMvzVxYeDjrdfvm+h+zlZSQa6kmdDUF54BD4LDC+ukF4NWNnM+X2JQXQf86EUXOcdk6+vz6hRKeVjmcpHjLDzTtfbMa28D3tqvt05C2pLvvu1uTk88NrV1JhJYTgZ76g9mJ/QqD13mB+Jgsb8a8aGpXQyyqGyRNn7qt+NMI77uGtrnALTVFTVQmZoe6IEXhTSJdicv8joG+yVuEp9O55YW5A==";

const { subtle } = globalThis.crypto;
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
const text = (s) => new TextEncoder().encode(s);
const MESSAGE = text('the message signed by node');

async function attempt(f) {
  try {
    const value = await f();
    return value instanceof ArrayBuffer ? hex(value) : value;
  } catch (err) {
    return { name: err.name, code: err.code, message: err.message, isDOMException: err instanceof DOMException };
  }
}

const describe = (key) => ({ type: key.type, extractable: key.extractable, algorithm: key.algorithm, usages: key.usages });

async function handleEvent() {
  const result = {
    same: [require('crypto').webcrypto === globalThis.crypto, require('crypto').subtle === subtle,
      Object.prototype.toString.call(subtle), typeof CryptoKey, typeof SubtleCrypto],
  };
  result.digest = await Promise.all(['SHA-1', 'SHA-256', { name: 'sha-384' }, 'SHA-512'].map(async (a) => hex(await subtle.digest(a, text('abc')))));

  // HMAC.
  const hmac = await subtle.importKey('raw', text('a secret'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const mac = await subtle.sign('HMAC', hmac, MESSAGE);
  result.hmac = {
    key: describe(hmac),
    mac: hex(mac),
    verifies: await subtle.verify('HMAC', hmac, mac, MESSAGE),
    tampered: await subtle.verify('HMAC', hmac, mac, text('x')),
    jwk: await subtle.exportKey('jwk', hmac),
    raw: hex(await subtle.exportKey('raw', hmac)),
    fromJwk: describe(await subtle.importKey('jwk', { kty: 'oct', k: 'c2VjcmV0', alg: 'HS512' }, { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])),
    generated: describe(await subtle.generateKey({ name: 'HMAC', hash: 'SHA-384' }, true, ['sign'])),
  };

  // ECDSA and ECDH.
  const ecPrivate = await subtle.importKey('pkcs8', bytes(KEYS.EC_PKCS8), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const ecPublic = await subtle.importKey('spki', bytes(KEYS.EC_SPKI), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const es256 = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPrivate, MESSAGE);
  const ec384 = await subtle.importKey('pkcs8', bytes(KEYS.EC384_PKCS8), { name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
  const ec384Public = await subtle.importKey('jwk', { ...(await subtle.exportKey('jwk', ec384)), d: undefined, key_ops: undefined }, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']);
  result.ecdsa = {
    keys: [describe(ecPrivate), describe(ecPublic)],
    signatureBytes: es256.byteLength,
    verifies: await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecPublic, es256, MESSAGE),
    nodeSignature: await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecPublic, bytes(NODE_ES256), MESSAGE),
    wrongHash: await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, ecPublic, es256, MESSAGE),
    p384: await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, ec384Public, await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, ec384, MESSAGE), MESSAGE),
    jwk: await subtle.exportKey('jwk', ecPrivate),
    publicJwk: await subtle.exportKey('jwk', ecPublic),
    raw: hex(await subtle.exportKey('raw', ecPublic)),
    spki: hex(await subtle.exportKey('spki', ecPublic)) === hex(bytes(KEYS.EC_SPKI)),
    pkcs8: hex(await subtle.exportKey('pkcs8', ecPrivate)) === hex(bytes(KEYS.EC_PKCS8)),
    fromRaw: describe(await subtle.importKey('raw', await subtle.exportKey('raw', ecPublic), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])),
  };
  const ecdhPrivate = await subtle.importKey('pkcs8', bytes(KEYS.EC_PKCS8), { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits', 'deriveKey']);
  const ecdhPublic = await subtle.importKey('spki', bytes(KEYS.EC2_SPKI), { name: 'ECDH', namedCurve: 'P-256' }, true, []);
  result.ecdh = {
    bits: hex(await subtle.deriveBits({ name: 'ECDH', public: ecdhPublic }, ecdhPrivate, 256)),
    short: hex(await subtle.deriveBits({ name: 'ECDH', public: ecdhPublic }, ecdhPrivate, 128)),
    key: describe(await subtle.deriveKey({ name: 'ECDH', public: ecdhPublic }, ecdhPrivate, { name: 'AES-GCM', length: 256 }, true, ['encrypt'])),
  };

  // Ed25519 and X25519.
  const edPrivate = await subtle.importKey('pkcs8', bytes(KEYS.ED_PKCS8), 'Ed25519', true, ['sign']);
  const edPublic = await subtle.importKey('spki', bytes(KEYS.ED_SPKI), { name: 'Ed25519' }, true, ['verify']);
  const edSignature = await subtle.sign('Ed25519', edPrivate, MESSAGE);
  result.ed25519 = {
    signature: hex(edSignature),
    verifies: await subtle.verify('Ed25519', edPublic, edSignature, MESSAGE),
    jwk: await subtle.exportKey('jwk', edPrivate),
    raw: hex(await subtle.exportKey('raw', edPublic)),
  };
  const xPrivate = await subtle.importKey('pkcs8', bytes(KEYS.X_PKCS8), 'X25519', false, ['deriveBits']);
  const xPublic = await subtle.importKey('spki', bytes(KEYS.X2_SPKI), 'X25519', true, []);
  result.x25519 = hex(await subtle.deriveBits({ name: 'X25519', public: xPublic }, xPrivate, 256));

  // RSA.
  const rsaAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const rsaPrivate = await subtle.importKey('pkcs8', bytes(KEYS.RSA_PKCS8), rsaAlgorithm, true, ['sign']);
  const rsaPublic = await subtle.importKey('spki', bytes(KEYS.RSA_SPKI), rsaAlgorithm, true, ['verify']);
  const rs256 = await subtle.sign('RSASSA-PKCS1-v1_5', rsaPrivate, MESSAGE);
  const psPrivate = await subtle.importKey('pkcs8', bytes(KEYS.RSA_PKCS8), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  const psPublic = await subtle.importKey('jwk', await subtle.exportKey('jwk', rsaPublic).then(({ kty, n, e }) => ({ kty, n, e })), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
  const ps256 = await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, psPrivate, MESSAGE);
  const oaepPublic = await subtle.importKey('spki', bytes(KEYS.RSA_SPKI), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const oaepPrivate = await subtle.importKey('pkcs8', bytes(KEYS.RSA_PKCS8), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
  result.rsa = {
    keys: [describe(rsaPrivate), describe(psPublic)].map((k) => ({ ...k, algorithm: { ...k.algorithm, publicExponent: hex(k.algorithm.publicExponent) } })),
    rs256: hex(rs256),
    verifies: await subtle.verify(rsaAlgorithm, rsaPublic, rs256, MESSAGE),
    ps256: [ps256.byteLength, await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, psPublic, ps256, MESSAGE)],
    nodePs256: await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, psPublic, bytes(NODE_PS256), MESSAGE),
    wrongSalt: await subtle.verify({ name: 'RSA-PSS', saltLength: 0 }, psPublic, ps256, MESSAGE),
    jwk: await subtle.exportKey('jwk', rsaPrivate),
    oaep: new TextDecoder().decode(await subtle.decrypt({ name: 'RSA-OAEP' }, oaepPrivate,
      await subtle.encrypt({ name: 'RSA-OAEP', label: text('label') }, oaepPublic, text('oaep message')).then((ct) =>
        subtle.decrypt({ name: 'RSA-OAEP', label: text('label') }, oaepPrivate, ct)).then((pt) =>
        subtle.encrypt({ name: 'RSA-OAEP' }, oaepPublic, pt)))),
  };

  // AES.
  const rawKey = Uint8Array.from({ length: 32 }, (_, i) => i);
  const gcm = await subtle.importKey('raw', rawKey, 'AES-GCM', true, ['encrypt', 'decrypt', 'wrapKey']);
  const iv = Uint8Array.from({ length: 12 }, (_, i) => 100 + i);
  const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: text('aad') }, gcm, text('hello, web crypto'));
  const cbc = await subtle.importKey('raw', rawKey.subarray(0, 16), { name: 'AES-CBC' }, true, ['encrypt', 'decrypt']);
  const ctr = await subtle.importKey('jwk', { kty: 'oct', k: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYX', alg: 'A192CTR' }, 'AES-CTR', true, ['encrypt', 'decrypt']);
  const cbcText = await subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, cbc, text('forty-two bytes of plain text, more or so'));
  const ctrText = await subtle.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16).fill(255), length: 128 }, ctr, text('counter mode text that crosses blocks'));
  result.aes = {
    gcm: hex(sealed),
    gcmOpen: new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: text('aad') }, gcm, sealed)),
    gcmTag64: hex(await subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 64 }, gcm, text('short tag'))),
    cbc: hex(cbcText),
    cbcOpen: new TextDecoder().decode(await subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, cbc, cbcText)),
    ctr: hex(ctrText),
    ctrOpen: new TextDecoder().decode(await subtle.decrypt({ name: 'AES-CTR', counter: new Uint8Array(16).fill(255), length: 128 }, ctr, ctrText)),
    jwks: [await subtle.exportKey('jwk', gcm), await subtle.exportKey('jwk', cbc), await subtle.exportKey('jwk', ctr)],
    generated: describe(await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt'])),
  };
  const kek = await subtle.importKey('raw', rawKey.subarray(0, 16), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
  const wrapped = await subtle.wrapKey('raw', gcm, kek, 'AES-KW');
  const wrappedJwk = await subtle.wrapKey('jwk', hmac, kek, { name: 'AES-KW' });
  result.wrap = {
    raw: hex(wrapped),
    unwrapped: describe(await subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-GCM', true, ['decrypt'])),
    jwkBytes: wrappedJwk.byteLength,
    unwrappedJwk: describe(await subtle.unwrapKey('jwk', wrappedJwk, kek, 'AES-KW', { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])),
    gcmWrapped: hex(await subtle.wrapKey('raw', hmac, gcm, { name: 'AES-GCM', iv })),
  };

  // HKDF and PBKDF2.
  const hkdf = await subtle.importKey('raw', text('input key material'), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const pbkdf2 = await subtle.importKey('raw', text('password'), { name: 'PBKDF2' }, false, ['deriveBits', 'deriveKey']);
  result.kdf = {
    hkdf: hex(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('salt'), info: text('info') }, hkdf, 256)),
    hkdfKey: await subtle.exportKey('raw', await subtle.deriveKey({ name: 'HKDF', hash: 'SHA-512', salt: new Uint8Array(0), info: text('') }, hkdf, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign'])).then(hex),
    pbkdf2: hex(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: text('salt'), iterations: 4096 }, pbkdf2, 160)),
    pbkdf2Key: describe(await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: text('salt'), iterations: 1000 }, pbkdf2, { name: 'AES-CBC', length: 256 }, false, ['encrypt'])),
    key: describe(hkdf),
  };

  // Generated key pairs.
  const ecPair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
  const edPair = await subtle.generateKey('Ed25519', true, ['sign', 'verify']);
  const dhPair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  result.generated = {
    ec: [describe(ecPair.publicKey), describe(ecPair.privateKey),
      await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecPair.publicKey, await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPair.privateKey, MESSAGE), MESSAGE)],
    ed: [describe(edPair.publicKey), (await subtle.exportKey('raw', edPair.publicKey)).byteLength],
    dh: [describe(dhPair.publicKey), describe(dhPair.privateKey)],
  };

  result.errors = await Promise.all([
    () => subtle.digest('MD5', text('x')),
    () => subtle.digest('SHA-256'),
    () => subtle.digest('SHA-256', 'text'),
    () => subtle.importKey('raw', rawKey, 'FOO', true, ['encrypt']),
    () => subtle.importKey('bogus', rawKey, 'AES-GCM', true, ['encrypt']),
    () => subtle.importKey('raw', rawKey, 'AES-GCM', true, ['bogus']),
    () => subtle.importKey('raw', rawKey, 'AES-GCM', true, ['sign']),
    () => subtle.importKey('raw', rawKey.subarray(0, 10), 'AES-GCM', true, ['encrypt']),
    () => subtle.importKey('raw', rawKey, 'AES-GCM', true, []),
    () => subtle.importKey('raw', rawKey, { name: 'HMAC' }, true, ['sign']),
    () => subtle.importKey('raw', rawKey, 'HKDF', true, ['deriveBits']),
    () => subtle.importKey('spki', bytes(KEYS.EC_SPKI), { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']),
    () => subtle.importKey('spki', bytes(KEYS.EC_SPKI), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']),
    () => subtle.importKey('spki', bytes(KEYS.RSA_SPKI), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']),
    () => subtle.importKey('pkcs8', text('junk'), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['sign']),
    () => subtle.importKey('jwk', { kty: 'oct', k: 'AAAA', alg: 'HS384' }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
    () => subtle.importKey('jwk', { kty: 'EC', crv: 'P-256' }, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']),
    () => subtle.exportKey('raw', hkdf),
    () => subtle.exportKey('raw', ecPrivate),
    () => subtle.exportKey('spki', hmac),
    () => subtle.exportKey('jwk', ecdhPrivate),
    () => subtle.sign('HMAC', ecPrivate, MESSAGE),
    () => subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecPublic, MESSAGE),
    () => subtle.sign({ name: 'ECDSA' }, ecPrivate, MESSAGE),
    () => subtle.encrypt({ name: 'AES-GCM', iv }, cbc, text('x')),
    () => subtle.encrypt({ name: 'AES-CBC', iv }, cbc, text('x')),
    () => subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 100 }, gcm, text('x')),
    () => subtle.decrypt({ name: 'AES-GCM', iv }, gcm, new Uint8Array(40)),
    () => subtle.decrypt({ name: 'AES-GCM', iv }, gcm, new Uint8Array(4)),
    () => subtle.decrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, cbc, new Uint8Array(32)),
    () => subtle.decrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 0 }, ctr, new Uint8Array(32)),
    () => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, hkdf, null),
    () => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, hkdf, 12),
    () => subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: text('s'), iterations: 0 }, pbkdf2, 128),
    () => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: text('s'), info: text('i') }, pbkdf2, 128),
    () => subtle.deriveBits({ name: 'ECDH', public: ecdhPublic }, ecdhPrivate, 512),
    () => subtle.deriveBits({ name: 'ECDH', public: ecPublic }, ecdhPrivate, 256),
    () => subtle.generateKey({ name: 'AES-GCM', length: 100 }, true, ['encrypt']),
    () => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, []),
    () => subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['encrypt']),
    () => subtle.unwrapKey('raw', new Uint8Array(24), kek, 'AES-KW', 'AES-GCM', true, ['decrypt']),
    () => new CryptoKey(),
    () => new SubtleCrypto(),
  ].map(attempt));
  return result;
}
