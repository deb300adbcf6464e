/** A sleep for test handler modules that ends early when the task is aborted. */

/**
 * Sleeps `ms`, rejecting (with `aborted: <reason>`) as soon as the signal
 * fires, or at once when it already has: a handler that sleeps this way
 * honours its timeout, deadline and cancellation as a real one should.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error(`aborted: ${String(signal.reason)}`));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error(`aborted: ${String(signal.reason)}`));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
