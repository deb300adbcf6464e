/**
 * What the coordinator's process-level tests share: a Client and Inspector
 * on a prefix of their own, the queue's counters and event stream, the fleet
 * event stream, and the recording list.
 */
import { Client, Inspector, rangeEvents, type Task, type TaskState, type TransitionEvent } from '@dtps/core';
import { parseRecords, type Rec, type RedisServer, recordKey } from '@dtps/core/testing';

/** Event streams long enough to hold every transition of a test run (the tests read them whole). */
export const EVENTS_MAX_LEN = 200_000;

/** Environment that gives the daemons the same stream cap as the test's Client. */
export const EVENTS_ENV = { DTPS_EVENTS_MAX_LEN: String(EVENTS_MAX_LEN) };

/** One entry of the fleet event stream `{prefix}:events`. */
export interface FleetEvent {
  streamId: string;
  at: number;
  kind: string;
  fields: Record<string, string>;
}

export interface Scope {
  prefix: string;
  client: Client;
  inspector: Inspector;
  redis: ReturnType<RedisServer['client']>;
  /** Counts of the default queue. */
  counts(): Promise<Record<TaskState, number>>;
  /** The default queue's cumulative counters (`submitted`, `succeeded`, `fenced`, …). */
  totals(): Promise<Record<string, number>>;
  /** Every task, read one by one (for final checks only). */
  tasks(ids: readonly string[]): Promise<Task[]>;
  /** The whole event stream of the default queue, oldest first. */
  events(): Promise<TransitionEvent[]>;
  /** The fleet event stream (workers declared dead, leaders elected), oldest first. */
  fleetEvents(): Promise<FleetEvent[]>;
  /** The recording list, oldest first. */
  records(): Promise<Rec[]>;
  /** A worker's running set in the default queue: task id → attempt. */
  runningOf(workerId: string): Promise<Map<string, number>>;
  /** A worker's prefetch window in the default queue. */
  windowOf(workerId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A Client of its own connection on `prefix`. */
export function scope(server: RedisServer, prefix: string): Scope {
  const redis = server.client();
  const client = new Client({ redis, prefix, eventsMaxLen: EVENTS_MAX_LEN });
  const inspector = new Inspector(client.ctx);
  const k = client.ctx.keys('default');
  return {
    prefix,
    client,
    inspector,
    redis,
    counts: () => client.counts(),
    async totals() {
      const raw = await redis.hgetall(k.totals);
      return Object.fromEntries(Object.entries(raw).map(([f, v]) => [f, Number(v)]));
    },
    tasks: (ids) => Promise.all(ids.map((id) => client.get(id))),
    async events() {
      const out: TransitionEvent[] = [];
      let from = '-';
      for (;;) {
        const batch = await rangeEvents(redis, k.events, from, 5000);
        out.push(...batch);
        if (batch.length < 5000) return out;
        from = `(${batch.at(-1)!.streamId}`;
      }
    },
    async fleetEvents() {
      const raw = (await redis.xrange(client.ctx.fleet.events, '-', '+')) as [string, string[]][];
      return raw.map(([id, flat]) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
        return { streamId: id, at: Number(id.split('-')[0]), kind: fields.kind ?? '', fields };
      });
    },
    async records() {
      return parseRecords(await redis.lrange(recordKey(prefix), 0, -1));
    },
    async runningOf(workerId) {
      const flat = await redis.zrange(k.running(workerId), '0', '-1', 'WITHSCORES');
      const out = new Map<string, number>();
      for (let i = 0; i < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
      return out;
    },
    windowOf: (workerId) => redis.zrange(k.window(workerId), '0', '-1'),
    async close() {
      await client.close();
      redis.disconnect();
    },
  };
}

/** Sum of all states. */
export function total(c: Record<string, number>): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** Groups records by task id. */
export function byTask(records: readonly Rec[]): Map<string, Rec[]> {
  const out = new Map<string, Rec[]>();
  for (const r of records) {
    const list = out.get(r.id);
    if (list) list.push(r);
    else out.set(r.id, [r]);
  }
  return out;
}

/**
 * For each task id, the transitions (state, reason, worker, at) it went through, in stream order
 * (`held` entries left out: they change no state).
 */
export function transitionsByTask(
  events: readonly TransitionEvent[],
): Map<string, { state: string; reason: string | null; worker: string | null; at: number }[]> {
  const out = new Map<
    string,
    { state: string; reason: string | null; worker: string | null; at: number }[]
  >();
  for (const e of events) {
    // A `held` entry (a limit kept the task back) is no transition: the task stays queued.
    if (e.state === 'held') continue;
    for (const id of e.ids) {
      const t = { state: e.state, reason: e.reason, worker: e.worker, at: e.at };
      const list = out.get(id);
      if (list) list.push(t);
      else out.set(id, [t]);
    }
  }
  return out;
}
