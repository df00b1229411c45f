// pg (node-postgres): escaping and type parsers offline, and a connection to
// a refused port.
const pg = require('pg');

async function handleEvent(event) {
  const url = new URL(event.refused);
  const client = new pg.Client({
    host: url.hostname,
    port: Number(url.port),
    user: 'chat',
    password: 'secret',
    database: 'chat',
    connectionTimeoutMillis: 5000,
  });
  let error;
  try {
    await client.connect();
  } catch (err) {
    error = err;
  }
  const pool = new pg.Pool({ connectionString: `postgres://chat:secret@${url.host}/chat`, max: 1, connectionTimeoutMillis: 5000 });
  let poolError;
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    poolError = { name: err.constructor.name, code: err.code };
  }
  await pool.end();
  return {
    name: error.constructor.name,
    code: error.code,
    syscall: error.syscall,
    poolError,
    literal: client.escapeLiteral("it's \\ here"),
    identifier: client.escapeIdentifier('odd "name"'),
    types: {
      int8: pg.types.getTypeParser(20)('9007199254740993'),
      numeric: pg.types.getTypeParser(1700)('3.14'),
      bool: pg.types.getTypeParser(16)('t'),
      json: pg.types.getTypeParser(3802)('{"a":[1,2]}'),
      timestamptz: pg.types.getTypeParser(1184)('2024-01-02 03:04:05.678+02').toISOString(),
      intArray: pg.types.getTypeParser(1007)('{1,2,NULL,4}'),
      bytea: pg.types.getTypeParser(17)('\\x68656c6c6f').toString(),
    },
  };
}
