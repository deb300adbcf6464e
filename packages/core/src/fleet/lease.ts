import type { EngineContext } from '../context.js';
import { runScript } from '../scripts/registry.js';

/**
 * Tries to take or renew the leader lease. Returns the fencing epoch (> 0)
 * when `holder` holds it (a new epoch each time it changes hands); when
 * another holds it, minus the ms left on its lease.
 */
export async function acquireLease(ctx: EngineContext, holder: string, leaseMs: number): Promise<number> {
  const f = ctx.fleet;
  return Number(await runScript(ctx.redis, 'acquireLease', [f.leader, f.leaderEpoch], [holder, leaseMs]));
}

/** Gives the lease up (if still held with this epoch) and tells the standbys at once. */
export async function releaseLease(ctx: EngineContext, holder: string, epoch: number): Promise<boolean> {
  const released =
    Number(await runScript(ctx.redis, 'releaseLease', [ctx.fleet.leader], [holder, epoch])) === 1;
  if (released) await ctx.redis.publish(ctx.fleet.leaderReleased, holder);
  return released;
}
