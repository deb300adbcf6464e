// Submits one `wordcount` task and waits for its result:
//   node produce.mjs some text to count
// It prints one line of JSON ({id, state, result, error}) and exits 0 when the
// task succeeded, 1 otherwise. Redis and the rest come from .dtpsrc.yaml and
// DTPS_* variables (DTPS_REDIS_URL=redis://host:6379 node produce.mjs ...).
import { Client, createRedis, engineOptionsFrom, loadConfig } from '@dtps/core';

const text = process.argv.slice(2).join(' ') || 'the quick brown fox jumps over the lazy dog';

const { config } = await loadConfig();
const redis = createRedis(config.redis.url);
const client = new Client(engineOptionsFrom(config, redis));
try {
  const { id } = await client.submit({ type: 'wordcount', payload: { text }, maxRetries: 2 });
  process.stderr.write(`submitted ${id}; waiting for a worker (npx dtps-worker) to run it\n`);
  const task = await client.wait(id, { timeoutMs: 60_000 });
  process.stdout.write(
    `${JSON.stringify({ id, state: task.state, result: task.result, error: task.error })}\n`,
  );
  process.exitCode = task.state === 'succeeded' ? 0 : 1;
} finally {
  await client.close();
  // The Client does not close a connection it was given.
  redis.disconnect();
}
