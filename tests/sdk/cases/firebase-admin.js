// firebase-admin: custom tokens signed with a service account key.
// Live-only: its tree (gRPC, protobuf, Google auth) is too big to record.
const admin = require('firebase-admin');

const PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDXzs0pR3HkWSt9\nVE6/We8F0Uy401NLb2xuhoMoPY59p7rGM1w8W9Bxf89l3MZ++IFrQJOF4UpbGkbX\n1BiDHOZPUVRMDQyCOK/SMzFhmlIfzUWQWGueyIADJ3hhozLgPaa8KUL3FDhv0BsK\nuZwbfuGfpqGfB3woAXJtrik31tBzAz9XoM35ntAEINwU/glqZSjGZuRHXSNxG1Ed\nP7pi7QhfwQzz2BuPD031PLj+8Tm9SkuzBx0Sgte7lSz+sb0S7J3oUv96GoADXSvu\n1cQpCMwd5gcGrWSkSZyXXGzfO7z5VMissyONH8rZEGN1Bo/k/Z9D7XcMMnrxW2hI\nGieVtTexAgMBAAECggEAAVAJFC1SsmV+89kTjgsnXqkQXwbtCKZNuengSho+v8Gp\ni4tULitOTCRvf+J9BBhxnBQFWbD+PWneYLFx8Tk3puebHEfPicq7ugr068+vHHGo\nkMlS5UE5sxs2OpzOIkpJtXcISN2y/q4cvf7VRd8KkwilzsRyQ0GH/0YKCuSH+c0a\nRS9Wy9KbLyHeIv+DGdGbGIHKh8U62GBtp5inchc3O6O3jfezcBoiwFJH9di1zyop\n8ejDS2lewt8nkG9GsZCJYB3hb/HhIDnVbJuUPqdwxqAiVcgHqy5NVYZJ/5SPFOvv\nHsyzPnLd5nWpPu+Mp1vPF2jqzuy0OhhctYanPvAZAQKBgQDw8OVy+gBHEM7MiuGT\nQGBininB1/sgoc2DmKDXb/mtYX/KsDlSFVBBDGSqo7+6vk3I2NjyoP6QRSuoY9OZ\nokW4rl6E3j+r1xKLUc5B6ZWa9Yd82G4gt/PIv7Sm7w3+7srz+3Nt96koELH1TRHC\nAPCVkZEHf6mesPccHL986YwsMQKBgQDlS8TrodbiYqFH5iwh0ouxSxIps165xUEZ\nXO01ed7/klDeSEXSWiaKP3Dhj4EHoDKggedkXvKMLxnYWxITKoDiE9Hs9B2SrjQ2\n2Om9qbJVevNljH9bjKpEqUHO2joAM3gQG2ifQHXZj+U+AjKPLJBmwbAvG9G73mXe\nQ11hzbxjgQKBgA1aTF0C3eESXWOYjsfKWY0dltLXVWOJlAom+0L1QbEKJjrlaUfT\nRo9UUH/kc0u2IDlxSxSnN3RnYPQEFEX/aD3D7BkQ+BZd5Pkzn2qnt1LPKKMSm4fU\nqf4GIczekrf+I+FBnjQJ9aXyxuoBS2qlArBHUPJJcO0KgaddMH+LsekBAoGBALvL\nSZWe7+pr0yGazyxIT2a+UDrdEEjf2AhYxmJU1SHGCPt0f9LfSM9TVDU4nfnL54rz\nubrH1Kihbu528B/IYNRIXVdPO+VFTbhaAV333PoLf8r8vdYSJ+WiJiavLm+5t6yh\ndhdv6NVt99fIXvZKDl5KZey/QRA3/oCB9bpDkPaBAoGBANn8npL+atBU7lAAxeUW\nPJFi4LsXH9ZjNWnLo1pVGH3TaJ11dubUUkdoV/J/fmUB33gBG6oiSG51+mY4Uvn1\n4pnbaV/KU+WI2tyFbItw8rtUzTDgPLHuBxNgkLlLCgGfD/VC5uEjruU/qNZHck60\nk5WQoUYbsO7Jjm5U9sZcNCfY\n-----END PRIVATE KEY-----\n";

function decode(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString());
}

async function handleEvent() {
  const app = admin.apps.length
    ? admin.app()
    : admin.initializeApp({
        credential: admin.credential.cert({
          projectId: 'demo-chat',
          clientEmail: 'firebase-adminsdk@demo-chat.iam.gserviceaccount.com',
          privateKey: PRIVATE_KEY,
        }),
      });
  const token = await admin.auth(app).createCustomToken('ada', { room: 'lobby' });
  const [header, payload, signature] = token.split('.');
  const claims = decode(payload);
  return {
    header: decode(header),
    claims: { ...claims, iat: typeof claims.iat, exp: claims.exp - claims.iat },
    signatureBytes: Buffer.from(signature, 'base64url').length,
    projectId: app.options.credential.projectId,
  };
}
