import type { EngineContext } from '../context.js';
import type { RedisClient } from '../scripts/registry.js';

/** What woke a blocked worker: the list, and the value popped from it. */
export interface WakeUp {
  list: string;
  value: string;
}

/**
 * Blocks until a submit (or a retry, release or promotion) wakes this queue,
 * or `timeoutMs` passes. Idle workers sit here instead of polling: one
 * BLPOP per wake-up. With `inbox` (the worker's inbox key), a submit that
 * handed tasks straight to this worker wakes it with them (see
 * lua/includes/handoff.lua); the inbox is read first. With `steal`, a claim
 * that leaves work only in peers' windows wakes it too (the queue's steal
 * list). `blocking` must be a connection of its own. Returns what woke it (to
 * run a handoff, or to pass a wake-up on when it cannot take the work), or
 * null after the timeout.
 */
export async function waitForWork(
  ctx: EngineContext,
  blocking: RedisClient,
  queue: string,
  timeoutMs: number,
  opts: { steal?: boolean; inbox?: string } = {},
): Promise<WakeUp | null> {
  const seconds = Math.max(0.01, timeoutMs / 1000);
  const k = ctx.keys(queue);
  const lists = [k.wake];
  if (opts.inbox) lists.unshift(opts.inbox);
  if (opts.steal) lists.push(k.stealWake);
  const reply = await blocking.blpop(...lists, seconds);
  return reply === null ? null : { list: reply[0], value: reply[1] };
}
