/**
 * A stealing worker blocked on an empty queue is woken by the steal list the
 * moment a peer's claim leaves work only in its window: it steals at once,
 * not at its next idle timeout (set to a minute here, so only the wake-up can
 * explain a quick steal). The tasks are delayed: a submit would hand them
 * straight to the idle workers (handoff), but tasks that come due are claimed.
 */
import { rangeEvents } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, gate, until } from './harness.js';

const redis = useRedisServer(test);

async function blockedInBlpop(r: { client(...args: string[]): Promise<unknown> }): Promise<number> {
  const list = (await r.client('LIST')) as string;
  return list.split('\n').filter((l) => / flags=b /.test(l) && / cmd=blpop /.test(l)).length;
}

test('an idle stealer steals as soon as a peer reserves what it cannot start', async (t) => {
  const release = gate();
  const handlers = { hold: () => release.promise.then(() => 'ok') };
  const holder = await embed(t, redis.server, {
    id: 'holder',
    handlers,
    pool: { size: 1, min: 1, max: 1 },
    prefetch: 10,
    autoscale: { enabled: false },
    idleBlockMs: 60_000,
  });
  await until('the holder to block', async () => (await blockedInBlpop(holder.redis)) === 1);
  await embed(
    t,
    redis.server,
    {
      id: 'thief',
      handlers,
      pool: { size: 2, min: 2, max: 2 },
      steal: true,
      autoscale: { enabled: false },
      idleBlockMs: 60_000,
    },
    true,
    holder.prefix,
  );
  await until('both workers to block', async () => (await blockedInBlpop(holder.redis)) === 2);
  // The holder was blocked first: Redis wakes it first; it finds nothing due yet and blocks
  // until the tasks are due, then claims all 11 (1 started, 10 reserved).
  await holder.client.submitMany(Array.from({ length: 11 }, () => ({ type: 'hold', delayMs: 300 })));
  const dueAt = Date.now() + 300;
  const events = holder.client.ctx.keys('default').events;
  const stolen = await until(
    'the thief to steal',
    async () => (await rangeEvents(holder.redis, events, '-', 100)).find((e) => e.state === 'stolen'),
    10_000,
  );
  const reserved = (await rangeEvents(holder.redis, events, '-', 100)).find((e) => e.state === 'reserved');
  t.is(reserved?.worker, 'holder');
  t.is(reserved?.ids.length, 10);
  t.is(stolen.worker, 'thief');
  t.is(stolen.ids.length, 2, 'as many as its free slots');
  t.log(`stolen ${stolen.at - dueAt} ms after the tasks came due`);
  t.true(stolen.at - dueAt < 5000, 'long before the thief would have looked by itself');
  release.open();
  await until('everything to succeed', async () => (await holder.client.counts()).succeeded === 11);
});
