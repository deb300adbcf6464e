import { createRedis, EngineContext, ManualClock, type RedisClient, silentLogger } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { LeaderLease } from '../../src/units/leader-lease.js';

let server: RedisServer;
const conns: RedisClient[] = [];
test.before(async () => {
  server = await RedisServer.start();
});
test.after.always(async () => {
  for (const c of conns) c.disconnect();
  await server.stop();
});

function context(prefix: string, clock = new ManualClock(Date.now())) {
  const redis = createRedis(server.url);
  conns.push(redis);
  return new EngineContext({ redis, prefix, clock });
}

test('one of several coordinators leads; a standby takes over when the lease lapses, with a new epoch', async (t) => {
  const prefix = uniquePrefix();
  // A lease long enough that a tick slowed by a busy machine (the whole suite runs at once on
  // two cores) still holds when it is asked: with 300 ms, b's fresh lease once read as lapsed.
  const a = new LeaderLease(context(prefix), 'a', 1500, silentLogger());
  const b = new LeaderLease(context(prefix), 'b', 1500, silentLogger());
  await a.tick();
  await b.tick();
  t.true(a.isLeader());
  t.false(b.isLeader());
  const firstEpoch = a.epoch;
  // a stops renewing (as if killed): the key expires in Redis after the lease time. Waited for
  // until it is gone: PTTL says 0 in its last millisecond, when the lease still holds (a take
  // then was refused, 1 run in 6 on a loaded machine).
  const redis = conns[0]!;
  while ((await redis.exists(`{${prefix}}:leader`)) === 1) await new Promise((r) => setTimeout(r, 20));
  await b.tick();
  t.true(b.isLeader());
  t.is(b.epoch, firstEpoch + 1);
  await a.tick();
  t.false(a.isLeader());
});

test('a leader that cannot renew in time stops leading before its lease could pass on', async (t) => {
  const prefix = uniquePrefix();
  const clock = new ManualClock(Date.now());
  const a = new LeaderLease(context(prefix, clock), 'a', 1000, silentLogger());
  await a.tick();
  t.true(a.isLeader());
  clock.advance(899);
  t.true(a.isLeader());
  clock.advance(2);
  t.false(a.isLeader());
});

test('a clean stop hands the lease over at once', async (t) => {
  const prefix = uniquePrefix();
  const a = new LeaderLease(context(prefix), 'a', 60_000, silentLogger());
  const b = new LeaderLease(context(prefix), 'b', 60_000, silentLogger());
  await a.start();
  await b.start();
  t.true(a.isLeader());
  const changes: boolean[] = [];
  b.onChange((leading) => changes.push(leading));
  await a.stop();
  // b hears the release on pub/sub and takes the lease without waiting out 60 s.
  const started = Date.now();
  while (!b.isLeader() && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
  t.true(b.isLeader());
  t.deepEqual(changes, [true]);
  await b.stop();
});

test('a renewal that waited for Redis to come back marks Redis trouble (the failure detector counts silence from then)', async (t) => {
  const own = await RedisServer.start();
  t.teardown(() => own.stop());
  // As a daemon's connection: commands wait out an outage instead of failing.
  const redis = createRedis(own.url, { maxRetriesPerRequest: null });
  t.teardown(() => redis.disconnect());
  const ctx = new EngineContext({ redis, prefix: uniquePrefix() });
  const lease = new LeaderLease(ctx, 'a', 400, silentLogger());
  await lease.tick();
  t.true(lease.isLeader());
  t.is(lease.lastRedisTroubleAt, Number.NEGATIVE_INFINITY, 'no trouble yet');
  await own.kill9();
  const renewal = lease.tick();
  await new Promise((r) => setTimeout(r, 300));
  // The renewal may finish before restart() returns (the client reconnects as soon as the new
  // server listens), so the mark is compared with when the restart began: after the outage,
  // never at the kill 300 ms before.
  const restartAt = Date.now();
  await own.restart();
  await renewal;
  t.true(lease.lastRedisTroubleAt >= restartAt, 'trouble is dated when Redis was seen again');
});
