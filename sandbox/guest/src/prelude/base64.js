// atob / btoa (HTML spec, "forgiving-base64"), with Node's error messages.
(function (native, internal) {
  'use strict';

  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const DECODE = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

  function invalidCharacter(message = 'Invalid character') {
    if (typeof DOMException === 'function') return new DOMException(message, 'InvalidCharacterError');
    const err = new Error(message);
    Object.defineProperty(err, 'name', { value: 'InvalidCharacterError', writable: true, configurable: true });
    Object.defineProperty(err, 'code', { value: 5, writable: true, configurable: true });
    return err;
  }

  function missingInput() {
    const err = new TypeError('The "input" argument must be specified');
    err.code = 'ERR_MISSING_ARGS';
    return err;
  }

  function btoa(input) {
    if (arguments.length === 0) throw missingInput();
    input = `${input}`;
    let out = '';
    const n = input.length;
    for (let i = 0; i < n; i += 3) {
      const a = input.charCodeAt(i), b = i + 1 < n ? input.charCodeAt(i + 1) : 0, c = i + 2 < n ? input.charCodeAt(i + 2) : 0;
      if (a > 0xff || b > 0xff || c > 0xff) throw invalidCharacter();
      out += ALPHABET[a >> 2] + ALPHABET[((a & 3) << 4) | (b >> 4)] +
        (i + 1 < n ? ALPHABET[((b & 15) << 2) | (c >> 6)] : '=') +
        (i + 2 < n ? ALPHABET[c & 63] : '=');
    }
    return out;
  }

  function atob(input) {
    if (arguments.length === 0) throw missingInput();
    input = `${input}`.replace(/[\t\n\f\r ]+/g, '');
    if (input.length % 4 === 0) input = input.replace(/={1,2}$/, '');
    // Node reports bad characters before a bad length.
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c >= 128 || DECODE[c] < 0) throw invalidCharacter();
    }
    if (input.length % 4 === 1) throw invalidCharacter('The string to be decoded is not correctly encoded.');
    let out = '', bits = 0, acc = 0;
    for (let i = 0; i < input.length; i++) {
      acc = ((acc << 6) | DECODE[input.charCodeAt(i)]) & 0xffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((acc >> bits) & 0xff);
      }
    }
    return out;
  }

  for (const fn of [atob, btoa]) {
    Object.defineProperty(globalThis, fn.name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
})
