#!/usr/bin/env node
// Builds the guest's vendored JavaScript libraries
// (sandbox/guest/src/vendor/*.js) from npm packages: each package's files
// become functions in one CommonJS bundle the guest's `require` evaluates
// on first use (see `internal.vendored` in prelude/modules.js).
//
// usage: node scripts/vendor-js.mjs           (needs the npm registry)
//        node scripts/vendor-js.mjs --check   (rebuilds and compares)
//
// Each bundle records the package's version and tarball integrity; the
// license text travels at its top.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'sandbox', 'guest', 'src', 'vendor');

/**
 * name -> { version, main, include (files kept), externals (require names
 * mapped to the guest's built-ins or other vendored bundles) }.
 */
const PACKAGES = {
  // Node's own `stream` (lib/internal/streams of Node 18), published to npm.
  'readable-stream': {
    version: '4.7.0',
    main: 'lib/stream.js',
    // lib/ours/{index,browser}.js are the package's own entry points.
    include: (file) => file.startsWith('lib/') && !file.startsWith('lib/ours/index') && !file.startsWith('lib/ours/browser'),
    externals: {
      buffer: 'buffer',
      events: 'events',
      'string_decoder/': 'string_decoder',
      'process/': 'process',
      'abort-controller': 'chatfn:abort-controller',
    },
  },
  // The WHATWG streams (ReadableStream, ...), as a ponyfill that passes the
  // web-platform tests; Node's own are internal to Node.
  'web-streams-polyfill': {
    version: '4.3.0',
    main: 'dist/ponyfill.js',
    include: (file) => file === 'dist/ponyfill.js',
    externals: {},
  },
  // Node's `punycode` module is this package (lib/punycode.js in Node).
  punycode: {
    version: '2.3.1',
    main: 'punycode.js',
    include: (file) => file === 'punycode.js',
    externals: {},
  },
};

function pack(name, version, dir) {
  const out = execFileSync('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', dir], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [info] = JSON.parse(out);
  execFileSync('tar', ['xzf', path.join(dir, info.filename), '-C', dir]);
  return { integrity: info.integrity, root: path.join(dir, 'package') };
}

function walk(dir, base = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

function bundle(name, config) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfn-vendor-'));
  try {
    const { integrity, root } = pack(name, config.version, dir);
    const license = ['LICENSE', 'LICENSE.md', 'license'].map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
    const files = walk(root).filter((f) => (f.endsWith('.js') || f.endsWith('.json')) && config.include(f));
    let text = `// ${name} ${config.version} from the npm registry (${integrity}),\n`;
    text += '// bundled by scripts/vendor-js.mjs: do not edit. Its license:\n//\n';
    if (license) text += fs.readFileSync(license, 'utf8').trimEnd().split('\n').map((l) => `// ${l}`.trimEnd()).join('\n') + '\n';
    text += '({\n';
    text += `  name: ${JSON.stringify(name)},\n  version: ${JSON.stringify(config.version)},\n`;
    text += `  main: ${JSON.stringify(config.main)},\n  externals: ${JSON.stringify(config.externals)},\n  files: {\n`;
    for (const file of files) {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      if (file.endsWith('.json')) {
        text += `    ${JSON.stringify(file)}: function (exports, require, module) { module.exports = ${source.trim()}; },\n`;
      } else {
        text += `    ${JSON.stringify(file)}: function (exports, require, module, __filename, __dirname) {\n${source.replace(/^#!.*/, '')}\n    },\n`;
      }
    }
    text += '  },\n})\n';
    return text;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const check = process.argv.includes('--check');
let stale = 0;
fs.mkdirSync(OUT, { recursive: true });
for (const [name, config] of Object.entries(PACKAGES)) {
  const file = path.join(OUT, `${name}.js`);
  const text = bundle(name, config);
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(ROOT, file)} is not what scripts/vendor-js.mjs builds`);
      stale++;
    }
  } else {
    fs.writeFileSync(file, text);
    console.log(`${path.relative(ROOT, file)}: ${name}@${config.version}, ${text.length} bytes`);
  }
}
process.exit(stale ? 1 : 0);
