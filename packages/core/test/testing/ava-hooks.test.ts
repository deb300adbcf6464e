import test from 'ava';
import { RedisServer, uniquePrefix, useRedisServer } from '../../src/testing/index.js';

const redis = useRedisServer(test);

test('useRedisServer gives a running server to the tests of the file', async (t) => {
  t.true(redis.server instanceof RedisServer);
  t.true(redis.server.running);
  t.is(await redis.server.client().ping(), 'PONG');
});

test('tests sharing the server keep apart with uniquePrefix', async (t) => {
  const a = uniquePrefix();
  const b = uniquePrefix();
  t.not(a, b);
  t.regex(a, /^t[0-9a-z]{8,}$/);
  t.true(a.length <= 16);
  const client = redis.server.client();
  await client.set(`${a}:k`, 'a');
  await client.set(`${b}:k`, 'b');
  t.is(await client.get(`${a}:k`), 'a');
  t.is(await client.get(`${b}:k`), 'b');
});

test('uniquePrefix does not repeat', (t) => {
  const prefixes = new Set(Array.from({ length: 10_000 }, () => uniquePrefix()));
  t.is(prefixes.size, 10_000);
});

test('useRedisServer .server throws before the before hook ran', (t) => {
  const hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {};
  const handle = useRedisServer({
    before: (_title, fn) => {
      hooks.before = fn;
    },
    after: {
      always: (_title, fn) => {
        hooks.after = fn;
      },
    },
  });
  t.throws(() => handle.server, { message: /not started/ });
  t.is(typeof hooks.before, 'function');
  t.is(typeof hooks.after, 'function');
});
