// EventTarget, Event, AbortController/AbortSignal and DOMException against Node 20.
async function handleEvent() {
  const out = {};
  const ac = new AbortController();
  const seen = [];
  ac.signal.addEventListener('abort', (e) => seen.push([e.type, e.isTrusted, e.target === ac.signal]));
  ac.signal.onabort = () => seen.push('onabort');
  out.before = [ac.signal.aborted, ac.signal.reason];
  ac.abort();
  ac.abort('again');
  out.after = [ac.signal.aborted, ac.signal.reason instanceof DOMException, ac.signal.reason.name, ac.signal.reason.message, ac.signal.reason.code, seen];
  try { ac.signal.throwIfAborted(); } catch (e) { out.thrown = [e.name, e instanceof Error]; }
  const custom = new AbortController();
  custom.abort(new Error('custom reason'));
  out.custom = custom.signal.reason.message;
  out.static = [AbortSignal.abort().reason.name, AbortSignal.abort('why').reason];
  const timeout = AbortSignal.timeout(10);
  const keepAlive = setTimeout(() => {}, 1000); // Node unrefs the timeout's timer
  out.timeout = await new Promise((resolve) => timeout.addEventListener('abort', () => resolve([timeout.reason.name, timeout.reason.message, timeout.reason.code])));
  clearTimeout(keepAlive);
  const a = new AbortController(), b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  b.abort('b went');
  out.any = [any.aborted, any.reason];
  try { new AbortSignal(); } catch (e) { out.illegal = [e.name, e.code, e.message]; }
  const target = new EventTarget();
  const calls = [];
  const listener = (e) => calls.push(['fn', e.type, e.eventPhase, e.currentTarget === target]);
  target.addEventListener('ping', listener);
  target.addEventListener('ping', listener);
  target.addEventListener('ping', { handleEvent: (e) => calls.push(['obj', e.type]) }, { once: true });
  const ev = new Event('ping', { cancelable: true });
  target.addEventListener('ping', (e) => e.preventDefault());
  out.dispatch = [target.dispatchEvent(ev), ev.defaultPrevented, target.dispatchEvent(new Event('ping'))];
  target.removeEventListener('ping', listener);
  target.dispatchEvent(new Event('ping'));
  out.calls = calls;
  out.event = [ev.type, ev.bubbles, ev.cancelable, ev.eventPhase, Event.AT_TARGET, typeof ev.timeStamp, ev.composedPath().length];
  const ce = new CustomEvent('c', { detail: { x: 1 } });
  out.custom2 = [ce.detail, ce instanceof Event];
  const stopper = new EventTarget(); const order = [];
  stopper.addEventListener('s', (e) => { order.push(1); e.stopImmediatePropagation(); });
  stopper.addEventListener('s', () => order.push(2));
  stopper.dispatchEvent(new Event('s'));
  out.stopImmediate = order;
  const withSignal = new EventTarget(); const sc = new AbortController(); let count = 0;
  withSignal.addEventListener('x', () => count++, { signal: sc.signal });
  withSignal.dispatchEvent(new Event('x')); sc.abort(); withSignal.dispatchEvent(new Event('x'));
  out.signalRemoves = count;
  const de = new DOMException('msg', 'NotFoundError');
  out.domException = [de.name, de.message, de.code, de instanceof Error, String(de), DOMException.ABORT_ERR, DOMException.DATA_CLONE_ERR, new DOMException('x').name, Object.prototype.toString.call(de)];
  try { new Event(); } catch (e) { out.noType = [e.name, e.code]; }
  out.tags = [Object.prototype.toString.call(ac), Object.prototype.toString.call(ac.signal), Object.prototype.toString.call(new Event('e'))];
  out.keys = [Object.keys(Event.prototype).sort(), Object.keys(AbortSignal.prototype).sort()];
  return out;
}
