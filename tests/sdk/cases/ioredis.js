// ioredis: commands encoded to RESP offline, a connection to a refused port
// with retries off, and commands against a real redis-server
// (event.redisPort) under keys of this run's own.
const Redis = require('ioredis');

async function handleEvent(event) {
  const url = new URL(event.refused);
  const redis = new Redis({
    host: url.hostname,
    port: Number(url.port),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  const events = [];
  redis.on('error', (err) => events.push(`error:${err.code}`));
  redis.on('end', () => events.push('end'));
  let error;
  try {
    await redis.connect();
  } catch (err) {
    error = err;
  }
  let afterwards;
  try {
    await redis.get('key');
  } catch (err) {
    afterwards = { name: err.constructor.name, message: err.message };
  }
  const live = new Redis({ host: '127.0.0.1', port: Number(event.redisPort), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await live.connect();
  // Node and chatfn run this at the same time: keys of their own.
  const key = (name) => `${process.pid}:${Math.random().toString(36).slice(2)}:${name}`;
  const [greeting, counter, user, list] = ['greeting', 'counter', 'user', 'list'].map(key);
  const server = {
    set: await live.set(greeting, 'héllo', 'EX', 60),
    get: await live.get(greeting),
    incr: [await live.incr(counter), await live.incr(counter)],
    hash: (await live.hset(user, { name: 'ada', rooms: '3' }), await live.hgetall(user)),
    pipeline: await live.pipeline().lpush(list, 'a', 'b').lrange(list, 0, -1).exec(),
    del: await live.del(greeting, counter, user, list),
  };
  await live.quit();
  const command = new Redis.Command('set', ['greeting', 'héllo', 'EX', 60]);
  return {
    name: error.constructor.name,
    message: error.message,
    status: redis.status,
    events,
    afterwards,
    resp: command.toWritable().toString(),
    pipeline: redis.pipeline().set('a', 1).incr('a').length,
    server,
  };
}
