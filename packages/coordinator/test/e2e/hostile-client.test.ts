/**
 * Issue 16, point 3: the monitor must not be able to take the leader down.
 * A real coordinator (with --monitor) leads; 150 tasks of ~1 MB payload wait
 * in the default queue; three clients ask for the largest page of them (and
 * for their details) as fast as they are answered, while a real worker is
 * killed with SIGKILL. The leader keeps its lease (its epoch does not
 * change, it never steps down) and recovers the worker's tasks within the
 * heartbeat timeout + 1 s; each list answer stays small (sizes, not bodies).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { LIMITS } from '../../src/monitor/limits.js';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { EVENTS_ENV, scope } from './fixture.js';

const BIG_TASKS = 150;
/** Just under the default payloadMaxBytes (1 MiB) once quoted. */
const BLOB = 'x'.repeat(1_000_000);
const HEARTBEAT_TIMEOUT_MS = 1500;
const SLOTS = 4;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

/** Resident memory of a process, MB (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

test.serial(
  'three hostile clients during a worker kill: the leader keeps its lease and recovers on time',
  async (t) => {
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
    const port = await freePort();
    const coordinator = await spawnCoordinator({
      ...common,
      id: 'coord',
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      args: ['--monitor', '--port', String(port)],
    });
    daemons.push(coordinator);
    const elected = await coordinator.waitForLog((l) => l.msg === 'leading');
    const epoch = elected.epoch as number;
    const base = `http://127.0.0.1:${port}`;

    // The big tasks wait in `default`, which no worker serves; the victim runs long tasks of `work`.
    for (let i = 0; i < BIG_TASKS; i += 10) {
      await s.client.submitMany(
        Array.from({ length: 10 }, (_, j) => ({ type: 'noop', payload: { n: i + j, blob: BLOB } })),
      );
    }
    const victim = await spawnWorker({ ...common, id: 'victim', slots: SLOTS, args: ['--queue', 'work'] });
    daemons.push(victim);
    await s.client.submitMany(
      Array.from({ length: SLOTS }, () => ({ type: 'sleep', queue: 'work', payload: { ms: 600_000 } })),
    );
    const running = () => s.redis.zcard(s.client.ctx.keys('work').running('victim'));
    await waitFor(async () => (await running()) === SLOTS, {
      timeoutMs: 30_000,
      what: 'the victim to run its tasks',
    });
    const someId = (await s.client.list({ state: 'queued', limit: 1 })).tasks[0]!.id;

    // Three clients, each asking for the largest page and a 1 MB detail, again and again.
    let stop = false;
    const stats = { lists: 0, details: 0, refused: 0, largestList: 0, other: [] as number[] };
    const hostile = async () => {
      while (!stop) {
        const list = await fetch(`${base}/api/v1/tasks?state=queued&limit=${LIMITS.listMaxLimit}`);
        const body = await list.arrayBuffer();
        if (list.status === 200) {
          stats.lists += 1;
          stats.largestList = Math.max(stats.largestList, body.byteLength);
        } else if (list.status === 429) stats.refused += 1;
        else stats.other.push(list.status);
        const detail = await fetch(`${base}/api/v1/tasks/${someId}`);
        await detail.arrayBuffer();
        if (detail.status === 200) stats.details += 1;
        else if (detail.status === 429) stats.refused += 1;
        else stats.other.push(detail.status);
      }
    };
    const clients = [hostile(), hostile(), hostile()];
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMb(coordinator.pid));
    }, 100);
    t.teardown(() => clearInterval(sampler));

    // Let the load build up, then kill the worker.
    await waitFor(async () => stats.lists >= 6, {
      timeoutMs: 60_000,
      what: 'the hostile clients to get going',
    });
    const killedAt = Date.now();
    await victim.kill9();
    const dead = await waitForValue(
      async () => (await s.fleetEvents()).find((e) => e.kind === 'worker:dead' && e.fields.id === 'victim'),
      (e) => e !== undefined,
      { timeoutMs: 30_000, what: 'the victim to be declared dead', details: () => coordinator.tail() },
    );
    // A while more under load, so that a lease lost late would show too.
    await sleep(3000);
    stop = true;
    await Promise.all(clients);
    clearInterval(sampler);

    t.log(
      `${stats.lists} pages of ${BIG_TASKS} tasks (largest ${stats.largestList} bytes), ${stats.details} details, ` +
        `${stats.refused} told 429; coordinator peak RSS ${peakRss} MB; declared dead ${dead!.at - killedAt} ms after the kill`,
    );
    t.deepEqual(stats.other, [], 'only 200 or 429');
    t.true(stats.largestList < 256 * 1024, `a page of ${BIG_TASKS} tasks is ${stats.largestList} bytes`);
    // The leader kept its lease: one election, its own, with the epoch it started with.
    const elections = (await s.fleetEvents()).filter((e) => e.kind === 'leader:elected');
    t.deepEqual(
      elections.map((e) => [e.fields.id, Number(e.fields.epoch)]),
      [['coord', epoch]],
    );
    t.deepEqual(coordinator.logsWith('no longer leading'), []);
    t.deepEqual(coordinator.logsWith('could not reach Redis to renew the lease'), []);
    // Recovered on time, all of them.
    t.true(
      dead!.at - killedAt <= HEARTBEAT_TIMEOUT_MS + 1000,
      `declared dead ${dead!.at - killedAt} ms after the kill (timeout ${HEARTBEAT_TIMEOUT_MS} ms)`,
    );
    t.is(Number(dead!.fields.recovered), SLOTS, 'every running task of the victim was recovered');
    t.is(await running(), 0);
    t.true(coordinator.alive);
  },
);
