/**
 * Work stealing between two worker processes of 2 slots and a prefetch of 20.
 * One of them (the holder) takes a whole batch of slow tasks: 2 running, 20 in
 * its window. With `--steal`, the idle one takes unstarted tasks from the back
 * of the holder's window and the batch finishes clearly sooner; without it,
 * the idle one gets nothing and the holder does all.
 *
 * Both daemons are started before the batch is submitted, and whichever
 * claims first once the batch is due claims it all (one claim of exactly
 * slots + prefetch): that keeps a daemon's start-up time (seconds on a loaded
 * 2-core machine) out of the makespans being compared. The batch is submitted
 * with a short delay because a submit hands tasks straight to idle workers
 * (both of them); tasks that come due are claimed instead.
 */
import { rangeEvents, type TaskSpec } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Scope, scope } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const SLOTS = 2;
const PREFETCH = 20;
/** Exactly what one worker claims at once (running + window): nothing is left queued for the other. */
const TASKS = SLOTS + PREFETCH;
const TASK_MS = 400;
/** The batch's delay: makespans count from when it is due. */
const DELAY_MS = 300;

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

interface Pair {
  s: Scope;
  ids: string[];
  submittedAt: number;
  /** The worker that claimed the batch, and the other one. */
  holder: WorkerProcess;
  idle: WorkerProcess;
}

/** Starts two workers, submits the batch, and finds which of them claimed it. */
async function startPair(
  t: ExecutionContext,
  steal: boolean,
  specs: TaskSpec[],
  env: Record<string, string>,
): Promise<Pair> {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const args = [
    '--workers',
    `${SLOTS}`,
    '--min',
    `${SLOTS}`,
    '--max',
    `${SLOTS}`,
    '--prefetch',
    `${PREFETCH}`,
  ];
  if (steal) args.push('--steal');
  const opts = {
    redisUrl: redis.server.url,
    prefix: s.prefix,
    args,
    env: { DTPS_WORKER_HEARTBEAT_MS: '200', ...env },
  };
  const pair = await Promise.all([startWorker({ ...opts, id: 'W1' }), startWorker({ ...opts, id: 'W2' })]);
  workers.push(...pair);
  // Taken before the call: the tasks are due DELAY_MS after the client's clock read inside it, so
  // no later than this (read after the call, a slow submit made the makespan look short).
  const submittedAt = Date.now() + DELAY_MS;
  const ids = (await s.client.submitMany(specs.map((spec) => ({ ...spec, delayMs: DELAY_MS })))).map(
    (r) => r.id,
  );
  // The first claim of the batch: 2 started and 20 reserved by one worker, in one script call.
  const events = s.client.ctx.keys('default').events;
  const claim = await waitForValue(
    async () =>
      (await rangeEvents(s.client.ctx.redis, events, '-', 100)).filter(
        (e) => e.state === 'reserved' || e.state === 'running',
      ),
    (es) => es.length >= 2,
    { timeoutMs: 20_000, what: 'the batch to be claimed' },
  );
  const holderId = claim[0]!.worker;
  t.deepEqual(
    claim.slice(0, 2).map((e) => [e.state, e.worker, e.ids.length]),
    [
      ['running', holderId, SLOTS],
      ['reserved', holderId, PREFETCH],
    ],
    'one worker claimed the whole batch',
  );
  const [holder, idle] = holderId === 'W1' ? pair : [pair[1], pair[0]];
  t.log(`${holder.id} claimed the batch; ${idle.id} is idle`);
  return { s, ids, submittedAt, holder, idle };
}

/** Waits for the batch, stops both workers (exit 0), returns who ran what and the final heartbeats. */
async function finish(t: ExecutionContext, p: Pair) {
  await waitForValue(
    () => p.s.counts(),
    (c) => c.succeeded === p.ids.length,
    {
      timeoutMs: 30_000,
      what: 'the batch to finish',
      details: () => `${p.holder.tail(10)}\n${p.idle.tail(10)}`,
    },
  );
  const tasks = await p.s.tasks(p.ids);
  const ranOn = (w: WorkerProcess) => tasks.filter((x) => x.worker === w.id).length;
  const makespanMs = Math.max(...tasks.map((x) => x.finishedAt ?? Number.NaN)) - p.submittedAt;
  // The heartbeat that carries the final stats (every outcome reported).
  const stats = async (w: WorkerProcess) =>
    (await waitForValue(
      () => p.s.heartbeat(w.id),
      (h) => h !== undefined && h.processed === ranOn(w),
      { timeoutMs: 10_000, what: `a heartbeat of ${w.id} with its final stats` },
    ))!;
  const [holderHb, idleHb] = await Promise.all([stats(p.holder), stats(p.idle)]);
  p.holder.signal('SIGTERM');
  p.idle.signal('SIGTERM');
  t.deepEqual(await p.holder.waitForExit(), { code: 0, signal: null });
  t.deepEqual(await p.idle.waitForExit(), { code: 0, signal: null });
  return {
    tasks,
    makespanMs,
    holder: { ran: ranOn(p.holder), hb: holderHb },
    idle: { ran: ranOn(p.idle), hb: idleHb },
  };
}

const batch = (): TaskSpec[] =>
  Array.from({ length: TASKS }, () => ({ type: 'sleep', payload: { ms: TASK_MS } }));

// A stealing worker only looks at its peers' windows when it claims, and after a claim that
// found nothing it blocks on the queue's wake list, which nothing pushes while the work sits in
// a peer's window; so by default it steals again only when that block times out (1 s), not when
// its own slots free up (see the failing test below). A 100 ms idle block makes the steal
// cadence follow the 400 ms tasks; the same setting is used with stealing off, for a fair baseline.
const FAST_LOOK = { DTPS_WORKER_IDLE_BLOCK_MS: '100' };

test.serial(
  "stealing: with --steal the idle worker takes from the holder's window and the batch finishes sooner; without, it gets nothing",
  async (t) => {
    const off = await finish(t, await startPair(t, false, batch(), FAST_LOOK));
    t.is(off.holder.ran, TASKS, 'without --steal the holder does all');
    t.is(off.idle.ran, 0);
    t.is(off.idle.hb.processed, 0, 'the idle worker processed nothing');
    t.is(off.idle.hb.steals, 0);
    t.true(off.makespanMs >= (TASKS / SLOTS) * TASK_MS, `no-steal makespan ${off.makespanMs} ms`);

    const on = await finish(t, await startPair(t, true, batch(), FAST_LOOK));
    t.true(on.idle.hb.steals > 0, 'the idle worker stole');
    t.is(on.idle.hb.processed, on.idle.ran);
    t.is(on.idle.ran, on.idle.hb.steals, 'everything it ran, it stole');
    t.is(on.holder.hb.steals, 0);
    t.is(on.holder.ran + on.idle.ran, TASKS);
    t.true(
      on.tasks.every((x) => x.state === 'succeeded' && x.attempts === 1),
      'each task ran once',
    );

    const ideal = (TASKS * TASK_MS) / (2 * SLOTS);
    t.log(
      `makespan: steal off ${off.makespanMs} ms, on ${on.makespanMs} ms (ratio ${(on.makespanMs / off.makespanMs).toFixed(2)}); ideal on 4 slots ${ideal} ms; the idle worker stole ${on.idle.hb.steals}`,
    );
    t.true(on.makespanMs < 0.75 * off.makespanMs, `steal on ${on.makespanMs} ms vs off ${off.makespanMs} ms`);
  },
);

// Regression (was a bug in packages/worker/src/queue-runner.ts, QueueRunner#claim/#block; the
// decision is now afterClaim in packages/worker/src/queue/round-planner.ts): after a claim that stole
// tasks for all its free slots, the runner claims again with no free slot (so no steal), finds
// the queue empty and blocks on the wake list for min(idleBlockMs, 1000) ms. When its stolen tasks
// finish, pool.release → pump finds the runner #blocked and does nothing; it steals again only
// when the block times out. So an idle stealer takes `slots` tasks per second at most, however
// short the tasks. Heavy tail here: the holder's 2 slots are busy with two 4 s tasks, its window
// holds 20 tasks of 200 ms. A stealer that steals as its slots free up runs (nearly) all 20 before
// the long ones end; this one runs about 2 a second (6-8).
test.serial(
  'stealing: the idle worker steals again as soon as its slots free up (default settings)',
  async (t) => {
    const specs: TaskSpec[] = [
      // First in the holder's claim, so that they take its slots: the batch comes due at once,
      // and within one priority the due tasks are queued in no particular order.
      ...Array.from({ length: SLOTS }, () => ({ type: 'sleep', payload: { ms: 4000 }, priority: 10 })),
      ...Array.from({ length: PREFETCH }, () => ({ type: 'sleep', payload: { ms: 200 } })),
    ];
    const p = await startPair(t, true, specs, {});
    const r = await finish(t, p);
    const long = r.tasks.slice(0, SLOTS);
    const short = r.tasks.slice(SLOTS);
    const longEnd = Math.min(...long.map((x) => x.finishedAt!));
    const stolenBeforeLongEnd = short.filter(
      (x) => x.worker === p.idle.id && x.finishedAt! <= longEnd,
    ).length;
    // Gaps between the idle worker finishing its stolen tasks and starting the next ones.
    const starts = [...new Set(short.filter((x) => x.worker === p.idle.id).map((x) => x.startedAt!))].sort(
      (a, b) => a - b,
    );
    const gaps = starts
      .slice(1)
      .map(
        (s) =>
          s -
          Math.max(
            ...short.filter((x) => x.worker === p.idle.id && x.startedAt! < s).map((x) => x.finishedAt!),
          ),
      );
    t.log(
      `the idle worker ran ${stolenBeforeLongEnd} of ${PREFETCH} short tasks while the long ones ran (steals ${r.idle.hb.steals}); idle gaps between its steals: ${gaps.join(', ')} ms; makespan ${r.makespanMs} ms`,
    );
    t.true(
      stolenBeforeLongEnd >= 14,
      `the idle worker ran only ${stolenBeforeLongEnd} of the short tasks in ~4 s`,
    );
  },
);
