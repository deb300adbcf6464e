/**
 * Issue 16 point 7, for the coordinator: with its Redis gone, SIGTERM still
 * ends it promptly (its close is bounded to 5 s whatever Redis does; a lease
 * it could not hand over lapses by itself). Before the fix it waited for
 * Redis for ever.
 */
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, stopAll } from './daemon.js';

/** The coordinator's close bound (5 s) and a loaded machine's slack. */
const WITHIN_MS = 8000;

const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test.serial('SIGTERM while Redis is gone: the coordinator exits within its close bound', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  const c = await spawnCoordinator({ redisUrl: server.url, prefix: uniquePrefix(), id: 'c-gone' });
  daemons.push(c);
  await c.waitForLog((l) => l.msg === 'leading');
  await server.kill9();
  // Let its units meet the outage (a tick in flight that will never be answered).
  await new Promise((r) => setTimeout(r, 1000));
  const signalledAt = performance.now();
  c.signal('SIGTERM');
  const exit = await c.waitForExit(WITHIN_MS).catch((err: Error) => err);
  t.log(`exited ${Math.round(performance.now() - signalledAt)} ms after SIGTERM`);
  t.false(exit instanceof Error, `still running ${WITHIN_MS} ms after SIGTERM\n${c.tail()}`);
  t.deepEqual(exit, { code: 0, signal: null }, c.tail());
});
