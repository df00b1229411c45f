// A minimal `stream`: the classes pure-JS packages subclass or pipe
// through (jws, combined-stream, form-data…), synchronous and unbuffered.
// Not a full implementation: no backpressure (write() always returns true,
// data is emitted as it is pushed), no object-mode distinctions, no
// highWaterMark. Handlers have no sockets or files to stream from; this is
// what lets libraries that mention streams load and work on in-memory data.
(function (native, internal) {
  'use strict';
  const builtins = internal.builtins;

  builtins.stream = function () {
    const EventEmitter = require('events');
    const noop = () => {};

    function Stream(options) {
      EventEmitter.call(this, options);
    }
    Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
    Object.setPrototypeOf(Stream, EventEmitter);
    Stream.prototype.pipe = function pipe(dest, options) {
      this.on('data', (chunk) => dest.write(chunk));
      if (!options || options.end !== false) this.on('end', () => dest.end && dest.end());
      dest.emit && dest.emit('pipe', this);
      return dest;
    };

    class Readable extends Stream {
      constructor(options = {}) {
        super(options);
        this.readable = true;
        this.readableEnded = false;
        this.destroyed = false;
        if (typeof options.read === 'function') this._read = options.read;
        if (typeof options.destroy === 'function') this._destroy = options.destroy;
        // Like Node, reading starts once there is a 'data' listener.
        this.on('newListener', (event) => {
          if (event === 'data') queueMicrotask(() => this._read());
        });
      }
      _read() {}
      push(chunk, encoding) {
        if (chunk === null) {
          if (!this.readableEnded) {
            this.readableEnded = true;
            queueMicrotask(() => this.emit('end'));
          }
          return false;
        }
        const data = typeof chunk === 'string' && encoding && encoding !== 'utf8'
          ? Buffer.from(chunk, encoding) : chunk;
        this.emit('data', data);
        return true;
      }
      read() { return null; }
      resume() { return this; }
      pause() { return this; }
      isPaused() { return false; }
      setEncoding() { return this; }
      unpipe() { return this; }
      destroy(err) {
        if (this.destroyed) return this;
        this.destroyed = true;
        const done = (e) => {
          if (e) this.emit('error', e);
          this.emit('close');
        };
        if (this._destroy) this._destroy(err || null, done); else done(err);
        return this;
      }
      async *[Symbol.asyncIterator]() {
        const chunks = [];
        let ended = false;
        let wake = null;
        let failure = null;
        this.on('data', (c) => { chunks.push(c); if (wake) wake(); });
        this.on('end', () => { ended = true; if (wake) wake(); });
        this.on('error', (e) => { failure = e; if (wake) wake(); });
        for (;;) {
          if (failure) throw failure;
          if (chunks.length) { yield chunks.shift(); continue; }
          if (ended) return;
          await new Promise((resolve) => { wake = resolve; });
          wake = null;
        }
      }
      static from(iterable, options) {
        const stream = new Readable(options);
        (async () => {
          try {
            for await (const chunk of iterable) stream.push(chunk);
            stream.push(null);
          } catch (err) {
            stream.destroy(err);
          }
        })();
        return stream;
      }
    }

    // Writable behaviour, shared by Writable and Duplex.
    const writableMethods = {
      write(chunk, encoding, callback) {
        if (typeof encoding === 'function') { callback = encoding; encoding = undefined; }
        if (this.writableEnded) {
          const err = new Error('write after end');
          err.code = 'ERR_STREAM_WRITE_AFTER_END';
          queueMicrotask(() => (callback ? callback(err) : this.emit('error', err)));
          return false;
        }
        this._write(chunk, encoding || 'utf8', (err) => {
          if (err) this.emit('error', err);
          if (callback) callback(err);
        });
        return true;
      },
      end(chunk, encoding, callback) {
        if (typeof chunk === 'function') { callback = chunk; chunk = undefined; }
        if (typeof encoding === 'function') { callback = encoding; encoding = undefined; }
        if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
        if (this.writableEnded) return this;
        this.writableEnded = true;
        const finish = (err) => {
          if (err) { this.emit('error', err); return; }
          this.writableFinished = true;
          this.emit('finish');
          if (callback) callback();
        };
        if (this._final) this._final(finish); else queueMicrotask(() => finish());
        return this;
      },
      cork() {},
      uncork() {},
      setDefaultEncoding() { return this; },
    };

    function initWritable(stream, options) {
      stream.writable = true;
      stream.writableEnded = false;
      stream.writableFinished = false;
      if (typeof options.write === 'function') stream._write = options.write;
      if (typeof options.final === 'function') stream._final = options.final;
    }

    class Writable extends Stream {
      constructor(options = {}) {
        super(options);
        initWritable(this, options);
        this.destroyed = false;
      }
      _write(chunk, encoding, callback) { callback(); }
      destroy(err) {
        this.destroyed = true;
        if (err) queueMicrotask(() => this.emit('error', err));
        queueMicrotask(() => this.emit('close'));
        return this;
      }
    }
    Object.assign(Writable.prototype, writableMethods);

    class Duplex extends Readable {
      constructor(options = {}) {
        super(options);
        initWritable(this, options);
      }
      _write(chunk, encoding, callback) { callback(); }
    }
    Object.assign(Duplex.prototype, writableMethods);

    class Transform extends Duplex {
      constructor(options = {}) {
        super(options);
        if (typeof options.transform === 'function') this._transform = options.transform;
        if (typeof options.flush === 'function') this._flush = options.flush;
      }
      _transform(chunk, encoding, callback) { callback(null, chunk); }
      _write(chunk, encoding, callback) {
        this._transform(chunk, encoding, (err, data) => {
          if (data !== undefined && data !== null) this.push(data);
          callback(err);
        });
      }
      _final(callback) {
        const done = (err, data) => {
          if (data !== undefined && data !== null) this.push(data);
          this.push(null);
          callback(err);
        };
        if (this._flush) this._flush(done); else done();
      }
    }

    class PassThrough extends Transform {}

    function finished(stream, callback) {
      let called = false;
      const once = (err) => { if (!called) { called = true; callback(err); } };
      stream.on('end', () => once());
      stream.on('finish', () => once());
      stream.on('error', (err) => once(err));
      return noop;
    }

    function pipeline(...streams) {
      const callback = typeof streams[streams.length - 1] === 'function' ? streams.pop() : noop;
      for (let i = 0; i + 1 < streams.length; i++) streams[i].pipe(streams[i + 1]);
      const last = streams[streams.length - 1];
      finished(last, callback);
      for (const s of streams) s.on('error', (err) => callback(err));
      return last;
    }

    Object.assign(Stream, { Stream, Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline });
    Stream.promises = {
      finished: (stream) => new Promise((resolve, reject) => finished(stream, (e) => (e ? reject(e) : resolve()))),
      pipeline: (...streams) => new Promise((resolve, reject) => pipeline(...streams, (e) => (e ? reject(e) : resolve()))),
    };
    return Stream;
  };
  builtins['stream/promises'] = () => require('stream').promises;

  // No terminal is attached to a handler (packages such as debug ask).
  builtins.tty = function () {
    const { Readable, Writable } = require('stream');
    class ReadStream extends Readable { get isTTY() { return false; } }
    class WriteStream extends Writable { get isTTY() { return false; } }
    return { isatty: () => false, ReadStream, WriteStream };
  };

  // What pure-JS packages read about the machine: a fixed, neutral answer.
  builtins.os = function () {
    return {
      EOL: '\n',
      devNull: '/dev/null',
      platform: () => 'linux',
      type: () => 'Linux',
      arch: () => 'wasm32',
      machine: () => 'wasm32',
      release: () => '',
      version: () => '',
      hostname: () => 'chatfn',
      homedir: () => '/',
      tmpdir: () => '/tmp',
      endianness: () => 'LE',
      uptime: () => Math.floor(native.now() / 1000),
      loadavg: () => [0, 0, 0],
      totalmem: () => 0,
      freemem: () => 0,
      availableParallelism: () => 1,
      cpus: () => [],
      networkInterfaces: () => ({}),
      userInfo: () => ({ uid: -1, gid: -1, username: 'chatfn', homedir: '/', shell: null }),
      constants: { signals: {}, errno: {}, priority: {} },
    };
  };
})
