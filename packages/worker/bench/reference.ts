/**
 * A yardstick between the floor (floor.ts) and dtps: the same four process
 * hops, with the least a queue that keeps a task record and an event stream
 * does in them (reference-scripts.ts). The producer submits with one script
 * call, a child process pops the task and completes it with another, and the
 * producer learns of it from the event stream, as dtps's `wait()` does. Paced
 * and timed like the latency group, warm-up included.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { duplicateConnection, type RedisClient } from '@dtps/core';
import { SucceededWatch } from './event-watch.js';
import { paced } from './paced.js';
import { type Distribution, distribution } from './percentiles.js';
import { REFERENCE_KEYS, REFERENCE_SUBMIT } from './reference-scripts.js';

const CHILD = fileURLToPath(new URL('./reference-child.js', import.meta.url));

export async function measureReference(
  redis: RedisClient,
  redisUrl: string,
  o: { rate: number; count: number; warmup: number },
): Promise<Distribution> {
  const child = fork(CHILD, [redisUrl], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const watchConn = duplicateConnection(redis);
  const watch = new SucceededWatch(watchConn, REFERENCE_KEYS.events);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the reference child exited (${code})`)));
    });
    const submit = (await redis.script('LOAD', REFERENCE_SUBMIT)) as string;
    await watch.start();
    let n = 0;
    const send = async (into: Map<string, number>) => {
      const id = `r${n++}`;
      const t0 = performance.now();
      into.set(id, t0);
      await redis.evalsha(
        submit,
        3,
        REFERENCE_KEYS.task(id),
        REFERENCE_KEYS.events,
        REFERENCE_KEYS.work,
        id,
        '{}',
      );
    };
    const period = 1000 / o.rate;
    await paced(o.warmup, period, () => send(new Map()));
    const sentAt = new Map<string, number>();
    await paced(o.count, period, () => send(sentAt));
    await watch.allSeen(sentAt.keys(), 10_000);
    const samples: number[] = [];
    for (const [id, t0] of sentAt) {
      const t1 = watch.at.get(id);
      if (t1 === undefined) throw new Error(`the reference child did not complete ${id}`);
      samples.push(t1 - t0);
    }
    return distribution(samples);
  } finally {
    await watch.stop();
    watchConn.disconnect();
    child.kill('SIGTERM');
  }
}
