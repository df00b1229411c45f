'use strict';
// Evaluates prelude files the way the host does: each file is one function
// expression, called with (native, internal) inside a fresh global (a vm
// context). `load('a.js', 'b.js')` passes an empty `native`;
// `load({ native: {...}, globals: {...} }, 'a.js', ...)` passes stand-ins for
// the host's natives and puts `globals` on the fresh global first (e.g. the
// TextEncoder/TextDecoder that javy provides in the guest).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const PRELUDE = path.join(__dirname, '..', 'src', 'prelude');

function load(...files) {
  const options = typeof files[0] === 'object' && files[0] !== null ? files.shift() : {};
  const native = options.native || {};
  const context = vm.createContext({ ...options.globals });
  const internal = vm.runInContext('({})', context);
  for (const file of files) {
    const source = fs.readFileSync(path.join(PRELUDE, file), 'utf8');
    const fn = vm.runInContext(source, context, { filename: file });
    if (typeof fn !== 'function') throw new Error(`${file} did not evaluate to a function`);
    fn(native, internal);
  }
  return { context, internal, run: (code) => vm.runInContext(code, context) };
}

module.exports = { load, PRELUDE };
