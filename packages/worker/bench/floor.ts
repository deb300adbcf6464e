/**
 * The floor under the end-to-end latency on this machine: the same four
 * process hops as a handed-off task (producer → Redis → worker → Redis →
 * producer), with nothing in them. The producer pushes a request, a child
 * process blocked in BLPOP pushes it back, the producer's own BLPOP gets it;
 * paced like the latency group. What dtps adds above it is its own cost.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { duplicateConnection, type RedisClient } from '@dtps/core';
import { type Distribution, distribution } from './percentiles.js';

const ECHO = fileURLToPath(new URL('./echo-child.js', import.meta.url));

export async function measureFloor(
  redis: RedisClient,
  redisUrl: string,
  o: { rate: number; count: number },
): Promise<Distribution> {
  const requests = 'bench:floor:req';
  const replies = 'bench:floor:rep';
  const child = fork(ECHO, [redisUrl, requests, replies], { stdio: 'ignore' });
  const blocking = duplicateConnection(redis);
  try {
    // The echo is up once it answers.
    const first = blocking.blpop(replies, 30);
    await redis.lpush(requests, 'hello');
    if (!(await first)) throw new Error('the echo child did not answer within 30 s');
    const period = 1000 / o.rate;
    const start = performance.now();
    const samples: number[] = [];
    for (let i = 0; i < o.count; i++) {
      // Blocked before the request goes out, as a producer's wait is (XREAD on the events).
      const reply = blocking.blpop(replies, 5);
      const wait = start + i * period - performance.now();
      if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      await redis.lpush(requests, String(i));
      if (!(await reply)) throw new Error('the echo child stopped answering');
      samples.push(performance.now() - t0);
    }
    return distribution(samples);
  } finally {
    child.kill('SIGTERM');
    blocking.disconnect();
  }
}
