// bcryptjs: hashing with a fixed salt, comparing, and salt generation.
const bcrypt = require('bcryptjs');

async function handleEvent() {
  const salt = '$2b$04$abcdefghijklmnopqrstuu';
  const hash = bcrypt.hashSync('correct horse', salt);
  const asyncHash = await bcrypt.hash('battery staple', salt);
  const fresh = bcrypt.genSaltSync(5);
  return {
    hash,
    asyncHash,
    matches: [bcrypt.compareSync('correct horse', hash), await bcrypt.compare('wrong', hash)],
    rounds: bcrypt.getRounds(hash),
    salt: bcrypt.getSalt(hash),
    fresh: [fresh.length, fresh.slice(0, 7)],
    truncates: bcrypt.truncates('x'.repeat(80)),
  };
}
