/**
 * A leader's scheduler on a real Redis with an injected clock: the lease and
 * the scheduler of the coordinator, without its timers, so that a test moves
 * time and ticks by hand.
 */
import {
  Client,
  createRedis,
  EngineContext,
  type ManualClock,
  type RedisClient,
  silentLogger,
} from '@dtps/core';
import type { RedisServer } from '@dtps/core/testing';
import { LeaderLease } from '../../src/units/leader-lease.js';
import { Scheduler } from '../../src/units/scheduler.js';

export interface Leader {
  ctx: EngineContext;
  client: Client;
  lease: LeaderLease;
  scheduler: Scheduler;
  /** Renews the lease (the clock moved) and runs one scheduler tick. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** A coordinator's lease and scheduler as `id`, on its own connection. */
export async function leader(
  server: RedisServer,
  prefix: string,
  id: string,
  clock: ManualClock,
  graceMs: number,
): Promise<Leader> {
  const redis: RedisClient = createRedis(server.url);
  const ctx = new EngineContext({ redis, prefix, clock });
  const client = new Client({ redis, prefix, clock });
  // A long lease: Redis expires it in real time, and the test's clock jumps.
  const lease = new LeaderLease(ctx, id, 600_000, silentLogger());
  const scheduler = new Scheduler(ctx, client, lease, graceMs, silentLogger());
  return {
    ctx,
    client,
    lease,
    scheduler,
    async tick() {
      await lease.tick();
      await scheduler.tick();
    },
    async close() {
      await client.close();
      redis.disconnect();
    },
  };
}

/** Every task of `queue` by the due time its run key names (`schedule:<id>:<due>`): due → how many tasks. */
export async function runsByDue(client: Client, queue = 'default'): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let cursor: string | null | undefined;
  do {
    const page = await client.list({ queue, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const task of page.tasks) {
      const due = Number(task.idempotencyKey?.split(':').at(-1));
      out.set(due, (out.get(due) ?? 0) + 1);
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}
