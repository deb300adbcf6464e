/**
 * kill -9 a worker process in the middle of its tasks, then recover it with
 * the core's `recoverWorker` (the coordinator will do this by itself): every
 * task ends `succeeded` exactly once, and only the tasks that were running on
 * the killed worker ran twice.
 */
import { recoverWorker } from '@dtps/core';
import {
  parseRecords,
  recordKey,
  uniquePrefix,
  useRedisServer,
  waitFor,
  waitForValue,
} from '@dtps/core/testing';
import test from 'ava';
import { scope, total, totals } from './fixture.js';
import { RECORDING_HANDLERS, startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const TASKS = 300;

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

test('a worker killed with -9 mid-task: after recoverWorker, all tasks succeed once, only its running ones ran again', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const common = {
    redisUrl: redis.server.url,
    prefix: s.prefix,
    args: ['--handlers', RECORDING_HANDLERS, '--workers', '8', '--min', '8', '--max', '8'],
    env: { DTPS_WORKER_HEARTBEAT_MS: '200' },
  };
  const [victim, survivor] = await Promise.all([
    startWorker({ ...common, id: 'victim' }),
    startWorker({ ...common, id: 'survivor' }),
  ]);
  workers.push(victim, survivor);

  const specs = Array.from({ length: TASKS }, (_, i) => ({
    type: 'record',
    payload: { ms: 100 + ((i * 37) % 201) },
  }));
  const ids = (await s.client.submitMany(specs)).map((r) => r.id);
  t.is(new Set(ids).size, TASKS);

  // Kill it mid-workload (some tasks done) while it runs tasks: its heartbeat says busy,
  // and Redis holds running tasks of it.
  const k = s.client.ctx.keys('default');
  await waitFor(
    async () =>
      (await s.counts()).succeeded >= 30 &&
      ((await s.heartbeat('victim'))?.busy ?? 0) > 0 &&
      (await s.client.ctx.redis.zcard(k.running('victim'))) > 0,
    { timeoutMs: 30_000, what: 'the victim to be busy', details: () => victim.tail() },
  );
  await victim.kill9();
  const finishedBeforeKill = (await s.counts()).succeeded;

  // What it held when it died, as Redis has it: nothing can change that now but recovery.
  const runningFlat = await s.client.ctx.redis.zrange(k.running('victim'), '0', '-1', 'WITHSCORES');
  const runningAtKill = new Map<string, number>();
  for (let i = 0; i < runningFlat.length; i += 2)
    runningAtKill.set(runningFlat[i]!, Number(runningFlat[i + 1]));
  const windowAtKill = await s.client.ctx.redis.zrange(k.window('victim'), '0', '-1');
  t.true(runningAtKill.size > 0, 'the victim had tasks running when it was killed');
  t.log(
    `killed the victim with ${runningAtKill.size} running, ${windowAtKill.length} reserved; ${finishedBeforeKill}/${TASKS} had succeeded`,
  );

  const recovered = await recoverWorker(s.client.ctx, 'victim');
  t.deepEqual(recovered, { requeued: windowAtKill.length, recovered: runningAtKill.size });

  const counts = await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === TASKS,
    { timeoutMs: 90_000, what: `all ${TASKS} tasks to succeed`, details: () => survivor.tail() },
  );
  t.is(total(counts), TASKS, 'nothing lost, nothing added');
  t.true(survivor.alive, 'the survivor still runs');

  // Each task: succeeded; attempt 1, except those running on the victim at the kill (one more).
  const tasks = await s.tasks(ids);
  for (const task of tasks) {
    t.is(task.state, 'succeeded', `task ${task.id}`);
    const killedAttempt = runningAtKill.get(task.id);
    if (killedAttempt !== undefined) {
      t.is(task.attempts, killedAttempt + 1, `task ${task.id} ran again after the victim was lost`);
      t.is(task.worker, 'survivor');
      t.is(task.errors.at(-1)?.reason, 'worker_lost');
    } else {
      t.is(task.attempts, 1, `task ${task.id} (not running on the victim) ran once`);
    }
  }
  const sums = await totals(s.client.ctx);
  t.is(sums.succeeded, TASKS, 'one accepted completion per task');
  t.is(sums.fenced ?? 0, 0, 'no report was refused');

  // The recording: each task finished exactly once in the attempt its final state names;
  // repeated starts, and any other finish, only for tasks that were running on the victim.
  const records = parseRecords(await s.client.ctx.redis.lrange(recordKey(s.prefix), 0, -1));
  const byTask = new Map<string, typeof records>();
  for (const r of records) byTask.set(r.id, [...(byTask.get(r.id) ?? []), r]);
  let repeated = 0;
  for (const task of tasks) {
    const rs = byTask.get(task.id) ?? [];
    const starts = rs.filter((r) => r.event === 'start');
    const finishes = rs.filter((r) => r.event === 'finish');
    const final = finishes.filter((r) => r.attempt === task.attempts && r.worker === task.worker);
    t.is(final.length, 1, `task ${task.id}: one finish for its final attempt`);
    t.is(
      starts.filter((r) => r.attempt === task.attempts && r.worker === task.worker).length,
      1,
      `task ${task.id}: one start of its final attempt`,
    );
    if (starts.length > 1 || finishes.length > 1) {
      repeated++;
      t.true(
        runningAtKill.has(task.id),
        `task ${task.id} started ${starts.length}× but was not running on the victim`,
      );
      for (const r of rs.filter((r) => r.attempt !== task.attempts)) t.is(r.worker, 'victim');
    }
  }
  t.log(
    `${repeated} tasks started twice (all were running on the victim); ${runningAtKill.size} were recovered`,
  );
  t.true(repeated <= runningAtKill.size);
});
