// node:crypto ciphers with fixed keys and IVs: AES-128/192/256 in GCM (with
// additional data, short tags, odd IV lengths), CBC (padding on and off),
// CTR and ECB, and AES key wrap; updates in uneven chunks and string
// encodings; and the errors Node gives for bad keys, IVs, tags and padding.
const crypto = require('crypto');

function attempt(f) {
  try {
    return f();
  } catch (err) {
    return { error: err.name, code: err.code, message: err.message };
  }
}

const KEYS = { 128: Buffer.alloc(16, 0x11), 192: Buffer.alloc(24, 0x22), 256: Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex') };
const TEXT = Buffer.from('Chat functions run users\' JavaScript; this text is 3+ blocks long, 77 bytes!!');

function run(cipher, chunks) {
  const out = chunks.map((c) => cipher.update(c));
  out.push(cipher.final());
  return Buffer.concat(out);
}

async function handleEvent() {
  const result = {};
  for (const bits of [128, 192, 256]) {
    const key = KEYS[bits];
    const iv16 = Buffer.alloc(16, bits & 0xff);
    const iv12 = Buffer.alloc(12, 7);
    const chunks = [TEXT.subarray(0, 5), TEXT.subarray(5, 21), TEXT.subarray(21, 50), TEXT.subarray(50)];
    const entry = {};
    for (const mode of ['cbc', 'ctr', 'ecb']) {
      const iv = mode === 'ecb' ? null : iv16;
      const ct = run(crypto.createCipheriv(`aes-${bits}-${mode}`, key, iv), chunks);
      entry[mode] = [ct.toString('hex'), run(crypto.createDecipheriv(`aes-${bits}-${mode}`, key, iv), [ct.subarray(0, 17), ct.subarray(17)]).equals(TEXT)];
    }
    const gcm = crypto.createCipheriv(`aes-${bits}-gcm`, key, iv12);
    gcm.setAAD(Buffer.from('header'));
    const ct = run(gcm, chunks);
    const tag = gcm.getAuthTag();
    const decipher = crypto.createDecipheriv(`aes-${bits}-gcm`, key, iv12);
    decipher.setAAD(Buffer.from('header'));
    decipher.setAuthTag(tag);
    entry.gcm = [ct.toString('hex'), tag.toString('hex'), run(decipher, [ct]).equals(TEXT)];
    result[bits] = entry;
  }
  const key = KEYS[128];
  // GCM: a 16-byte and an 8-byte IV, an 8-byte tag, no data at all.
  const gcm16 = crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(16, 1));
  result.gcmIv16 = [run(gcm16, [TEXT]).toString('base64'), gcm16.getAuthTag().toString('base64')];
  const gcm8 = crypto.createCipheriv('id-aes128-GCM', key, Buffer.alloc(8, 2), { authTagLength: 8 });
  gcm8.setAAD(Buffer.alloc(40, 3));
  result.gcmIv8 = [run(gcm8, [TEXT.subarray(0, 16)]).toString('base64'), gcm8.getAuthTag().toString('base64')];
  const empty = crypto.createCipheriv('aes-256-gcm', KEYS[256], Buffer.alloc(12));
  result.gcmEmpty = [empty.final().length, empty.getAuthTag().toString('hex')];
  // Strings in and out, with base64 carried across updates.
  const text = crypto.createCipheriv('aes-256-cbc', KEYS[256], Buffer.alloc(16));
  result.strings = text.update('héllo wörld, ', 'utf8', 'base64') + text.update('616263', 'hex', 'base64') + text.final('base64');
  const back = crypto.createDecipheriv('aes-256-cbc', KEYS[256], Buffer.alloc(16));
  result.stringsBack = back.update(result.strings, 'base64', 'utf8') + back.final('utf8');
  // CBC without padding, and how much each update returns.
  const noPad = crypto.createCipheriv('aes128', key, Buffer.alloc(16));
  noPad.setAutoPadding(false);
  result.noPadding = run(noPad, [Buffer.alloc(32, 5)]).toString('hex');
  const sizes = crypto.createDecipheriv('aes-128-cbc', key, Buffer.alloc(16));
  result.updateSizes = [sizes.update(Buffer.alloc(16)).length, sizes.update(Buffer.alloc(20)).length, sizes.update(Buffer.alloc(12)).length];
  // AES key wrap (RFC 3394 test vector 4.1).
  const kek = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');
  const wrapped = run(crypto.createCipheriv('id-aes128-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex')), [Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex')]);
  result.wrap = [wrapped.toString('hex'), run(crypto.createDecipheriv('aes128-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex')), [wrapped]).toString('hex')];
  result.info = [crypto.getCipherInfo('aes-256-gcm'), crypto.getCipherInfo('aes128'), crypto.getCipherInfo('nope')];
  result.ciphers = ['aes-128-gcm', 'aes-256-cbc', 'aes-192-ctr', 'id-aes256-wrap'].map((c) => crypto.getCiphers().includes(c));
  const tagged = crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(12));
  const taggedText = run(tagged, [TEXT]);
  const taggedTag = tagged.getAuthTag();
  result.errors = [
    () => crypto.createCipheriv('aes-128-xyz', key, Buffer.alloc(16)),
    () => crypto.createCipheriv('aes-128-gcm', Buffer.alloc(15), Buffer.alloc(12)),
    () => crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(12)),
    () => crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(0)),
    () => crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(12), { authTagLength: 7 }),
    () => crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(12)).getAuthTag(),
    () => { const c = crypto.createCipheriv('aes-128-gcm', key, Buffer.alloc(12)); c.update('a'); return c.setAAD(Buffer.from('late')); },
    () => crypto.createDecipheriv('aes-128-gcm', key, Buffer.alloc(12)).setAuthTag(Buffer.alloc(3)),
    () => { const d = crypto.createDecipheriv('aes-128-gcm', key, Buffer.alloc(12)); d.update(taggedText); return d.final(); },
    () => { const d = crypto.createDecipheriv('aes-128-gcm', key, Buffer.alloc(12)); d.setAuthTag(Buffer.alloc(16)); d.update(taggedText); return d.final(); },
    () => { const d = crypto.createDecipheriv('aes-128-gcm', key, Buffer.alloc(12)); d.setAuthTag(taggedTag.subarray(0, 12)); return run(d, [taggedText]).equals(TEXT); },
    () => { const d = crypto.createDecipheriv('aes-128-cbc', key, Buffer.alloc(16)); d.update(Buffer.alloc(32)); return d.final(); },
    () => { const d = crypto.createDecipheriv('aes-128-cbc', key, Buffer.alloc(16)); d.update(Buffer.alloc(15)); return d.final(); },
    () => { const c = crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(16)); c.setAutoPadding(false); c.update(Buffer.alloc(15)); return c.final(); },
    () => { const c = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)); c.final(); return c.final(); },
    () => { const c = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)); c.final(); return c.update('x'); },
    () => crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(5),
    () => { const d = crypto.createDecipheriv('id-aes128-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex')); d.update(Buffer.alloc(24)); return d.final(); },
  ].map(attempt);
  return result;
}
