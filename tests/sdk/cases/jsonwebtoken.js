// jsonwebtoken: HS256 and RS256 (deterministic) with fixed iat, verify and
// the errors it throws.
const jwt = require('jsonwebtoken');

const RSA_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDXzs0pR3HkWSt9\nVE6/We8F0Uy401NLb2xuhoMoPY59p7rGM1w8W9Bxf89l3MZ++IFrQJOF4UpbGkbX\n1BiDHOZPUVRMDQyCOK/SMzFhmlIfzUWQWGueyIADJ3hhozLgPaa8KUL3FDhv0BsK\nuZwbfuGfpqGfB3woAXJtrik31tBzAz9XoM35ntAEINwU/glqZSjGZuRHXSNxG1Ed\nP7pi7QhfwQzz2BuPD031PLj+8Tm9SkuzBx0Sgte7lSz+sb0S7J3oUv96GoADXSvu\n1cQpCMwd5gcGrWSkSZyXXGzfO7z5VMissyONH8rZEGN1Bo/k/Z9D7XcMMnrxW2hI\nGieVtTexAgMBAAECggEAAVAJFC1SsmV+89kTjgsnXqkQXwbtCKZNuengSho+v8Gp\ni4tULitOTCRvf+J9BBhxnBQFWbD+PWneYLFx8Tk3puebHEfPicq7ugr068+vHHGo\nkMlS5UE5sxs2OpzOIkpJtXcISN2y/q4cvf7VRd8KkwilzsRyQ0GH/0YKCuSH+c0a\nRS9Wy9KbLyHeIv+DGdGbGIHKh8U62GBtp5inchc3O6O3jfezcBoiwFJH9di1zyop\n8ejDS2lewt8nkG9GsZCJYB3hb/HhIDnVbJuUPqdwxqAiVcgHqy5NVYZJ/5SPFOvv\nHsyzPnLd5nWpPu+Mp1vPF2jqzuy0OhhctYanPvAZAQKBgQDw8OVy+gBHEM7MiuGT\nQGBininB1/sgoc2DmKDXb/mtYX/KsDlSFVBBDGSqo7+6vk3I2NjyoP6QRSuoY9OZ\nokW4rl6E3j+r1xKLUc5B6ZWa9Yd82G4gt/PIv7Sm7w3+7srz+3Nt96koELH1TRHC\nAPCVkZEHf6mesPccHL986YwsMQKBgQDlS8TrodbiYqFH5iwh0ouxSxIps165xUEZ\nXO01ed7/klDeSEXSWiaKP3Dhj4EHoDKggedkXvKMLxnYWxITKoDiE9Hs9B2SrjQ2\n2Om9qbJVevNljH9bjKpEqUHO2joAM3gQG2ifQHXZj+U+AjKPLJBmwbAvG9G73mXe\nQ11hzbxjgQKBgA1aTF0C3eESXWOYjsfKWY0dltLXVWOJlAom+0L1QbEKJjrlaUfT\nRo9UUH/kc0u2IDlxSxSnN3RnYPQEFEX/aD3D7BkQ+BZd5Pkzn2qnt1LPKKMSm4fU\nqf4GIczekrf+I+FBnjQJ9aXyxuoBS2qlArBHUPJJcO0KgaddMH+LsekBAoGBALvL\nSZWe7+pr0yGazyxIT2a+UDrdEEjf2AhYxmJU1SHGCPt0f9LfSM9TVDU4nfnL54rz\nubrH1Kihbu528B/IYNRIXVdPO+VFTbhaAV333PoLf8r8vdYSJ+WiJiavLm+5t6yh\ndhdv6NVt99fIXvZKDl5KZey/QRA3/oCB9bpDkPaBAoGBANn8npL+atBU7lAAxeUW\nPJFi4LsXH9ZjNWnLo1pVGH3TaJ11dubUUkdoV/J/fmUB33gBG6oiSG51+mY4Uvn1\n4pnbaV/KU+WI2tyFbItw8rtUzTDgPLHuBxNgkLlLCgGfD/VC5uEjruU/qNZHck60\nk5WQoUYbsO7Jjm5U9sZcNCfY\n-----END PRIVATE KEY-----\n";

async function handleEvent() {
  const iat = 1700000000;
  const hs = jwt.sign({ sub: 'ada', iat }, 'shhh', { expiresIn: '1h', issuer: 'chatfn' });
  const rs = jwt.sign({ sub: 'ada', iat }, RSA_KEY, { algorithm: 'RS256', expiresIn: 3600, keyid: 'k1' });
  const verified = jwt.verify(hs, 'shhh', { clockTimestamp: iat + 10, issuer: 'chatfn' });
  const publicKey = require('crypto').createPublicKey(RSA_KEY).export({ type: 'spki', format: 'pem' });
  const rsVerified = jwt.verify(rs, publicKey, { algorithms: ['RS256'], clockTimestamp: iat + 10 });
  const failures = [];
  for (const [token, key, options] of [
    [hs, 'shhh', { clockTimestamp: iat + 7200 }],
    [hs, 'wrong', { clockTimestamp: iat }],
    [hs, 'shhh', { clockTimestamp: iat, audience: 'someone' }],
    ['not.a.token', 'shhh', {}],
  ]) {
    try {
      jwt.verify(token, key, options);
      failures.push(null);
    } catch (err) {
      failures.push({ name: err.constructor.name, message: err.message });
    }
  }
  return {
    hs,
    rs,
    verified,
    rsVerified,
    decoded: jwt.decode(rs, { complete: true }).header,
    failures,
  };
}
