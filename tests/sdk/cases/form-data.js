// form-data: multipart bodies with a fixed boundary, and submitting to a
// refused port.
const FormData = require('form-data');

async function handleEvent(event) {
  const form = new FormData();
  form.setBoundary('----chatfn-boundary');
  form.append('name', 'Ada');
  form.append('count', 3);
  form.append('file', Buffer.from('hello file'), { filename: 'hello.txt', contentType: 'text/plain' });
  form.append('json', JSON.stringify({ a: 1 }), { contentType: 'application/json' });
  const body = form.getBuffer().toString();
  const length = form.getLengthSync();
  const error = await new Promise((resolve) => {
    const submit = new FormData();
    submit.append('x', '1');
    submit.submit(`${event.refused}/upload`, (err, res) => resolve(err || { status: res.statusCode }));
  });
  return {
    headers: form.getHeaders(),
    body,
    length,
    lengthMatches: length === Buffer.byteLength(body),
    name: error.constructor.name,
    code: error.code,
  };
}
