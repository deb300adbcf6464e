/**
 * Issue 16, durability: a master, a replica and three sentinels; a worker
 * process, a coordinator process and a producing Client all reach Redis
 * through the sentinels. Mid-workload the master is killed with SIGKILL; the
 * sentinels promote the replica and everything follows by itself. The old
 * master comes back (empty, no persistence) as the new master's replica, as an
 * operator must bring back a node without persistence.
 *
 * Just before the kill the replica is made to fall behind (stopped, its link
 * dropped), as an asynchronous replica may. With `durability: replicated`
 * every submit the Client saw acknowledged survives the failover and ends
 * `succeeded` (what the replica did not confirm was refused, not_replicated).
 * With `local` the same run loses what the master acknowledged meanwhile
 * (see docs/durability.md). No process takes the failover for a data loss
 * (the origin marker was replicated).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, createRedis, DATA_LOSS_MESSAGE, type DurabilityOptions, type Task } from '@dtps/core';
import { DaemonProcess, RedisSentinelSetup, uniquePrefix, waitFor } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Daemon, spawnCoordinator, stopAll, WORKER_BIN } from './daemon.js';

const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/** Acknowledged submits before the kill, and after it. */
const BEFORE = 300;
const AFTER = 200;
const BATCH = 10;
/** How long the replica is behind before the master dies (under the sentinels' 1 s down-after). */
const BEHIND_MS = 500;

interface Outcome {
  acked: string[];
  /** Acknowledged tasks that are not there after the failover. */
  missing: string[];
  /** Submits acknowledged while the replica was behind. */
  ackedBehind: number;
  /** Acknowledged tasks that did not end succeeded (once the rest has). */
  notSucceeded: Task[];
  refusals: Map<string, number>;
  daemons: Daemon[];
}

async function failoverRun(t: ExecutionContext, mode: DurabilityOptions['mode']): Promise<Outcome> {
  const setup = await RedisSentinelSetup.start({ sentinels: 3 });
  t.teardown(() => setup.stop());
  const prefix = uniquePrefix();
  const env = { DTPS_DURABILITY: mode, DTPS_DURABILITY_TIMEOUT_MS: '500' };
  const [coordinator, worker] = await Promise.all([
    spawnCoordinator({ redisUrl: setup.url, prefix, id: 'coord', env }),
    DaemonProcess.spawn(
      { name: 'worker', bin: WORKER_BIN, idEnv: 'DTPS_WORKER_ID', startedMsg: 'worker started' },
      { redisUrl: setup.url, prefix, id: 'w1', env },
    ),
  ]);
  daemons.push(coordinator, worker);

  const redis = createRedis(setup.url, { name: 'test-producer' });
  redis.on('error', () => undefined);
  const client = new Client({ redis, prefix, durability: { mode, replicas: 1, timeoutMs: 500 } });
  t.teardown(async () => {
    await client.close();
    redis.disconnect();
  });

  const acked: string[] = [];
  const refusals = new Map<string, number>();
  /** What the producer is doing, for the log if the run stalls: the call in flight since, the last refusal. */
  const producerState = { callSince: 0, lastRefusal: '' };
  let producing = true;
  // A run that fails midway must not leave the producer looping on a closed client (the test
  // process would never exit): the teardowns run last-registered first, so this one goes first.
  t.teardown(() => {
    producing = false;
  });
  const producer = (async () => {
    while (producing) {
      const specs = Array.from({ length: BATCH }, () => ({ type: 'sleep', payload: { ms: 1 } }));
      producerState.callSince = Date.now();
      try {
        const results = await client.submitMany(specs);
        producerState.callSince = 0;
        for (const r of results) acked.push(r.id);
        // A steady pace (~500 tasks/s at most), so that the run's size does not depend on the machine.
        await sleep(20);
      } catch (err) {
        // Not acknowledged: whether it exists or not, nothing was promised.
        producerState.callSince = 0;
        const code = (err as { code?: string }).code ?? (err as Error).name;
        refusals.set(code, (refusals.get(code) ?? 0) + 1);
        producerState.lastRefusal = `${new Date().toISOString()} ${code}: ${(err as Error).message.slice(0, 200)}`;
        await sleep(50);
      }
    }
  })();

  await waitFor(() => acked.length >= BEFORE, { timeoutMs: 20_000, what: `${BEFORE} acknowledged submits` });
  // The replica falls behind, as an asynchronous replica may at any time: it is stopped and
  // the master drops its link, so what the master takes now reaches no replica. Then the
  // master dies and the replica, resumed, is promoted without those writes.
  const replicaPid = Number(/process_id:(\d+)/.exec(await setup.replica.client().info('server'))?.[1]);
  process.kill(replicaPid, 'SIGSTOP');
  const atCut = acked.length;
  try {
    await setup.master.client().call('CLIENT', 'KILL', 'TYPE', 'replica');
    await sleep(BEHIND_MS);
    await setup.master.kill9();
  } finally {
    process.kill(replicaPid, 'SIGCONT');
  }
  const atKill = acked.length;
  await waitFor(async () => (await setup.currentMasterPort()) === setup.replica.port, {
    timeoutMs: 20_000,
    what: 'the sentinels to promote the replica',
  });
  // The old master comes back (empty: it had no persistence) as the new master's replica, so
  // that `replicated` submits have a replica to confirm them again. It must not come back as
  // a master: until the sentinels demote it, clients may still be sent to it, and a second
  // failover (a sentinel on a loaded machine can take the new master for down) may promote
  // it, the new master then resyncing from it, empty. Seen here both ways: 300 acknowledged
  // submits lost, and a false data-loss alarm. docs/durability.md tells operators the same.
  // With replica-priority 0 no sentinel promotes it while it is still empty (a restarted
  // replica that never synced is a valid candidate to them): a later failover finds no
  // candidate and the new master stays. Seen in CI before: the sync never came.
  await setup.master.restart([
    '--replicaof',
    setup.replica.host,
    String(setup.replica.port),
    '--replica-priority',
    '0',
  ]);
  await waitFor(async () => /master_link_status:up/.test(await setup.master.client().info('replication')), {
    timeoutMs: 30_000,
    what: 'the old master to sync as the new master’s replica',
  }).catch(async (err: Error) => {
    const info = (server: typeof setup.master) =>
      server
        .client()
        .info('replication')
        .then((i) => i.replace(/\r?\n/g, ' '))
        .catch((e: Error) => e.message);
    t.log(
      `no sync: sentinels name port ${await setup.currentMasterPort()}; promoted replica (${setup.replica.port}): ` +
        `${await info(setup.replica)}; old master (${setup.master.port}): ${await info(setup.master)}`,
    );
    throw err;
  });
  // Twice seen to time out at 20 s, in whole-suite runs only (CI, and here under load), never
  // reproduced alone: a longer wait, and what the producer and the nodes were doing if it stalls.
  await waitFor(() => acked.length >= atKill + AFTER, {
    timeoutMs: 40_000,
    what: `${AFTER} acknowledged submits after the failover`,
  }).catch(async (err: Error) => {
    const role = (server: typeof setup.master) =>
      server
        .client()
        .role()
        .then((r) => String(r[0]))
        .catch((e: Error) => e.message);
    t.log(
      `stalled: ${acked.length - atKill} acknowledged since the kill; ` +
        `a call in flight for ${producerState.callSince ? Date.now() - producerState.callSince : 0} ms; ` +
        `last refusal: ${producerState.lastRefusal || 'none'}; refusals ${JSON.stringify(Object.fromEntries(refusals))}; ` +
        `client ${redis.status} on port ${'stream' in redis ? redis.stream.remotePort : '?'}; sentinels name port ${await setup.currentMasterPort()}; ` +
        `promoted replica (${setup.replica.port}) ${await role(setup.replica)}, old master (${setup.master.port}) ${await role(setup.master)}`,
    );
    throw err;
  });
  producing = false;
  await producer;

  // Once no task is left to run, every acknowledged task has ended or is missing.
  await waitFor(
    async () => {
      const c = await client.counts();
      return c.queued + c.running + c.reserved + c.scheduled + c.pending === 0;
    },
    { timeoutMs: 30_000, what: 'the queue to drain' },
  );
  const found = await Promise.all(acked.map((id) => client.find(id)));
  const missing = acked.filter((_, i) => found[i] === null);
  const notSucceeded = found.filter((task): task is Task => task !== null && task.state !== 'succeeded');
  t.log(
    `${mode}: ${acked.length} acknowledged (${atKill - atCut} while the replica was behind), ${missing.length} lost, ` +
      `refused while failing over: ${JSON.stringify(Object.fromEntries(refusals))}`,
  );
  return {
    acked,
    missing,
    ackedBehind: atKill - atCut,
    notSucceeded,
    refusals,
    daemons: [coordinator, worker],
  };
}

test.serial(
  'durability replicated: kill -9 the master mid-workload; every acknowledged submit ends succeeded',
  async (t) => {
    const run = await failoverRun(t, 'replicated');
    t.deepEqual(run.missing, [], 'no acknowledged submit was lost');
    t.true((run.refusals.get('not_replicated') ?? 0) > 0, 'submits the replica did not confirm were refused');
    t.deepEqual(
      run.notSucceeded.map((task) => `${task.id} ${task.state}`),
      [],
    );
    for (const d of run.daemons) {
      t.true(d.alive, `${d.kind} followed the failover`);
      t.deepEqual(
        d.logs.filter((l) => l.msg === DATA_LOSS_MESSAGE),
        [],
        `${d.kind} did not take the failover for a data loss`,
      );
    }
  },
);

test.serial(
  'durability local: the same failover loses what the master acknowledged while the replica was behind',
  async (t) => {
    const run = await failoverRun(t, 'local');
    t.true(run.ackedBehind > 0, 'submits were acknowledged while the replica was behind');
    t.true(run.missing.length > 0, 'an asynchronous replica promoted without them lost them');
    // Whatever was lost, what is there ran: nothing is left stuck.
    t.deepEqual(
      run.notSucceeded.map((task) => `${task.id} ${task.state}`),
      [],
    );
    for (const d of run.daemons) t.true(d.alive, `${d.kind} followed the failover`);
  },
);
