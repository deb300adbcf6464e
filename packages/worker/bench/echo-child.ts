/**
 * The other end of the latency floor (see floor.ts): pops each request from
 * one list and pushes it to the reply list, nothing else. Run as a child
 * process: `node echo-child.js <redis url> <request list> <reply list>`.
 */
import { createRedis } from '@dtps/core';

const [url, requests, replies] = process.argv.slice(2) as [string, string, string];
const blocking = createRedis(url);
const out = createRedis(url);
process.on('SIGTERM', () => process.exit(0));
for (;;) {
  const popped = await blocking.blpop(requests, 0);
  if (popped) await out.lpush(replies, popped[1]);
}
