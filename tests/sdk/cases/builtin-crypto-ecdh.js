// node:crypto key agreement: createECDH (prime256v1, secp384r1) with fixed
// private keys, every point format, convertKey; diffieHellman with EC and
// X25519 KeyObjects; RSA publicEncrypt/privateDecrypt round trips; and the
// errors of bad curves, points and scalars.
const crypto = require('crypto');

const PRIVATE_A = Buffer.from('1f0a2a53b1c6f52b9d1e9c0d2b6c2f3a4e5d6c7b8a99887766554433221100ff', 'hex');
const PRIVATE_B = Buffer.from('00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f', 'hex');
const PRIVATE_384 = Buffer.from('6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5', 'hex');
const RSA_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsDasCa8oY1vD/\nwk0o2hpmeEj6Sl8riEm3Q6/pR5Ap6PIt1oqCUXrujfdKOrPdj2/mrtWcXTQnK8uY\nlZ3ovzBd3+VAi2b+x+X63vk6d3ZPXzJVFMBo8LxQK5Iy6EivKdRmNDYY27GBz6eW\nvR0MLGiYTwagZR27mqgZm0OLUKWst5TTLKBXXcdkIUw2LJvW7UOUhE+ON9uuEOaG\nF2XiAEfsLHoFGcZaX2wvD3GAilDarAAi1JwlLmr29wHAI84SfE9n38rd1eimNQLA\n8ad9VNrhrHyfHnF2zNb2Z4oMD2azO+DOcPiYEYVaM5+2L/PWUjAk2ug/do7qVgZu\nZH/rgYmNAgMBAAECggEAFb8eg85S+4PDb1hEP2sd1iDS/IvE7rApvRe5ls88SgfP\nAHszA5i/5IIeJQw5asIz/yDPEBX5vw+6ip0ymdX8i4j+pYNZL8/dYjGnp7uswQiD\nyJw4W6s96hYvwu54LWeomIh14/t0urcf9B4QG1dLmyC18jUFpo48PAxTY7r8TdGr\nNAW62o60deZYs9MuXM3E31Lnr0Bx2vvcWOvU4X6MvGCSxVRj5R+ymU4sTHoW2SRL\nI2j0N4GOwN3E5X1HKStRLmzf7p48XMWDQJjCMe2MNiWVhwf5LWEsOt2aN6mugfQl\ni/a1GOThYObZlgvtt+oLgY/3NBY6OZpnkaW+N6vs4wKBgQDh3dkTDv0xvx5iF7vw\n84s8UKUzg68dQXmZSo8W7wIgiQnnlYAwu0fpGraaZhoYZOrF+okW7571zycOgAWJ\n5tMX4zz+f7lxQBMGo2oAIg+6IRZHUNQi7WDnShTfRpHTO+ANL/esNFUIiFa5p9CJ\nITy+JdSvFwkFvdmRwubPd+mUrwKBgQDDAegdecbdDAH0DKxmlsv28cuT0scjKR6A\nABzH/kZy1AFcN2j22PlDyU0/avbc3c6RxCkamrQObialQRIln25c/4b1HaduNF1K\nWPWii4ktD9U/p8Zt9MI4FPjHIkUXnGyboa4Y7hEgnzvWryeQSt8KMvXxlKySb1wz\nhVw5OTHMgwKBgQChxwH9eaX25LpBbliKLBbVm7nIHRDndoc/Ob0lowm1/hHfEyDf\nRrUqDJ0wF+OnB1l1do6MpBMKY1bJNv9Al9ko6fU9IITVzhwSjCeXcs4q9hn7+LQJ\nVFctMs2iYux+DQvcxjey20TwuJ7NmZpvLiRQ2c3tnyUyPJpCogQqI+xlNwKBgHX1\ngk3KKwPtToUs4WBRGWHwU1/A4VqgdeWhq8dCRaUSHxyEHActqmJZs1OIRXnG5jyA\ndwizyfTspo3R9cMyVJUGsME2xd/A5ymg9Dz1wO20JR+TQlGi+5TnArGaRkcJBR2D\nSIemAlBEYfL0Eq+SyqYlu2X9tAIEQLadlfK7aSc3AoGAKuQAwScb+2pZ3ClJOjoB\nBvPObA4gcVU57Fa0VZ6oUgvQC99eTnWt9OhjbGB1Guu1peoyZ8QVnks6dIbzRngz\nEk+TkLknWU9tjv70XSYxDP7vYT54V/r2hghjlTnsDfmU3P/IL7zaUlqIV/lxGQ7I\npN8efchWIcVh3NqQEWE8jNY=\n-----END PRIVATE KEY-----\n";
const EC_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW1wFkUayyTytqolt\nkv6weAim6cibR9wN7UUtgGcyVbShRANCAARDbBxqcZ1KvIm1qf2pMAVnV1wzeWgY\nIA/1tkt0AFm7DpOwzil1nP2jfEQmiXeGU7WDfoLipZ/dJNTdxCUs8e44\n-----END PRIVATE KEY-----\n";
const EC2_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOxRmx6UEXLQyRZhN\nA0B+LVPEgei8f+rm8qeKs+LBmKihRANCAATfJ+hoo2SNPzFy/j0GQnwSax2mkcsh\ngQS2e89Vwnrr61o5+L8TJJN0ojbVwVxyVcrDoYRh9nBtofEnDYqKwlId\n-----END PRIVATE KEY-----\n";
const X_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJC/lh9K3B1Amk3kWcSJNbUQf3treKYlcL38ukMwzXZN\n-----END PRIVATE KEY-----\n";
const X2_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIGDwc14wLBaqIi17kTWZxXnUu+ZyjNa2TXHGq2o3VphJ\n-----END PRIVATE KEY-----\n";

function attempt(f) {
  try {
    const value = f();
    return Buffer.isBuffer(value) ? value.toString('hex') : value;
  } catch (err) {
    return { error: err.name, code: err.code, message: err.message };
  }
}

async function handleEvent() {
  const a = crypto.createECDH('prime256v1');
  a.setPrivateKey(PRIVATE_A);
  const b = crypto.createECDH('prime256v1');
  b.setPrivateKey(PRIVATE_B.toString('base64'), 'base64');
  const result = {
    publicKeys: ['uncompressed', 'compressed', 'hybrid'].map((format) => a.getPublicKey('hex', format)),
    privateB: b.getPrivateKey('hex'),
    secret: a.computeSecret(b.getPublicKey()).toString('hex'),
    secretCompressed: b.computeSecret(a.getPublicKey('base64', 'compressed'), 'base64', 'hex'),
    secretHybrid: b.computeSecret(a.getPublicKey(null, 'hybrid')).toString('hex'),
    convert: crypto.ECDH.convertKey(a.getPublicKey(), 'prime256v1', null, 'base64url', 'compressed'),
    convertBack: crypto.ECDH.convertKey(a.getPublicKey('hex', 'compressed'), 'prime256v1', 'hex', 'hex'),
    curves: ['prime256v1', 'secp384r1'].map((c) => crypto.getCurves().includes(c)),
  };
  const p384 = crypto.createECDH('secp384r1');
  p384.setPrivateKey(PRIVATE_384);
  const other384 = crypto.createECDH('secp384r1');
  other384.generateKeys();
  result.p384 = [p384.getPublicKey('hex'), p384.computeSecret(other384.getPublicKey()).equals(other384.computeSecret(p384.getPublicKey()))];
  const fresh = crypto.createECDH('prime256v1');
  const freshPublic = fresh.generateKeys();
  result.fresh = [freshPublic.length, fresh.generateKeys('hex', 'compressed').length, fresh.computeSecret(a.getPublicKey()).equals(a.computeSecret(fresh.getPublicKey()))];
  result.diffieHellman = {
    ec: crypto.diffieHellman({ privateKey: crypto.createPrivateKey(EC_PKCS8), publicKey: crypto.createPublicKey(EC2_PKCS8) }).toString('hex'),
    ecBack: crypto.diffieHellman({ privateKey: crypto.createPrivateKey(EC2_PKCS8), publicKey: crypto.createPublicKey(EC_PKCS8) }).toString('hex'),
    x25519: crypto.diffieHellman({ privateKey: crypto.createPrivateKey(X_PKCS8), publicKey: crypto.createPublicKey(X2_PKCS8) }).toString('hex'),
    x25519Back: crypto.diffieHellman({ privateKey: crypto.createPrivateKey(X2_PKCS8), publicKey: crypto.createPublicKey(X_PKCS8) }).toString('hex'),
  };
  const rsa = crypto.createPrivateKey(RSA_PKCS8);
  const rsaPublic = crypto.createPublicKey(rsa);
  const oaep = crypto.publicEncrypt(rsaPublic, Buffer.from('a secret for oaep'));
  const oaep256 = crypto.publicEncrypt({ key: rsaPublic, oaepHash: 'sha256' }, Buffer.from('sha-256 oaep'));
  const pkcs1 = crypto.publicEncrypt({ key: RSA_PKCS8, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from('v1.5'));
  result.rsa = [
    oaep.length,
    crypto.privateDecrypt(rsa, oaep).toString(),
    crypto.privateDecrypt({ key: RSA_PKCS8, oaepHash: 'sha256' }, oaep256).toString(),
    pkcs1.length,
    // Refused since CVE-2023-46809.
    attempt(() => crypto.privateDecrypt({ key: rsa, padding: crypto.constants.RSA_PKCS1_PADDING }, pkcs1)),
  ];
  result.errors = [
    () => crypto.createECDH('secp256r1'),
    () => crypto.createECDH('P-256'),
    () => crypto.createECDH(5),
    () => crypto.createECDH('prime256v1').getPublicKey(),
    () => crypto.createECDH('prime256v1').getPrivateKey(),
    () => a.computeSecret(Buffer.from('04' + '00'.repeat(64), 'hex')),
    () => a.computeSecret(Buffer.from('0102', 'hex')),
    () => a.computeSecret(p384.getPublicKey()),
    () => crypto.createECDH('prime256v1').setPrivateKey(Buffer.alloc(32)),
    () => crypto.createECDH('prime256v1').setPrivateKey(Buffer.alloc(33, 1)),
    () => crypto.createECDH('prime256v1').setPrivateKey(Buffer.alloc(31, 1)).getPublicKey('hex'),
    () => a.getPublicKey('hex', 'bogus'),
    () => crypto.diffieHellman({ privateKey: crypto.createPrivateKey(EC_PKCS8), publicKey: crypto.createPublicKey(X_PKCS8) }),
    () => crypto.diffieHellman({ privateKey: crypto.createPublicKey(EC_PKCS8), publicKey: crypto.createPublicKey(EC_PKCS8) }),
    () => crypto.privateDecrypt(rsa, Buffer.alloc(256, 1)),
  ].map(attempt);
  return result;
}
