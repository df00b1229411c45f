// twilio: webhook signature validation, TwiML, and a REST call against a
// refused port (its request client is axios).
const twilio = require('twilio');

async function handleEvent(event) {
  const authToken = '12345678901234567890123456789012';
  const url = 'https://example.com/sms?x=1';
  const params = { From: '+15551234567', Body: 'hello', To: '+15557654321' };
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
  const twiml = new twilio.twiml.MessagingResponse();
  twiml.message({ to: '+15551234567' }, 'Thanks & bye <3');
  const voice = new twilio.twiml.VoiceResponse();
  voice.say({ voice: 'alice', language: 'en-GB' }, 'Hello');
  voice.gather({ numDigits: 1, action: '/menu' }).say('Press 1');
  const client = twilio('AC00000000000000000000000000000000', authToken, { autoRetry: false });
  let error;
  try {
    await client.request({ method: 'GET', uri: `${event.refused}/2010-04-01/Accounts.json` });
  } catch (err) {
    error = err;
  }
  return {
    signature,
    valid: twilio.validateRequest(authToken, signature, url, params),
    forged: twilio.validateRequest(authToken, 'AAAA', url, params),
    messaging: twiml.toString(),
    voice: voice.toString(),
    name: error.constructor.name,
    code: error.code,
  };
}
