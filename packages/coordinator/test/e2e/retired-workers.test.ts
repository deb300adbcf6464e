/**
 * The coordinator's cost per cycle follows the workers of a queue: its
 * roll-up counts reserved and running tasks with two ZCARDs per member of
 * `{prefix:queue}:workers` (countTasks), once a tick. That set must
 * therefore hold the workers that hold tasks, not every worker that ever did.
 */
import { uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, scope } from './fixture.js';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/**
 * A worker that shuts down cleanly (SIGTERM: window handed back, running
 * tasks finished, registry entry removed) leaves `{prefix:queue}:workers`
 * too (and the janitor prunes any that left the registry holding nothing), so
 * restarts with fresh ids (the default id is host-pid-random) do not make each
 * roll-up tick, `countTasks` and stealing claim dearer for ever.
 */
test('a worker that stopped cleanly leaves the queue worker set', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
  const coordinator = await spawnCoordinator({
    ...common,
    id: 'coord',
    env: { ...EVENTS_ENV, DTPS_COORDINATOR_JANITOR_INTERVAL_MS: '200' },
  });
  daemons.push(coordinator);
  await coordinator.waitForLog('leading');
  const worker = await spawnWorker({ ...common, id: 'retiring', slots: 2 });
  daemons.push(worker);
  const [task] = await s.client.submitMany([{ type: 'record', payload: { ms: 10 } }]);
  await s.client.wait(task!.id, { timeoutMs: 30_000 });
  const members = s.client.ctx.keys('default').workers;
  t.true(await s.redis.sismember(members, 'retiring').then((n) => n === 1), 'it held tasks here');

  worker.signal('SIGTERM');
  t.deepEqual(await worker.waitForExit(30_000), { code: 0, signal: null });
  await waitFor(async () => (await s.inspector.workers()).length === 0, {
    what: 'the registry to forget it',
  });
  // Heartbeat timeout (1.5 s) and many sweeps and janitor passes later, it is still a member.
  await waitForValue(
    () => s.redis.smembers(members),
    (m) => !m.includes('retiring'),
    { timeoutMs: 8000, what: 'the retired worker to leave the queue worker set' },
  );
  t.pass();
});
