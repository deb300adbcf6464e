/**
 * The two scripts of the latency reference (reference.ts): the least a queue
 * that keeps a task record and an event stream does on the path of one task —
 * one script call on each side, three commands in each. No priorities, no
 * fence, no counters, no retention, no idle registry: a yardstick, not a queue.
 */

/** Producer. KEYS: task hash, event stream, worker list. ARGV: id, payload. */
export const REFERENCE_SUBMIT = `
redis.call('HSET', KEYS[1], 's', 'queued', 'pl', ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 's', 'queued', 'ids', ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1`;

/** Worker. KEYS: task hash, event stream. ARGV: id. */
export const REFERENCE_COMPLETE = `
redis.call('HSET', KEYS[1], 's', 'succeeded', 'r', 'null')
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 's', 'succeeded', 'ids', ARGV[1])
return 1`;

export const REFERENCE_KEYS = {
  task: (id: string) => `bench:ref:t:${id}`,
  events: 'bench:ref:events',
  work: 'bench:ref:work',
};
