/**
 * Rate limits with workers whose calls cross: each claim carries its own clock reading (`now`),
 * read before the call reaches Redis, so a claim read earlier can run after one read later. The
 * window must still hold for every claim, the late one included (docs/flow-control.md).
 */
import test from 'ava';
import { Client, ManualClock, WorkerOps } from '../../src/index.js';
import { claim, SCRIPTS, useEngine } from './fixture.js';

const engine = useEngine(test);

test('a claim whose clock reads a few ms behind another’s still counts every start of its window', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'type', key: 'api', rate: { n: 3, perMs: 1000 } });
  await e.client.submitMany(Array.from({ length: 10 }, (_, i) => ({ type: 'api', payload: i })));
  const t0 = e.clock.now();
  const fast = e.ops('fast');
  t.is((await claim(fast, 'default', { max: 1, start: 1 })).tasks.length, 1);
  e.clock.set(t0 + 5);
  t.is((await claim(fast, 'default', { max: 2, start: 2 })).tasks.length, 2, 'the window is full');
  // The fast worker's next claim reads t0 + 1005: the starts at t0 and t0 + 5 are out of its
  // window, so it starts one.
  e.clock.set(t0 + 1005);
  t.is((await claim(fast, 'default', { max: 1, start: 1 })).tasks.length, 1);
  // A slow worker read t0 + 1001 (4 ms behind) and its claim runs now. Its window
  // (t0 + 1, t0 + 1001] still holds the two starts of t0 + 5, and the one at t0 + 1005 counts
  // too: no room. Starting here would put 4 starts in [t0 + 5, t0 + 1005).
  const lagging = new Client({
    redis: e.redis,
    prefix: e.prefix,
    clock: new ManualClock(t0 + 1001),
    scripts: SCRIPTS,
  });
  t.teardown(() => lagging.close());
  const late = await claim(new WorkerOps(lagging.ctx, 'slow'), 'default', { max: 10, start: 10 });
  t.deepEqual(
    late.tasks.map((x) => x.payload),
    [],
    'no start while the window, as the late claim sees it, is full',
  );
  t.true((late.nextDueAt ?? 0) > t0 + 1001, 'it learns a later time to try again');

  // Once its clock has moved past the window of the starts at t0 + 5, it may start again.
  e.clock.set(t0 + 1006);
  t.is((await claim(fast, 'default', { max: 10, start: 10 })).tasks.length, 2);
});
