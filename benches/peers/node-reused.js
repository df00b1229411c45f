// Node.js calling a handler in one reused `vm` context: the handler script
// is evaluated once, then handleEvent runs per invocation with module
// scope kept (the fair peer of chatfn's instance reuse). Prints {"p50_us",
// "p99_us", "n"} as JSON.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const source = fs.readFileSync(path.join(__dirname, 'handler.js'), 'utf8');
const context = vm.createContext({});
new vm.Script(source, { filename: 'handler.js' }).runInContext(context);
const samples = Number(process.argv[2] || 5000);

async function once() {
  const started = process.hrtime.bigint();
  const result = await context.handleEvent({ n: 1 });
  if (!result.ok) throw new Error('unexpected result');
  return Number(process.hrtime.bigint() - started) / 1000;
}

(async () => {
  for (let i = 0; i < Math.min(500, samples); i++) await once();
  const times = [];
  for (let i = 0; i < samples; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(times.length * q))];
  console.log(JSON.stringify({ p50_us: at(0.5), p99_us: at(0.99), n: times.length }));
})();
