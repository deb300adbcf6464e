/**
 * Strict queue order across idle registrations: a lower queue registered idle (a submit would
 * hand it tasks, which then must run) takes itself off the idle hash as soon as a queue before
 * it has work, so that a submit to it cannot start anything while the higher queue has work.
 */
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { type Embedded, embed, gate, until } from './harness.js';

const redis = useRedisServer(test);

const idleHash = (e: Embedded, queue: string) => e.redis.hgetall(e.client.ctx.keys(queue).idle);

test('strict: a registered lower queue withdraws once a higher one has work; its submits wait', async (t) => {
  const release = gate();
  const e = await embed(t, redis.server, {
    queues: ['critical', 'low'],
    handlers: { hold: () => release.promise.then(() => 'ok') },
    pool: { size: 3, min: 3, max: 3 },
    autoscale: { enabled: false },
    // A registration that would stand for the whole test if nothing took it off.
    idleBlockMs: 60_000,
  });
  // Both queues empty: both register their free slots.
  await until('both queues to register idle', async () => {
    const [c, l] = await Promise.all([idleHash(e, 'critical'), idleHash(e, 'low')]);
    return c[e.worker.id] !== undefined && l[e.worker.id] !== undefined;
  });
  // critical gets work: 3 handed off (its registration), 7 left in its ready set.
  const critical = await e.client.submitMany(
    Array.from({ length: 10 }, () => ({ type: 'hold', queue: 'critical' })),
  );
  await until(
    'low to leave the idle hash',
    async () => (await idleHash(e, 'low'))[e.worker.id] === undefined,
  );
  const low = await e.client.submitMany(Array.from({ length: 5 }, () => ({ type: 'hold', queue: 'low' })));
  release.open();
  await until('every task to succeed', async () => {
    const [c, l] = await Promise.all([e.client.counts('critical'), e.client.counts('low')]);
    return c.succeeded === 10 && l.succeeded === 5;
  });
  const startedAt = async (ids: { id: string }[], queue: string) =>
    Promise.all(ids.map(async ({ id }) => (await e.client.get(id, { queue })).startedAt!));
  const lastCritical = Math.max(...(await startedAt(critical, 'critical')));
  const firstLow = Math.min(...(await startedAt(low, 'low')));
  t.true(firstLow >= lastCritical, `low started at ${firstLow}, critical last at ${lastCritical}`);
});
