/**
 * Redis may refuse a command for a while without the connection dropping:
 * OOM (maxmemory reached), BUSY (another client's script runs past
 * busy-reply-threshold), MISCONF (it cannot write its AOF or RDB). A worker
 * that meets one when it reports an outcome must try again, as it does for a
 * lost connection, and not drop the outcome.
 */
import { uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { scope } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

// BUG (packages/core/src/scripts/registry.ts runScript + packages/worker/src/reporter.ts
// Reporter#retrying): runScript turns every Redis error whose message matches /ERR|WRONGTYPE|script/i
// into DtpsError('script_error'); Redis's transient refusals match it ("OOM command not allowed
// when used memory > 'maxmemory'. script: …", "BUSY Redis is busy running a script…", "MISCONF
// Errors writing to the AOF file…"). Reporter#retrying gives up on any DtpsError ("could not
// report task outcomes") and drops the batch: the handlers' results are lost, the tasks stay
// `running` under a live worker that has forgotten them, until its 60 s reconcile fails them as
// `worker_lost` and they run again. Suggested fix: retry on those refusals (map OOM/BUSY/MISCONF/
// LOADING/READONLY to a retryable error in runScript, or let the Reporter retry script_error whose
// cause is one of them); only a real script bug should be permanent. Remove `.failing` once fixed.
test.serial('a completion refused for a moment (OOM) is sent again, not dropped', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const admin = redis.server.client();
  t.teardown(async () => {
    await admin.config('SET', 'maxmemory', '0');
    admin.disconnect();
  });
  const w = await startWorker({
    redisUrl: redis.server.url,
    prefix: s.prefix,
    id: 'w-oom',
    args: ['--workers', '2', '--min', '2', '--max', '2'],
    env: { DTPS_WORKER_HEARTBEAT_MS: '200' },
  });
  workers.push(w);
  const ids = (
    await s.client.submitMany(Array.from({ length: 2 }, () => ({ type: 'sleep', payload: { ms: 1500 } })))
  ).map((r) => r.id);
  await waitForValue(
    () => s.counts(),
    (c) => c.running === 2,
    { timeoutMs: 20_000, what: 'both tasks to run', details: () => w.tail() },
  );

  // Redis refuses writes while the two attempts end; then it takes them again.
  await admin.config('SET', 'maxmemory', '1');
  const refusal = await w.waitForLog(
    (l) => l.msg === 'could not report task outcomes' || /did not take the report/.test(l.msg),
    20_000,
  );
  await admin.config('SET', 'maxmemory', '0');
  t.log(`the worker: ${refusal.msg} (${JSON.stringify(refusal.err ?? '')})`);

  const done = await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === 2,
    {
      timeoutMs: 15_000,
      what: 'both tasks to succeed once Redis takes writes again',
      details: () => w.tail(),
    },
  ).catch((err: Error) => err);
  const tasks = await s.tasks(ids);
  t.log(`states: ${tasks.map((x) => `${x.state}/${x.attempts}`).join(', ')}`);
  t.false(
    done instanceof Error,
    'the completions were dropped: the tasks are still running under the worker',
  );
  t.deepEqual(
    tasks.map((x) => [x.state, x.attempts]),
    [
      ['succeeded', 1],
      ['succeeded', 1],
    ],
  );
  t.is(w.logsWith('could not report task outcomes').length, 0, 'no outcome given up');
});
