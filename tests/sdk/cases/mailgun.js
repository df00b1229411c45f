// mailgun.js with form-data: a message send against a refused URL.
const Mailgun = require('mailgun.js');
const FormData = require('form-data');

async function handleEvent(event) {
  const mailgun = new (Mailgun.default || Mailgun)(FormData);
  const mg = mailgun.client({ username: 'api', key: 'key-test', url: event.refused, timeout: 5000 });
  let error;
  try {
    await mg.messages.create('example.com', {
      from: 'Chat <noreply@example.com>',
      to: ['ada@example.com'],
      subject: 'Hello',
      text: 'Hi there',
    });
  } catch (err) {
    error = err;
  }
  return {
    name: error.constructor.name,
    status: error.status,
    type: error.type,
    // mailgun.js reports the socket error's code as its message.
    message: error.message,
    details: String(error.details).replace(new URL(event.refused).host, 'REFUSED'),
  };
}
