/**
 * Issue 4, "Done when" 1: kill -9 one of three workers during 2,000 tasks,
 * with a coordinator running. All 2,000 end `succeeded`, each reaches its
 * final state once, repeated executions are only of tasks that were running
 * on the killed worker; the coordinator declares it dead and hands its tasks
 * back within heartbeatTimeout + 1 s of the kill, and its reserved tasks are
 * running again within that time. Its running tasks count a lost attempt and
 * are queued again ahead of their priority, so they run again within that
 * time too, even behind a backlog (the second test).
 */
import { uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { byTask, EVENTS_ENV, scope, total, transitionsByTask } from './fixture.js';

const TASKS = 2000;
const SLOTS = 6;
const HEARTBEAT_MS = 200;
const HEARTBEAT_TIMEOUT_MS = 1500;
const SWEEP_MS = 200;
/** Retry backoff of the tasks: short, so that the recovered attempts are not held back by it. */
const BACKOFF = { baseMs: 50, maxMs: 50 };

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test.serial(
  'kill -9 one of three workers during 2,000 tasks: all succeed once; only its running tasks ran again, soon',
  async (t) => {
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
    const coordinator = await spawnCoordinator({
      ...common,
      id: 'coord',
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      sweepIntervalMs: SWEEP_MS,
    });
    daemons.push(coordinator);
    await coordinator.waitForLog((l) => l.msg === 'leading');
    const [victim, w2, w3] = await Promise.all(
      ['victim', 'w2', 'w3'].map((id) =>
        spawnWorker({ ...common, id, slots: SLOTS, heartbeatMs: HEARTBEAT_MS }),
      ),
    );
    daemons.push(victim!, w2!, w3!);

    const specs = Array.from({ length: TASKS }, (_, i) => ({
      type: 'record',
      payload: { ms: 5 + ((i * 7) % 16) },
      backoff: BACKOFF,
    }));
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i += 500) {
      ids.push(...(await s.client.submitMany(specs.slice(i, i + 500))).map((r) => r.id));
    }
    t.is(new Set(ids).size, TASKS);

    // Kill it mid-run, while Redis holds tasks running on it.
    await waitFor(async () => (await s.counts()).succeeded >= 300 && (await s.runningOf('victim')).size > 0, {
      timeoutMs: 60_000,
      what: 'the victim to be running tasks mid-run',
      details: () => victim!.tail(),
    });
    const killedAt = Date.now();
    await victim!.kill9();
    // Nothing but recovery can change the dead worker's sets now; the coordinator needs
    // the heartbeat timeout (1.5 s) before it touches them.
    const [runningAtKill, windowAtKill, countsAtKill] = await Promise.all([
      s.runningOf('victim'),
      s.windowOf('victim'),
      s.counts(),
    ]);
    t.true(runningAtKill.size > 0, 'the victim had tasks running when it was killed');
    t.log(
      `killed the victim with ${runningAtKill.size} running and ${windowAtKill.length} reserved; ` +
        `${countsAtKill.succeeded}/${TASKS} had succeeded, ${countsAtKill.queued} were queued`,
    );

    const counts = await waitForValue(
      () => s.counts(),
      (c) => c.succeeded === TASKS,
      {
        timeoutMs: 120_000,
        what: `all ${TASKS} tasks to succeed`,
        details: () => `${coordinator.tail()}\n${w2!.tail()}`,
      },
    );
    t.is(total(counts), TASKS, 'nothing lost, nothing added');
    t.true(w2!.alive && w3!.alive && coordinator.alive, 'the other daemons still run');

    // The coordinator declared the victim dead, and only it, with what it held.
    const dead = (await s.fleetEvents()).filter((e) => e.kind === 'worker:dead');
    t.deepEqual(
      dead.map((e) => e.fields.id),
      ['victim'],
      'only the killed worker was declared dead',
    );
    t.is(Number(dead[0]!.fields.recovered), runningAtKill.size, 'its running tasks were recovered');
    t.is(Number(dead[0]!.fields.requeued), windowAtKill.length, 'its window was requeued');
    const declaredAfterMs = dead[0]!.at - killedAt;
    t.true(
      declaredAfterMs <= HEARTBEAT_TIMEOUT_MS + 1000,
      `declared dead ${declaredAfterMs} ms after the kill (heartbeat timeout ${HEARTBEAT_TIMEOUT_MS} ms)`,
    );

    // Each task: succeeded, attempt 1, except those running on the victim at the kill (one more).
    const tasks = await s.tasks(ids);
    for (const task of tasks) {
      if (task.state !== 'succeeded') t.fail(`task ${task.id} is ${task.state}`);
      const killedAttempt = runningAtKill.get(task.id);
      if (killedAttempt !== undefined) {
        t.is(task.attempts, killedAttempt + 1, `task ${task.id} ran again after the victim was lost`);
        t.not(task.worker, 'victim');
        t.is(task.errors.at(-1)?.reason, 'worker_lost');
      } else if (task.attempts !== 1) {
        t.fail(`task ${task.id} (not running on the victim) took ${task.attempts} attempts`);
      }
    }
    const sums = await s.totals();
    t.is(sums.succeeded, TASKS, 'one accepted completion per task');
    t.is(sums.fenced ?? 0, 0, 'no report was refused: the victim was dead, not late');

    // The event stream: each task reached `succeeded` once, and no other terminal state.
    const transitions = transitionsByTask(await s.events());
    for (const id of ids) {
      const terminal = (transitions.get(id) ?? []).filter((e) =>
        ['succeeded', 'failed', 'expired', 'cancelled'].includes(e.state),
      );
      if (terminal.length !== 1 || terminal[0]!.state !== 'succeeded')
        t.fail(`task ${id} reached ${JSON.stringify(terminal.map((e) => e.state))}`);
    }

    // The recording: each task finished exactly once in the attempt its final state names;
    // repeated starts, and any other finish, only for tasks that were running on the victim.
    const records = byTask(await s.records());
    let repeated = 0;
    for (const task of tasks) {
      const rs = records.get(task.id) ?? [];
      const starts = rs.filter((r) => r.event === 'start');
      const finishes = rs.filter((r) => r.event === 'finish');
      const finalStarts = starts.filter((r) => r.attempt === task.attempts && r.worker === task.worker);
      const finalFinishes = finishes.filter((r) => r.attempt === task.attempts && r.worker === task.worker);
      if (finalStarts.length !== 1 || finalFinishes.length !== 1)
        t.fail(
          `task ${task.id}: ${finalStarts.length} starts, ${finalFinishes.length} finishes of its final attempt`,
        );
      if (starts.length > 1 || finishes.length > 1) {
        repeated++;
        t.true(
          runningAtKill.has(task.id),
          `task ${task.id} started ${starts.length}× but was not running on the victim`,
        );
        for (const r of rs.filter((r) => r.attempt !== task.attempts)) t.is(r.worker, 'victim');
      }
    }
    t.true(repeated <= runningAtKill.size);

    // Recovery time: kill → the coordinator hands the dead worker's tasks back (event stream),
    // and kill → each of them starts again elsewhere (recording list).
    const back = new Map<string, number>();
    for (const [id, list] of transitions) {
      const e = list.find(
        (x) => x.worker === 'victim' && x.at >= killedAt && ['queued', 'scheduled'].includes(x.state),
      );
      if (e) back.set(id, e.at - killedAt);
    }
    const held = [...runningAtKill.keys(), ...windowAtKill];
    for (const id of held) {
      const ms = back.get(id);
      t.true(
        ms !== undefined && ms <= HEARTBEAT_TIMEOUT_MS + 1000,
        `task ${id} of the dead worker went back to the queue ${ms} ms after the kill`,
      );
    }
    const restartMs = (list: readonly string[]) =>
      list.map((id) => {
        const again = (records.get(id) ?? []).find((r) => r.event === 'start' && r.worker !== 'victim');
        return again ? again.at - killedAt : Number.POSITIVE_INFINITY;
      });
    const windowRestart = restartMs(windowAtKill);
    const runningRestart = restartMs([...runningAtKill.keys()]);
    t.log(
      `declared dead after ${declaredAfterMs} ms; ${repeated} tasks ran twice; after the kill, ` +
        `its ${windowAtKill.length} reserved tasks ran again at ${windowRestart.join(', ')} ms, ` +
        `its ${runningAtKill.size} running tasks at ${runningRestart.join(', ')} ms ` +
        `(queued again ahead of their priority)`,
    );
    for (const ms of windowRestart)
      t.true(
        ms <= HEARTBEAT_TIMEOUT_MS + 1000,
        `a reserved task of the dead worker ran again ${ms} ms after the kill`,
      );
    for (const ms of runningRestart)
      t.true(
        ms <= HEARTBEAT_TIMEOUT_MS + 1000,
        `a running task of the dead worker ran again ${ms} ms after the kill`,
      );
  },
);

/**
 * A dead worker's running tasks go back ahead of their priority, without a
 * backoff (they had already waited their turn), so even behind a backlog they
 * run again within heartbeatTimeout + 1 s. Made deterministic with a slow
 * survivor: one slot, 60 tasks of 100 ms queued ahead.
 */
test.serial(
  "a dead worker's running tasks run again within heartbeatTimeout + 1 s even behind a backlog",
  async (t) => {
    const s = scope(redis.server, uniquePrefix());
    t.teardown(() => s.close());
    const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
    const coordinator = await spawnCoordinator({
      ...common,
      id: 'coord',
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      sweepIntervalMs: SWEEP_MS,
    });
    daemons.push(coordinator);
    await coordinator.waitForLog('leading');
    const victim = await spawnWorker({
      ...common,
      id: 'victim',
      slots: 2,
      heartbeatMs: HEARTBEAT_MS,
      args: ['--prefetch', '0'],
    });
    daemons.push(victim);
    // Two long tasks start on the victim (10 s there, 50 ms anywhere else).
    const long = await s.client.submitMany(
      [0, 1].map(() => ({
        type: 'record',
        payload: { ms: 10_000, slowOn: 'victim', otherMs: 50 },
        backoff: BACKOFF,
      })),
    );
    await waitFor(async () => (await s.runningOf('victim')).size === 2, {
      what: 'the victim to run both long tasks',
      details: () => victim.tail(),
    });
    // Then a backlog that a one-slot survivor needs 6 s for.
    const survivor = await spawnWorker({ ...common, id: 'survivor', slots: 1, heartbeatMs: HEARTBEAT_MS });
    daemons.push(survivor);
    await s.client.submitMany(Array.from({ length: 60 }, () => ({ type: 'record', payload: { ms: 100 } })));
    const killedAt = Date.now();
    await victim.kill9();
    await waitFor(
      async () => {
        const c = await s.counts();
        return c.succeeded === 62;
      },
      { timeoutMs: 60_000, what: 'all 62 tasks to succeed', details: () => survivor.tail() },
    );
    const records = byTask(await s.records());
    const restarts = long.map((r) => {
      const again = (records.get(r.id) ?? []).find((x) => x.event === 'start' && x.worker === 'survivor');
      return again ? again.at - killedAt : Number.POSITIVE_INFINITY;
    });
    t.log(`the dead worker's running tasks ran again ${restarts.join(', ')} ms after the kill`);
    for (const ms of restarts) t.true(ms <= HEARTBEAT_TIMEOUT_MS + 1000, `ran again ${ms} ms after the kill`);
  },
);
