import type { BenchEnv } from '@dtps/core/bench';

/** Connections blocked in BLPOP: idle workers waiting on a wake list. */
export async function blockedInBlpop(env: BenchEnv): Promise<number> {
  const list = (await env.stats.client('LIST')) as string;
  return list.split('\n').filter((l) => / flags=b /.test(l) && / cmd=blpop /.test(l)).length;
}

/**
 * Resolves once `n` connections block in BLPOP: the workers have started,
 * claimed nothing and now wait for work (Worker.start() returns before that).
 */
export async function untilBlocked(env: BenchEnv, n: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await blockedInBlpop(env)) < n) {
    if (performance.now() > deadline)
      throw new Error(`${n} workers did not block in BLPOP within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
