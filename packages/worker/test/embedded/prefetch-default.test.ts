/**
 * The default window: none, since a reserved task still needs a round to start and a window only
 * adds Redis work a task; while stealing is on, the pool size, since stealing takes from windows.
 * A runner with no window still counts as having work once it hears of some (a wake-up or a
 * handoff), or a busier queue of the same pool would take every freed slot first (the
 * weighted-join and strict-handoff tests).
 */
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, gate, until } from './harness.js';

const redis = useRedisServer(test);

for (const steal of [false, true]) {
  test.serial(
    `a busy worker ${steal ? 'that steals keeps a window of its pool size' : 'keeps no window by default'}`,
    async (t) => {
      const release = gate();
      const e = await embed(t, redis.server, {
        handlers: { hold: () => release.promise.then(() => null) },
        pool: { size: 3, min: 3, max: 3 },
        autoscale: { enabled: false },
        steal,
      });
      const keys = e.client.ctx.keys('default');
      await e.client.submitMany(Array.from({ length: 20 }, () => ({ type: 'hold' })));
      await until('every slot to run a task', async () => (await e.client.counts('default')).running === 3);
      // Give a refill claim the time it would take to land.
      await new Promise((r) => setTimeout(r, 200));
      const reserved = await e.redis.zcard(keys.window(e.worker.id));
      t.is(reserved, steal ? 3 : 0);
      t.is(await e.redis.zcard(keys.ready), steal ? 14 : 17);
      release.open();
      await until('every task to succeed', async () => (await e.client.counts('default')).succeeded === 20);
    },
  );
}
