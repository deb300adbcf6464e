/**
 * Issue 16, point 3, with a real worker: damaged task data in Redis (garbage
 * in a task hash, a missing hash whose id is still queued, a key of the wrong
 * type) neither crashes nor jams the worker. Each damaged task is quarantined
 * — it ends `failed` with reason `corrupt_task` and a message naming what was
 * damaged — and every other task runs as usual.
 */
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { embed, until } from './harness.js';

const redis = useRedisServer(test);

test('a worker quarantines damaged tasks (failed, corrupt_task) and runs the rest', async (t) => {
  const e = await embed(
    t,
    redis.server,
    { handlers: { echo: (p) => p }, pool: { size: 4, min: 4, max: 4 }, autoscale: { enabled: false } },
    false,
  );
  const ids = (
    await e.client.submitMany(Array.from({ length: 20 }, (_, i) => ({ type: 'echo', payload: i })))
  ).map((s) => s.id);
  const k = e.client.ctx.keys('default');
  const damaged: Record<string, RegExp> = {
    [ids[3]!]: /stored spec is corrupt/,
    [ids[7]!]: /its hash was missing/,
    [ids[11]!]: /its key held a string, not a hash/,
    [ids[15]!]: /stored payload is corrupt/,
    [ids[17]!]: /attempt count \(field a\) is not a whole number/,
  };
  await e.redis.hset(k.task(ids[3]!), 'd', '{"t":"echo"');
  await e.redis.del(k.task(ids[7]!));
  await e.redis.del(k.task(ids[11]!));
  await e.redis.set(k.task(ids[11]!), 'not a task');
  await e.redis.hset(k.task(ids[15]!), 'pl', 'undefined');
  await e.redis.hset(k.task(ids[17]!), 'a', 'nan');
  await e.worker.start();
  // The missing one exists again only once the worker's claim has quarantined it.
  await until('the missing task to be quarantined', () => e.client.get(ids[7]!).catch(() => null), 30_000);
  const tasks = await Promise.all(ids.map((id) => e.client.wait(id, { timeoutMs: 30_000 })));
  tasks.forEach((task, i) => {
    const says = damaged[task.id];
    if (says) {
      t.like(task, { state: 'failed', error: { reason: 'corrupt_task' } }, task.id);
      t.regex(task.error!.message, says, task.id);
      t.regex(task.error!.message, new RegExp(`task ${task.id}`));
    } else t.like(task, { state: 'succeeded', result: i }, task.id);
  });
  t.like(await e.client.counts(), { succeeded: 15, failed: 5, running: 0, queued: 0, reserved: 0 });
});
