'use strict';
// Compares EventEmitter (src/prelude/node_events.js) with Node's: each
// scenario runs against both and must log the same things.
const test = require('node:test');
const assert = require('node:assert');
const NodeEE = require('node:events');
const { loadNode, plain } = require('./node-env.js');

const env = loadNode();
const MyEE = env.require('events');

function errorInfo(err) {
  return { name: err.name, code: err.code, message: err.message };
}

// Runs `scenario(EventEmitter, log, globals)` for both (`globals` is the
// emitter's realm, for errors it should recognize) and compares the logs.
function same(name, scenario) {
  const run = (EE, globals) => {
    const log = [];
    try {
      scenario(EE, log, globals);
    } catch (err) {
      log.push(['threw', errorInfo(err)]);
    }
    return plain(log);
  };
  assert.deepStrictEqual(run(MyEE, env.run('globalThis')), run(NodeEE, globalThis), name);
}

const SCENARIOS = {
  'on, emit, order and return values'(EE, log) {
    const e = new EE();
    log.push(e.emit('x', 1));
    e.on('x', (a, b) => log.push(['first', a, b]));
    e.addListener('x', function (a) { log.push(['second', a, this === e]); });
    log.push(e.emit('x', 1, 2), e.listenerCount('x'), e.eventNames());
    log.push(typeof e._events.x, Array.isArray(e._events.x), e._eventsCount);
  },
  'once fires once and can be removed by the original listener'(EE, log) {
    const e = new EE();
    const l = (v) => log.push(['once', v]);
    e.once('a', l);
    log.push(e.listeners('a').length, e.listeners('a')[0] === l, e.rawListeners('a')[0] === l,
      e.rawListeners('a')[0].listener === l);
    e.emit('a', 1);
    e.emit('a', 2);
    e.once('b', l);
    e.removeListener('b', l);
    log.push(e.emit('b', 3), e.listenerCount('b'));
  },
  'prepend and prependOnce'(EE, log) {
    const e = new EE();
    e.on('x', () => log.push('on'));
    e.prependListener('x', () => log.push('prepended'));
    e.prependOnceListener('x', () => log.push('prepended once'));
    e.emit('x');
    e.emit('x');
  },
  'newListener and removeListener events'(EE, log) {
    const e = new EE();
    e.on('newListener', (type, l) => log.push(['new', String(type), l.name]));
    e.on('removeListener', (type, l) => log.push(['removed', String(type), l.name]));
    function foo() {}
    function bar() {}
    e.on('a', foo);
    e.once('a', bar);
    e.on(Symbol.for('s'), foo);
    e.off('a', foo);
    e.emit('a');
    e.removeAllListeners();
    log.push(e.eventNames().length);
  },
  'listeners added or removed while emitting wait for the next emit'(EE, log) {
    const e = new EE();
    const b = () => log.push('b');
    e.on('x', () => {
      log.push('a');
      e.removeListener('x', b);
      e.on('x', () => log.push('c'));
    });
    e.on('x', b);
    e.emit('x');
    e.emit('x');
  },
  'removeListener removes the last matching one'(EE, log) {
    const e = new EE();
    const l = (n) => () => log.push(n);
    const f = l('f');
    e.on('x', f);
    e.on('x', l('g'));
    e.on('x', f);
    e.removeListener('x', f);
    e.emit('x');
    e.removeListener('x', () => {});
    e.removeListener('nothing', f);
    log.push(e.listenerCount('x'), e.listenerCount('x', f));
  },
  'removeAllListeners with and without a type'(EE, log) {
    const e = new EE();
    e.on('removeListener', (t) => log.push(['removed', t]));
    e.on('a', () => {});
    e.on('a', () => {});
    e.on('b', () => {});
    e.removeAllListeners('a');
    log.push(e.eventNames());
    e.removeAllListeners();
    log.push(e.eventNames(), e.listenerCount('removeListener'));
    const f = new EE();
    f.on('a', () => {});
    f.removeAllListeners('a');
    f.removeAllListeners('nothing');
    log.push(f.eventNames());
  },
  'error without a listener throws'(EE, log, G) {
    const e = new EE();
    try {
      e.emit('error', new G.TypeError('boom'));
    } catch (err) {
      log.push(errorInfo(err));
    }
    for (const value of ['a string', 42, { a: 1 }, undefined]) {
      try {
        e.emit('error', value);
      } catch (err) {
        log.push(errorInfo(err), err.context === value);
      }
    }
    try {
      e.emit('error');
    } catch (err) {
      log.push(errorInfo(err));
    }
  },
  'error listeners and errorMonitor'(EE, log, G) {
    const e = new EE();
    e.on(EE.errorMonitor, (err) => log.push(['monitor', err.message]));
    try {
      e.emit('error', new G.Error('first'));
    } catch (err) {
      log.push(['threw', err.message]);
    }
    e.on('error', (err) => log.push(['handled', err.message]));
    log.push(e.emit('error', new G.Error('second')));
  },
  'max listeners'(EE, log) {
    const e = new EE();
    log.push(e.getMaxListeners(), EE.defaultMaxListeners);
    e.setMaxListeners(1);
    log.push(e.getMaxListeners());
    for (const bad of [-1, NaN, 'x']) {
      try {
        e.setMaxListeners(bad);
      } catch (err) {
        log.push(errorInfo(err));
      }
    }
    try {
      EE.defaultMaxListeners = -1;
    } catch (err) {
      log.push(errorInfo(err));
    }
    log.push(e.setMaxListeners(0) === e);
  },
  'bad listeners'(EE, log) {
    const e = new EE();
    for (const method of ['on', 'once', 'prependListener', 'prependOnceListener', 'removeListener']) {
      try {
        e[method]('x', 'not a function');
      } catch (err) {
        log.push(errorInfo(err));
      }
    }
  },
  'inheritance: util.inherits style and classes'(EE, log) {
    function Old() {
      EE.call(this);
    }
    Object.setPrototypeOf(Old.prototype, EE.prototype);
    const o = new Old();
    o.on('x', (v) => log.push(['old', v]));
    o.emit('x', 1);
    class New extends EE {}
    const n = new New();
    n.once('y', (v) => log.push(['new', v]));
    n.emit('y', 2);
    log.push(EE.EventEmitter === EE, EE.listenerCount(n, 'y'), EE.getEventListeners(o, 'x').length,
      typeof EE.prototype.on === 'function', EE.prototype.on === EE.prototype.addListener,
      EE.prototype.off === EE.prototype.removeListener);
  },
  'listenerCount with a listener argument'(EE, log) {
    const e = new EE();
    const f = () => {};
    e.on('x', f);
    e.once('x', f);
    e.on('x', () => {});
    log.push(e.listenerCount('x'), e.listenerCount('x', f), e.listenerCount('y', f));
  },
};

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`EventEmitter: ${name}`, () => same(name, scenario));
}

test('events.once resolves with the arguments and rejects on error', async () => {
  for (const EE of [MyEE, NodeEE]) {
    const e = new EE();
    const p = EE.once(e, 'ready');
    e.emit('ready', 1, 2);
    assert.deepStrictEqual(Array.from(await p), [1, 2]);
    assert.strictEqual(e.listenerCount('error'), 0);
    const q = EE.once(e, 'never');
    e.emit('error', new Error('bad'));
    await assert.rejects(q, { message: 'bad' });
    assert.strictEqual(e.listenerCount('never'), 0);
  }
});

test('an emitter past its listener limit still works and warns once', () => {
  const e = new MyEE();
  e.setMaxListeners(1);
  e.on('x', () => {});
  e.on('x', () => {});
  e.on('x', () => {});
  assert.strictEqual(e.listenerCount('x'), 3);
  assert.strictEqual(e._events.x.warned, true);
});
