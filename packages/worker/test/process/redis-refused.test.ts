/**
 * Issue 16 point 6: a worker whose Redis user may not write its registry
 * keys died with "EXECABORT Transaction discarded because of previous
 * errors", which names neither the refusal nor the key. It must say NOPERM,
 * on which command and key, and what to do, and exit 4 (Redis refused), not
 * 1 or 2.
 */
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

test('a user who may not write the worker registry: the worker exits 4 naming NOPERM and the key', async (t) => {
  const prefix = uniquePrefix();
  const admin = redis.server.client();
  t.teardown(() => admin.disconnect());
  // The queue's keys ({prefix:default}:…) but not the fleet's ({prefix}:…): the heartbeat's MULTI is refused.
  await admin.acl('SETUSER', 'queues-only', 'on', '>pw', `~{${prefix}:*`, '&*', '+@all');
  const w = await startWorker({
    redisUrl: redis.server.url.replace('redis://', 'redis://queues-only:pw@'),
    prefix,
    id: 'w-noperm',
    waitStarted: false,
  });
  workers.push(w);
  const exit = await w.waitForExit(30_000);
  const said = w.rawLines.join('\n');
  t.log(said);
  t.deepEqual(exit, { code: 4, signal: null }, w.tail());
  t.regex(said, /^dtps-worker: Redis refused the command \(SET \{[^}]+\}:worker:w-noperm\) with NOPERM/m);
  t.regex(said, /may not use this key, channel or command/);
  t.notRegex(said, /EXECABORT/);
});
