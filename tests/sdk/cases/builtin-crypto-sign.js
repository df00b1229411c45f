// node:crypto signatures: createSign/createVerify and sign/verify with RSA
// (PKCS#1 v1.5 and PSS), ECDSA (P-256, P-384; DER and IEEE P1363) and
// Ed25519 keys, as PEM, KeyObjects and JWK. PKCS#1 v1.5 and Ed25519
// signatures are deterministic and compared as is; ECDSA and PSS ones are
// randomized in Node, so they are checked by verifying (with signatures Node
// made once, and with fresh ones).
const crypto = require('crypto');

const RSA_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsDasCa8oY1vD/\nwk0o2hpmeEj6Sl8riEm3Q6/pR5Ap6PIt1oqCUXrujfdKOrPdj2/mrtWcXTQnK8uY\nlZ3ovzBd3+VAi2b+x+X63vk6d3ZPXzJVFMBo8LxQK5Iy6EivKdRmNDYY27GBz6eW\nvR0MLGiYTwagZR27mqgZm0OLUKWst5TTLKBXXcdkIUw2LJvW7UOUhE+ON9uuEOaG\nF2XiAEfsLHoFGcZaX2wvD3GAilDarAAi1JwlLmr29wHAI84SfE9n38rd1eimNQLA\n8ad9VNrhrHyfHnF2zNb2Z4oMD2azO+DOcPiYEYVaM5+2L/PWUjAk2ug/do7qVgZu\nZH/rgYmNAgMBAAECggEAFb8eg85S+4PDb1hEP2sd1iDS/IvE7rApvRe5ls88SgfP\nAHszA5i/5IIeJQw5asIz/yDPEBX5vw+6ip0ymdX8i4j+pYNZL8/dYjGnp7uswQiD\nyJw4W6s96hYvwu54LWeomIh14/t0urcf9B4QG1dLmyC18jUFpo48PAxTY7r8TdGr\nNAW62o60deZYs9MuXM3E31Lnr0Bx2vvcWOvU4X6MvGCSxVRj5R+ymU4sTHoW2SRL\nI2j0N4GOwN3E5X1HKStRLmzf7p48XMWDQJjCMe2MNiWVhwf5LWEsOt2aN6mugfQl\ni/a1GOThYObZlgvtt+oLgY/3NBY6OZpnkaW+N6vs4wKBgQDh3dkTDv0xvx5iF7vw\n84s8UKUzg68dQXmZSo8W7wIgiQnnlYAwu0fpGraaZhoYZOrF+okW7571zycOgAWJ\n5tMX4zz+f7lxQBMGo2oAIg+6IRZHUNQi7WDnShTfRpHTO+ANL/esNFUIiFa5p9CJ\nITy+JdSvFwkFvdmRwubPd+mUrwKBgQDDAegdecbdDAH0DKxmlsv28cuT0scjKR6A\nABzH/kZy1AFcN2j22PlDyU0/avbc3c6RxCkamrQObialQRIln25c/4b1HaduNF1K\nWPWii4ktD9U/p8Zt9MI4FPjHIkUXnGyboa4Y7hEgnzvWryeQSt8KMvXxlKySb1wz\nhVw5OTHMgwKBgQChxwH9eaX25LpBbliKLBbVm7nIHRDndoc/Ob0lowm1/hHfEyDf\nRrUqDJ0wF+OnB1l1do6MpBMKY1bJNv9Al9ko6fU9IITVzhwSjCeXcs4q9hn7+LQJ\nVFctMs2iYux+DQvcxjey20TwuJ7NmZpvLiRQ2c3tnyUyPJpCogQqI+xlNwKBgHX1\ngk3KKwPtToUs4WBRGWHwU1/A4VqgdeWhq8dCRaUSHxyEHActqmJZs1OIRXnG5jyA\ndwizyfTspo3R9cMyVJUGsME2xd/A5ymg9Dz1wO20JR+TQlGi+5TnArGaRkcJBR2D\nSIemAlBEYfL0Eq+SyqYlu2X9tAIEQLadlfK7aSc3AoGAKuQAwScb+2pZ3ClJOjoB\nBvPObA4gcVU57Fa0VZ6oUgvQC99eTnWt9OhjbGB1Guu1peoyZ8QVnks6dIbzRngz\nEk+TkLknWU9tjv70XSYxDP7vYT54V/r2hghjlTnsDfmU3P/IL7zaUlqIV/lxGQ7I\npN8efchWIcVh3NqQEWE8jNY=\n-----END PRIVATE KEY-----\n";
const EC_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW1wFkUayyTytqolt\nkv6weAim6cibR9wN7UUtgGcyVbShRANCAARDbBxqcZ1KvIm1qf2pMAVnV1wzeWgY\nIA/1tkt0AFm7DpOwzil1nP2jfEQmiXeGU7WDfoLipZ/dJNTdxCUs8e44\n-----END PRIVATE KEY-----\n";
const EC384_SEC1 = "-----BEGIN EC PRIVATE KEY-----\nMIGkAgEBBDBhwrYx9cYwn0Et36d/DRX1ZBqpZMVjVm1LwygjEzGVPFUCpRbxNdqu\n1wudj8p3wICgBwYFK4EEACKhZANiAAQ+t7NRTIaGLEQnDhAfPhXAcygH6rNIOdKR\nNfanY80KS0U64os0gU5olVJnHL3d7j1FlBEojB7w47Nu4uW00+PT0OG/VTXDInB3\nlPWWwu9fR9c1oolEABIGRpii5VC53P4=\n-----END EC PRIVATE KEY-----\n";
const ED_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIP1l080V7UQoS1tILk8MFo26pnhwgCnT6FM3EQFRobjH\n-----END PRIVATE KEY-----\n";
const X_PKCS8 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJC/lh9K3B1Amk3kWcSJNbUQf3treKYlcL38ukMwzXZN\n-----END PRIVATE KEY-----\n";
const NODE_SIGNATURES = {"ES256_DER":"MEQCIA06utLH4EMlUpVrZOUvlUfyFTYxFu/vHNZpumei3zHWAiBNp8o36HYW7kgZkqHojiJFCV12KYaJXBynaAxLAMOTtg==","ES256_P1363":"PEpaiswOf/Y978z9g5iaRDiCa6r2EB3ggJI81+I+xX9oQHMn7Tjo61keNSUrtq9rbWWmGFBKRzbkBecWGNNl0g==","ES384":"mkeMUhKYb/Lon4y7j8CSddGREJytvxrpfWS5hnmxH+/joOK+8IbqoTy/NXMF+U+4XJ0qN/8Klua9X6lP79GbG5SBspbtQlTShqg2MMO+6A6LJ0YAcc0p+85XpnPrvUSO","PS256":"SN/wfBYlfbMsU2AEMHjO7TdQeBUbQjlJtBaBcpqBI1qlebAs0iAJBAt49pGNcsP2utUzKNwVzGsY4zb9bVAqo3BlXJW3JPktPDNPCadbGRD184kM2pky+UmuB4V/kk6OXQqpK44P5Vcg/6spr/FJleypVvcDv/pjH2PxM1di6IezBvK9Tqnz1f90Cy6XRK4aXKYl3mjXFoJXLwi7x1EHsRxxynTxOVm3BnQ3hlM2a1e+X5f8by3wg6+UBbRXbqrFsj5mx5/wZElBXvC3/s/qjBV21iPRPPgNE4kmkBvn7+85Flp+wIsGGWV4obkAJfBdScyq91ROXKG6KsLpX2LSAQ==","PS256_DIGEST":"RTaHqfeR9sBiZfI8LUOhh1qeVSBqzvQUJR6pAb0Vr4fykWz02FgIqjCc78Y+4PKa6OkKZ6bBQ9QRGyyyDpHaVUnzuyIP0t6NkIb0JQ6hp8Kpe8AgqDzQv9vznvtTZEFMvzVxYeDjrdfvm+h+zlZSQa6kmdDUF54BD4LDC+ukF4NWNnM+X2JQXQf86EUXOcdk6+vz6hRKeVjmcpHjLDzTtfbMa28D3tqvt05C2pLvvu1uTk88NrV1JhJYTgZ76g9mJ/QqD13mB+Jgsb8a8aGpXQyyqGyRNn7qt+NMI77uGtrnALTVFTVQmZoe6IEXhTSJdicv8joG+yVuEp9O55YW5A=="};
const MESSAGE = Buffer.from('the message signed by node');

function attempt(f) {
  try {
    return f();
  } catch (err) {
    return { error: err.name, code: err.code, message: err.message };
  }
}

async function handleEvent() {
  const rsa = crypto.createPrivateKey(RSA_PKCS8);
  const rsaPublic = crypto.createPublicKey(rsa);
  const ec = crypto.createPrivateKey(EC_PKCS8);
  const ecPublic = crypto.createPublicKey(ec);
  const ec384Public = crypto.createPublicKey(EC384_SEC1);
  const edPublic = crypto.createPublicKey(ED_PKCS8);
  const result = {};

  // Deterministic: RSA PKCS#1 v1.5 for each digest, over chunked updates.
  result.pkcs1 = {};
  for (const algorithm of ['RSA-SHA1', 'sha256', 'SHA384', 'sha512']) {
    const signer = crypto.createSign(algorithm);
    signer.update('the message ');
    signer.update(Buffer.from('signed by node'));
    const signature = signer.sign(RSA_PKCS8, 'base64');
    result.pkcs1[algorithm] = {
      signature,
      verifies: crypto.createVerify(algorithm).update(MESSAGE).verify(rsaPublic, signature, 'base64'),
      tampered: crypto.createVerify(algorithm).update('another message').verify(rsaPublic, signature, 'base64'),
    };
  }
  result.oneShotRsa = crypto.sign('sha256', MESSAGE, rsa).toString('base64');
  result.defaultDigest = crypto.sign(null, MESSAGE, rsa).equals(crypto.sign('sha256', MESSAGE, rsa));
  result.jwkKey = crypto.sign('sha256', MESSAGE, { key: rsa.export({ format: 'jwk' }), format: 'jwk' }).toString('base64');
  result.derKey = crypto.sign('sha256', MESSAGE, {
    key: rsa.export({ format: 'der', type: 'pkcs1' }), format: 'der', type: 'pkcs1',
  }).toString('base64');

  // Ed25519 is deterministic.
  result.ed25519 = {
    signature: crypto.sign(null, MESSAGE, ED_PKCS8).toString('hex'),
    verifies: crypto.verify(null, MESSAGE, edPublic, crypto.sign(null, MESSAGE, ED_PKCS8)),
    tampered: crypto.verify(null, Buffer.from('x'), edPublic, crypto.sign(null, MESSAGE, ED_PKCS8)),
    undefinedAlgorithm: crypto.sign(undefined, MESSAGE, crypto.createPrivateKey(ED_PKCS8)).length,
  };

  // Signatures Node made verify here.
  const fromNode = (name) => Buffer.from(NODE_SIGNATURES[name], 'base64');
  result.nodeSignatures = {
    es256der: crypto.verify('sha256', MESSAGE, ecPublic, fromNode('ES256_DER')),
    es256p1363: crypto.verify('sha256', MESSAGE, { key: ecPublic, dsaEncoding: 'ieee-p1363' }, fromNode('ES256_P1363')),
    es256wrongEncoding: crypto.verify('sha256', MESSAGE, ecPublic, fromNode('ES256_P1363')),
    es384: crypto.createVerify('SHA384').update(MESSAGE).verify({ key: EC384_SEC1, dsaEncoding: 'ieee-p1363' }, fromNode('ES384')),
    ps256: crypto.verify('sha256', MESSAGE, { key: rsaPublic, padding: crypto.constants.RSA_PKCS1_PSS_PADDING }, fromNode('PS256')),
    ps256saltDigest: crypto.verify('sha256', MESSAGE, {
      key: rsaPublic, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    }, fromNode('PS256_DIGEST')),
    ps256wrongSalt: crypto.verify('sha256', MESSAGE, {
      key: rsaPublic, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20,
    }, fromNode('PS256_DIGEST')),
    ps256asPkcs1: crypto.verify('sha256', MESSAGE, rsaPublic, fromNode('PS256')),
  };

  // Fresh randomized signatures verify, in every encoding.
  const es256 = crypto.sign('sha256', MESSAGE, { key: ec, dsaEncoding: 'ieee-p1363' });
  const es256der = crypto.createSign('sha256').update(MESSAGE).sign(EC_PKCS8);
  const es384 = crypto.sign('sha384', MESSAGE, { key: EC384_SEC1, dsaEncoding: 'ieee-p1363' });
  const ps = crypto.sign('sha256', MESSAGE, { key: rsa, padding: crypto.constants.RSA_PKCS1_PSS_PADDING });
  result.fresh = {
    es256: [es256.length, crypto.verify('sha256', MESSAGE, { key: ecPublic, dsaEncoding: 'ieee-p1363' }, es256)],
    es256der: [es256der[0], crypto.createVerify('sha256').update(MESSAGE).verify(EC_PKCS8, es256der)],
    es256jwk: crypto.verify('sha256', MESSAGE, { key: ecPublic.export({ format: 'jwk' }), format: 'jwk', dsaEncoding: 'ieee-p1363' }, es256),
    es384: [es384.length, crypto.verify('sha384', MESSAGE, { key: ec384Public, dsaEncoding: 'ieee-p1363' }, es384)],
    es256sha1: crypto.verify('sha1', MESSAGE, ecPublic, crypto.sign('sha1', MESSAGE, ec)),
    ps256: [ps.length, crypto.verify('sha256', MESSAGE, { key: rsaPublic, padding: 6 }, ps)],
    pssMaxSalt: crypto.verify('sha256', MESSAGE, { key: rsaPublic, padding: 6, saltLength: 222 }, ps),
    callback: await new Promise((resolve) => crypto.sign('sha256', MESSAGE, ec, (err, sig) => {
      resolve([err, crypto.verify('sha256', MESSAGE, ecPublic, sig)]);
    })),
  };

  result.errors = [
    () => crypto.createSign('sha256').update('x').sign(ecPublic),
    () => crypto.createSign('sha256').update('x').sign(crypto.createSecretKey(Buffer.from('k'))),
    () => crypto.createSign('sha256').update('x').sign(),
    () => { const s = crypto.createSign('sha256').update('x'); s.sign(ec); return s.sign(ec); },
    () => crypto.createSign('bogus'),
    () => crypto.createSign('sha256').update(5),
    () => crypto.createSign('sha256').update('x').sign(ED_PKCS8),
    () => crypto.sign('sha256', MESSAGE, ED_PKCS8),
    () => crypto.sign(null, MESSAGE, X_PKCS8),
    () => crypto.sign('sha256', MESSAGE, { key: ec, dsaEncoding: 'bogus' }),
    () => crypto.sign('sha256', MESSAGE, { key: rsa, padding: 1.5 }),
    () => crypto.verify('sha256', MESSAGE, ecPublic, 'not a buffer'),
    () => crypto.verify('sha256', MESSAGE, ecPublic, Buffer.from('3000', 'hex')),
    () => crypto.createVerify('sha256').update(MESSAGE).verify(rsaPublic, Buffer.alloc(10)),
  ].map(attempt);
  return result;
}
