// `fs` and `fs/promises` over the image's module map: a read-only file
// system holding the installed packages (`/node_modules/...`), which is
// what packages read at load time (their own package.json, JSON and data
// files). Sync, callback and promise forms of the reading calls, with
// Node's errors: a missing path is ENOENT, every write is EROFS.
//
// Deliberate deviations from Node: there are no other files (no /tmp, no
// /proc); every file's mode is 0o444 and every directory's 0o555, owned by
// uid 0, with npm's fixed tarball time (1985-10-26T08:15:00Z) as every
// timestamp; files are text (the module map holds JavaScript, JSON and
// text data); `watch` and `watchFile` fail with ERR_FEATURE_UNAVAILABLE_ON_PLATFORM.
(function (native, internal) {
  'use strict';

  internal.builtins.fs = () => makeFs();
  internal.builtins['fs/promises'] = () => require('fs').promises;

  let fsModule = null;

  function makeFs() {
    if (fsModule !== null) return fsModule;
    const Buffer = internal.Buffer;
    const { invalidArgType, validateFunction } = internal.nodeErrors;

    const ERRNO = {
      ENOENT: [-2, 'no such file or directory'],
      EBADF: [-9, 'bad file descriptor'],
      EACCES: [-13, 'permission denied'],
      EEXIST: [-17, 'file already exists'],
      ENOTDIR: [-20, 'not a directory'],
      EISDIR: [-21, 'illegal operation on a directory'],
      EINVAL: [-22, 'invalid argument'],
      EROFS: [-30, 'read-only file system'],
      ENOSYS: [-38, 'function not implemented'],
    };

    function fsError(code, syscall, path, dest) {
      const [errno, text] = ERRNO[code];
      let message = `${code}: ${text}, ${syscall}`;
      if (path !== undefined) message += ` '${path}'`;
      if (dest !== undefined) message += ` -> '${dest}'`;
      const err = new Error(message);
      err.errno = errno;
      err.code = code;
      err.syscall = syscall;
      if (path !== undefined) err.path = path;
      if (dest !== undefined) err.dest = dest;
      return err;
    }

    // -------------------------------------------------------------------
    // Paths and lookups.
    function toPath(value, name = 'path') {
      if (typeof value === 'string') return value;
      if (value instanceof Uint8Array) return internal.utf8Decode(value);
      if (value instanceof URL) {
        if (value.protocol !== 'file:') {
          const err = new TypeError('The URL must be of scheme file');
          err.code = 'ERR_INVALID_URL_SCHEME';
          throw err;
        }
        return decodeURIComponent(value.pathname);
      }
      throw invalidArgType(name, ['string', 'Buffer', 'URL'], value);
    }

    function absolute(path) {
      const parts = [];
      for (const part of (path.startsWith('/') ? path : '/' + path).split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') parts.pop(); else parts.push(part);
      }
      return '/' + parts.join('/');
    }

    const listings = new Map();
    /** The names in directory `abs` (subdirectories end in '/'), or null. */
    function listing(abs) {
      let names = listings.get(abs);
      if (names === undefined) {
        const text = native.moduleList(abs);
        names = typeof text === 'string' ? (text === '' ? [] : text.split('\n')) : null;
        listings.set(abs, names);
      }
      return names;
    }

    /** 'file', 'dir' or null. */
    function kind(abs) {
      if (native.moduleSize(abs) >= 0) return 'file';
      return listing(abs) !== null ? 'dir' : null;
    }

    /** Why `path` (as given) cannot be looked up, or null if it can be. */
    function lookupError(path, abs, syscall) {
      // A file in the middle of a path is ENOTDIR, as on a real disk.
      let prefix = '';
      for (const part of abs.split('/').slice(1, -1)) {
        prefix += '/' + part;
        if (native.moduleSize(prefix) >= 0) return fsError('ENOTDIR', syscall, path);
      }
      return fsError('ENOENT', syscall, path);
    }

    // -------------------------------------------------------------------
    // Stats and directory entries.
    const EPOCH_MS = Date.UTC(1985, 9, 26, 8, 15, 0);
    const S_IFREG = 0o100000;
    const S_IFDIR = 0o40000;
    let inode = 1000;
    const inodes = new Map();

    class Stats {
      constructor(abs, type, size, bigint) {
        const num = bigint ? BigInt : Number;
        if (!inodes.has(abs)) inodes.set(abs, inode++);
        this.dev = num(1);
        this.mode = num(type === 'dir' ? S_IFDIR | 0o555 : S_IFREG | 0o444);
        this.nlink = num(1);
        this.uid = num(0);
        this.gid = num(0);
        this.rdev = num(0);
        this.blksize = num(4096);
        this.ino = num(inodes.get(abs));
        this.size = num(type === 'dir' ? 4096 : size);
        this.blocks = num(Math.ceil((type === 'dir' ? 4096 : size) / 512));
        this.atimeMs = num(EPOCH_MS);
        this.mtimeMs = num(EPOCH_MS);
        this.ctimeMs = num(EPOCH_MS);
        this.birthtimeMs = num(EPOCH_MS);
        if (bigint) {
          for (const key of ['atime', 'mtime', 'ctime', 'birthtime']) this[key + 'Ns'] = BigInt(EPOCH_MS) * 1000000n;
        }
        this.atime = new Date(EPOCH_MS);
        this.mtime = new Date(EPOCH_MS);
        this.ctime = new Date(EPOCH_MS);
        this.birthtime = new Date(EPOCH_MS);
      }
      isFile() { return (Number(this.mode) & 0o170000) === S_IFREG; }
      isDirectory() { return (Number(this.mode) & 0o170000) === S_IFDIR; }
      isSymbolicLink() { return false; }
      isBlockDevice() { return false; }
      isCharacterDevice() { return false; }
      isFIFO() { return false; }
      isSocket() { return false; }
    }

    class Dirent {
      constructor(name, dir, isDir) {
        this.name = name;
        this.parentPath = dir;
        this.path = dir;
        this[kType] = isDir;
      }
      isFile() { return !this[kType]; }
      isDirectory() { return this[kType]; }
      isSymbolicLink() { return false; }
      isBlockDevice() { return false; }
      isCharacterDevice() { return false; }
      isFIFO() { return false; }
      isSocket() { return false; }
    }
    const kType = Symbol('type');

    // -------------------------------------------------------------------
    // The synchronous calls; the callback and promise forms wrap them.
    function optionsOf(options, defaults) {
      if (options === undefined || options === null || typeof options === 'function') return defaults;
      if (typeof options === 'string') return { ...defaults, encoding: options };
      if (typeof options !== 'object') throw invalidArgType('options', ['string', 'Object'], options);
      return { ...defaults, ...options };
    }

    function statSync(path, options) {
      const given = toPath(path);
      const abs = absolute(given);
      const { bigint = false, throwIfNoEntry = true } = optionsOf(options, {});
      const size = native.moduleSize(abs);
      if (size >= 0) return new Stats(abs, 'file', size, bigint);
      if (listing(abs) !== null) return new Stats(abs, 'dir', 0, bigint);
      if (!throwIfNoEntry) return undefined;
      throw lookupError(given, abs, 'stat');
    }

    function lstatSync(path, options) {
      try {
        return statSync(path, options);
      } catch (err) {
        if (err.syscall === 'stat') err.message = err.message.replace(', stat', ', lstat'), err.syscall = 'lstat';
        throw err;
      }
    }

    function existsSync(path) {
      try {
        return kind(absolute(toPath(path))) !== null;
      } catch {
        return false;
      }
    }

    function accessSync(path, mode = constants.F_OK) {
      const given = toPath(path);
      const abs = absolute(given);
      const type = kind(abs);
      if (type === null) throw lookupError(given, abs, 'access');
      if (mode & constants.W_OK) throw fsError('EROFS', 'access', given);
      if ((mode & constants.X_OK) && type === 'file') throw fsError('EACCES', 'access', given);
    }

    function readText(given, syscall) {
      const abs = absolute(given);
      const source = native.moduleSource(abs);
      if (typeof source === 'string') return source;
      if (listing(abs) !== null) throw fsError('EISDIR', 'read');
      throw lookupError(given, abs, syscall);
    }

    function readFileSync(path, options) {
      const { encoding = null, flag = 'r' } = optionsOf(options, {});
      if (typeof path === 'number' && Number.isInteger(path)) return readFd(path, encoding);
      const given = toPath(path);
      if (!/^r\+?s?$|^rs\+$/.test(String(flag)) || String(flag).includes('+')) {
        throw fsError('EROFS', 'open', given);
      }
      const text = readText(given, 'open');
      if (encoding === 'utf8' || encoding === 'utf-8') return text;
      const bytes = Buffer.from(text, 'utf8');
      return encoding === null || encoding === 'buffer' ? bytes : bytes.toString(encoding);
    }

    function readdirSync(path, options) {
      const given = toPath(path);
      const abs = absolute(given);
      const { withFileTypes = false, encoding = 'utf8', recursive = false } = optionsOf(options, {});
      const names = listing(abs);
      if (names === null) {
        if (native.moduleSize(abs) >= 0) throw fsError('ENOTDIR', 'scandir', given);
        throw lookupError(given, abs, 'scandir');
      }
      const out = [];
      const walk = (dir, rel, entries) => {
        for (const entry of entries) {
          const isDir = entry.endsWith('/');
          const name = isDir ? entry.slice(0, -1) : entry;
          const relName = rel === '' ? name : rel + '/' + name;
          if (withFileTypes) out.push(new Dirent(name, rel === '' ? given : given.replace(/\/$/, '') + '/' + rel, isDir));
          else out.push(encoding === 'buffer' ? Buffer.from(relName) : relName);
          if (recursive && isDir) {
            const childAbs = dir === '/' ? '/' + name : dir + '/' + name;
            walk(childAbs, relName, listing(childAbs) || []);
          }
        }
      };
      walk(abs, '', names);
      return out;
    }

    function realpathSync(path, options) {
      const given = toPath(path);
      const abs = absolute(given);
      if (kind(abs) === null) throw lookupError(given, abs, 'lstat');
      const { encoding = 'utf8' } = optionsOf(options, {});
      return encoding === 'buffer' ? Buffer.from(abs) : abs;
    }
    realpathSync.native = realpathSync;

    // File descriptors, for packages that open a file and read it in parts.
    const fds = new Map();
    let nextFd = 20;

    function openSync(path, flags = 'r') {
      const given = toPath(path);
      if (typeof flags === 'number' ? (flags & 3) !== 0 : String(flags) !== 'r' && String(flags) !== 'rs') {
        throw fsError('EROFS', 'open', given);
      }
      const abs = absolute(given);
      const type = kind(abs);
      if (type === null) throw lookupError(given, abs, 'open');
      const fd = nextFd++;
      fds.set(fd, { abs, bytes: type === 'file' ? Buffer.from(readText(given, 'open'), 'utf8') : null, position: 0 });
      return fd;
    }

    function fdEntry(fd, syscall) {
      const entry = fds.get(fd);
      if (entry === undefined) throw fsError('EBADF', syscall);
      return entry;
    }

    function readFd(fd, encoding) {
      const entry = fdEntry(fd, 'read');
      if (entry.bytes === null) throw fsError('EISDIR', 'read');
      const bytes = Buffer.from(entry.bytes.subarray(entry.position));
      entry.position = entry.bytes.length;
      return encoding === null || encoding === 'buffer' ? bytes : bytes.toString(encoding);
    }

    function readSync(fd, buffer, offset, length, position) {
      const entry = fdEntry(fd, 'read');
      if (entry.bytes === null) throw fsError('EISDIR', 'read');
      if (offset !== null && typeof offset === 'object') ({ offset = 0, length = buffer.byteLength - offset, position = null } = offset);
      offset = offset ?? 0;
      length = length ?? buffer.byteLength - offset;
      const from = typeof position === 'number' || typeof position === 'bigint' ? Number(position) : entry.position;
      const chunk = entry.bytes.subarray(from, from + length);
      new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).set(chunk, offset);
      if (!(typeof position === 'number' || typeof position === 'bigint')) entry.position += chunk.length;
      return chunk.length;
    }

    function fstatSync(fd, options) {
      const entry = fdEntry(fd, 'fstat');
      const { bigint = false } = optionsOf(options, {});
      return new Stats(entry.abs, entry.bytes === null ? 'dir' : 'file', entry.bytes === null ? 0 : entry.bytes.length, bigint);
    }

    function closeSync(fd) {
      fdEntry(fd, 'close');
      fds.delete(fd);
    }

    // Every call that would change the file system.
    const WRITES = {
      writeFileSync: 'open', appendFileSync: 'open', mkdirSync: 'mkdir', mkdtempSync: 'mkdtemp',
      rmSync: 'rm', rmdirSync: 'rmdir', unlinkSync: 'unlink', renameSync: 'rename', copyFileSync: 'copyfile',
      cpSync: 'cp', symlinkSync: 'symlink', linkSync: 'link', chmodSync: 'chmod', lchmodSync: 'lchmod',
      chownSync: 'chown', lchownSync: 'lchown', utimesSync: 'utime', lutimesSync: 'lutime',
      truncateSync: 'open', writeSync: 'write', ftruncateSync: 'ftruncate', fsyncSync: 'fsync',
      fdatasyncSync: 'fdatasync', fchmodSync: 'fchmod', fchownSync: 'fchown', futimesSync: 'futime',
    };
    const writers = {};
    for (const [name, syscall] of Object.entries(WRITES)) {
      writers[name] = {
        [name](path, ...rest) {
          // Calls on file descriptors: none is open for writing.
          if (syscall === 'write' || syscall.startsWith('f')) throw fsError('EBADF', syscall);
          const given = toPath(path);
          // As on a read-only disk: a path whose directory is missing is
          // ENOENT, anything else EROFS.
          const abs = absolute(given);
          const recursive = syscall === 'mkdir' && rest[0] && rest[0].recursive;
          const parent = abs.slice(0, abs.lastIndexOf('/')) || '/';
          if (!recursive && kind(parent) !== 'dir' && abs !== '/') throw lookupError(given, parent + '/', syscall);
          throw fsError('EROFS', syscall, given);
        },
      }[name];
    }

    const constants = Object.freeze({
      UV_FS_SYMLINK_DIR: 1, UV_FS_SYMLINK_JUNCTION: 2, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2,
      UV_DIRENT_UNKNOWN: 0, UV_DIRENT_FILE: 1, UV_DIRENT_DIR: 2, UV_DIRENT_LINK: 3, UV_DIRENT_FIFO: 4,
      UV_DIRENT_SOCKET: 5, UV_DIRENT_CHAR: 6, UV_DIRENT_BLOCK: 7, S_IFMT: 0o170000, S_IFREG, S_IFDIR,
      S_IFCHR: 0o20000, S_IFBLK: 0o60000, S_IFIFO: 0o10000, S_IFLNK: 0o120000, S_IFSOCK: 0o140000,
      O_CREAT: 64, O_EXCL: 128, UV_FS_O_FILEMAP: 0, O_NOCTTY: 256, O_TRUNC: 512, O_APPEND: 1024,
      O_DIRECTORY: 65536, O_NOATIME: 262144, O_NOFOLLOW: 131072, O_SYNC: 1052672, O_DSYNC: 4096,
      O_DIRECT: 16384, O_NONBLOCK: 2048, S_IRWXU: 448, S_IRUSR: 256, S_IWUSR: 128, S_IXUSR: 64,
      S_IRWXG: 56, S_IRGRP: 32, S_IWGRP: 16, S_IXGRP: 8, S_IRWXO: 7, S_IROTH: 4, S_IWOTH: 2,
      S_IXOTH: 1, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, UV_FS_COPYFILE_EXCL: 1, COPYFILE_EXCL: 1,
      UV_FS_COPYFILE_FICLONE: 2, COPYFILE_FICLONE: 2, UV_FS_COPYFILE_FICLONE_FORCE: 4,
      COPYFILE_FICLONE_FORCE: 4,
    });

    const sync = {
      existsSync, accessSync, statSync, lstatSync, readFileSync, readdirSync, realpathSync,
      openSync, readSync, fstatSync, closeSync, ...writers,
    };

    // -------------------------------------------------------------------
    // Callback forms: the result arrives on a later tick, as in Node.
    function callbackForm(fn, name) {
      return {
        [name](...args) {
          const callback = args.pop();
          validateFunction(callback, 'cb');
          let result, error = null;
          try {
            result = fn(...args);
          } catch (err) {
            error = err;
          }
          process.nextTick(() => (error !== null ? callback(error) : callback(null, result)));
        },
      }[name];
    }

    const fs = { constants, Stats, Dirent, F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };
    for (const [name, fn] of Object.entries(sync)) {
      fs[name] = fn;
      if (name === 'existsSync') continue;
      fs[name.slice(0, -4)] = callbackForm(fn, name.slice(0, -4));
    }
    fs.exists = function exists(path, callback) {
      validateFunction(callback, 'cb');
      const found = existsSync(path);
      process.nextTick(() => callback(found));
    };
    fs.realpath.native = fs.realpath;
    fs.read = function read(fd, buffer, offset, length, position, callback) {
      callback = [buffer, offset, length, position, callback].reverse().find((a) => typeof a === 'function');
      if (typeof offset === 'function') offset = undefined;
      if (typeof length === 'function') length = undefined;
      if (typeof position === 'function') position = undefined;
      let n, error = null;
      try {
        n = readSync(fd, buffer, offset, length, position);
      } catch (err) {
        error = err;
      }
      process.nextTick(() => (error !== null ? callback(error) : callback(null, n, buffer)));
    };
    for (const name of ['watch', 'watchFile']) {
      fs[name] = function () {
        const err = new Error(`fs.${name}() is not available in the chat runtime: the files of installed packages do not change`);
        err.code = 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM';
        throw err;
      };
    }
    fs.unwatchFile = function unwatchFile() {};

    // fs.ReadStream and fs.WriteStream, made on first use (loading `stream`
    // costs a little); packages test bodies with `instanceof fs.ReadStream`.
    let streamClasses = null;
    function streams() {
      if (streamClasses !== null) return streamClasses;
      const { Readable, Writable } = require('stream');
      class ReadStream extends Readable {
        constructor(path, options) {
          const { encoding = null, start = 0, end = Infinity, highWaterMark = 64 * 1024 } = optionsOf(options, {});
          super({ highWaterMark, encoding });
          this.path = toPath(path);
          this.start = start;
          this.end = end;
          this.bytesRead = 0;
          this.pending = false;
          this._bytes = null;
        }
        _read() {
          try {
            if (this._bytes === null) {
              this._bytes = readFileSync(this.path).subarray(this.start, this.end === Infinity ? undefined : this.end + 1);
            }
          } catch (err) {
            this.destroy(err);
            return;
          }
          const chunk = this._bytes.subarray(0, this.readableHighWaterMark);
          this._bytes = this._bytes.subarray(chunk.length);
          this.bytesRead += chunk.length;
          this.push(chunk.length > 0 ? chunk : null);
          if (chunk.length > 0 && this._bytes.length === 0) this.push(null);
        }
        close(callback) {
          if (callback) this.once('close', callback);
          this.destroy();
        }
      }
      class WriteStream extends Writable {
        constructor(path) {
          super();
          this.path = toPath(path);
          this.bytesWritten = 0;
          this.pending = true;
          process.nextTick(() => this.destroy(fsError('EROFS', 'open', this.path)));
        }
        _write(chunk, encoding, callback) { callback(fsError('EROFS', 'open', this.path)); }
        close(callback) {
          if (callback) this.once('close', callback);
          this.destroy();
        }
      }
      streamClasses = { ReadStream, WriteStream };
      return streamClasses;
    }
    Object.defineProperties(fs, {
      ReadStream: { get: () => streams().ReadStream, enumerable: true, configurable: true },
      WriteStream: { get: () => streams().WriteStream, enumerable: true, configurable: true },
    });
    fs.createReadStream = (path, options) => new (streams().ReadStream)(path, options);
    fs.createWriteStream = (path, options) => new (streams().WriteStream)(path, options);

    // -------------------------------------------------------------------
    // Promise forms (`fs.promises`, `fs/promises`).
    const promises = {};
    for (const [name, fn] of Object.entries(sync)) {
      if (name === 'existsSync' || name === 'openSync' || name === 'readSync' || name === 'fstatSync' || name === 'closeSync') continue;
      const short = name.slice(0, -4);
      promises[short] = {
        async [short](...args) { return fn(...args); },
      }[short];
    }
    class FileHandle {
      constructor(fd) { this.fd = fd; }
      async readFile(options) { return readFileSync(this.fd, options); }
      async read(buffer, offset, length, position) {
        const bytesRead = readSync(this.fd, buffer, offset, length, position);
        return { bytesRead, buffer };
      }
      async stat(options) { return fstatSync(this.fd, options); }
      async close() { closeSync(this.fd); }
      async write() { throw fsError('EBADF', 'write'); }
      async writeFile() { throw fsError('EBADF', 'write'); }
    }
    promises.open = async function open(path, flags) { return new FileHandle(openSync(path, flags)); };
    promises.constants = constants;
    fs.promises = promises;

    fsModule = fs;
    return fs;
  }
})
