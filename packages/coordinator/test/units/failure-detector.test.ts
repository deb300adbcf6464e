/**
 * A heartbeat is a write: while Redis refuses writes (OOM) every worker
 * falls silent without being dead. The failure detector does not declare a
 * worker dead within a heartbeat timeout of the last refusal it (or the
 * lease) met; after that, silence counts again.
 */
import {
  createRedis,
  EngineContext,
  ManualClock,
  silentLogger,
  type WorkerInfo,
  writeHeartbeat,
} from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { FailureDetector } from '../../src/units/failure-detector.js';

const TIMEOUT_MS = 5000;

test('no worker is declared dead within a heartbeat timeout of a write refusal (OOM)', async (t) => {
  const server = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  t.teardown(() => server.stop());
  const redis = createRedis(server.url);
  t.teardown(() => redis.disconnect());
  const clock = new ManualClock(Date.now());
  const ctx = new EngineContext({ redis, prefix: uniquePrefix(), clock });
  await writeHeartbeat(ctx, { id: 'w1', lastHeartbeatAt: clock.now() } as WorkerInfo);
  let leaseRefusedAt = Number.NEGATIVE_INFINITY;
  const detector = new FailureDetector(ctx, TIMEOUT_MS, silentLogger(), () => leaseRefusedAt);

  // Redis refuses writes: the worker's heartbeats fail, and the lease's renewal meets the refusal.
  await redis.config('SET', 'maxmemory', '1');
  clock.advance(TIMEOUT_MS + 1);
  leaseRefusedAt = clock.now();
  t.deepEqual(await detector.tick(), [], 'silent, but Redis refuses writes: not dead');
  // Memory back, but within a timeout of the refusal: silence is not death yet.
  await redis.config('SET', 'maxmemory', '0');
  clock.advance(TIMEOUT_MS - 1);
  t.deepEqual(await detector.tick(), []);
  // A whole timeout of writes taken, and still silent: dead.
  clock.advance(2);
  t.deepEqual(await detector.tick(), ['w1']);
});

test('no worker is declared dead within a heartbeat timeout of Redis coming back (its read waited for Redis)', async (t) => {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  const redis = createRedis(server.url);
  t.teardown(() => redis.disconnect());
  const clock = new ManualClock(Date.now());
  const ctx = new EngineContext({ redis, prefix: uniquePrefix(), clock });
  await writeHeartbeat(ctx, { id: 'w1', lastHeartbeatAt: clock.now() } as WorkerInfo);
  const timeoutMs = 1000;
  const detector = new FailureDetector(ctx, timeoutMs, silentLogger());
  clock.advance(timeoutMs + 1);
  // Redis away for longer than half a timeout (paused here: the read waits, as it does for a
  // reconnect): the worker could not beat either, so its silence is not death yet.
  const admin = server.client();
  await admin.call('CLIENT', 'PAUSE', String(timeoutMs), 'ALL');
  t.deepEqual(await detector.tick(), [], 'silent while Redis was away: not dead');
  clock.advance(timeoutMs - 1);
  t.deepEqual(await detector.tick(), [], 'within a timeout of Redis coming back');
  clock.advance(2);
  t.deepEqual(await detector.tick(), ['w1'], 'a whole timeout of Redis, and still silent: dead');
});
