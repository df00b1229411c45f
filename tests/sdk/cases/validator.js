// validator: common string checks and sanitizers.
const validator = require('validator');

async function handleEvent() {
  return {
    email: ['ada@example.com', 'ada@@example', 'Ada.Lovelace+chat@Example.COM'].map((e) => validator.isEmail(e)),
    normalized: validator.normalizeEmail('Ada.Lovelace+chat@GMail.com'),
    url: ['https://example.com/a?b=c', 'ftp://x', 'javascript:alert(1)'].map((u) => validator.isURL(u)),
    phone: [validator.isMobilePhone('+14155552671', 'en-US'), validator.isMobilePhone('12', 'any')],
    iso: [validator.isISO8601('2024-02-29T12:00:00Z'), validator.isISO8601('2023-02-29', { strict: true })],
    misc: [validator.isUUID('123e4567-e89b-12d3-a456-426614174000'), validator.isJWT('a.b.c'), validator.isCreditCard('4111111111111111'), validator.isIBAN('DE89370400440532013000')],
    escaped: validator.escape('<b>"hi" & \'bye\'</b>'),
    trimmed: validator.trim('  x  '),
    slugish: validator.whitelist('Hello, World!', 'a-zA-Z'),
  };
}
