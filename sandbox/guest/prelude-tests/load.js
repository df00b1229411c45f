'use strict';
// Evaluates a prelude file the way the host does: the file is one function
// expression, called with (native, internal) inside a fresh global (a vm context).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const PRELUDE = path.join(__dirname, '..', 'src', 'prelude');

function load(...files) {
  const context = vm.createContext({});
  const internal = vm.runInContext('({})', context);
  for (const file of files) {
    const source = fs.readFileSync(path.join(PRELUDE, file), 'utf8');
    const fn = vm.runInContext(source, context, { filename: file });
    if (typeof fn !== 'function') throw new Error(`${file} did not evaluate to a function`);
    fn({}, internal);
  }
  return { context, internal, run: (code) => vm.runInContext(code, context) };
}

module.exports = { load, PRELUDE };
