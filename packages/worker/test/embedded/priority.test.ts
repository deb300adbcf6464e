/**
 * Invariant 3 at worker level: a worker never starts a lower-priority task
 * while a higher-priority one of the same queue is queued, beyond what its
 * bounded prefetch window holds.
 */
import { parseEvent } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, until } from './harness.js';

const redis = useRedisServer(test);

for (const prefetch of [2, 0, 5]) {
  test.serial(
    `pool 1, prefetch ${prefetch}: at most ${prefetch} low tasks start after a high one is queued`,
    async (t) => {
      const order: string[] = [];
      const e = await embed(t, redis.server, {
        handlers: {
          work: async (_p, ctx) => {
            order.push(ctx.task.id);
            await new Promise((r) => setTimeout(r, 25));
            return null;
          },
        },
        pool: { size: 1, min: 1, max: 1 },
        prefetch,
        autoscale: { enabled: false },
      });
      const low = (
        await e.client.submitMany(Array.from({ length: 20 }, () => ({ type: 'work', priority: 1 })))
      ).map((r) => r.id);
      await until('3 low tasks to start', () => order.length >= 3);
      const marker = order.length;
      const high = (
        await e.client.submitMany(Array.from({ length: 5 }, () => ({ type: 'work', priority: 10 })))
      ).map((r) => r.id);
      await until('all 25 to succeed', async () => (await e.client.counts()).succeeded === 25, 20_000, 20);

      // Exact order from the event stream: Redis serialises the submit and every start.
      const entries = (await e.redis.xrange(e.client.ctx.keys('default').events, '-', '+')) as [
        string,
        string[],
      ][];
      const events = entries.map(([id, fields]) => parseEvent(id, fields));
      const queuedAt = events.findIndex((ev) => ev.state === 'queued' && ev.ids.includes(high[0]!));
      t.true(queuedAt > 0);
      const lowSet = new Set(low);
      const startedAfter = events
        .slice(queuedAt + 1)
        .filter((ev) => ev.state === 'running')
        .flatMap((ev) => ev.ids);
      const firstHigh = startedAfter.findIndex((id) => !lowSet.has(id));
      const lowsBeforeHigh = startedAfter.slice(0, firstHigh).filter((id) => lowSet.has(id)).length;
      const lowsWhileHighQueued = (() => {
        // Lows started after the high ones were queued and before the last high one started.
        const lastHigh = Math.max(...high.map((h) => startedAfter.indexOf(h)));
        return startedAfter.slice(0, lastHigh).filter((id) => lowSet.has(id)).length;
      })();
      t.log(
        `handler order: ${order.map((id) => (lowSet.has(id) ? 'L' : 'H')).join('')} (highs submitted after ${marker} starts)`,
      );
      t.log(
        `low tasks started after the highs were queued, before the last high started: ${lowsWhileHighQueued} (prefetch ${prefetch})`,
      );
      t.is(lowsBeforeHigh, lowsWhileHighQueued, 'once a high task starts, the other highs go before any low');
      t.true(
        lowsWhileHighQueued <= prefetch,
        `${lowsWhileHighQueued} low tasks started while high ones were queued`,
      );

      // The handlers saw the same: the five highs back to back, ahead of the remaining lows.
      const hi = high.map((h) => order.indexOf(h)).sort((a, b) => a - b);
      t.deepEqual(
        hi,
        hi.map((_, i) => hi[0]! + i),
        'the highs ran back to back',
      );
      t.true(hi[0]! - marker <= prefetch + 1, 'and soon after their submit');
      t.is(order.length, 25);
    },
  );
}
