/**
 * `durability: replicated` (docs/durability.md): a submit or a completion is
 * acknowledged only once a replica has it, so that a Sentinel failover to
 * that replica cannot take it back. Redis replicates asynchronously; WAIT
 * after the write blocks the connection until `replicas` replicas confirm
 * every write made on it so far, or `timeoutMs` passes.
 */
import { Cluster } from 'ioredis';
import type { EngineContext } from '../context.js';
import { DtpsError, ValidationError } from '../errors.js';

/** How far a write must have gone before dtps acknowledges it. */
export interface DurabilityOptions {
  /**
   * `local` (default): once the master has it (what the master's persistence
   * settings keep). `replicated`: once `replicas` replicas have it too.
   */
  mode: 'local' | 'replicated';
  /** Replicas that must confirm (config `durabilityReplicas`, default 1). */
  replicas: number;
  /** How long to wait for them, ms (config `durabilityTimeoutMs`, default 1000). */
  timeoutMs: number;
  /**
   * Told when a completion (a worker's report) was not confirmed in time. A
   * completion is not refused for that (see docs/durability.md); the worker logs it.
   */
  onShortfall?: (shortfall: ReplicationShortfall) => void;
}

/** What WAIT said when it confirmed fewer replicas than asked. */
export interface ReplicationShortfall {
  what: 'submit' | 'completion';
  /** Replicas that confirmed. */
  acked: number;
  /** Replicas asked for. */
  wanted: number;
  timeoutMs: number;
  /** The tasks the write was about. */
  ids: readonly string[];
}

/** The default: acknowledged once the master has it. */
export const LOCAL_DURABILITY: DurabilityOptions = { mode: 'local', replicas: 1, timeoutMs: 1000 };

/**
 * Submitted tasks that the master wrote but fewer replicas than asked
 * confirmed in time. They exist and will run unless the master fails before
 * its replicas catch up; submitting them again with the same idempotency key
 * is safe.
 */
export class NotReplicatedError extends DtpsError {
  readonly ids: readonly string[];
  readonly acked: number;
  readonly wanted: number;
  constructor(s: ReplicationShortfall) {
    super(
      'not_replicated',
      `the master accepted ${s.ids.length === 1 ? `task ${s.ids[0]}` : `${s.ids.length} tasks (${s.ids.slice(0, 5).join(', ')}${s.ids.length > 5 ? ', …' : ''})`} ` +
        `but only ${s.acked} of ${s.wanted} replica(s) confirmed within ${s.timeoutMs} ms ` +
        '(durability: replicated): a failover now could lose it; check its status, or submit again with an idempotency key',
      { field: 'durability' },
    );
    this.ids = s.ids;
    this.acked = s.acked;
    this.wanted = s.wanted;
  }
}

/**
 * Refuses `replicated` where WAIT cannot be aimed: a Redis Cluster client
 * sends a keyless command to any node, not to the master of the queue's slot.
 */
export function checkDurability(redis: unknown, durability: DurabilityOptions): void {
  if (durability.mode === 'replicated' && redis instanceof Cluster) {
    throw new ValidationError(
      'durability',
      '"replicated" is supported on a single Redis and on Sentinel, not on Redis Cluster',
    );
  }
}

/** The connection `redis` sends on now (its socket): a reconnect, after a failover say, makes a new one. */
function connectionOf(redis: EngineContext['redis']): unknown {
  return (redis as { stream?: unknown }).stream;
}

/**
 * After a write on `ctx.redis`, waits for the replicas `ctx.durability`
 * asks for. Call it only when `ctx.durability.mode === 'replicated'` (the
 * check stays at the call site, off the hot path of `local`), and right
 * after the write's reply, with no `await` between: the connection it
 * finds is then the one the write went on.
 *
 * WAIT confirms the writes made on its own connection. If the connection
 * was made again between the write and WAIT's reply (ioredis resends a
 * command that had no reply when a master died), WAIT ran on another
 * server, whose replicas say nothing of this write: not confirmed. Seen in
 * the Sentinel failover test: a WAIT resent to the new master confirmed a
 * batch that only the dead master had.
 *
 * @throws NotReplicatedError for a submit that was not confirmed in time; a
 *   completion's shortfall goes to `onShortfall` instead.
 */
export async function confirmReplicated(
  ctx: EngineContext,
  what: ReplicationShortfall['what'],
  ids: readonly string[],
): Promise<void> {
  const { replicas, timeoutMs, onShortfall } = ctx.durability;
  const wroteOn = connectionOf(ctx.redis);
  const waited = Number(await ctx.redis.call('WAIT', replicas, timeoutMs));
  const acked = connectionOf(ctx.redis) === wroteOn ? waited : 0;
  if (acked >= replicas) return;
  const shortfall: ReplicationShortfall = { what, acked, wanted: replicas, timeoutMs, ids };
  if (what === 'submit') throw new NotReplicatedError(shortfall);
  onShortfall?.(shortfall);
}
