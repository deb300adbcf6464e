/**
 * Issue 16 point 7: a worker whose Redis is gone must still stop on SIGTERM
 * within its grace period (a service manager's stop during a Redis outage
 * must not hang until SIGKILL). What it could not hand back stays in Redis
 * for the coordinator to recover, as after a kill -9. Before the fix it
 * waited for Redis for ever.
 */
import { RedisServer, uniquePrefix, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { scope } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const GRACE_MS = 2000;
/** What the shutdown may take beyond the grace: reporting (1 s) and a loaded machine's slack. */
const MARGIN_MS = 3000;

const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

test.serial('SIGTERM while Redis is gone: the worker exits within its grace period', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  const s = scope(server, uniquePrefix());
  const w = await startWorker({
    redisUrl: server.url,
    prefix: s.prefix,
    id: 'w-gone',
    args: ['--workers', '4', '--min', '4', '--max', '4', '--prefetch', '8', '--grace', String(GRACE_MS)],
  });
  workers.push(w);
  // Some running (longer than the grace), some reserved: both need Redis to be handed back.
  await s.client.submitMany(Array.from({ length: 20 }, () => ({ type: 'sleep', payload: { ms: 10_000 } })));
  await waitForValue(
    () => s.counts(),
    (c) => c.running === 4 && c.reserved > 0,
    { timeoutMs: 20_000, what: 'tasks running and reserved', details: () => w.tail() },
  );
  await s.close();

  await server.kill9();
  const signalledAt = performance.now();
  w.signal('SIGTERM');
  const exit = await w.waitForExit(GRACE_MS + MARGIN_MS).catch((err: Error) => err);
  const tookMs = performance.now() - signalledAt;
  t.log(`exited ${Math.round(tookMs)} ms after SIGTERM (grace ${GRACE_MS} ms)`);
  t.false(exit instanceof Error, `still running ${GRACE_MS + MARGIN_MS} ms after SIGTERM\n${w.tail()}`);
  t.deepEqual(exit, { code: 0, signal: null }, w.tail());
  t.true(
    w.logsWith('grace period over; aborting running tasks').length === 1,
    'the running tasks were aborted at the end of the grace',
  );
});
