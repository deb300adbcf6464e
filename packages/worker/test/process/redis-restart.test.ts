/**
 * Redis killed (-9) in the middle of a workload and restarted from its AOF
 * (fsync always) 5 s later (the acceptance), and 30 s later (the
 * outage a worker promises to ride out): the worker process carries on by
 * itself, and every task ends `succeeded`, each completion accepted once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, createRedis, type SubmitResult, type TaskSpec } from '@dtps/core';
import { RedisServer, uniquePrefix, waitFor, waitForValue } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { scope, total, totals } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const TASKS = 500;
const CHUNK = 25;
const OUTAGE_MS = 5000;
const LONG_OUTAGE_MS = 30_000;

let server: RedisServer;
const workers: WorkerProcess[] = [];
test.before(async () => {
  server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
});
test.after.always(async () => {
  await stopAll(workers);
  await server?.stop();
});

async function rideOutOutage(t: ExecutionContext, outageMs: number, workerId: string): Promise<void> {
  const s = scope(server, uniquePrefix());
  t.teardown(() => s.close());
  const w = await startWorker({
    redisUrl: server.url,
    prefix: s.prefix,
    id: workerId,
    env: { DTPS_WORKER_HEARTBEAT_MS: '200' },
  });
  workers.push(w);

  // The producer: its own connection that waits out the outage; a chunk that fails is sent
  // again, and idempotency keys make a chunk applied before a lost reply harmless.
  const producerRedis = createRedis(server.url, { maxRetriesPerRequest: null, name: 'producer' });
  producerRedis.on('error', () => {});
  const producer = new Client({ redis: producerRedis, prefix: s.prefix });
  t.teardown(async () => {
    await producer.close();
    producerRedis.disconnect();
  });
  let submitErrors = 0;
  const submitted: SubmitResult[] = [];
  const produce = (async () => {
    for (let c = 0; c < TASKS / CHUNK; c++) {
      const specs: TaskSpec[] = Array.from({ length: CHUNK }, (_, i) => ({
        type: 'sleep',
        payload: { ms: 20 },
        idempotencyKey: `job-${c}-${i}`,
      }));
      for (;;) {
        try {
          submitted.push(...(await producer.submitMany(specs)));
          break;
        } catch {
          submitErrors++;
          await sleep(200);
        }
      }
      await sleep(100);
    }
  })();

  // Mid-workload: some done, more to submit.
  await waitForValue(
    () => s.counts().catch(() => undefined),
    (c) => c !== undefined && c.succeeded >= 150,
    { timeoutMs: 30_000, what: '150 tasks to succeed before the outage', details: () => w.tail() },
  );
  await server.kill9();
  const killedAt = Date.now();
  t.log(`Redis killed with ${submitted.length} tasks submitted`);
  await sleep(outageMs); // the outage itself, on purpose
  t.true(w.alive, 'the worker survives the outage');
  await server.restart();
  const restartedAt = Date.now();
  const processedAtRestart = await waitForValue(
    () => s.heartbeat(workerId).catch(() => undefined),
    (h) => h !== undefined && h.lastHeartbeatAt >= restartedAt,
    { timeoutMs: 20_000, what: 'a heartbeat after the restart', details: () => w.tail() },
  ).then((h) => h!.processed);

  await produce;
  const ids = [...new Set(submitted.map((r) => r.id))];
  t.is(ids.length, TASKS, 'the producer has 500 distinct tasks');
  // Generous: a stray task left by a lost reply can wait for the worker's 60 s reconcile loop
  // (reconcile.test.ts shows why); the log line below tells how long recovery took.
  const counts = await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === TASKS,
    {
      timeoutMs: 90_000,
      what: `all ${TASKS} tasks to succeed after the restart`,
      details: () => w.tail(40),
    },
  );
  t.is(total(counts), TASKS, 'nothing lost, nothing doubled');
  const tasks = await s.tasks(ids);
  t.true(
    tasks.every((x) => x.state === 'succeeded' && x.attempts >= 1),
    'every task succeeded, after at least one attempt',
  );
  const sums = await totals(s.client.ctx);
  t.is(sums.submitted, TASKS, 'each task written once');
  t.is(sums.succeeded, TASKS, 'each completion accepted once');

  // The worker carried on by itself: alive, and it served tasks after the restart.
  t.true(w.alive, 'the worker is still running');
  const servedAfter = tasks.filter((x) => x.worker === workerId && (x.finishedAt ?? 0) >= restartedAt).length;
  t.true(servedAfter > 0, 'it finished tasks after the restart');
  const hb = await s.heartbeat(workerId);
  t.true(hb!.processed > processedAtRestart, 'its processed count grew after the restart');

  const retried = tasks.filter((x) => x.attempts > 1);
  const lastFinish = Math.max(...tasks.map((x) => x.finishedAt ?? 0));
  t.log(
    `outage ${restartedAt - killedAt} ms; ${servedAfter} tasks finished after the restart; all done ${lastFinish - restartedAt} ms after it; ` +
      `${retried.length} needed another attempt (${[...new Set(retried.map((x) => x.errors.at(-1)?.reason))].join(', ') || '-'}); ` +
      `fenced reports ${sums.fenced ?? 0}; producer retries ${submitErrors}; reconcile lines: ${w.logs.filter((l) => /reconcil/.test(l.msg)).length}`,
  );
  w.signal('SIGTERM');
  t.is((await w.waitForExit()).code, 0);
}

test.serial(
  'Redis killed and restarted (AOF) 5 s later mid-workload: every task succeeds once, the worker carries on',
  (t) => rideOutOutage(t, OUTAGE_MS, 'w-outage'),
);

test.serial(
  'a 30 s Redis outage mid-workload: the worker rides it out and every task still succeeds once',
  (t) => rideOutOutage(t, LONG_OUTAGE_MS, 'w-long-outage'),
);

test.serial('during a Redis outage, --log-format json output stays JSON lines', async (t) => {
  const w = await startWorker({ redisUrl: server.url, prefix: uniquePrefix(), id: 'w-logs' });
  workers.push(w);
  // Idle: blocked on its wake list, so the blocking connection is the one that reconnects.
  const probe = server.client();
  await waitFor(
    async () => /name=dtps-worker .*cmd=blpop/.test((await probe.call('CLIENT', 'LIST')) as string),
    {
      timeoutMs: 10_000,
      what: 'the worker to block on its wake list',
    },
  );
  probe.disconnect();
  await server.kill9();
  await w.waitForLog(
    (l) => l.msg === 'Redis connection trouble; retrying' && /ECONNREFUSED/.test(String(l.err)),
    10_000,
  );
  await sleep(OUTAGE_MS); // the outage itself, on purpose (the stray lines show after a few seconds)
  t.true(w.alive);
  await server.restart();
  await w.waitForLog('Redis is back; reconciling', 20_000);
  w.signal('SIGTERM');
  t.is((await w.waitForExit()).code, 0, w.tail(40));
  t.log(
    `${w.logsWith('Redis connection trouble; retrying').length} reconnect warnings, ${w.rawLines.length} non-JSON lines`,
  );
  t.deepEqual(w.rawLines, [], 'every stderr line is a JSON log line');
});
