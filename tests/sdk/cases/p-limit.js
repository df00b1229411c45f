// p-limit 5 (ES module; package.json "imports" for #async_hooks).
const pLimit = require('p-limit').default;

async function handleEvent() {
  const limit = pLimit(2);
  const log = [];
  let running = 0;
  let peak = 0;
  const task = (name, ticks) => limit(async () => {
    running += 1;
    peak = Math.max(peak, running);
    log.push(`start ${name}`);
    for (let i = 0; i < ticks; i += 1) await Promise.resolve();
    log.push(`end ${name}`);
    running -= 1;
    return name.toUpperCase();
  });
  const pending = [task('a', 5), task('b', 1), task('c', 1), task('d', 3)];
  const counts = [limit.activeCount, limit.pendingCount];
  const results = await Promise.all(pending);
  let failure;
  try {
    await limit(() => { throw new Error('nope'); });
  } catch (err) {
    failure = err.message;
  }
  return { results, log, peak, counts, after: [limit.activeCount, limit.pendingCount], failure };
}
