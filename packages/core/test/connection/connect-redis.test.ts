import test from 'ava';
import { Cluster, Redis } from 'ioredis';
import {
  connectRedis,
  createRedis,
  duplicateConnection,
  reconnectOnReadonly,
} from '../../src/connection/index.js';
import { RedisUnavailableError } from '../../src/errors.js';
import { freePort, type SpawnedRedis, spawnRedis } from './spawn-redis.js';

const servers: SpawnedRedis[] = [];
async function server(args: string[] = []): Promise<SpawnedRedis> {
  const s = await spawnRedis(args);
  servers.push(s);
  return s;
}

test.after.always(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

test('connects to a plain server and the client works', async (t) => {
  const { port } = await server();
  const client = await connectRedis(`redis://127.0.0.1:${port}`, { name: 'dtps-test' });
  try {
    t.true(client instanceof Redis);
    t.is(await client.ping(), 'PONG');
    await client.set('k', 'v');
    t.is(await client.get('k'), 'v');
    t.is(await client.client('GETNAME'), 'dtps-test');
  } finally {
    client.disconnect();
  }
});

test('the bare host:port form and /db select the database', async (t) => {
  const { port } = await server();
  const bare = await connectRedis(`127.0.0.1:${port}`);
  const db3 = await connectRedis(`redis://127.0.0.1:${port}/3`);
  try {
    await db3.set('only-in-3', '1');
    t.is(await bare.get('only-in-3'), null);
    t.is(await db3.get('only-in-3'), '1');
  } finally {
    bare.disconnect();
    db3.disconnect();
  }
});

test('duplicateConnection opens a second connection to the same place', async (t) => {
  const { port } = await server();
  const client = await connectRedis(`redis://127.0.0.1:${port}/2`);
  const copy = duplicateConnection(client);
  try {
    await client.set('dup', 'x');
    t.is(await copy.get('dup'), 'x');
    t.not(await copy.client('ID'), await client.client('ID'));
  } finally {
    client.disconnect();
    copy.disconnect();
  }
});

test('a closed port is refused with RedisUnavailableError within the timeout, password redacted', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const err = await t.throwsAsync(
    connectRedis(`redis://alice:hunter2@127.0.0.1:${port}`, { timeoutMs: 1500 }),
    {
      instanceOf: RedisUnavailableError,
    },
  );
  const elapsed = Date.now() - started;
  t.true(elapsed < 5000, `took ${elapsed} ms`);
  t.is(err?.code, 'redis_unavailable');
  t.true(err?.message.includes(`redis://alice:***@127.0.0.1:${port}`), err?.message);
  t.false(err?.message.includes('hunter2'));
  t.regex(err?.message ?? '', /ECONNREFUSED/);
});

test('the default timeout is 5 s', async (t) => {
  const port = await freePort();
  const started = Date.now();
  await t.throwsAsync(connectRedis(`redis://:pw@127.0.0.1:${port}`), { instanceOf: RedisUnavailableError });
  const elapsed = Date.now() - started;
  t.true(elapsed >= 4500 && elapsed < 6500, `took ${elapsed} ms`);
});

test('requirepass: the right password connects, a wrong one is refused fast', async (t) => {
  const { port } = await server(['--requirepass', 'secret']);
  const client = await connectRedis(`redis://:secret@127.0.0.1:${port}`);
  t.is(await client.ping(), 'PONG');
  client.disconnect();

  const started = Date.now();
  const err = await t.throwsAsync(connectRedis(`redis://:wrong@127.0.0.1:${port}`, { timeoutMs: 4000 }), {
    instanceOf: RedisUnavailableError,
  });
  t.true(Date.now() - started < 2000, 'an auth error does not wait for the timeout');
  t.regex(err?.message ?? '', /WRONGPASS|invalid/i);
  t.false(err?.message.includes(':wrong@'), 'the wrong password is not shown either');
  t.true(err?.message.includes(`redis://:***@127.0.0.1:${port}`));

  await t.throwsAsync(connectRedis(`redis://127.0.0.1:${port}`, { timeoutMs: 2000 }), {
    instanceOf: RedisUnavailableError,
  });
});

test('an ACL user connects with user and password', async (t) => {
  const { port } = await server();
  const admin = await connectRedis(`redis://127.0.0.1:${port}`);
  await admin.call('ACL', 'SETUSER', 'alice', 'on', '>pw', '~*', '+@all');
  admin.disconnect();

  const alice = await connectRedis(`redis://alice:pw@127.0.0.1:${port}`);
  try {
    t.is(await alice.call('ACL', 'WHOAMI'), 'alice');
  } finally {
    alice.disconnect();
  }
  await t.throwsAsync(connectRedis(`redis://alice:nope@127.0.0.1:${port}`, { timeoutMs: 2000 }), {
    instanceOf: RedisUnavailableError,
  });
});

test('createRedis builds the client class of each kind without connecting', (t) => {
  const single = createRedis('rediss://u:p@h:1/2', { lazyConnect: true });
  t.true(single instanceof Redis);
  t.like((single as Redis).options, { host: 'h', port: 1, db: 2, username: 'u', password: 'p', tls: {} });

  const sentinel = createRedis('redis+sentinel://s1:26379,s2/mymaster/1', { lazyConnect: true }) as Redis;
  t.true(sentinel instanceof Redis);
  t.like(sentinel.options, { name: 'mymaster', db: 1, failoverDetector: true });
  t.deepEqual(sentinel.options.sentinels, [
    { host: 's1', port: 26379 },
    { host: 's2', port: 26379 },
  ]);
  t.is(sentinel.options.reconnectOnError, reconnectOnReadonly);

  const cluster = createRedis('redis+cluster://u:p@h1:7000,h2:7001', { lazyConnect: true });
  t.true(cluster instanceof Cluster);
  t.like((cluster as Cluster).options, {
    scaleReads: 'master',
    redisOptions: { username: 'u', password: 'p' },
  });
  for (const c of [single, sentinel, cluster]) c.disconnect();
});

test('reconnectOnReadonly resends only after READONLY', (t) => {
  t.is(reconnectOnReadonly(new Error("READONLY You can't write against a read only replica.")), 2);
  t.is(reconnectOnReadonly(new Error("ERR Error running script: READONLY You can't write")), 2);
  t.false(reconnectOnReadonly(new Error('ERR wrong number of arguments')));
});
