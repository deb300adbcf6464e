/**
 * Awaiting conditions in tests that drive real processes: poll until true, with a
 * generous timeout and a message that says what was awaited and what was
 * last seen. Never sleep-and-hope.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long, ms (default 30,000). */
  timeoutMs?: number;
  /** Poll interval, ms (default 25). */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
  /** Extra text for the error message (last seen state, log tails). */
  details?: () => string | Promise<string>;
}

/**
 * Calls `check` until it returns true. An error thrown by `check` fails the
 * wait at once (so a dead process does not cost the whole timeout).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  opts: WaitOptions = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() >= deadline) {
      const details = opts.details ? `\n${await opts.details()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}${details}`);
    }
    await sleep(opts.intervalMs ?? 25);
  }
}

/**
 * Like {@link waitFor}, for a value: calls `read` until `accept` takes what
 * it returned, and resolves with that value. The last value read goes into
 * the timeout message.
 */
export async function waitForValue<T>(
  read: () => Promise<T>,
  accept: (v: T) => boolean,
  opts: WaitOptions = {},
): Promise<T> {
  let last: T | undefined;
  let seen = false;
  await waitFor(
    async () => {
      last = await read();
      seen = true;
      return accept(last);
    },
    {
      ...opts,
      details: async () =>
        `last seen: ${seen ? JSON.stringify(last) : '(nothing)'}${opts.details ? `\n${await opts.details()}` : ''}`,
    },
  );
  return last as T;
}
