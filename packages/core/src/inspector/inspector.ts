import { countTasks, type ListOptions, listTasks, type TaskPage } from '../client/listing.js';
import { findQueueOf, readTask } from '../client/reader.js';
import type { EngineContext } from '../context.js';
import { TaskNotFoundError } from '../errors.js';
import { lastEventId, rangeEvents, readEvents, type TransitionEvent } from '../events.js';
import { type RedisOrigin, readOrigin } from '../fleet/origin.js';
import { listWorkers } from '../fleet/registry.js';
import type { WorkerInfo } from '../fleet/types.js';
import type { RedisClient } from '../scripts/registry.js';
import type { Task, TaskState } from '../task/types.js';
import { pointFromCounters, type SeriesPoint } from './series.js';

/** A task with the tasks around it. */
export interface TaskDetail {
  task: Task;
  /** The tasks it depends on, with their states (null when deleted by retention). */
  parents: { id: string; state: TaskState | null }[];
  /** Tasks that wait for it. */
  dependents: string[];
}

/** A queue at a glance. */
export interface QueueSummary {
  name: string;
  counts: Record<TaskState, number>;
  /** Cumulative counters since the queue was created. */
  totals: Record<string, number>;
}

/** A worker with how fresh its heartbeat is. */
export interface WorkerView extends WorkerInfo {
  /** ms since the last heartbeat. */
  heartbeatAgeMs: number;
}

/** The coordinator's advice for an external autoscaler. */
export interface Recommendation {
  at: number;
  /** Worker processes the backlog needs. */
  workers: number;
  liveWorkers: number;
  backlog: number;
  /** Tasks/s the fleet completed recently, and per worker. */
  throughput: number;
  perWorker: number;
  reason: string;
}

/**
 * Read-only views for UIs (the console, the web page, the HTTP API). Nothing
 * here writes to Redis.
 */
export class Inspector {
  constructor(readonly ctx: EngineContext) {}

  queues(): Promise<string[]> {
    return this.ctx.queueNames();
  }

  async queue(name: string): Promise<QueueSummary> {
    const [counts, totals] = await Promise.all([
      countTasks(this.ctx, name),
      this.ctx.redis.hgetall(this.ctx.keys(name).totals),
    ]);
    return {
      name,
      counts,
      totals: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, Number(v)])),
    };
  }

  async overview(): Promise<QueueSummary[]> {
    return Promise.all((await this.queues()).map((q) => this.queue(q)));
  }

  /** Workers in the registry, newest heartbeat first, with heartbeat age. */
  async workers(opts: { aliveWithinMs?: number } = {}): Promise<WorkerView[]> {
    const now = this.ctx.clock.now();
    return (await listWorkers(this.ctx, opts)).map((w) => ({
      ...w,
      heartbeatAgeMs: Math.max(0, now - w.lastHeartbeatAt),
    }));
  }

  tasks(opts: ListOptions): Promise<TaskPage> {
    return listTasks(this.ctx, opts);
  }

  /** One task with its dependencies and dependents; TaskNotFoundError when unknown. */
  async task(id: string, queue?: string): Promise<TaskDetail> {
    const q = await findQueueOf(this.ctx, id, queue);
    const task = q === null ? null : await readTask(this.ctx, q, id);
    if (!task || q === null) throw new TaskNotFoundError(id, queue);
    const k = this.ctx.keys(q);
    const [states, dependents] = await Promise.all([
      Promise.all(task.dependsOn.map((p) => this.ctx.redis.hget(k.task(p), 's'))),
      this.ctx.redis.smembers(k.dependents(id)),
    ]);
    return {
      task,
      parents: task.dependsOn.map((p, i) => ({ id: p, state: (states[i] as TaskState | null) ?? null })),
      dependents: dependents.sort(),
    };
  }

  /**
   * The coordinator's rolled-up series of a queue, oldest first (empty
   * without a coordinator: use `recentSeconds`).
   */
  async series(
    queue: string,
    resolution: '1s' | '1m',
    limit = resolution === '1s' ? 600 : 1440,
  ): Promise<SeriesPoint[]> {
    const raw = await this.ctx.redis.lrange(this.ctx.keys(queue).series(resolution), 0, limit - 1);
    return parsedEntries<SeriesPoint>(raw).reverse();
  }

  /** A worker's rolled-up series, oldest first. */
  async workerSeries(id: string, resolution: '1s' | '1m', limit = 600): Promise<Record<string, number>[]> {
    const raw = await this.ctx.redis.lrange(this.ctx.fleet.workerSeries(id, resolution), 0, limit - 1);
    return parsedEntries<Record<string, number>>(raw).reverse();
  }

  /**
   * Counters of the last `n` whole seconds read straight from the per-second
   * hashes the engine writes: charts without a coordinator. Oldest first.
   */
  async recentSeconds(queue: string, n = 60): Promise<SeriesPoint[]> {
    const now = Math.floor(this.ctx.clock.now() / 1000);
    const seconds = Array.from({ length: n }, (_, i) => now - n + i);
    const k = this.ctx.keys(queue);
    const all = await Promise.all(seconds.map((s) => this.ctx.redis.hgetall(k.perSecond(s))));
    return all.map((fields, i) => pointFromCounters(seconds[i]! * 1000, fields));
  }

  async recommendation(): Promise<Recommendation | null> {
    const raw = await this.ctx.redis.get(this.ctx.fleet.recommendation);
    return raw ? (parsedEntries<Recommendation>([raw])[0] ?? null) : null;
  }

  /** The coordinator that holds the leader lease, if any. */
  async leader(): Promise<string | null> {
    const raw = await this.ctx.redis.get(this.ctx.fleet.leader);
    return raw ? raw.split(' ')[0]! : null;
  }

  /** The origin marker (fleet/origin.ts): its `lostAt` and `losses` say whether Redis lost its data. */
  origin(): Promise<RedisOrigin | null> {
    return readOrigin(this.ctx);
  }

  /** A cursor for "events from now on" in a queue. */
  eventCursor(queue: string): Promise<string> {
    return lastEventId(this.ctx.redis, this.ctx.keys(queue).events);
  }

  /** Events of a queue after `cursor`, oldest first (no blocking). */
  eventsSince(queue: string, cursor: string, count = 1000): Promise<TransitionEvent[]> {
    const from = cursor === '0-0' ? '-' : `(${cursor}`;
    return rangeEvents(this.ctx.redis, this.ctx.keys(queue).events, from, count);
  }

  /** Blocks up to `blockMs` for events after `cursor`; give it a connection of its own. */
  waitEvents(
    blocking: RedisClient,
    queue: string,
    cursor: string,
    blockMs: number,
  ): Promise<TransitionEvent[]> {
    return readEvents(blocking, this.ctx.keys(queue).events, cursor, { count: 1000, blockMs });
  }
}

/**
 * The entries of a stored list that parse as JSON objects, in order. A
 * damaged entry is left out: one bad point must not blank a whole chart.
 */
function parsedEntries<T>(raw: readonly string[]): T[] {
  const out: T[] = [];
  for (const j of raw) {
    try {
      const v: unknown = JSON.parse(j);
      if (typeof v === 'object' && v !== null) out.push(v as T);
    } catch {
      // left out (see above)
    }
  }
  return out;
}
