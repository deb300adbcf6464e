import type { BackoffPolicy } from './types.js';

/**
 * The delay before retry number `attempt` (1 = first retry) under a policy:
 * base·2^(attempt-1) (or base when fixed), capped at maxMs, then full jitter.
 * The Lua scripts compute the same (lua/includes/attempt.lua); this copy lets
 * tools show the schedule.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  let delay = policy.type === 'fixed' ? policy.baseMs : policy.baseMs * 2 ** (attempt - 1);
  if (delay > policy.maxMs) delay = policy.maxMs;
  if (policy.jitter) delay = random() * delay;
  return Math.floor(delay);
}
