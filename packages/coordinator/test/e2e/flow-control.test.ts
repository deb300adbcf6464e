/**
 * Issue 19, "Done when", with real processes: a rate limit on a type across three worker
 * processes (on one redis-server and on a Redis Cluster), and a concurrency cap on a group that
 * holds while one worker is killed -9 and another is stopped past the heartbeat timeout.
 * Sizes: DTPS_FLOW_TASKS (rate run, default 1,000 at 100/s: ~10 s; the figure is
 * 5,000), DTPS_FLOW_CLUSTER_TASKS (default 500), DTPS_FLOW_CAP_TASKS (default 500).
 */
import {
  parseRecords,
  RedisCluster,
  type RedisServer,
  recordKey,
  useRedisServer,
  waitForValue,
} from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { maxHandlersAtOnce, replayRunning, transitionsTo } from './flow-checks.js';
import { envCount, FLOW_ENV, flowScope, rateRun, submitAll } from './flow-run.js';

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

const RATE = 100;
const SLOTS = 50;

test.serial(
  'a rate limit of 100/s on a type: no 1 s window holds more than 100 starts, across three workers',
  async (t) => {
    const tasks = envCount('DTPS_FLOW_TASKS', 1000);
    t.timeout((tasks / RATE) * 2000 + 60_000);
    const s = flowScope(redis.server.url);
    t.teardown(() => s.close());
    await rateRun(t, s, daemons, { tasks, rate: RATE, slots: SLOTS });
  },
);

test.serial('the same rate limit on a Redis Cluster', async (t) => {
  const tasks = envCount('DTPS_FLOW_CLUSTER_TASKS', 500);
  t.timeout((tasks / RATE) * 2000 + 90_000);
  const cluster = await RedisCluster.start();
  t.teardown(() => cluster.stop());
  const s = flowScope(cluster.url);
  t.teardown(() => s.close());
  await rateRun(t, s, daemons, { tasks, rate: RATE, slots: SLOTS });
});

const CAP = 7;
const HEARTBEAT_TIMEOUT_MS = 1500;

/** The most the cap reported as running, sampled until stopped (what `dtps queue show` reads). */
function sampleRunning(s: ReturnType<typeof flowScope>): { stop(): Promise<number[]> } {
  const seen: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const state = await s.client.queueState('default').catch(() => null);
      if (state) seen.push(state.limits[0]?.running ?? 0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return seen;
    },
  };
}

test.serial(
  'a concurrency cap of 7 on a group holds through a kill -9 and a SIGSTOP; every task succeeds once',
  async (t) => {
    const tasks = envCount('DTPS_FLOW_CAP_TASKS', 500);
    t.timeout(180_000);
    const server: RedisServer = redis.server;
    const s = flowScope(server.url);
    t.teardown(() => s.close());
    const common = { redisUrl: server.url, prefix: s.prefix, env: FLOW_ENV };
    const k = s.client.ctx.keys('default');
    const coordinator = await spawnCoordinator({
      ...common,
      id: 'coord',
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    });
    daemons.push(coordinator);
    await coordinator.waitForLog('leading');
    await s.cli(t, ['queue', 'limit', 'default', '--group', 'tenant-a', '--concurrency', String(CAP)]);
    // Four slots each: the cap binds only across workers (12 slots, then 8 after the kill), and
    // once one worker is gone each of the other two holds some of the 7 while the cap is full (a
    // worker that ends a task claims the freed slot in the same call, so slots tend to stay put).
    // Which worker holds slots is up to the race for them — one may hold none for seconds — so
    // the faults pick their targets at run time, among the workers holding slots then.
    const names = ['w1', 'w2', 'w3'];
    const workers = await Promise.all(names.map((id) => spawnWorker({ ...common, id, slots: 4 })));
    daemons.push(...workers);
    const ids = await submitAll(
      s.client,
      Array.from({ length: tasks }, (_, i) => ({
        type: 'record',
        group: 'tenant-a',
        payload: { ms: 50 + (i % 51) },
        maxRetries: 10,
        backoff: { baseMs: 20, maxMs: 50 },
      })),
    );
    const sampler = sampleRunning(s);
    t.teardown(() => sampler.stop());
    const shown: unknown[] = [];
    const succeeded = async () => (await s.client.counts()).succeeded;
    const runningOf = () => Promise.all(names.map((w) => s.redis.zcard(k.running(w))));
    const details = async () =>
      [
        JSON.stringify(await s.client.counts()),
        JSON.stringify(await s.client.queueState('default')),
        `due: ${JSON.stringify(await s.redis.zrange(k.flowDue, '0', '-1', 'WITHSCORES'))}`,
        `running: ${JSON.stringify(await runningOf())}`,
        ...[coordinator, ...workers].map((d) => d.tail(5)),
      ].join('\n');
    /** Once `done` tasks have succeeded: a worker (not one of `spared`) running tasks of the cap. */
    const holderAfter = (done: number, spared: string[], what: string) =>
      waitForValue(
        async () => {
          if ((await succeeded()) < done) return undefined;
          const running = await runningOf();
          return names.find((w, i) => running[i]! > 0 && !spared.includes(w));
        },
        (w) => w !== undefined,
        { timeoutMs: 60_000, intervalMs: 5, what, details },
      ) as Promise<string>;

    // A quarter in, kill one worker while it holds slots of the cap.
    const doomedId = await holderAfter(tasks / 4, [], 'a quarter done, with a worker running tasks');
    const doomed = workers[names.indexOf(doomedId)]!;
    await doomed.kill9();
    shown.push(await s.cli(t, ['queue', 'show', 'default']));

    // Half way, stop another while it holds slots, past the heartbeat timeout, then let it go on.
    const sleeperId = await holderAfter(tasks / 2, [doomedId], 'half done, with a live worker running tasks');
    const sleeper = workers[names.indexOf(sleeperId)]!;
    sleeper.signal('SIGSTOP');
    const sleeperHeld = await s.redis.zcard(k.running(sleeperId));
    shown.push(await s.cli(t, ['queue', 'show', 'default']));
    const dead = await waitForValue(
      async () => (await s.redis.xrange(s.client.ctx.fleet.events, '-', '+')).map(([, f]) => f.join(' ')),
      (lines) => lines.some((l) => l.includes('worker:dead') && l.includes(sleeperId)),
      { timeoutMs: 30_000, what: 'the sleeper declared dead', details },
    );
    shown.push(await s.cli(t, ['queue', 'show', 'default']));
    // What the cap bounds is what Redis hands out. The coordinator's recovery gave the stopped
    // worker's slots back, and other workers now run its tasks; its own handlers are still
    // physically there, frozen mid-sleep. After SIGCONT they finish and report, and the fence
    // refuses those reports: nothing is freed twice and nothing succeeds twice. So for a moment
    // more than 7 handlers may really be running (handlersAtOnce below) while no more than 7
    // tasks are running in Redis; a cap cannot reach into a process it cannot hear from.
    sleeper.signal('SIGCONT');

    await waitForValue(succeeded, (n) => n === tasks, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: 'every task to succeed',
      details,
    });
    const samples = await sampler.stop();
    const events = await s.events();
    const replay = replayRunning(events, new Set(ids));
    const successes = transitionsTo(events, 'succeeded');
    const totals = await s.redis.hgetall(k.totals);
    const recovered = transitionsTo(
      events.filter((e) => e.reason === 'worker_lost'),
      'queued',
    );
    const figures = {
      tasks,
      maxRunningReplayed: replay.max,
      maxRunningSampled: Math.max(...samples),
      samples: samples.length,
      recovered: recovered.size,
      doomed: doomedId,
      sleeper: sleeperId,
      sleeperHeld,
      fenced: Number(totals.fenced ?? 0),
      deadDeclared: dead.filter((l) => l.includes('worker:dead')).length,
      // Not bounded by the cap: the stopped worker's handlers sleep on while their tasks run
      // elsewhere, and finish after SIGCONT (their reports are then fenced).
      handlersAtOnce: maxHandlersAtOnce(parseRecords(await s.redis.lrange(recordKey(s.prefix), 0, -1))),
    };
    t.log(JSON.stringify(figures));

    // The cap is on what Redis hands out: replayed from the event stream, in order, and as
    // `dtps queue show` reports it (sampled in-process and through the CLI at the faults).
    t.true(
      replay.max <= CAP,
      `running never above ${CAP}; replay found ${replay.max} at ${replay.atStreamId}`,
    );
    t.is(replay.max, CAP, 'the cap was reached (it bound)');
    t.deepEqual(replay.doubleStarts, [], 'no task started while it was running');
    t.true(
      samples.every((n) => n <= CAP),
      `sampled running: max ${figures.maxRunningSampled}`,
    );
    for (const out of shown) {
      const limit = (
        out as { limits: { scope: string; key: string; concurrency: number; running: number }[] }
      ).limits[0]!;
      t.like(limit, { scope: 'group', key: 'tenant-a', concurrency: CAP });
      t.true(limit.running <= CAP);
    }
    // Both faults happened with tasks held, and both workers were declared dead and recovered.
    const fleet = (await s.redis.xrange(s.client.ctx.fleet.events, '-', '+')).map(([, f]) => f.join(' '));
    for (const w of [doomedId, sleeperId]) {
      t.true(
        fleet.some((l) => l.includes('worker:dead') && l.includes(w)),
        `${w} declared dead`,
      );
    }
    t.true(recovered.size > 0, 'the dead workers’ tasks were recovered');
    t.true(sleeperHeld > 0);
    // Every task succeeded, exactly once.
    t.is(Number(totals.succeeded), tasks);
    t.true(
      ids.every((id) => successes.get(id) === 1),
      'one accepted success per task',
    );
    t.is((await s.client.queueState('default')).limits[0]!.running, 0, 'every slot was given back');
  },
);
