import type { EngineContext } from '../context.js';
import {
  buildExpireDue,
  buildPromoteDue,
  buildTrimDone,
  callScript,
  decodeExpireDue,
  decodePromoteDue,
  decodeTrimDone,
  EXPIRE_DUE,
  PROMOTE_DUE,
  TRIM_DONE,
} from '../scripts/calls/index.js';
import { queueCall } from './queue-call.js';

/**
 * Sweeps that keep a queue healthy without a worker awake. The coordinator
 * runs them on a timer; tests call them directly.
 */

/** Expires not-yet-started tasks past their deadline (at most `limit`); returns how many. */
export async function expireDue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const call = buildExpireDue({ ...queueCall(ctx, queue), limit });
  return decodeExpireDue(await callScript(ctx.redis, EXPIRE_DUE, call)).expired;
}

/** Moves due scheduled tasks to the ready set (at most `limit`); returns how many. */
export async function promoteDue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const call = buildPromoteDue({ ...queueCall(ctx, queue), limit });
  return decodePromoteDue(await callScript(ctx.redis, PROMOTE_DUE, call)).promoted;
}

/** Retention: deletes terminal tasks past their age or beyond their count (at most `limit` per state); returns how many. */
export async function trimQueue(ctx: EngineContext, queue: string, limit = 1000): Promise<number> {
  const call = buildTrimDone({ ...queueCall(ctx, queue), limit, retention: ctx.retention });
  return decodeTrimDone(await callScript(ctx.redis, TRIM_DONE, call)).deleted;
}
