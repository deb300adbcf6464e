import type { EngineContext } from '../context.js';
import {
  ACQUIRE_LEASE,
  buildAcquireLease,
  buildReleaseLease,
  callScript,
  decodeAcquireLease,
  decodeReleaseLease,
  RELEASE_LEASE,
} from '../scripts/calls/index.js';

/**
 * Tries to take or renew the leader lease. Returns the fencing epoch (> 0)
 * when `holder` holds it (a new epoch each time it changes hands); when
 * another holds it, minus the ms left on its lease.
 */
export async function acquireLease(ctx: EngineContext, holder: string, leaseMs: number): Promise<number> {
  const call = buildAcquireLease({ fleet: ctx.fleet, holder, leaseMs });
  const lease = decodeAcquireLease(await callScript(ctx.redis, ACQUIRE_LEASE, call));
  return lease.held ? lease.epoch : -lease.msLeft;
}

/** Gives the lease up (if still held with this epoch) and tells the standbys at once. */
export async function releaseLease(ctx: EngineContext, holder: string, epoch: number): Promise<boolean> {
  const call = buildReleaseLease({ fleet: ctx.fleet, holder, epoch });
  const { released } = decodeReleaseLease(await callScript(ctx.redis, RELEASE_LEASE, call));
  if (released) await ctx.redis.publish(ctx.fleet.leaderReleased, holder);
  return released;
}
