import type { Clock, EngineOptions, Logger, RedisClient } from '@dtps/core';
import { type QueueEntry, type QueueOrder, resolveQueueOrder, ValidationError } from '@dtps/core';
import type { HandlerMap } from './handlers/types.js';

/** Options of an embedded Worker. */
export interface WorkerOptions {
  /** The Redis connection. The worker opens its own extra connections for blocking reads and control. */
  redis: RedisClient;
  /** Engine settings shared with producers: prefix, retention, event stream length, clock. */
  engine?: Omit<EngineOptions, 'redis'>;
  /**
   * Queues to serve; default `['default']`. Without weights, strict priority in the order given;
   * with a weight on each (`'critical:6'` or `{ name: 'critical', weight: 6 }`), slots are shared
   * in proportion between the queues that have work (docs/flow-control.md).
   */
  queues?: readonly QueueEntry[];
  /** Strict priority even with weights: the heaviest queue first. Default false. */
  strict?: boolean;
  /** Task type → handler. For `isolation: 'thread'`, give `handlersModule` instead (or as well). */
  handlers?: HandlerMap;
  /** Path or file URL of a module whose default export is the handler map (needed for threads). */
  handlersModule?: string;
  /** Slot pool: initial size (default 5), min (1) and max (10). */
  pool?: { size?: number; min?: number; max?: number };
  /** Take unstarted tasks from the busiest peer when idle. Default false. */
  steal?: boolean;
  /** Prefetch window: tasks reserved ahead of free slots. Default: the pool size. */
  prefetch?: number;
  /** `inline` (default): handlers run in this event loop; `thread`: in a worker-thread pool. */
  isolation?: 'inline' | 'thread';
  /** Worker id; default `<host>-<pid>-<random>`. */
  id?: string;
  /** Heartbeat interval, ms. Default 1000. */
  heartbeatMs?: number;
  /** How long running tasks may take to finish on close, ms. Default 30,000. */
  graceMs?: number;
  /**
   * Autoscaler cadence, shrink cooldown, and how long a size given at start or
   * by an operator is held as the floor, ms. Defaults 1000, 10,000 and 3 × the cooldown.
   */
  autoscale?: { enabled?: boolean; intervalMs?: number; cooldownMs?: number; holdMs?: number };
  /** Longest an idle runner blocks on Redis before it looks again, ms. Default 5000. */
  idleBlockMs?: number;
  logger?: Logger;
  clock?: Clock;
}

/** Options with every default applied. */
export interface ResolvedWorkerOptions {
  /** The queue names, in priority order. */
  queues: string[];
  /** How the slots are shared between them. */
  order: QueueOrder;
  size: number;
  min: number;
  max: number;
  steal: boolean;
  prefetch: number | null;
  isolation: 'inline' | 'thread';
  heartbeatMs: number;
  graceMs: number;
  autoscale: { enabled: boolean; intervalMs: number; cooldownMs: number; holdMs: number };
  idleBlockMs: number;
}

function intAtLeast(field: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min)
    throw new ValidationError(field, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** Applies defaults and checks every option; a bad one is a ValidationError naming it. */
export function resolveOptions(o: WorkerOptions): ResolvedWorkerOptions {
  const min = intAtLeast('pool.min', o.pool?.min, 1, 0);
  const max = intAtLeast('pool.max', o.pool?.max, Math.max(10, min), 1);
  if (min > max) throw new ValidationError('pool.min', `must not exceed pool.max (${max})`);
  const size = intAtLeast('pool.size', o.pool?.size, Math.min(Math.max(5, min), max), 0);
  if (size < min || size > max)
    throw new ValidationError('pool.size', `must be between pool.min (${min}) and pool.max (${max})`);
  const order = resolveQueueOrder(o.queues ?? ['default'], o.strict ?? false);
  const queues = order.queues.map((q) => q.name);
  if (o.id !== undefined && !/^[A-Za-z0-9_.:@-]{1,128}$/.test(o.id)) {
    throw new ValidationError('id', 'must be 1-128 characters of letters, digits and _ . : @ -');
  }
  const cooldownMs = intAtLeast('autoscale.cooldownMs', o.autoscale?.cooldownMs, 10_000, 0);
  const isolation = o.isolation ?? 'inline';
  if (isolation !== 'inline' && isolation !== 'thread')
    throw new ValidationError('isolation', 'must be "inline" or "thread"');
  if (isolation === 'thread' && !o.handlersModule) {
    throw new ValidationError(
      'handlersModule',
      'isolation "thread" needs a handler module path (threads load it themselves)',
    );
  }
  if (!o.handlers && !o.handlersModule)
    throw new ValidationError('handlers', 'give handlers or a handler module');
  return {
    queues,
    order,
    size,
    min,
    max,
    steal: o.steal ?? false,
    prefetch: o.prefetch === undefined ? null : intAtLeast('prefetch', o.prefetch, 0, 0),
    isolation,
    heartbeatMs: intAtLeast('heartbeatMs', o.heartbeatMs, 1000, 10),
    graceMs: intAtLeast('graceMs', o.graceMs, 30_000, 0),
    autoscale: {
      enabled: o.autoscale?.enabled ?? true,
      intervalMs: intAtLeast('autoscale.intervalMs', o.autoscale?.intervalMs, 1000, 10),
      cooldownMs,
      holdMs: intAtLeast('autoscale.holdMs', o.autoscale?.holdMs, 3 * cooldownMs, 0),
    },
    idleBlockMs: intAtLeast('idleBlockMs', o.idleBlockMs, 5000, 10),
  };
}
