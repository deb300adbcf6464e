import type { EngineContext } from '../context.js';
import type { RedisClient } from '../scripts/registry.js';

/**
 * Blocks until a submit (or a retry, release or promotion) wakes this queue,
 * or `timeoutMs` passes. Idle workers sit here instead of polling: one
 * BLPOP per wake-up. With `steal`, a claim that leaves work only in peers'
 * windows wakes it too (the queue's steal list). `blocking` must be a
 * connection of its own. Returns the list that woke it (to pass the wake-up
 * on when it cannot take the work), or null after the timeout.
 */
export async function waitForWork(
  ctx: EngineContext,
  blocking: RedisClient,
  queue: string,
  timeoutMs: number,
  opts: { steal?: boolean } = {},
): Promise<string | null> {
  const seconds = Math.max(0.01, timeoutMs / 1000);
  const k = ctx.keys(queue);
  const reply = opts.steal
    ? await blocking.blpop(k.wake, k.stealWake, seconds)
    : await blocking.blpop(k.wake, seconds);
  return reply === null ? null : reply[0];
}
