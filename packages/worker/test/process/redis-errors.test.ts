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

// Redis's passing refusals become a RedisRefusedError (core redis-errors.ts), which the
// Reporter retries with backoff (isTransientRedisError); only a refusal an operator must fix
// (NOPERM) or a bug ends the retries.
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
