import type { EngineContext } from '../context.js';
import { runScript } from '../scripts/registry.js';

/**
 * Sweeps that keep a queue healthy without a worker awake. The coordinator
 * runs them on a timer; tests call them directly.
 */

/** Expires not-yet-started tasks past their deadline (at most `limit`); returns how many. */
export async function expireDue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const k = ctx.keys(queue);
  return Number(
    await runScript(
      ctx.redis,
      'expireDue',
      [k.deadlines],
      [k.base, ctx.clock.now(), ctx.eventsMaxLen, limit],
    ),
  );
}

/** Moves due scheduled tasks to the ready set (at most `limit`); returns how many. */
export async function promoteDue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const k = ctx.keys(queue);
  return Number(
    await runScript(
      ctx.redis,
      'promoteDue',
      [k.scheduled],
      [k.base, ctx.clock.now(), ctx.eventsMaxLen, limit],
    ),
  );
}

/** Retention: deletes terminal tasks past their age or beyond their count (at most `limit` per state); returns how many. */
export async function trimQueue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const k = ctx.keys(queue);
  const r = ctx.retention;
  return Number(
    await runScript(
      ctx.redis,
      'trimDone',
      [k.events],
      [
        k.base,
        ctx.clock.now(),
        ctx.eventsMaxLen,
        limit,
        r.succeeded.ageMs,
        r.succeeded.max,
        r.failed.ageMs,
        r.failed.max,
        r.expired.ageMs,
        r.expired.max,
        r.cancelled.ageMs,
        r.cancelled.max,
      ],
    ),
  );
}
