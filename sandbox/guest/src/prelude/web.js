// Web platform pieces that need the host: `crypto` (randomness from the
// host's CSPRNG), `performance`, `queueMicrotask`.
(function (native, internal) {
  'use strict';
  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });

  const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

  function getRandomValues(array) {
    if (!INTEGER_ARRAYS.some((T) => array instanceof T)) {
      const err = new TypeError('The data argument must be an integer-type TypedArray');
      err.name = 'TypeMismatchError';
      throw err;
    }
    if (array.byteLength > 65536) {
      const err = new RangeError(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`);
      err.name = 'QuotaExceededError';
      throw err;
    }
    const bytes = new Uint8Array(native.randomBytes(array.byteLength));
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes);
    return array;
  }

  const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
  function randomUUID() {
    const b = new Uint8Array(native.randomBytes(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let s = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
      s += HEX[b[i]];
    }
    return s;
  }

  internal.randomBytes = (n) => new Uint8Array(native.randomBytes(n));
  define('crypto', { getRandomValues, randomUUID });

  // performance.now() counts from the start of the invocation: `start`
  // sets the origin, read by the host (monotonic ms, and Date.now()).
  const clock = { origin: native.now(), wall: Date.now() };
  internal.clock = clock;
  const performance = {
    now: () => native.now() - clock.origin,
    get timeOrigin() { return clock.wall; },
    toJSON() { return { timeOrigin: clock.wall }; },
  };
  define('performance', performance);

  define('queueMicrotask', function queueMicrotask(callback) {
    if (typeof callback !== 'function') {
      throw new TypeError('The "callback" argument must be of type function');
    }
    Promise.resolve().then(() => {
      try { callback(); } catch (err) { internal.uncaught(err); }
    });
  });
})
