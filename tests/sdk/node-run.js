// Runs one SDK smoke case in Node, as chatfn runs a handler script:
//   node tests/sdk/node-run.js CASE_FILE NODE_MODULES_PARENT_DIR EVENT_JSON
// The case is a script defining a global `async function handleEvent(event,
// context)`, with `require` resolving from NODE_MODULES_PARENT_DIR. Prints
// the handler's result as one line of JSON, or `{"error": {...}}` when it
// throws (loading included).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const [caseFile, modulesDir, eventJson] = process.argv.slice(2);
if (!caseFile || !modulesDir) {
  process.stderr.write('usage: node node-run.js CASE_FILE NODE_MODULES_PARENT_DIR [EVENT_JSON]\n');
  process.exit(2);
}

function errorShape(err) {
  if (err === null || typeof err !== 'object') return { value: String(err) };
  return { name: err.name, constructor: err.constructor && err.constructor.name, message: err.message };
}

function print(value) {
  // Like the payload chatfn returns: JSON of the result (undefined → null).
  process.stdout.write((JSON.stringify(value) ?? 'null') + '\n');
}

// A case that never settles is reported, not waited for.
const LIMIT_MS = 30000;

async function main() {
  setTimeout(() => {
    print({ error: { name: 'Timeout', message: `handleEvent did not settle in ${LIMIT_MS} ms` } });
    process.exit(0);
  }, LIMIT_MS).unref();
  const event = eventJson ? JSON.parse(eventJson) : {};
  const source = fs.readFileSync(caseFile, 'utf8');
  const require = createRequire(path.resolve(modulesDir) + '/');
  let result;
  try {
    const handleEvent = new Function('require', `${source}\n;return handleEvent;`)(require);
    result = await handleEvent(event, {});
  } catch (err) {
    print({ error: errorShape(err) });
    return;
  }
  print(result);
}

main().then(
  // Handles an SDK leaves open (sockets, timers) must not keep the case
  // running: the result is what counts.
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err && err.stack}\n`);
    process.exit(1);
  },
);
