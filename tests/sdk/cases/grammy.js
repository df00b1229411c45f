// grammy (Telegram bots): keyboards, and an API call against a refused URL.
const { Bot, InlineKeyboard, Keyboard, HttpError } = require('grammy');

async function handleEvent(event) {
  const bot = new Bot('123456:TEST-TOKEN', { client: { apiRoot: event.refused, timeoutSeconds: 5 } });
  let error;
  try {
    await bot.api.getMe();
  } catch (err) {
    error = err;
  }
  const inline = new InlineKeyboard().text('Yes', 'vote:yes').text('No', 'vote:no').row().url('Docs', 'https://grammy.dev');
  const reply = new Keyboard().text('One').text('Two').row().requestContact('Share').resized().oneTime();
  return {
    inline: inline.inline_keyboard,
    reply: reply.build(),
    name: error.constructor.name,
    isHttpError: error instanceof HttpError,
    message: error.message,
    cause: error.error && error.error.constructor.name,
    causeCode: error.error && error.error.code,
  };
}
