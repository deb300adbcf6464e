import test from 'ava';
import { Redis } from 'ioredis';
import { Client, WorkerOps } from '../../src/index.js';
import { RedisServer } from '../../src/testing/index.js';
import { CLUSTER, claim } from './fixture.js';

// A restart of a single node; the Cluster run covers routing, not restarts.
(CLUSTER ? test.skip : test)('a wait outlives a Redis kill -9 and restart (AOF)', async (t) => {
  const server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
  const redis = new Redis({ port: server.port, maxRetriesPerRequest: null });
  redis.on('error', () => {});
  const client = new Client({ redis });
  try {
    const r = await client.submit({ type: 'x' });
    const waiting = client.wait(r.id, { timeoutMs: 30_000 });
    // The waiter's reader is blocked on XREAD when Redis dies.
    while (!String(await redis.client('LIST')).includes('cmd=xread')) {
      await new Promise((res) => setTimeout(res, 10));
    }
    await server.kill9();
    await server.restart();
    const ops = new WorkerOps(client.ctx, 'w1');
    const { tasks } = await claim(ops, 'default', { max: 1, start: 1 });
    t.is(tasks[0]?.id, r.id);
    await ops.complete('default', [{ id: r.id, attempt: 1, result: 'after restart' }]);
    t.like(await waiting, { state: 'succeeded', result: 'after restart' });
  } finally {
    await client.close();
    redis.disconnect();
    await server.stop();
  }
});
