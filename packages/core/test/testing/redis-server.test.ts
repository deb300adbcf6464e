import { access } from 'node:fs/promises';
import test from 'ava';
import { Redis } from 'ioredis';
import { RedisServer } from '../../src/testing/index.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

test('start answers PING on 127.0.0.1, stop kills it and removes its dir', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  t.is(server.host, '127.0.0.1');
  t.is(server.url, `redis://127.0.0.1:${server.port}`);
  t.true(await exists(server.dir));

  const redis = server.client();
  t.is(await redis.ping(), 'PONG');
  const config = await redis.config('GET', 'save');
  t.deepEqual(config, ['save', '']);
  t.deepEqual(await redis.config('GET', 'appendonly'), ['appendonly', 'no']);
  t.deepEqual(await redis.config('GET', 'port'), ['port', String(server.port)]);

  await server.stop();
  await server.stop(); // idempotent
  t.false(server.running);
  t.false(await exists(server.dir));
  t.is(redis.status, 'end'); // tracked client closed by stop()

  const probe = new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  await t.throwsAsync(() => probe.connect());
  probe.disconnect();
});

test('two servers get different ports and dirs', async (t) => {
  const [a, b] = await Promise.all([RedisServer.start(), RedisServer.start()]);
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  t.not(a.port, b.port);
  t.not(a.dir, b.dir);
  await a.client().set('only-in-a', '1');
  t.is(await b.client().exists('only-in-a'), 0);
});

test('kill9 + restart with appendfsync always keeps a key written before the kill', async (t) => {
  const server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
  t.teardown(() => server.stop());
  const port = server.port;
  const dir = server.dir;
  const writer = new Redis({ host: server.host, port, maxRetriesPerRequest: 0, retryStrategy: () => null });
  writer.on('error', () => {});
  t.deepEqual(await writer.config('GET', 'appendfsync'), ['appendfsync', 'always']);
  await writer.set('survivor', 'still-here');
  await writer.hset('survivor:h', { a: '1', b: '2' });

  await server.kill9();
  t.false(server.running);
  writer.disconnect();

  await server.restart();
  t.true(server.running);
  t.is(server.port, port);
  t.is(server.dir, dir);
  const reader = server.client();
  t.is(await reader.get('survivor'), 'still-here');
  t.deepEqual(await reader.hgetall('survivor:h'), { a: '1', b: '2' });
  const persistence = await reader.info('persistence');
  t.regex(persistence, /loading:0/);
  t.regex(persistence, /aof_enabled:1/);
});

test('without appendonly, kill9 + restart loses the data', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  const redis = server.client();
  await redis.set('gone', '1');
  await server.kill9();
  await server.restart();
  const after = server.client();
  t.is(await after.get('gone'), null);
});

test('start fails with the log tail when redis-server rejects its arguments', async (t) => {
  const err = await t.throwsAsync(() => RedisServer.start({ args: ['--no-such-option', 'x'] }));
  t.regex(err.message, /no-such-option|Bad directive|FATAL/i);
});
