// Node-style errors and argument validators shared by the Node built-in
// module shims (node_*.js, fetch.js): each error carries Node's `code`, and
// messages are built as in Node 20's lib/internal/errors.js and
// lib/internal/validators.js, so code that matches on them keeps working.
(function (native, internal) {
  'use strict';

  function nodeError(Base, code, message) {
    const err = new Base(message);
    err.code = code;
    // Node's errors print as "TypeError [ERR_X]: message".
    Object.defineProperty(err, 'toString', {
      value() { return `${this.name} [${code}]: ${this.message}`; },
      writable: true, configurable: true, enumerable: false,
    });
    return err;
  }

  function addNumericalSeparator(val) {
    let res = '';
    let i = val.length;
    const start = val[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
    return `${val.slice(0, i)}${res}`;
  }

  // How an ERR_INVALID_ARG_TYPE message names the value it got.
  function determineSpecificType(value) {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    switch (typeof value) {
      case 'bigint': return `type bigint (${value}n)`;
      case 'number':
        if (value === 0) return 1 / value === -Infinity ? 'type number (-0)' : 'type number (0)';
        return `type number (${value})`;
      case 'boolean': return `type boolean (${value})`;
      case 'symbol': return `type symbol (${String(value)})`;
      case 'function': return `function ${value.name}`;
      case 'object':
        if (value.constructor && 'name' in value.constructor) return `an instance of ${value.constructor.name}`;
        return internal.inspect(value, { depth: -1 });
      case 'string':
        if (value.length > 28) value = `${value.slice(0, 25)}...`;
        return value.includes("'") ? `type string (${JSON.stringify(value)})` : `type string ('${value}')`;
      default: {
        let inspected = internal.inspect(value, { colors: false });
        if (inspected.length > 28) inspected = `${inspected.slice(0, 25)}...`;
        return `type ${typeof value} (${inspected})`;
      }
    }
  }

  function formatList(array, type = 'and') {
    switch (array.length) {
      case 0: return '';
      case 1: return `${array[0]}`;
      case 2: return `${array[0]} ${type} ${array[1]}`;
      case 3: return `${array[0]}, ${array[1]}, ${type} ${array[2]}`;
      default: return `${array.slice(0, -1).join(', ')}, ${type} ${array[array.length - 1]}`;
    }
  }

  const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
  const classRegExp = /^[A-Z][a-zA-Z0-9]*$/;

  /** ERR_INVALID_ARG_TYPE; `expected` lists type names, class names or phrases. */
  function invalidArgType(name, expected, actual) {
    if (!Array.isArray(expected)) expected = [expected];
    let msg = 'The ';
    if (name.endsWith(' argument')) msg += `${name} `;
    else msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
    msg += 'must be ';
    const types = [], instances = [], other = [];
    for (const value of expected) {
      if (kTypes.includes(value)) types.push(value.toLowerCase());
      else if (classRegExp.test(value)) instances.push(value);
      else other.push(value);
    }
    if (instances.length > 0) {
      const pos = types.indexOf('object');
      if (pos !== -1) {
        types.splice(pos, 1);
        instances.push('Object');
      }
    }
    if (types.length > 0) {
      msg += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`;
      if (instances.length > 0 || other.length > 0) msg += ' or ';
    }
    if (instances.length > 0) {
      msg += `an instance of ${formatList(instances, 'or')}`;
      if (other.length > 0) msg += ' or ';
    }
    if (other.length > 0) {
      if (other.length > 1) {
        msg += `one of ${formatList(other, 'or')}`;
      } else {
        if (other[0].toLowerCase() !== other[0]) msg += 'an ';
        msg += `${other[0]}`;
      }
    }
    msg += `. Received ${determineSpecificType(actual)}`;
    return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', msg);
  }

  function invalidArgValue(name, value, reason = 'is invalid', Base = TypeError) {
    let inspected = internal.inspect(value);
    if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
    const type = name.includes('.') ? 'property' : 'argument';
    return nodeError(Base, 'ERR_INVALID_ARG_VALUE', `The ${type} '${name}' ${reason}. Received ${inspected}`);
  }

  function outOfRange(name, range, input) {
    let received;
    if (Number.isInteger(input) && Math.abs(input) > 2 ** 32) {
      received = addNumericalSeparator(String(input));
    } else if (typeof input === 'bigint') {
      received = String(input);
      if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
      received += 'n';
    } else {
      received = internal.inspect(input);
    }
    return nodeError(RangeError, 'ERR_OUT_OF_RANGE',
      `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
  }

  function missingArgs(...names) {
    const wrapped = names.map((a) => `"${a}"`);
    let msg = 'The ';
    if (wrapped.length === 1) msg += `${wrapped[0]} argument`;
    else if (wrapped.length === 2) msg += `${wrapped[0]} and ${wrapped[1]} arguments`;
    else msg += `${wrapped.slice(0, -1).join(', ')}, and ${wrapped[wrapped.length - 1]} arguments`;
    return nodeError(TypeError, 'ERR_MISSING_ARGS', `${msg} must be specified`);
  }

  const unknownEncoding = (encoding) =>
    nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', internal.format('Unknown encoding: %s', encoding));

  function validateNumber(value, name, min = undefined, max) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if ((min != null && value < min) || (max != null && value > max) ||
        ((min != null || max != null) && Number.isNaN(value))) {
      throw outOfRange(name,
        `${min != null ? `>= ${min}` : ''}${min != null && max != null ? ' && ' : ''}${max != null ? `<= ${max}` : ''}`,
        value);
    }
  }

  function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
    if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  }

  function validateString(value, name) {
    if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  }

  function validateFunction(value, name) {
    if (typeof value !== 'function') throw invalidArgType(name, 'Function', value);
  }

  function validateObject(value, name) {
    if (value === null || Array.isArray(value) || typeof value !== 'object') throw invalidArgType(name, 'Object', value);
  }

  function validateBoolean(value, name) {
    if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
  }

  internal.nodeErrors = {
    nodeError, determineSpecificType, invalidArgType, invalidArgValue, outOfRange, missingArgs, unknownEncoding,
    validateNumber, validateInteger, validateString, validateFunction, validateObject, validateBoolean,
  };
})
