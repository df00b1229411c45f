// @sendgrid/mail: the request body it builds, and a send against a refused
// URL.
const sgMail = require('@sendgrid/mail');
const { classes } = require('@sendgrid/helpers');

async function handleEvent(event) {
  const message = {
    to: ['ada@example.com', { email: 'bob@example.com', name: 'Bob' }],
    from: { email: 'noreply@example.com', name: 'Chat' },
    subject: 'Hello',
    text: 'Hi there',
    html: '<p>Hi there</p>',
    categories: ['chat'],
    customArgs: { room: 'lobby' },
  };
  const body = classes.Mail.create(message).toJSON();
  sgMail.setApiKey('SG.test-key');
  sgMail.client.setDefaultRequest('baseUrl', event.refused);
  let error;
  try {
    await sgMail.send(message);
  } catch (err) {
    error = err;
  }
  return {
    body,
    name: error.constructor.name,
    code: error.code,
  };
}
