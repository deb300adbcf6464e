/**
 * The coordinator's roll-up, with one worker running tasks: the queue's 1 s
 * series gets points with the counters (each success counted once) and the
 * depth, the worker's 1 s series gets points from its heartbeats, and a
 * fleet recommendation is written that follows the backlog.
 */
import type { Recommendation, SeriesPoint } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, scope } from './fixture.js';

const TASKS = 300;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

const sum = (points: readonly SeriesPoint[], f: 'submitted' | 'started' | 'succeeded') =>
  points.reduce((n, p) => n + p[f], 0);

test('series per queue and per worker, and a recommendation that follows the backlog', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
  const coordinator = await spawnCoordinator({ ...common, id: 'coord' });
  daemons.push(coordinator);
  await coordinator.waitForLog('leading');
  const worker = await spawnWorker({ ...common, id: 'w1', slots: 2 });
  daemons.push(worker);

  // A backlog that two slots need a few seconds for (20 ms a task).
  const ids = (
    await s.client.submitMany(Array.from({ length: TASKS }, () => ({ type: 'record', payload: { ms: 20 } })))
  ).map((r) => r.id);

  // While the backlog lasts: a recommendation that sees it, and series points with a queue depth.
  const busy = await waitForValue(
    () => s.inspector.recommendation(),
    (r) => r !== null && r.backlog > 0 && r.liveWorkers === 1,
    { timeoutMs: 30_000, what: 'a recommendation that sees the backlog', details: () => coordinator.tail() },
  );
  t.true(busy!.workers >= 1);
  t.is(typeof busy!.reason, 'string');
  await waitForValue(
    () => s.inspector.series('default', '1s'),
    (ps) => ps.some((p) => (p.depth?.queued ?? 0) + (p.depth?.reserved ?? 0) > 0),
    { timeoutMs: 30_000, what: 'a series point with a backlog in its depth' },
  );

  await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === TASKS,
    { timeoutMs: 60_000, what: 'every task to succeed', details: () => worker.tail() },
  );
  const finishedAt = Date.now();
  t.true((await s.tasks(ids)).every((task) => task.state === 'succeeded' && task.worker === 'w1'));

  // The series catches up: every submit, start and success counted once, one point a second.
  const series = await waitForValue(
    () => s.inspector.series('default', '1s'),
    (ps) => sum(ps, 'succeeded') === TASKS && ps.at(-1)!.t >= finishedAt - 1000,
    { timeoutMs: 30_000, what: 'the 1 s series to count every success', details: () => coordinator.tail() },
  );
  t.is(sum(series, 'submitted'), TASKS);
  t.is(sum(series, 'started'), TASKS);
  t.is(sum(series, 'succeeded'), TASKS);
  for (let i = 1; i < series.length; i++) t.is(series[i]!.t - series[i - 1]!.t, 1000, 'one point a second');
  t.true(
    series.some((p) => p.succeeded > 0 && p.p50Ms !== null),
    'latency percentiles where tasks succeeded',
  );
  const last = series.at(-1)!;
  t.like(last.depth, { succeeded: TASKS, queued: 0, running: 0 });

  // The worker's series: points from its heartbeats.
  const ws = await waitForValue(
    () => s.inspector.workerSeries('w1', '1s'),
    (ps) => ps.some((p) => p.processed === TASKS),
    { timeoutMs: 30_000, what: 'the worker series to show every task processed' },
  );
  t.true(ws.length >= 2);
  t.true(ws.every((p) => p.poolSize === 2));
  t.true(
    ws.some((p) => (p.busy ?? 0) > 0),
    'busy slots while it worked',
  );
  for (let i = 1; i < ws.length; i++) t.true(ws[i]!.processed! >= ws[i - 1]!.processed!);

  // Once arrivals stop and the backlog is gone, the recommendation says so.
  const idle = await waitForValue<Recommendation | null>(
    () => s.inspector.recommendation(),
    (r) => r !== null && r.backlog === 0 && r.reason === 'no backlog and no arrivals',
    { timeoutMs: 30_000, what: 'an idle recommendation' },
  );
  t.is(idle!.workers, 1);
  t.is(idle!.liveWorkers, 1);
  await waitFor(async () => (await s.inspector.recommendation())!.at >= finishedAt, { what: 'a fresh one' });
  t.log(
    `series: ${series.length} points, peak ${Math.max(...series.map((p) => p.succeeded))} succeeded/s; ` +
      `worker series: ${ws.length} points; recommendation under backlog: ${JSON.stringify(busy)}; idle: ${JSON.stringify(idle)}`,
  );
});
