/**
 * The worker side of the latency reference (reference.ts): pops a task id
 * from the work list and completes it with one script call, nothing else.
 * Run as a child process: `node reference-child.js <redis url>`.
 */
import { createRedis } from '@dtps/core';
import { REFERENCE_COMPLETE, REFERENCE_KEYS } from './reference-scripts.js';

const [url] = process.argv.slice(2) as [string];
const blocking = createRedis(url);
const out = createRedis(url);
const complete = (await out.script('LOAD', REFERENCE_COMPLETE)) as string;
process.on('SIGTERM', () => process.exit(0));
process.send?.('ready');
for (;;) {
  const popped = await blocking.blpop(REFERENCE_KEYS.work, 0);
  if (popped)
    await out.evalsha(complete, 2, REFERENCE_KEYS.task(popped[1]), REFERENCE_KEYS.events, popped[1]);
}
