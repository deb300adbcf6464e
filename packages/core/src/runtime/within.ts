/**
 * Resolves with `p`'s value, or with undefined once `ms` have passed or if
 * `p` rejects: a shutdown step bounded in time, for the steps that talk to a
 * Redis that may not answer (it keeps running; nobody waits for it).
 */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.catch(() => undefined),
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
