/**
 * A handler module for process-level tests (`dtps-worker --handlers
 * dist/test/process/recording-handlers.js`): the demo handlers, plus
 * `record`, which writes down every start and finish of an attempt in the
 * Redis list `rec:<prefix>`, so that a test can see what ran where, even on a
 * worker it killed with -9.
 *
 * Entries: `start:<taskId>:<attempt>:<workerId>` and `finish:<taskId>:<attempt>:<workerId>`.
 * The worker id is read from `DTPS_WORKER_ID` (the tests set it), Redis from
 * `DTPS_REDIS_URL`, the prefix from `DTPS_PREFIX`.
 */
import { createRedis, type RedisClient } from '@dtps/core';
import demo from '../../src/handlers/demo.js';
import type { HandlerContext, HandlerMap } from '../../src/handlers/types.js';

/** The list the recording handler appends to. */
export function recordKey(prefix: string): string {
  return `rec:${prefix}`;
}

/** One parsed entry of the recording list. */
export interface Record {
  event: 'start' | 'finish';
  id: string;
  attempt: number;
  worker: string;
}

/** Parses the entries of the recording list. */
export function parseRecords(entries: readonly string[]): Record[] {
  return entries.map((e) => {
    const [event, id, attempt, ...worker] = e.split(':');
    return { event: event as Record['event'], id: id!, attempt: Number(attempt), worker: worker.join(':') };
  });
}

let redis: RedisClient | undefined;
function conn(): RedisClient {
  redis ??= createRedis(process.env.DTPS_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    name: 'recording-handlers',
  });
  return redis;
}

/** Sleeps `ms`, rejecting early when the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

const handlers: HandlerMap = {
  ...demo,

  /**
   * `{ms, slowOn?, otherMs?}`: records its start, sleeps `ms` (with `slowOn`,
   * only on that worker, `otherMs` on any other), honouring the signal,
   * records its finish.
   */
  async record(payload, ctx: HandlerContext) {
    const p = (payload ?? {}) as { ms?: number; slowOn?: string; otherMs?: number };
    const key = recordKey(process.env.DTPS_PREFIX ?? 'dtps');
    const worker = process.env.DTPS_WORKER_ID ?? 'unknown';
    const tag = `${ctx.task.id}:${ctx.task.attempt}:${worker}`;
    await conn().rpush(key, `start:${tag}`);
    const ms = p.slowOn !== undefined && p.slowOn !== worker ? (p.otherMs ?? 0) : (p.ms ?? 100);
    await sleep(ms, ctx.signal);
    await conn().rpush(key, `finish:${tag}`);
    return { worker, attempt: ctx.task.attempt };
  },

  /**
   * `{key}`: records its start and, on its first attempt, waits until an item
   * is pushed to the list `key` (a BLPOP on a connection of its own), then
   * returns at once, recording its finish without waiting for Redis: a test
   * decides exactly when the attempt ends by pushing to `key`.
   */
  async gate(payload, ctx: HandlerContext) {
    const { key } = (payload ?? {}) as { key: string };
    const worker = process.env.DTPS_WORKER_ID ?? 'unknown';
    const tag = `${ctx.task.id}:${ctx.task.attempt}:${worker}`;
    const rec = recordKey(process.env.DTPS_PREFIX ?? 'dtps');
    await conn().rpush(rec, `start:${tag}`);
    if (ctx.task.attempt === 1) {
      const own = createRedis(process.env.DTPS_REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'gate' });
      try {
        await own.blpop(key, 0);
      } finally {
        own.disconnect();
      }
    }
    conn()
      .rpush(rec, `finish:${tag}`)
      .catch(() => {});
    return { worker, attempt: ctx.task.attempt };
  },
};

export default handlers;
