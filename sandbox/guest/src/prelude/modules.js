// CommonJS `require` over the image's in-memory module map (absolute path ->
// source), resolved like Node: relative paths, extension and index probing,
// `node_modules` lookup up the directory tree, package.json `exports` and
// `imports` (`#name`) with the conditions `require`, `node`, `module-sync`
// and `default` in the package's key order (and `import` when nothing else
// matches: ES module files were converted to CommonJS at install), and
// `main`. Built-in modules are registered by name on `internal.builtins`;
// `node:` names always mean a built-in.
(function (native, internal) {
  'use strict';
  // The module map stays on the host; files are read when needed.
  const existsCache = Object.create(null);
  const cache = Object.create(null);
  const packageJsonCache = Object.create(null);
  const CONDITIONS = new Set(['require', 'node', 'module-sync', 'default']);
  // For packages that only export ES modules (converted at install).
  const ESM_CONDITIONS = new Set([...CONDITIONS, 'import']);

  // Node's built-in module names: requiring one the chat runtime does not
  // provide is a clear error rather than "cannot find module".
  const NODE_BUILTINS = new Set(('assert async_hooks buffer child_process cluster console constants crypto dgram ' +
    'diagnostics_channel dns domain events fs http http2 https inspector module net os path perf_hooks ' +
    'process punycode querystring readline repl stream string_decoder sys timers tls trace_events tty url ' +
    'util v8 vm wasi worker_threads zlib').split(' '));

  /** name -> () => exports; evaluated on first require, then cached. */
  const builtins = Object.create(null);
  const builtinCache = Object.create(null);
  internal.builtins = builtins;

  function codeError(message, code) {
    const err = new Error(message);
    err.code = code;
    return err;
  }

  function dirname(path) {
    const i = path.lastIndexOf('/');
    return i <= 0 ? '/' : path.slice(0, i);
  }

  function normalize(path) {
    const out = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop(); else out.push(part);
    }
    return '/' + out.join('/');
  }

  const join = (...parts) => normalize(parts.join('/'));
  function isFile(path) {
    if (path in existsCache) return existsCache[path];
    return (existsCache[path] = native.moduleExists(path));
  }
  function sourceOf(path) {
    const source = native.moduleSource(path);
    if (typeof source !== 'string') throw codeError(`Cannot read module '${path}'`, 'MODULE_NOT_FOUND');
    return source;
  }

  function readPackageJson(dir) {
    const path = join(dir, 'package.json');
    if (path in packageJsonCache) return packageJsonCache[path];
    let pkg = null;
    if (isFile(path)) {
      try {
        pkg = JSON.parse(sourceOf(path));
      } catch (err) {
        throw codeError(`Invalid package config ${path}: ${err.message}`, 'ERR_INVALID_PACKAGE_CONFIG');
      }
    }
    packageJsonCache[path] = pkg;
    return pkg;
  }

  function loadAsFile(path) {
    for (const candidate of [path, path + '.js', path + '.json', path + '.cjs']) {
      if (isFile(candidate)) return candidate;
    }
    return null;
  }

  function loadIndex(dir) {
    for (const name of ['index.js', 'index.json', 'index.cjs']) {
      const candidate = join(dir, name);
      if (isFile(candidate)) return candidate;
    }
    return null;
  }

  function loadAsDirectory(dir) {
    const pkg = readPackageJson(dir);
    if (pkg && typeof pkg.main === 'string' && pkg.main) {
      const main = join(dir, pkg.main);
      const found = loadAsFile(main) || loadIndex(main);
      if (found) return found;
    }
    return loadIndex(dir);
  }

  /** Resolves an `exports`/`imports` target for `conditions`, or null. */
  function resolveTarget(target, star, conditions) {
    if (typeof target === 'string') return star === null ? target : target.split('*').join(star);
    if (Array.isArray(target)) {
      for (const t of target) {
        const r = resolveTarget(t, star, conditions);
        if (r !== null) return r;
      }
      return null;
    }
    if (target && typeof target === 'object') {
      for (const key of Object.keys(target)) {
        if (!conditions.has(key)) continue;
        const r = resolveTarget(target[key], star, conditions);
        if (r !== null) return r;
      }
    }
    return null;
  }

  /** The target `map` (an `exports` subpath map or `imports`) gives `key`. */
  function matchSubpath(map, key, conditions) {
    if (Object.prototype.hasOwnProperty.call(map, key) && !key.includes('*')) {
      return resolveTarget(map[key], null, conditions);
    }
    // The longest matching pattern ("./features/*.js") wins.
    let best = null;
    for (const k of Object.keys(map)) {
      const star = k.indexOf('*');
      if (star < 0) continue;
      const prefix = k.slice(0, star);
      const suffix = k.slice(star + 1);
      if (key.length >= k.length - 1 && key.startsWith(prefix) && key.endsWith(suffix) &&
          (best === null || prefix.length > best.prefix.length)) {
        best = { k, prefix, match: key.slice(prefix.length, key.length - suffix.length) };
      }
    }
    return best ? resolveTarget(map[best.k], best.match, conditions) : null;
  }

  /** Tries the `require` conditions, then `import` for ESM-only packages. */
  function withConditions(resolveFor) {
    const target = resolveFor(CONDITIONS);
    return target !== null ? target : resolveFor(ESM_CONDITIONS);
  }

  function resolveExports(pkgDir, exports, subpath, request) {
    const key = subpath ? './' + subpath : '.';
    const isSubpathMap = exports && typeof exports === 'object' && !Array.isArray(exports) &&
      Object.keys(exports).some((k) => k.startsWith('.'));
    const target = withConditions((conditions) => {
      if (!isSubpathMap) return key === '.' ? resolveTarget(exports, null, conditions) : null;
      return matchSubpath(exports, key, conditions);
    });
    if (target === null || !target.startsWith('./')) {
      throw codeError(`Package subpath '${key}' is not defined by "exports" in ${join(pkgDir, 'package.json')} (required as '${request}')`,
        'ERR_PACKAGE_PATH_NOT_EXPORTED');
    }
    const file = join(pkgDir, target);
    if (!isFile(file)) throw codeError(`Cannot find module '${file}' (the "exports" target of '${request}')`, 'MODULE_NOT_FOUND');
    return file;
  }

  function resolveBare(request, fromDir) {
    const parts = request.split('/');
    const nameLength = request.startsWith('@') ? 2 : 1;
    const name = parts.slice(0, nameLength).join('/');
    const subpath = parts.slice(nameLength).join('/');
    for (let dir = fromDir; ; dir = dirname(dir)) {
      if (!dir.endsWith('/node_modules')) {
        const pkgDir = join(dir, 'node_modules', name);
        const pkg = readPackageJson(pkgDir);
        if (pkg && pkg.exports !== undefined && pkg.exports !== null) {
          return resolveExports(pkgDir, pkg.exports, subpath, request);
        }
        const base = join(pkgDir, subpath);
        const found = loadAsFile(base) || loadAsDirectory(base);
        if (found) return found;
      }
      if (dir === '/') return null;
    }
  }

  /**
   * A `#name` request through the `imports` of the nearest package.json
   * above `fromDir`: `{ file }` for a file of that package, or `{ request,
   * from }` for a package or built-in name to load in its place.
   */
  function resolvePackageImports(request, fromDir) {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const pkg = dir.endsWith('/node_modules') ? null : readPackageJson(dir);
      if (pkg !== null) {
        const imports = pkg.imports;
        const target = imports && typeof imports === 'object' && !Array.isArray(imports)
          ? withConditions((conditions) => matchSubpath(imports, request, conditions)) : null;
        if (target === null) {
          throw codeError(`Package import specifier "${request}" is not defined in package ${join(dir, 'package.json')}`,
            'ERR_PACKAGE_IMPORT_NOT_DEFINED');
        }
        if (!target.startsWith('./')) return { request: target, from: dir };
        const file = join(dir, target);
        if (!isFile(file)) throw codeError(`Cannot find module '${file}' (the "imports" target of '${request}')`, 'MODULE_NOT_FOUND');
        return { file };
      }
      if (dir === '/') {
        throw codeError(`Package import specifier "${request}" is not defined: no package.json above ${fromDir}`,
          'ERR_PACKAGE_IMPORT_NOT_DEFINED');
      }
    }
  }

  function builtinName(request) {
    if (request.startsWith('node:')) return request;
    if (request.startsWith('chatfn:')) return request;
    return NODE_BUILTINS.has(request) || NODE_BUILTINS.has(request.split('/')[0]) ? request : null;
  }

  function requireBuiltin(request) {
    const name = request.startsWith('node:') ? request.slice(5) : request;
    if (name in builtinCache) return builtinCache[name];
    const factory = builtins[name];
    if (!factory) {
      throw codeError(`module '${request}' is not available in the chat runtime`, 'ERR_UNKNOWN_BUILTIN_MODULE');
    }
    return (builtinCache[name] = factory());
  }

  function resolve(request, fromDir) {
    if (typeof request !== 'string' || request === '') {
      throw new TypeError(`The "id" argument must be a non-empty string. Received ${internal.inspect(request)}`);
    }
    let found = null;
    if (request.startsWith('#')) {
      const target = resolvePackageImports(request, fromDir);
      return target.file !== undefined ? target.file : (builtinName(target.request) ?? resolve(target.request, target.from));
    }
    if (request === '.' || request === '..' || request.startsWith('./') || request.startsWith('../') || request.startsWith('/')) {
      const base = request.startsWith('/') ? normalize(request) : join(fromDir, request);
      found = loadAsFile(base) || loadAsDirectory(base);
    } else {
      found = resolveBare(request, fromDir);
    }
    if (found === null) {
      throw codeError(`Cannot find module '${request}' from '${fromDir}'`, 'MODULE_NOT_FOUND');
    }
    return found;
  }

  function load(request, fromDir) {
    const builtin = typeof request === 'string' ? builtinName(request) : null;
    if (builtin !== null) return requireBuiltin(builtin);
    if (typeof request === 'string' && request.startsWith('#')) {
      const target = resolvePackageImports(request, fromDir);
      if (target.file === undefined) return load(target.request, target.from);
    }
    const filename = resolve(request, fromDir);
    const cached = cache[filename];
    if (cached) return cached.exports;
    const module = { id: filename, filename, path: dirname(filename), exports: {}, loaded: false, children: [] };
    module.require = makeRequire(module.path);
    cache[filename] = module;
    try {
      if (filename.endsWith('.json')) {
        module.exports = JSON.parse(sourceOf(filename));
      } else {
        let source = sourceOf(filename);
        if (source.startsWith('#!')) source = '//' + source;
        // The wrapper's head is on the source's first line, so line numbers
        // in stack traces stay those of the file.
        const fn = native.evalScript(
          '(function (exports, require, module, __filename, __dirname) {' + source + '\n})', filename);
        fn.call(module.exports, module.exports, module.require, module, filename, module.path);
      }
    } catch (err) {
      delete cache[filename];
      throw err;
    }
    module.loaded = true;
    return module.exports;
  }

  function makeRequire(fromDir) {
    const require = (request) => load(request, fromDir);
    require.resolve = (request) => {
      const builtin = typeof request === 'string' ? builtinName(request) : null;
      return builtin !== null ? builtin : resolve(request, fromDir);
    };
    require.cache = cache;
    return require;
  }

  internal.makeRequire = makeRequire;

  /**
   * The exports of a vendored library (scripts/vendor-js.mjs): a bundle of
   * an npm package's files, built into the guest and evaluated on first
   * use. Its `require` reaches the bundle's own files by relative path and
   * built-ins by name (through the bundle's `externals`).
   */
  const vendoredCache = Object.create(null);
  internal.vendored = function vendored(name) {
    if (name in vendoredCache) return vendoredCache[name];
    const bundle = native.vendorEval(name);
    if (!bundle) throw codeError(`the chat runtime has no vendored library '${name}'`, 'MODULE_NOT_FOUND');
    const modules = Object.create(null);
    const root = `/chatfn/vendor/${name}`;
    const has = (file) => Object.prototype.hasOwnProperty.call(bundle.files, file);
    function find(file) {
      for (const candidate of [file, file + '.js', file + '.json', file + '/index.js']) {
        if (has(candidate)) return candidate;
      }
      return null;
    }
    function requireFrom(dir) {
      return function require(request) {
        if (Object.prototype.hasOwnProperty.call(bundle.externals, request)) return load(bundle.externals[request], '/');
        if (request.startsWith('./') || request.startsWith('../')) {
          const file = find(join(dir, request).slice(1));
          if (file === null) throw codeError(`Cannot find module '${request}' in ${name} (from '/${dir.slice(1)}')`, 'MODULE_NOT_FOUND');
          return loadFile(file);
        }
        return load(request, '/');
      };
    }
    function loadFile(file) {
      if (file in modules) return modules[file].exports;
      const dir = dirname('/' + file);
      const module = { id: `${root}/${file}`, filename: `${root}/${file}`, exports: {}, loaded: false };
      modules[file] = module;
      bundle.files[file].call(module.exports, module.exports, requireFrom(dir), module, module.filename, root + dir);
      module.loaded = true;
      return module.exports;
    }
    return (vendoredCache[name] = loadFile(bundle.main));
  };

  /**
   * Runs a handler or init script that was an ES module (compiled to
   * CommonJS) as the module `filename` at the root. `tail` is extra code for
   * the end of the module's function (it may `return` a local).
   */
  internal.runCommonJs = function (source, filename, tail) {
    return internal.runCommonJsFunction(
      native.evalScript(internal.commonJsWrapper(source, tail), filename), filename);
  };

  /** A script whose value is the module function of `source`. */
  internal.commonJsWrapper = (source, tail) =>
    '(function (exports, require, module, __filename, __dirname) {' + source + '\n' + tail + '\n})';

  /** Runs a module function (see `commonJsWrapper`) as the module `filename`. */
  internal.runCommonJsFunction = function (fn, filename) {
    const module = { id: filename, filename, path: '/', exports: {}, loaded: false, children: [] };
    module.require = makeRequire('/');
    const local = fn.call(module.exports, module.exports, module.require, module, filename, '/');
    module.loaded = true;
    return { exports: module.exports, local };
  };

  Object.defineProperty(globalThis, 'require', {
    value: makeRequire('/'), writable: true, configurable: true, enumerable: false,
  });
  builtins['chatfn:host'] = () => Object.freeze({ call: internal.hostCall });
})
