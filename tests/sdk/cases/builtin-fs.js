// Built-in `fs` against Node 20 on an installed package's files: reads, stats,
// listings, descriptors, streams, and the errors of missing paths and writes.
const fs = require('fs');
const fsp = require('fs/promises');
const path = require('path');

function attempt(fn) {
  try { const v = fn(); return v === undefined ? 'undefined' : v; } catch (e) { return { code: e.code, errno: e.errno, syscall: e.syscall, message: e.message.replace(/'[^']*'/, "'PATH'") }; }
}

async function handleEvent() {
  const pkgFile = require.resolve('ms/package.json');
  const dir = path.dirname(pkgFile);
  const out = {};
  out.read = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name;
  out.readBuffer = Buffer.isBuffer(fs.readFileSync(pkgFile));
  out.readEncodingOption = typeof fs.readFileSync(pkgFile, { encoding: 'utf8' });
  out.exists = [fs.existsSync(pkgFile), fs.existsSync(dir), fs.existsSync(dir + '/nope.js'), fs.existsSync(42)];
  const stat = fs.statSync(pkgFile);
  out.stat = [stat.isFile(), stat.isDirectory(), stat.isSymbolicLink(), stat.size === Buffer.byteLength(fs.readFileSync(pkgFile, 'utf8')), stat.mtime instanceof Date];
  out.statDir = [fs.statSync(dir).isDirectory(), fs.lstatSync(dir).isFile()];
  out.noEntry = fs.statSync(dir + '/nope', { throwIfNoEntry: false });
  out.readdir = fs.readdirSync(dir).filter((n) => n.endsWith('.js') || n.endsWith('.json')).sort();
  out.dirents = fs.readdirSync(path.dirname(dir), { withFileTypes: true }).filter((d) => d.name === 'ms').map((d) => [d.name, d.isDirectory(), d.isFile()]);
  out.realpath = fs.realpathSync(dir + '/../ms/package.json') === pkgFile;
  out.errors = {
    missing: attempt(() => fs.readFileSync(dir + '/missing.txt')),
    stat: attempt(() => fs.statSync(dir + '/missing')),
    dirAsFile: attempt(() => fs.readFileSync(dir)),
    fileAsDir: attempt(() => fs.readdirSync(pkgFile)),
    write: attempt(() => fs.writeFileSync('/tmp/chatfn-does-not-write/x', 'y')),
    mkdir: attempt(() => fs.mkdirSync('/tmp/chatfn-does-not-write/a/b')),
    badArg: attempt(() => fs.readFileSync(42.5)),
  };
  out.callback = await new Promise((resolve) => fs.readFile(pkgFile, 'utf8', (err, text) => resolve([err, JSON.parse(text).name])));
  out.callbackError = await new Promise((resolve) => fs.stat(dir + '/missing', (err) => resolve(err.code)));
  out.existsCallback = await new Promise((resolve) => fs.exists(pkgFile, resolve));
  out.promises = JSON.parse(await fsp.readFile(pkgFile, 'utf8')).name === out.read && fs.promises.readFile === fsp.readFile;
  out.promiseError = await fsp.access(dir + '/missing').catch((e) => e.code);
  const fd = fs.openSync(pkgFile, 'r');
  const buf = Buffer.alloc(1);
  out.fd = [fs.readSync(fd, buf, 0, 1, 0), buf.toString(), fs.fstatSync(fd).isFile()];
  fs.closeSync(fd);
  out.stream = await new Promise((resolve, reject) => {
    const chunks = [];
    fs.createReadStream(pkgFile, { encoding: 'utf8' }).on('data', (c) => chunks.push(c)).on('end', () => resolve(JSON.parse(chunks.join('')).name)).on('error', reject);
  });
  out.constants = [fs.constants.F_OK, fs.constants.R_OK, fs.constants.O_RDONLY];
  return out;
}
