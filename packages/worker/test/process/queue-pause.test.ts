/**
 * Queue pause through a real worker process (issue 19's "queue pause /
 * resume"): once the pause is acknowledged no task of the queue starts (the
 * event stream has no `running` entry after it), running tasks finish, a
 * submit during the pause is accepted, and after resume the queue drains.
 */
import { RedisServer, uniquePrefix, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { scope } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

test.serial('pause mid-run: nothing starts after the pause is acknowledged; resume drains it', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  const s = scope(server, uniquePrefix());
  t.teardown(() => s.close());
  const w = await startWorker({
    redisUrl: server.url,
    prefix: s.prefix,
    id: 'w-pause',
    args: ['--workers', '4', '--min', '4', '--max', '4', '--prefetch', '8'],
  });
  workers.push(w);
  const tasks = Array.from({ length: 60 }, () => ({ type: 'sleep', payload: { ms: 150 } }));
  await s.client.submitMany(tasks);
  await waitForValue(
    () => s.counts(),
    (c) => c.succeeded >= 8 && c.running > 0,
    { timeoutMs: 20_000, what: 'the queue half way', details: () => w.tail() },
  );

  const redis = s.client.ctx.redis;
  const events = s.client.ctx.keys('default').events;
  const paused = await s.client.pauseQueue('default');
  const [newest] = await redis.xrevrange(events, '+', '-', 'COUNT', 1);
  const lastBefore = newest![0];
  t.true(paused.changed);
  // Running tasks finish; nothing else starts. A submit is accepted meanwhile.
  const during = await s.client.submit({ type: 'sleep', payload: { ms: 10 } });
  t.is(during.state, 'queued');
  const held = await waitForValue(
    () => s.counts(),
    (c) => c.running === 0 && c.reserved === 0,
    { timeoutMs: 20_000, what: 'the running tasks finished', details: () => w.tail() },
  );
  await new Promise((r) => setTimeout(r, 1500)); // a worker's rounds and waits go on meanwhile
  const after = await redis.xrange(events, `(${lastBefore}`, '+');
  const starts = after.filter(([, f]) => f[f.indexOf('s') + 1] === 'running');
  t.deepEqual(starts, [], 'no task started after the pause was acknowledged');
  t.like(await s.counts(), { succeeded: held.succeeded, running: 0, queued: 61 - held.succeeded });

  await s.client.resumeQueue('default');
  await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === 61,
    { timeoutMs: 30_000, what: 'the queue drained after resume', details: () => w.tail() },
  );
  t.pass();
});
