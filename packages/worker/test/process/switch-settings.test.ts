/**
 * An on/off setting of the daemon that its flag does not give comes from
 * the environment (and the config file): `DTPS_WORKER_STEAL=true
 * dtps-worker` steals. (The absent `--steal` switch used to read as false,
 * and flags override the environment.)
 */
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

/** The `steal` field of the daemon's start line, started with these flags and variables. */
async function stealAtStart(args: string[], env: Record<string, string>): Promise<unknown> {
  const w = await startWorker({
    redisUrl: redis.server.url,
    prefix: uniquePrefix(),
    id: 'w-steal',
    args,
    env,
  });
  workers.push(w);
  return w.logsWith('worker started')[0]?.steal;
}

test('DTPS_WORKER_STEAL=true turns stealing on without the --steal flag', async (t) => {
  t.is(await stealAtStart([], { DTPS_WORKER_STEAL: 'true' }), true);
});

test('without the flag or the variable stealing stays off', async (t) => {
  t.is(await stealAtStart([], {}), false);
});
