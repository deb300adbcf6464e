/**
 * Graceful shutdown of a worker process (docs/design.md §5): on SIGTERM it stops
 * taking work, hands its unstarted window back at once, lets the running
 * tasks finish and exits 0; nothing is lost. A second signal forces it out
 * promptly, and what it was running stays recoverable.
 */
import { recoverWorker } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { scope, total } from './fixture.js';
import { RECORDING_HANDLERS, startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

test('SIGTERM with 10 running and 50 reserved: the 50 are queued again at once, the 10 finish, exit 0, nothing lost', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const w = await startWorker({
    redisUrl: redis.server.url,
    prefix: s.prefix,
    id: 'w-term',
    args: ['--workers', '10', '--min', '10', '--max', '10', '--prefetch', '50'],
  });
  workers.push(w);
  const ids = (
    await s.client.submitMany(Array.from({ length: 60 }, () => ({ type: 'sleep', payload: { ms: 1500 } })))
  ).map((r) => r.id);
  await waitForValue(
    () => s.counts(),
    (c) => c.running === 10 && c.reserved === 50,
    { timeoutMs: 20_000, what: '10 running and 50 reserved', details: () => w.tail() },
  );
  const k = s.client.ctx.keys('default');
  const running = await s.client.ctx.redis.zrange(k.running('w-term'), '0', '-1');

  const signalledAt = performance.now();
  w.signal('SIGTERM');
  // At once: the window is back in the queue, the 10 still run.
  const handedBack = await waitForValue(
    () => s.counts(),
    (c) => c.queued === 50 && c.reserved === 0,
    {
      timeoutMs: 1000,
      intervalMs: 10,
      what: 'the window to be queued again within 1 s',
      details: () => w.tail(),
    },
  );
  const handBackMs = performance.now() - signalledAt;
  t.is(handedBack.running, 10, 'the running tasks still run');
  t.is(total(handedBack), 60);
  t.is((await w.waitForLog('window handed back; waiting for running tasks', 5000)).handedBack, 50);

  const exit = await w.waitForExit(20_000);
  t.deepEqual(exit, { code: 0, signal: null }, w.tail());
  const after = await s.counts();
  t.is(after.succeeded, 10, 'the 10 finished');
  t.is(after.queued, 50, 'the 50 wait for another worker');
  t.is(total(after), 60, 'nothing lost');
  const tasks = await s.tasks(ids);
  for (const task of tasks) {
    if (running.includes(task.id)) t.deepEqual([task.state, task.attempts], ['succeeded', 1], task.id);
    else t.deepEqual([task.state, task.attempts], ['queued', 0], task.id);
  }
  t.is(await s.heartbeat('w-term'), undefined, 'it left the registry');
  t.log(
    `window handed back ${Math.round(handBackMs)} ms after SIGTERM; exited ${Math.round(w.exitedAt! - signalledAt)} ms after it`,
  );
});

test('a second SIGTERM forces a prompt non-zero exit; its running tasks stay recoverable', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const args = [
    '--handlers',
    RECORDING_HANDLERS,
    '--workers',
    '4',
    '--min',
    '4',
    '--max',
    '4',
    '--prefetch',
    '4',
  ];
  const w = await startWorker({ redisUrl: redis.server.url, prefix: s.prefix, id: 'w-force', args });
  workers.push(w);
  // Long on this worker, short on the next one.
  const payload = { ms: 60_000, slowOn: 'w-force', otherMs: 50 };
  const ids = (await s.client.submitMany(Array.from({ length: 8 }, () => ({ type: 'record', payload })))).map(
    (r) => r.id,
  );
  await waitForValue(
    () => s.counts(),
    (c) => c.running === 4 && c.reserved === 4,
    { timeoutMs: 20_000, what: '4 running and 4 reserved', details: () => w.tail() },
  );

  w.signal('SIGTERM');
  await w.waitForLog('window handed back; waiting for running tasks', 10_000);
  const secondAt = performance.now();
  w.signal('SIGTERM');
  const exit = await w.waitForExit(10_000);
  const forcedMs = performance.now() - secondAt;
  t.not(exit.code, 0, 'a forced stop is not a clean exit');
  t.is(exit.signal, null, 'it exits by itself, not killed');
  t.true(forcedMs < 5000, `exited ${Math.round(forcedMs)} ms after the second signal`);
  t.truthy(w.logsWith('stopping now').length, 'it said it stops now');

  // Whatever it did not report is still under its name; recovery puts it back.
  const before = await s.counts();
  const recovered = await recoverWorker(s.client.ctx, 'w-force');
  const after = await s.counts();
  t.log(`after the forced exit: ${JSON.stringify(before)}; recoverWorker: ${JSON.stringify(recovered)}`);
  t.is(total(before), 8);
  t.is(after.running + after.reserved, 0, 'nothing is left under the dead worker');
  t.is(after.queued + after.scheduled, 8, 'all 8 can run again');

  // And they do: another worker finishes all 8, nothing lost.
  const w2 = await startWorker({ redisUrl: redis.server.url, prefix: s.prefix, id: 'w-next', args });
  workers.push(w2);
  const done = await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === 8,
    { timeoutMs: 30_000, what: 'all 8 to succeed elsewhere', details: () => w2.tail() },
  );
  t.is(total(done), 8);
  const tasks = await s.tasks(ids);
  for (const task of tasks) t.is(task.worker, 'w-next');
  // The 4 it was running count one lost attempt each (reported at the forced stop, or by recovery).
  t.is(tasks.filter((x) => x.attempts === 2).length, 4);
  t.is(tasks.filter((x) => x.attempts === 1).length, 4);
  w2.signal('SIGTERM');
  t.is((await w2.waitForExit()).code, 0);
});
