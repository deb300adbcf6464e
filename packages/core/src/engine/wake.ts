import type { EngineContext } from '../context.js';
import type { RedisClient } from '../scripts/registry.js';

/**
 * Blocks until a submit (or a retry, release or promotion) wakes this queue,
 * or `timeoutMs` passes. Idle workers sit here instead of polling: one
 * BLPOP per wake-up. `blocking` must be a connection of its own.
 * Returns true when woken by work.
 */
export async function waitForWork(
  ctx: EngineContext,
  blocking: RedisClient,
  queue: string,
  timeoutMs: number,
): Promise<boolean> {
  const seconds = Math.max(0.01, timeoutMs / 1000);
  const reply = await blocking.blpop(ctx.keys(queue).wake, seconds);
  return reply !== null;
}
