/** Polling helper for the testing module. */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `check` every `intervalMs` until it returns true or `timeoutMs` has
 * passed. Errors thrown by `check` count as "not yet". Resolves true when the
 * condition held, false on timeout. `abort` (checked before each attempt)
 * ends the wait early by throwing what it returns.
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
  abort?: () => Error | undefined,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stop = abort?.();
    if (stop) throw stop;
    try {
      if (await check()) return true;
    } catch {
      // not ready yet
    }
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}
