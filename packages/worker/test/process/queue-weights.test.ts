/**
 * Several queues on one worker process: weighted (`--queue critical:6 --queue default:3
 * --queue low:1`) and strict order. Every queue is filled before the worker starts, with noop
 * tasks; the start order is read afterwards from the tasks' recorded start times (Redis's
 * clock, one per script call, so that tasks started by one call tie).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Task, TaskSpec } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Scope, scope } from './fixture.js';
import { startWorker, stopAll, WORKER_BIN, type WorkerProcess } from './spawn-worker.js';

const SLOTS = 10;

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

/** Fills the queues, starts one worker with `queueArgs`, waits until every task succeeded, stops it. */
async function run(
  t: ExecutionContext,
  tasksPerQueue: Record<string, number>,
  queueArgs: string[],
): Promise<Map<string, Task[]>> {
  const s: Scope = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const ids = new Map<string, string[]>();
  for (const [queue, n] of Object.entries(tasksPerQueue)) {
    const specs: TaskSpec[] = Array.from({ length: n }, () => ({ type: 'noop', queue }));
    ids.set(
      queue,
      (await s.client.submitMany(specs)).map((r) => r.id),
    );
  }
  const worker = await startWorker({
    redisUrl: redis.server.url,
    prefix: s.prefix,
    id: 'W1',
    args: ['--workers', `${SLOTS}`, '--min', `${SLOTS}`, '--max', `${SLOTS}`, ...queueArgs],
  });
  workers.push(worker);
  for (const [queue, n] of Object.entries(tasksPerQueue)) {
    await waitForValue(
      () => s.client.counts(queue),
      (c) => c.succeeded === n,
      { timeoutMs: 120_000, what: `every task of ${queue} to succeed`, details: () => worker.tail(10) },
    );
  }
  worker.signal('SIGTERM');
  t.deepEqual(await worker.waitForExit(), { code: 0, signal: null });
  const out = new Map<string, Task[]>();
  for (const [queue, list] of ids) {
    out.set(queue, await Promise.all(list.map((id) => s.client.get(id, { queue }))));
  }
  return out;
}

/** The queue of each start, in start order (ties in an order that favours no queue: by id). */
function startOrder(byQueue: Map<string, Task[]>): string[] {
  const starts: { queue: string; at: number; id: string }[] = [];
  for (const [queue, tasks] of byQueue) {
    for (const task of tasks) starts.push({ queue, at: task.startedAt!, id: task.id });
  }
  starts.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  return starts.map((x) => x.queue);
}

test('weighted queues 6:3:1, all backlogged: the first 3,000 starts split within ±10 % of 60/30/10', async (t) => {
  // Enough in each queue that none runs dry within the first 3,000 starts (60 % is 1,800).
  const tasks = { critical: 2200, default: 1200, low: 500 };
  const byQueue = await run(t, tasks, ['--queue', 'critical:6', '--queue', 'default:3', '--queue', 'low:1']);
  const first = startOrder(byQueue).slice(0, 3000);
  const share = (q: string) => first.filter((x) => x === q).length / first.length;
  const shares = { critical: share('critical'), default: share('default'), low: share('low') };
  t.log(
    `shares of the first 3,000 starts: ${Object.entries(shares)
      .map(([q, v]) => `${q} ${(v * 100).toFixed(1)} %`)
      .join(', ')}`,
  );
  for (const [q, want] of [
    ['critical', 0.6],
    ['default', 0.3],
    ['low', 0.1],
  ] as const) {
    const got = shares[q];
    t.true(got >= want * 0.9 && got <= want * 1.1, `${q}: ${got} is not within 10 % of ${want}`);
  }
});

test('strict order: low starts nothing while critical has work', async (t) => {
  const byQueue = await run(t, { critical: 600, low: 300 }, ['--queue', 'critical', '--queue', 'low']);
  const lastCritical = Math.max(...byQueue.get('critical')!.map((x) => x.startedAt!));
  const firstLow = Math.min(...byQueue.get('low')!.map((x) => x.startedAt!));
  t.log(`critical's last start ${lastCritical}, low's first ${firstLow}`);
  t.true(firstLow >= lastCritical, 'a low task started before the last critical one');
});

test('a queue list with weights on some queues only is refused at start, naming worker.queues', async (t) => {
  const err = await t.throwsAsync(
    promisify(execFile)(process.execPath, [WORKER_BIN, '--queue', 'a:2', '--queue', 'b'], {
      env: { ...process.env, DTPS_REDIS_URL: redis.server.url, DTPS_PREFIX: uniquePrefix() },
    }),
  );
  const { code, stderr } = err as unknown as { code: number; stderr: string };
  t.is(code, 2);
  t.regex(stderr, /worker\.queues \(from flag --queue\): give every queue a weight or none/);
});
