// Blob, File, FormData, web streams and fetch bodies against Node 20, with
// event.server (tests/sdk/server.js).
async function handleEvent(event) {
  const out = {};
  const blob = new Blob(['héllo ', new Uint8Array([119, 111]), new Blob(['rld'])], { type: 'Text/Plain' });
  out.blob = [blob.size, blob.type, await blob.text(), await blob.slice(1, -2).text(), await blob.slice(-3).text(), (await blob.arrayBuffer()).byteLength, Object.prototype.toString.call(blob)];
  const file = new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 42 });
  out.file = [file.name, file.size, file.type, file.lastModified, file instanceof Blob, await file.text()];
  const form = new FormData();
  form.append('name', 'ada');
  form.append('file', new Blob(['data'], { type: 'application/json' }), 'd.json');
  form.append('blob', new Blob(['x']));
  form.append('name', 'lovelace');
  out.form = [form.get('name'), form.getAll('name'), form.has('file'), form.get('file').name, form.get('blob').name, [...form.keys()]];
  form.set('name', 'grace');
  form.delete('blob');
  out.formAfter = [...form.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : v.name]);
  // A FormData body, as the server sees it.
  const echoed = await (await fetch(`${event.server}/echo`, { method: 'POST', body: form })).json();
  out.multipart = [echoed.headers['content-type'].replace(/boundary=.*/, 'boundary=…'), echoed.body.replace(/formdata-undici-0\d+/g, 'B')];
  // Streams.
  const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
  const chunks = [];
  for await (const c of rs) chunks.push(c);
  out.readable = chunks;
  const upper = new TransformStream({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
  const piped = new ReadableStream({ start(c) { c.enqueue('x'); c.enqueue('y'); c.close(); } }).pipeThrough(upper);
  out.transformed = await new Response(piped.pipeThrough(new TextEncoderStream())).text();
  const decoded = [];
  await new Response(new Uint8Array([0xe2, 0x82, 0xac, 0x41])).body.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write(c) { decoded.push(c); } }));
  out.decoded = decoded.join('');
  const gz = new Response(new Blob(['compress me']).stream().pipeThrough(new CompressionStream('gzip')));
  out.compression = await new Response((await gz.blob()).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  // Response bodies as streams, blob(), formData().
  const res = await fetch(`${event.server}/echo?q=1`);
  const reader = res.body.getReader();
  let received = 0;
  for (;;) { const { value, done } = await reader.read(); if (done) break; received += value.length; }
  out.responseStream = [received > 0, res.bodyUsed];
  out.responseBlob = await fetch(`${event.server}/echo`).then((r) => r.blob()).then((b) => [b.type, b.size > 0]);
  out.urlencodedForm = await new Response('a=1&b=two', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData().then((f) => [...f]);
  const multi = new FormData(); multi.append('k', 'v'); multi.append('f', new File(['zz'], 'z.bin', { type: 'application/octet-stream' }));
  const roundTrip = await new Response(multi).formData();
  out.multipartRoundTrip = [roundTrip.get('k'), roundTrip.get('f').name, await roundTrip.get('f').text()];
  // A streamed request body.
  const streamed = await (await fetch(`${event.server}/echo`, { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } }), duplex: 'half' })).json();
  out.streamedBody = streamed.body;
  out.noDuplex = await fetch(`${event.server}/echo`, { method: 'POST', body: new ReadableStream() }).then(() => 'sent', (e) => [e.name, e.message]);
  // Abort.
  const ac = new AbortController();
  const pending = fetch(`${event.server}/slow`, { signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  out.aborted = await pending.then(() => 'done', (e) => [e.name, e.message]);
  out.abortedBefore = await fetch(`${event.server}/echo`, { signal: AbortSignal.abort('gone') }).then(() => 'done', (e) => e);
  out.requestSignal = new Request('http://x/').signal instanceof AbortSignal;
  out.streamWeb = Object.keys(require('stream/web')).includes('ReadableStream') && require('stream/web').ReadableStream === ReadableStream;
  out.bufferBlob = require('buffer').Blob === Blob;
  return out;
}
