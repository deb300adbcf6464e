/**
 * Issue 20, "Done when" 1: a schedule every second, two coordinator
 * processes, the leader killed -9 again and again: every due second is fired
 * exactly once, none twice (counted from the tasks the runs created, by the
 * due time each run's idempotency key names). The run lasts 60 s;
 * `DTPS_SCHEDULE_SOAK_MS` sets it (default 15 s, for CI).
 */
import { ScheduleStore } from '@dtps/core';
import { uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import { runsByDue } from '../units/schedule-fixture.js';
import { type Daemon, spawnCoordinator, stopAll } from './daemon.js';
import { scope } from './fixture.js';

const SOAK_MS = Number(process.env.DTPS_SCHEDULE_SOAK_MS ?? 15_000);
const KILLS = Math.max(3, Math.round(SOAK_MS / 10_000));
const LEASE_MS = 1500;

const redis = useRedisServer(test);
const daemons: Daemon[] = [];
test.after.always(() => stopAll(daemons));

test('every second fires exactly once while the leading coordinator is killed -9 again and again', async (t) => {
  t.timeout(SOAK_MS + 90_000);
  const s = scope(redis.server, uniquePrefix());
  t.teardown(() => s.close());
  const store = new ScheduleStore(s.client.ctx);
  let n = 0;
  const spawn = async () => {
    const d = await spawnCoordinator({
      redisUrl: redis.server.url,
      prefix: s.prefix,
      id: `c${++n}`,
      leaseMs: LEASE_MS,
    });
    daemons.push(d);
    return d;
  };
  const live = [await spawn(), await spawn()];
  await store.save(
    { id: 'sec', everyMs: 1000, template: { type: 'tick', queue: 'sched' }, missed: 'skip' },
    'cli',
  );
  const first = (await store.get('sec')).next!;
  const started = Date.now();
  let kills = 0;
  while (kills < KILLS) {
    // Kill at a point that drifts across the second, so that some kills land mid-tick.
    await new Promise((r) => setTimeout(r, SOAK_MS / (KILLS + 1) + ((kills * 137) % 1000)));
    const holder = (await s.redis.get(s.client.ctx.fleet.leader))?.split(' ')[0];
    const leader = live.find((d) => d.id === holder);
    if (!leader) continue;
    await leader.kill9();
    kills++;
    live.splice(live.indexOf(leader), 1);
    live.push(await spawn()); // always two processes, as in production
  }
  while (Date.now() - started < SOAK_MS) await new Promise((r) => setTimeout(r, 100));
  const end = Math.floor(Date.now() / 1000) * 1000;
  await waitFor(async () => ((await store.get('sec')).last ?? 0) >= end, {
    timeoutMs: 30_000,
    what: 'the schedule to catch up with the end of the run',
  });
  const runs = await runsByDue(s.client, 'sched');
  const expected: number[] = [];
  for (let due = first; due <= end; due += 1000) expected.push(due);
  const missing = expected.filter((d) => !runs.has(d));
  const twice = [...runs].filter(([, count]) => count > 1);
  const tasks = await s.client.list({ queue: 'sched', limit: 1000 });
  const lateness = tasks.tasks.map((task) => task.createdAt - Number(task.idempotencyKey!.split(':').at(-1)));
  t.log(
    `${expected.length} due seconds, ${kills} leaders killed -9: ${missing.length} missing, ${twice.length} twice; ` +
      `run submitted after its due time: median ${median(lateness)} ms, max ${Math.max(...lateness)} ms`,
  );
  t.deepEqual(missing, []);
  t.deepEqual(twice, []);
  t.true(kills >= 3);
  const elected = (await s.redis.xrange(s.client.ctx.fleet.events, '-', '+')).filter(
    ([, f]) => f[1] === 'leader:elected',
  );
  t.true(elected.length >= kills + 1, 'each kill handed the lead to another process');
});

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
