/**
 * What the process-level tests share: a Client on a prefix of its own, the
 * heartbeat of one worker, and task totals.
 */
import {
  Client,
  type EngineContext,
  listWorkers,
  type Task,
  type TaskState,
  type WorkerInfo,
} from '@dtps/core';
import type { RedisServer } from '@dtps/core/testing';

export interface Scope {
  prefix: string;
  client: Client;
  /** Counts of the default queue. */
  counts(): Promise<Record<TaskState, number>>;
  /** The latest heartbeat of a worker, or undefined when it is not registered. */
  heartbeat(workerId: string): Promise<WorkerInfo | undefined>;
  /** Every task, read one by one (for final checks only). */
  tasks(ids: readonly string[]): Promise<Task[]>;
  close(): Promise<void>;
}

/** A Client of its own connection on `prefix`. */
export function scope(server: RedisServer, prefix: string): Scope {
  const redis = server.client();
  const client = new Client({ redis, prefix });
  return {
    prefix,
    client,
    counts: () => client.counts(),
    heartbeat: async (workerId) => (await listWorkers(client.ctx)).find((w) => w.id === workerId),
    tasks: (ids) => Promise.all(ids.map((id) => client.get(id))),
    async close() {
      await client.close();
      redis.disconnect();
    },
  };
}

/** Sum of all states. */
export function total(c: Record<TaskState, number>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** The queue's cumulative counters (`submitted`, `succeeded`, `fenced`, `steals`, …). */
export async function totals(ctx: EngineContext, queue = 'default'): Promise<Record<string, number>> {
  const raw = await ctx.redis.hgetall(ctx.keys(queue).totals);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
}
