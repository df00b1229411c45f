// nodemailer: the JSON transport's message, and SMTP against a refused port.
const nodemailer = require('nodemailer');

async function handleEvent(event) {
  const json = nodemailer.createTransport({ jsonTransport: true });
  const info = await json.sendMail({
    from: '"Chat" <noreply@example.com>',
    to: 'ada@example.com, Bob <bob@example.com>',
    subject: 'Hello ✔',
    text: 'Hi there',
    html: '<b>Hi there</b>',
    messageId: '<fixed-id@example.com>',
    date: new Date('2024-01-02T03:04:05Z'),
    attachments: [{ filename: 'note.txt', content: 'a note' }],
  });
  const url = new URL(event.refused);
  const smtp = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    connectionTimeout: 5000,
  });
  let error;
  try {
    await smtp.verify();
  } catch (err) {
    error = err;
  }
  return {
    envelope: info.envelope,
    messageId: info.messageId,
    message: JSON.parse(info.message),
    name: error.constructor.name,
    code: error.code,
    command: error.command,
  };
}
