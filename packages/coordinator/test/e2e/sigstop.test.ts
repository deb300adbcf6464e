/**
 * Issue 4, "Done when" 2: SIGSTOP a worker past the heartbeat timeout; the
 * coordinator declares it dead and its tasks finish on another worker; then
 * SIGCONT it: its late completions are refused by the fence, counted
 * (`fenced` in the queue's totals), and change nothing.
 */
import { uniquePrefix, useRedisServer, waitFor, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { type Daemon, spawnCoordinator, spawnWorker, stopAll } from './daemon.js';
import { byTask, EVENTS_ENV, scope, transitionsByTask } from './fixture.js';

const HEARTBEAT_TIMEOUT_MS = 1500;
const TASKS = 4;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test('a worker stopped past the timeout: its tasks finish elsewhere; once resumed, its late completions are fenced and change nothing', async (t) => {
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const common = { redisUrl: redis.server.url, prefix: s.prefix, env: EVENTS_ENV };
  const coordinator = await spawnCoordinator({
    ...common,
    id: 'coord',
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
  });
  daemons.push(coordinator);
  await coordinator.waitForLog('leading');
  const sleeper = await spawnWorker({ ...common, id: 'sleeper', slots: TASKS, args: ['--prefetch', '0'] });
  daemons.push(sleeper);

  // Long-ish tasks on the sleeper (2 s there), short anywhere else.
  const ids = (
    await s.client.submitMany(
      Array.from({ length: TASKS }, () => ({
        type: 'record',
        payload: { ms: 2000, slowOn: 'sleeper', otherMs: 50 },
        backoff: { baseMs: 50, maxMs: 50 },
      })),
    )
  ).map((r) => r.id);
  await waitFor(
    async () => {
      const recs = await s.records();
      return recs.filter((r) => r.event === 'start' && r.worker === 'sleeper').length === TASKS;
    },
    { what: 'the sleeper to start every task', details: () => sleeper.tail() },
  );
  const attemptsOnSleeper = await s.runningOf('sleeper');
  t.deepEqual([...attemptsOnSleeper.keys()].sort(), [...ids].sort());
  sleeper.signal('SIGSTOP');
  const stoppedAt = Date.now();

  // The coordinator declares it dead; another worker runs its tasks to success.
  const helper = await spawnWorker({ ...common, id: 'helper', slots: TASKS });
  daemons.push(helper);
  await waitForValue(
    () => s.counts(),
    (c) => c.succeeded === TASKS,
    { timeoutMs: 30_000, what: 'the helper to finish every task', details: () => coordinator.tail() },
  );
  const dead = (await s.fleetEvents()).filter((e) => e.kind === 'worker:dead');
  t.deepEqual(
    dead.map((e) => e.fields.id),
    ['sleeper'],
  );
  t.is(Number(dead[0]!.fields.recovered), TASKS);
  t.true(dead[0]!.at - stoppedAt >= HEARTBEAT_TIMEOUT_MS - 250, 'not declared dead before the timeout');
  const fencedBefore = (await s.totals()).fenced ?? 0;
  t.is(fencedBefore, 0);

  // What the tasks look like, in full, before the sleeper wakes up.
  const taskKey = (id: string) => s.client.ctx.keys('default').task(id);
  const before = await Promise.all(ids.map((id) => s.redis.hgetall(taskKey(id))));
  const tasksBefore = await s.tasks(ids);
  for (const task of tasksBefore) {
    t.is(task.state, 'succeeded');
    t.is(task.worker, 'helper');
    t.is(task.attempts, attemptsOnSleeper.get(task.id)! + 1);
    t.deepEqual(task.result, { worker: 'helper', attempt: task.attempts });
    t.is(task.errors.at(-1)?.reason, 'worker_lost');
  }
  const eventsBefore = await s.events();
  const succeededBefore = (await s.totals()).succeeded;

  // Wake it: its handlers finish their 2 s (long past) and report; the fence refuses each.
  const resumedAt = Date.now();
  sleeper.signal('SIGCONT');
  const refused = await waitForValue(
    async () => (await s.totals()).fenced ?? 0,
    (n) => n >= TASKS,
    { timeoutMs: 30_000, what: 'the late completions to be fenced', details: () => sleeper.tail() },
  );
  t.is(refused, TASKS, 'each late completion was refused and counted once');
  t.true(sleeper.alive, 'the resumed worker carries on');
  const finishes = (await s.records()).filter((r) => r.event === 'finish' && r.worker === 'sleeper');
  t.is(finishes.length, TASKS, 'the sleeper did finish its attempts');
  t.true(finishes.every((r) => r.at >= resumedAt));
  await sleeper.waitForLog(
    (l) => l.msg === 'completion refused by the fence: this worker no longer owns the attempt',
  );
  t.is(
    sleeper.logsWith('completion refused by the fence: this worker no longer owns the attempt').length > 0,
    true,
  );

  // Nothing changed: the task hashes are byte for byte as before, no new transition of them.
  const after = await Promise.all(ids.map((id) => s.redis.hgetall(taskKey(id))));
  t.deepEqual(after, before, 'the late reports changed nothing in the tasks');
  t.is((await s.totals()).succeeded, succeededBefore, 'no second success was counted');
  const later = (await s.events()).slice(eventsBefore.length);
  const touched = later.flatMap((e) => e.ids).filter((id) => ids.includes(id));
  t.deepEqual(touched, [], 'no transition of these tasks after the sleeper resumed');
  const recs = byTask(await s.records());
  for (const id of ids) {
    const rs = recs.get(id) ?? [];
    t.deepEqual(
      rs.map((r) => `${r.event}:${r.worker}:${r.attempt}`).sort(),
      [
        `finish:helper:${attemptsOnSleeper.get(id)! + 1}`,
        `finish:sleeper:${attemptsOnSleeper.get(id)!}`,
        `start:helper:${attemptsOnSleeper.get(id)! + 1}`,
        `start:sleeper:${attemptsOnSleeper.get(id)!}`,
      ].sort(),
    );
  }
  const transitions = transitionsByTask(await s.events());
  for (const id of ids) {
    const succeeded = (transitions.get(id) ?? []).filter((e) => e.state === 'succeeded');
    t.is(succeeded.length, 1, `task ${id} succeeded once`);
    t.is(succeeded[0]!.worker, 'helper');
  }
  t.log(
    `declared dead ${dead[0]!.at - stoppedAt} ms after SIGSTOP; resumed after ${resumedAt - stoppedAt} ms; ${refused} late completions fenced`,
  );
});
