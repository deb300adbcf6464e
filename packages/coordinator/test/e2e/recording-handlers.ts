/**
 * A handler module for the coordinator's process-level tests
 * (`dtps-worker --handlers dist/test/e2e/recording-handlers.js`). `record`
 * writes down every start and finish of an attempt, with the time, in the
 * Redis list `rec:<prefix>`, so that a test can see what ran where and when,
 * even on a worker it killed with -9 or stopped with SIGSTOP.
 *
 * The worker id is read from `DTPS_WORKER_ID` (the tests set it), Redis from
 * `DTPS_REDIS_URL`, the prefix from `DTPS_PREFIX`. The module only needs
 * `@dtps/core`: the handler signature is the one of DESIGN §5, spelled out
 * here so that the coordinator's tests do not import the worker package.
 */
import { createRedis, type RedisClient } from '@dtps/core';

/** The list the recording handler appends to. */
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

/** The part of the handler context (DESIGN §5) these handlers use. */
interface Ctx {
  signal: AbortSignal;
  task: { id: string; attempt: number };
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

async function note(event: Rec['event'], ctx: Ctx, worker: string): Promise<void> {
  const rec: Rec = { event, id: ctx.task.id, attempt: ctx.task.attempt, worker, at: Date.now() };
  await conn().rpush(recordKey(process.env.DTPS_PREFIX ?? 'dtps'), JSON.stringify(rec));
}

const handlers = {
  /** Records its start, sleeps (honouring the signal), records its finish; returns who ran which attempt. */
  async record(payload: unknown, ctx: Ctx) {
    const p = (payload ?? {}) as RecordPayload;
    const worker = process.env.DTPS_WORKER_ID ?? 'unknown';
    await note('start', ctx, worker);
    const ms = p.slowOn !== undefined && p.slowOn !== worker ? (p.otherMs ?? 0) : (p.ms ?? 100);
    await sleep(ms, ctx.signal);
    await note('finish', ctx, worker);
    return { worker, attempt: ctx.task.attempt };
  },

  async noop() {
    return null;
  },
};

export default handlers;
