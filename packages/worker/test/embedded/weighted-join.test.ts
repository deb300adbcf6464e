/**
 * Weighted queues when one of them gets work late: the idle queue neither waits behind the busy
 * one nor, having saved up credit while idle, takes every slot until it caught up. It joins
 * level: from its first start on, the two share the starts by their weights (here 1:1). Its
 * first tasks reach the worker by a handoff (it was registered idle) and the rest by claims.
 */
import type { Task } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, until } from './harness.js';

const redis = useRedisServer(test);

test('weighted 1:1: a queue that gets work late shares the starts evenly from its first one', async (t) => {
  const e = await embed(t, redis.server, {
    queues: ['busy:1', 'late:1'],
    handlers: { noop: () => null },
    pool: { size: 10, min: 10, max: 10 },
    autoscale: { enabled: false },
  });
  const busy = await e.client.submitMany(
    Array.from({ length: 5000 }, () => ({ type: 'noop', queue: 'busy' })),
  );
  await until('busy to be under way', async () => (await e.client.counts('busy')).succeeded >= 500);
  const late = await e.client.submitMany(
    Array.from({ length: 500 }, () => ({ type: 'noop', queue: 'late' })),
  );
  await until(
    'every task to succeed',
    async () =>
      (await e.client.counts('busy')).succeeded === 5000 && (await e.client.counts('late')).succeeded === 500,
    60_000,
  );
  const read = (refs: { id: string }[], queue: string): Promise<Task[]> =>
    Promise.all(refs.map(({ id }) => e.client.get(id, { queue })));
  const starts = [
    ...(await read(busy, 'busy')).map((x) => ({ queue: 'busy', at: x.startedAt! })),
    ...(await read(late, 'late')).map((x) => ({ queue: 'late', at: x.startedAt! })),
  ].sort((a, b) => a.at - b.at);
  const firstLate = starts.findIndex((s) => s.queue === 'late');
  const next = starts.slice(firstLate, firstLate + 400);
  const share = next.filter((s) => s.queue === 'late').length / next.length;
  t.log(`late's share of the 400 starts from its first: ${(share * 100).toFixed(1)} %`);
  t.true(next.length === 400 && share >= 0.4 && share <= 0.6, `late's share ${share}`);
});
