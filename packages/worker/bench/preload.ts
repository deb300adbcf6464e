/** Fills a queue before a timed run: `submitMany` in chunks, a couple of calls in flight. */
import { Client, type RedisClient, type TaskSpec } from '@dtps/core';
import { slidingWindow } from '@dtps/core/bench';

const CHUNK = 1000;

/** Submits `count` tasks made by `spec(i)` to the default queue. */
export async function preload(
  redis: RedisClient,
  count: number,
  spec: (i: number) => TaskSpec,
): Promise<void> {
  const client = new Client({ redis });
  try {
    await slidingWindow(Math.ceil(count / CHUNK), 2, (k) => {
      const specs: TaskSpec[] = [];
      for (let i = k * CHUNK; i < Math.min((k + 1) * CHUNK, count); i++) specs.push(spec(i));
      return client.submitMany(specs);
    });
  } finally {
    await client.close();
  }
}
