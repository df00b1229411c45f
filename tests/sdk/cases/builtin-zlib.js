// Built-in `zlib` against Node 20: Node's own compressed bytes decode, round
// trips, errors, streams (lenient and strict ends), crc32, constants.
const zlib = require('zlib');
const { promisify } = require('util');
// gzip, zlib, raw deflate and brotli of the text below, made by Node 20.
const FIX = {"gz":"H4sIAAAAAAAAA0vOSCxRSCvNSy7JzM8rVkge5eLmAgDpBchRLAEAAA==","df":"eJxLzkgsUUgrzUsuyczPK1ZIHuXi5gIAWF9ydQ==","raw":"S85ILFFIK81LLsnMzytWSB7l4uYCAA==","br":"GysB+KXDxtDo1CmDlQDhMJ6/Ag=="};
async function handleEvent() {
  const text = 'chat functions '.repeat(20);
  const out = {};
  out.fromNode = {
    gunzip: zlib.gunzipSync(Buffer.from(FIX.gz, 'base64')).toString() === text,
    inflate: zlib.inflateSync(Buffer.from(FIX.df, 'base64')).toString() === text,
    inflateRaw: zlib.inflateRawSync(Buffer.from(FIX.raw, 'base64')).toString() === text,
    brotli: zlib.brotliDecompressSync(Buffer.from(FIX.br, 'base64')).toString() === text,
    unzipGzip: zlib.unzipSync(Buffer.from(FIX.gz, 'base64')).toString() === text,
    unzipZlib: zlib.unzipSync(Buffer.from(FIX.df, 'base64')).toString() === text,
  };
  out.roundTrip = {
    gzip: zlib.gunzipSync(zlib.gzipSync(text, { level: 9 })).toString() === text,
    deflate: zlib.inflateSync(zlib.deflateSync(text)).toString() === text,
    raw: zlib.inflateRawSync(zlib.deflateRawSync(text)).toString() === text,
    brotli: zlib.brotliDecompressSync(zlib.brotliCompressSync(text)).toString() === text,
    gzipHeader: [...zlib.gzipSync('x').subarray(0, 4)],
    smaller: zlib.gzipSync(text).length < text.length,
  };
  out.callback = await new Promise((resolve, reject) => zlib.deflate(text, (err, buf) => err ? reject(err) : zlib.inflate(buf, (e, back) => e ? reject(e) : resolve(back.toString() === text))));
  out.promisified = (await promisify(zlib.gunzip)(await promisify(zlib.gzip)('p'))).toString();
  const errors = [];
  for (const [fn, input] of [['inflateSync', Buffer.from('hello world')], ['gunzipSync', Buffer.from('hello world')],
      ['gunzipSync', zlib.gzipSync(text).subarray(0, 20)], ['inflateSync', zlib.deflateSync(text).subarray(0, 10)],
      ['brotliDecompressSync', Buffer.from([0xff, 0xff, 0xff, 0xff])]]) {
    try { zlib[fn](input); errors.push('no error'); } catch (e) {
      // Brotli's code names the decoder's own failure state (a deviation).
      const code = fn.startsWith('brotli') ? /^ERR__ERROR_FORMAT_/.test(e.code) : e.code;
      errors.push({ code, message: e.message, name: e.name, errno: fn.startsWith('brotli') ? e.errno < 0 : e.errno });
    }
  }
  out.errors = errors;
  try { zlib.gzipSync(42); } catch (e) { out.badArg = { code: e.code, name: e.name }; }
  // Streams, with piping and a lenient finish as axios does.
  const { pipeline, Readable, Writable } = require('stream');
  const chunks = [];
  await new Promise((resolve, reject) => pipeline(
    Readable.from([Buffer.from(text.slice(0, 100)), Buffer.from(text.slice(100))]),
    zlib.createGzip(), zlib.createGunzip(),
    new Writable({ write(c, e, cb) { chunks.push(c); cb(); } }),
    (err) => err ? reject(err) : resolve()));
  out.stream = Buffer.concat(chunks).toString() === text;
  const lenient = zlib.createUnzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const partial = [];
  lenient.on('data', (c) => partial.push(c));
  await new Promise((resolve) => { lenient.on('end', resolve); lenient.on('error', (e) => { partial.push(Buffer.from('ERR ' + e.code)); resolve(); }); lenient.end(Buffer.from(FIX.gz, 'base64').subarray(0, 40)); });
  out.lenientTruncated = Buffer.concat(partial).length > 0;
  const strict = zlib.createGunzip();
  out.strictTruncated = await new Promise((resolve) => { strict.on('error', (e) => resolve([e.code, e.message])); strict.on('end', () => resolve('end')); strict.resume(); strict.end(Buffer.from(FIX.gz, 'base64').subarray(0, 40)); });
  out.crc32 = [zlib.crc32('hello'), zlib.crc32('world', zlib.crc32('hello ')), zlib.crc32(Buffer.from([1, 2, 3]))];
  out.constants = [zlib.constants.Z_SYNC_FLUSH, zlib.constants.BROTLI_PARAM_QUALITY, zlib.Z_BEST_COMPRESSION, zlib.codes.Z_DATA_ERROR, zlib.codes['-3']];
  out.classes = [typeof zlib.Gzip, zlib.createGzip() instanceof require('stream').Transform, typeof zlib.createBrotliCompress];
  return out;
}
