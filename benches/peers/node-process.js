// One invocation in its own Node.js process: started, the handler loaded
// and run, the result printed. The caller times the whole process.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const source = fs.readFileSync(path.join(__dirname, 'handler.js'), 'utf8');
vm.runInThisContext(source, { filename: 'handler.js' });
handleEvent({ n: 1 }).then((result) => process.stdout.write(JSON.stringify(result)));
