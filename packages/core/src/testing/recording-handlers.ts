/**
 * A handler module for process-level tests (`dtps-worker --handlers
 * RECORDING_HANDLERS`). `record` and `gate` write down every start and finish
 * of an attempt, with the time, in the Redis list `rec:<prefix>`, so that a
 * test can see what ran where and when, even on a worker it killed with -9 or
 * stopped with SIGSTOP. `noop` and `sleep` are there for plain tasks.
 *
 * The worker id is read from `DTPS_WORKER_ID` (the tests set it), Redis from
 * `DTPS_REDIS_URL`, the prefix from `DTPS_PREFIX`. The handler signature is
 * the one of docs/design.md §5, spelled out here: core does not depend on the worker.
 */
import { fileURLToPath } from 'node:url';
import { createRedis } from '../connection/index.js';
import type { RedisClient } from '../scripts/registry.js';
import { sleepUnlessAborted } from './abortable-sleep.js';

/** This module, compiled: what `--handlers` takes. */
export const RECORDING_HANDLERS = fileURLToPath(import.meta.url);

/** The list the recording handlers append to. */
export function recordKey(prefix: string): string {
  return `rec:${prefix}`;
}

/** One entry of the recording list. */
export interface Rec {
  event: 'start' | 'finish';
  id: string;
  attempt: number;
  worker: string;
  /** Epoch ms, on the worker's clock (same machine as the test). */
  at: number;
}

/** Parses the entries of the recording list. */
export function parseRecords(entries: readonly string[]): Rec[] {
  return entries.map((e) => JSON.parse(e) as Rec);
}

/** What `record` takes. */
export interface RecordPayload {
  /** How long the attempt takes, ms (default 100). */
  ms?: number;
  /** With `slowOn`, `ms` applies only on that worker, `otherMs` on any other. */
  slowOn?: string;
  otherMs?: number;
}

/** The part of the handler context (docs/design.md §5) these handlers use. */
interface Ctx {
  signal: AbortSignal;
  task: { id: string; attempt: number };
}

const redisUrl = (): string => process.env.DTPS_REDIS_URL ?? 'redis://127.0.0.1:6379';
const workerId = (): string => process.env.DTPS_WORKER_ID ?? 'unknown';

let redis: RedisClient | undefined;
function conn(): RedisClient {
  redis ??= createRedis(redisUrl(), { name: 'recording-handlers' });
  return redis;
}

function entry(event: Rec['event'], ctx: Ctx): string {
  const rec: Rec = { event, id: ctx.task.id, attempt: ctx.task.attempt, worker: workerId(), at: Date.now() };
  return JSON.stringify(rec);
}

async function note(event: Rec['event'], ctx: Ctx): Promise<void> {
  await conn().rpush(recordKey(process.env.DTPS_PREFIX ?? 'dtps'), entry(event, ctx));
}

const handlers = {
  /** Records its start, sleeps (honouring the signal), records its finish; returns who ran which attempt. */
  async record(payload: unknown, ctx: Ctx) {
    const p = (payload ?? {}) as RecordPayload;
    const worker = workerId();
    await note('start', ctx);
    const ms = p.slowOn !== undefined && p.slowOn !== worker ? (p.otherMs ?? 0) : (p.ms ?? 100);
    await sleepUnlessAborted(ms, ctx.signal);
    await note('finish', ctx);
    return { worker, attempt: ctx.task.attempt };
  },

  /**
   * `{key}`: records its start and, on its first attempt, waits until an item
   * is pushed to the list `key` (a BLPOP on a connection of its own), then
   * returns at once, recording its finish without waiting for Redis: a test
   * decides exactly when the attempt ends by pushing to `key`.
   */
  async gate(payload: unknown, ctx: Ctx) {
    const { key } = (payload ?? {}) as { key: string };
    await note('start', ctx);
    if (ctx.task.attempt === 1) {
      const own = createRedis(redisUrl(), { name: 'gate' });
      try {
        await own.blpop(key, 0);
      } finally {
        own.disconnect();
      }
    }
    note('finish', ctx).catch(() => {});
    return { worker: workerId(), attempt: ctx.task.attempt };
  },

  /** `{ms}`: waits that long (default 1000), honouring the signal. */
  async sleep(payload: unknown, ctx: Ctx) {
    const ms = Number((payload as { ms?: number } | null)?.ms ?? 1000);
    await sleepUnlessAborted(ms, ctx.signal);
    return { sleptMs: ms };
  },

  async noop() {
    return null;
  },
};

export default handlers;
