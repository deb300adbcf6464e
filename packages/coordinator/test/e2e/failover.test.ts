/**
 * Issue 4, "Done when" 3: kill -9 the leader with a standby running: the
 * standby leads and recovery continues under it. A clean stop (SIGTERM)
 * hands the lease over at once. The strict bound, "within the lease time"
 * of the kill, does not hold when the leader dies right after renewing
 * (the standby only retries every third of the lease): the last test shows it.
 */
import { uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, type Scope, scope } from './fixture.js';

const HEARTBEAT_TIMEOUT_MS = 1500;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/** The lease key as stored: `<holder> <epoch>`. */
async function lease(s: Scope): Promise<{ holder: string; epoch: number } | null> {
  const raw = await s.redis.get(s.client.ctx.fleet.leader);
  if (!raw) return null;
  const [holder, epoch] = raw.split(' ');
  return { holder: holder!, epoch: Number(epoch) };
}

/** Polls the lease key every 5 ms until `holder` holds it; resolves with the time it was first seen, ms. */
async function waitForHolder(s: Scope, holder: string, timeoutMs: number): Promise<number> {
  await waitForValue(
    () => lease(s),
    (l) => l?.holder === holder,
    { timeoutMs, intervalMs: 5, what: `${holder} to hold the lease` },
  );
  return Date.now();
}

async function coordinator(s: Scope, id: string, leaseMs: number): Promise<Daemon> {
  const c = await spawnCoordinator({
    redisUrl: redis.server.url,
    prefix: s.prefix,
    id,
    leaseMs,
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    env: EVENTS_ENV,
  });
  daemons.push(c);
  return c;
}

test.serial(
  'kill -9 the leader: the standby takes over within the lease time and recovery continues',
  async (t) => {
    const LEASE_MS = 1500;
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const leader = await coordinator(s, 'c1', LEASE_MS);
    await leader.waitForLog('leading');
    const standby = await coordinator(s, 'c2', LEASE_MS);
    t.is(standby.logsWith('coordinator started')[0]?.leading, false, 'the second one stands by');
    const first = await lease(s);
    t.deepEqual(first?.holder, 'c1');

    // Two workers with tasks in flight when the leader goes.
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV, slots: 2 };
    const [doomed, survivor] = await Promise.all([
      spawnWorker({ ...common, id: 'doomed' }),
      spawnWorker({ ...common, id: 'survivor' }),
    ]);
    daemons.push(doomed, survivor);
    const ids = (
      await s.client.submitMany(
        Array.from({ length: 80 }, () => ({
          type: 'record',
          payload: { ms: 300 },
          backoff: { baseMs: 50, maxMs: 50 },
        })),
      )
    ).map((r) => r.id);
    await waitFor(async () => (await s.runningOf('doomed')).size > 0, { what: 'doomed to run tasks' });

    const killedAt = Date.now();
    await leader.kill9();
    const tookOverAt = await waitForHolder(s, 'c2', 4 * LEASE_MS);
    const takeoverMs = tookOverAt - killedAt;
    const now = await lease(s);
    t.is(now?.epoch, first!.epoch + 1, 'a new fencing epoch');
    const elected = await waitForValue(
      async () => (await s.fleetEvents()).filter((e) => e.kind === 'leader:elected'),
      (es) => es.some((e) => e.fields.id === 'c2'),
      { what: 'the leader:elected event of c2' },
    );
    t.deepEqual(
      elected.map((e) => [e.fields.id, Number(e.fields.epoch)]),
      [
        ['c1', first!.epoch],
        ['c2', first!.epoch + 1],
      ],
    );
    await standby.waitForLog('leading');
    // The lease lapses at most the lease time after the kill (it was renewed every third of it);
    // the standby retries the moment it lapses.
    t.true(
      takeoverMs <= LEASE_MS + 300,
      `the standby led ${takeoverMs} ms after the kill (lease ${LEASE_MS} ms)`,
    );

    // Recovery continues under the new leader: kill -9 a worker; c2 declares it dead, the survivor finishes.
    const workerKilledAt = Date.now();
    await doomed.kill9();
    const heldAtKill = await s.runningOf('doomed');
    const windowAtKill = await s.windowOf('doomed');
    t.true(heldAtKill.size > 0, 'the worker was running tasks when killed');
    const declared = await standby.waitForLog(
      (l) => l.msg === 'worker declared dead; its tasks were recovered' && l.worker === 'doomed',
      30_000,
    );
    t.is(declared.recovered, heldAtKill.size, 'the new leader recovered what the worker ran');
    await waitForValue(
      () => s.counts(),
      (c) => c.succeeded === ids.length,
      {
        timeoutMs: 60_000,
        what: 'every task to succeed',
        details: () => `${standby.tail()}\n${survivor.tail()}`,
      },
    );
    const tasks = await s.tasks(ids);
    for (const task of tasks) {
      t.is(task.state, 'succeeded');
      if (heldAtKill.has(task.id)) {
        t.is(task.worker, 'survivor');
        t.is(task.errors.at(-1)?.reason, 'worker_lost');
      }
    }
    const dead = (await s.fleetEvents()).filter((e) => e.kind === 'worker:dead');
    t.deepEqual(
      dead.map((e) => e.fields.id),
      ['doomed'],
    );
    t.is(Number(dead[0]!.fields.recovered), heldAtKill.size);
    t.is(Number(dead[0]!.fields.requeued), windowAtKill.length);
    t.is(leader.logsWith('worker declared dead; its tasks were recovered').length, 0);
    t.log(
      `standby led ${takeoverMs} ms after the leader's kill -9 (lease ${LEASE_MS} ms); ` +
        `then declared the killed worker dead ${dead[0]!.at - workerKilledAt} ms after its kill ` +
        `(${heldAtKill.size} running, ${windowAtKill.length} reserved recovered)`,
    );
  },
);

test.serial('SIGTERM on the leader hands the lease over at once', async (t) => {
  const LEASE_MS = 5000;
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const leader = await coordinator(s, 'c1', LEASE_MS);
  await leader.waitForLog('leading');
  const standby = await coordinator(s, 'c2', LEASE_MS);
  t.is((await lease(s))?.holder, 'c1');
  const first = (await lease(s))!.epoch;

  const stoppedAt = Date.now();
  leader.signal('SIGTERM');
  const tookOverAt = await waitForHolder(s, 'c2', 2 * LEASE_MS);
  const handoverMs = tookOverAt - stoppedAt;
  t.true(handoverMs < 1000, `the standby led ${handoverMs} ms after SIGTERM (lease ${LEASE_MS} ms)`);
  t.deepEqual(await leader.waitForExit(10_000), { code: 0, signal: null });
  t.true(leader.logsWith('lease handed over').length === 1);
  t.is((await lease(s))?.epoch, first + 1);
  await standby.waitForLog('leading');
  const elected = (await s.fleetEvents()).filter((e) => e.kind === 'leader:elected').map((e) => e.fields.id);
  t.deepEqual(elected, ['c1', 'c2']);
  t.log(`handed over ${handoverMs} ms after SIGTERM (lease ${LEASE_MS} ms)`);
});

/**
 * A standby that finds the lease held tries again the moment it lapses (the
 * lease script returns the time left), so even when the leader dies right
 * after a renewal the standby leads within the lease time. Shown by killing
 * the leader right after it renewed, three times over (each time with a new
 * standby, so a new phase).
 */
test.serial(
  'kill -9 the leader right after it renewed: the standby still leads within the lease time',
  async (t) => {
    const LEASE_MS = 1500;
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    let leader = await coordinator(s, 'r0', LEASE_MS);
    await leader.waitForLog('leading');
    const takeovers: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const standby = await coordinator(s, `r${round}`, LEASE_MS);
      // Wait for a renewal: the key's time to live jumps back to (nearly) the whole lease.
      await waitForValue(
        () => s.redis.pttl(s.client.ctx.fleet.leader),
        (ms) => ms >= LEASE_MS - 25,
        { timeoutMs: 10_000, intervalMs: 2, what: 'a renewal of the lease' },
      );
      const killedAt = Date.now();
      await leader.kill9();
      takeovers.push((await waitForHolder(s, standby.id, 4 * LEASE_MS)) - killedAt);
      leader = standby;
      await leader.waitForLog('leading');
    }
    t.log(`standby led ${takeovers.join(', ')} ms after the kill (lease ${LEASE_MS} ms)`);
    // The lease runs out LEASE_MS after the last renewal, which here is the moment of the kill; the
    // standby takes it within a few ms of that (its retry is timed to the lease's time left), plus
    // whatever a loaded machine adds to timers and process scheduling.
    for (const ms of takeovers) t.true(ms <= LEASE_MS + 300, `led ${ms} ms after the kill`);
  },
);
