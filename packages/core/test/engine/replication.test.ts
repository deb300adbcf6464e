/**
 * `durability: replicated` on a real redis-server that has no replica: WAIT
 * confirms none, so a submit fails with NotReplicatedError naming the tasks
 * (which the master did write), and a worker's report goes through while its
 * shortfall is told to `onShortfall`. With `local` nothing waits.
 */
import test from 'ava';
import { Cluster } from 'ioredis';
import {
  Client,
  checkDurability,
  NotReplicatedError,
  type ReplicationShortfall,
  ValidationError,
  WorkerOps,
} from '../../src/index.js';
import { uniquePrefix, useRedisServer } from '../../src/testing/index.js';

const redis = useRedisServer(test);

test('a submit no replica confirmed is refused with not_replicated, naming the tasks; the master has them', async (t) => {
  const client = new Client({
    redis: redis.server.client(),
    prefix: uniquePrefix(),
    durability: { mode: 'replicated', replicas: 1, timeoutMs: 50 },
  });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(client.submit({ type: 'noop' }), { instanceOf: NotReplicatedError });
  t.is(err!.code, 'not_replicated');
  t.is(err!.field, 'durability');
  t.is(err!.acked, 0);
  t.is(err!.wanted, 1);
  t.is(err!.ids.length, 1);
  t.regex(err!.message, /only 0 of 1 replica\(s\) confirmed within 50 ms/);
  t.is((await client.get(err!.ids[0]!)).state, 'queued', 'written on the master all the same');
  const many = await t.throwsAsync(client.submitMany([{ type: 'noop' }, { type: 'noop', delayMs: 1000 }]), {
    instanceOf: NotReplicatedError,
  });
  t.true(many!.ids.length >= 1);
});

test('a report no replica confirmed goes through and is told to onShortfall', async (t) => {
  const shortfalls: ReplicationShortfall[] = [];
  const client = new Client({ redis: redis.server.client(), prefix: uniquePrefix() });
  t.teardown(() => client.close());
  const { id } = await client.submit({ type: 'noop' });
  const replicatedCtx = new Client({
    redis: redis.server.client(),
    prefix: client.ctx.prefix,
    durability: { mode: 'replicated', replicas: 1, timeoutMs: 50, onShortfall: (s) => shortfalls.push(s) },
  });
  t.teardown(() => replicatedCtx.close());
  const ops = new WorkerOps(replicatedCtx.ctx, 'w1');
  const claimed = (await ops.cycle('default', { claim: { max: 1, start: 1 } })).claim;
  t.is(claimed.tasks.length, 1);
  t.deepEqual(await ops.complete('default', [{ id, attempt: 1, result: 'ok' }]), [true]);
  t.is((await client.get(id)).state, 'succeeded');
  t.like(shortfalls, [{ what: 'completion', acked: 0, wanted: 1, ids: [id] }]);
});

test('local durability does not wait; replicated is refused on Redis Cluster', async (t) => {
  const client = new Client({ redis: redis.server.client(), prefix: uniquePrefix() });
  t.teardown(() => client.close());
  t.is(client.ctx.durability.mode, 'local');
  t.is((await client.submit({ type: 'noop' })).state, 'queued');
  const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
  t.throws(() => checkDurability(cluster, { mode: 'replicated', replicas: 1, timeoutMs: 10 }), {
    instanceOf: ValidationError,
    message: /durability: "replicated" is supported on a single Redis and on Sentinel, not on Redis Cluster/,
  });
  t.notThrows(() => checkDurability(cluster, { mode: 'local', replicas: 1, timeoutMs: 10 }));
});
