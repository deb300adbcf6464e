/** The fleet advice (units/recommend.ts) as a pure function of what the roll-up reads. */
import test from 'ava';
import { recommendFleet, TARGET_DRAIN_S } from '../../src/units/recommend.js';

const quiet = { submitted: 0, done: 0 };
const workers = (n: number, poolSize: number, busy: number) =>
  Array.from({ length: n }, () => ({ poolSize, busy }));

test('steady state: capacity is the completions of the window, scaled up by idleness', (t) => {
  // Two workers of 10 slots, half busy, 100 tasks/s done and submitted for 10 s.
  const r = recommendFleet({
    seconds: Array.from({ length: 10 }, () => ({ submitted: 100, done: 100 })),
    backlog: 0,
    workers: workers(2, 10, 5),
  });
  t.is(r.throughput, 100);
  t.is(r.perWorker, 100); // 50 tasks/s each at half their slots
  t.is(r.workers, 1);
});

test('a burst two seconds old does not look like slow workers', (t) => {
  // 8 quiet seconds, then two seconds of a burst: 6,000 tasks arrived, each of the 2 busy
  // workers completes 300/s. Over the whole 10 s window that would be 60 tasks/s per worker,
  // and the advice 4–5 times too many workers.
  const seconds = [
    ...Array.from({ length: 8 }, () => quiet),
    { submitted: 6000, done: 600 },
    { submitted: 0, done: 600 },
  ];
  const r = recommendFleet({ seconds, backlog: 4800, workers: workers(2, 10, 10) });
  t.is(r.throughput, 600);
  t.is(r.perWorker, 300);
  const demand = 6000 / 10 + 4800 / TARGET_DRAIN_S;
  t.is(r.workers, Math.ceil(demand / 300));
  t.is(r.workers, 3);
});

test('nothing to do: at most one worker; work and no worker: at least one', (t) => {
  const idle = recommendFleet({
    seconds: Array.from({ length: 10 }, () => quiet),
    backlog: 0,
    workers: workers(3, 5, 0),
  });
  t.like(idle, { workers: 1, reason: 'no backlog and no arrivals' });
  const orphan = recommendFleet({
    seconds: Array.from({ length: 10 }, () => quiet),
    backlog: 5,
    workers: [],
  });
  t.like(orphan, { workers: 1, liveWorkers: 0, reason: 'work is waiting and no worker is alive' });
  const unknown = recommendFleet({
    seconds: Array.from({ length: 10 }, () => quiet),
    backlog: 5,
    workers: workers(2, 5, 0),
  });
  t.like(unknown, { workers: 2, reason: 'not enough data on worker capacity yet' });
});

test('long tasks on a saturated fleet with work waiting: one worker more, not "1" (issue 17 pt 8)', (t) => {
  // The only worker is at 32/32 busy with tasks longer than the window: nothing finished yet.
  const r = recommendFleet({
    seconds: [{ submitted: 40, done: 0 }, ...Array.from({ length: 9 }, () => quiet)],
    backlog: 8,
    workers: workers(1, 32, 32),
  });
  t.is(r.workers, 2);
  t.regex(r.reason, /every slot of the worker is busy and 8 tasks wait/);
  // Not saturated: no capacity data yet, keep what runs.
  t.like(recommendFleet({ seconds: [quiet], backlog: 8, workers: workers(1, 32, 20) }), { workers: 1 });
  // Saturated with nothing waiting: the fleet keeps up.
  t.like(recommendFleet({ seconds: [quiet], backlog: 0, workers: workers(1, 32, 32) }), { workers: 1 });
});
