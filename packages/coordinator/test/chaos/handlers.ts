/**
 * The chaos workers' handler module (`dtps-worker --handlers`). Every run
 * records its start and its end (ok, error, aborted) in a Redis of its own
 * (DTPS_CHAOS_RECORDER_URL), one the chaos driver never kills: so the record
 * holds what ran where and when, even across kill -9 and SIGSTOP of a worker
 * and restarts of the dtps Redis. The start is recorded (acknowledged) before
 * the work begins, so a killed run still shows. A success returns its run id,
 * which tells the checker which run Redis accepted.
 */

import type { RedisClient } from '@dtps/core';
import { createRedis, PermanentError } from '@dtps/core';
import { sleepUnlessAborted } from '@dtps/core/testing';
import { HANG_MS } from './workload.js';

/** The recording list in the recorder Redis. */
export const RUNS_KEY = 'chaos:runs';

/** One line of the recording: a run's start, or its end with how it ended. */
export interface RunRecord {
  /** `s` start, `e` end. */
  e: 's' | 'e';
  id: string;
  attempt: number;
  /** The worker incarnation (DTPS_WORKER_ID). */
  worker: string;
  /** This run's id: `<worker>#<n>`. */
  run: string;
  /** Epoch ms. */
  at: number;
  /** How the run ended (ends only). */
  outcome?: 'ok' | 'error' | 'aborted';
}

/** The part of the handler context (docs/design.md §5) these handlers use. */
interface Ctx {
  signal: AbortSignal;
  task: { id: string; attempt: number };
}

interface Payload {
  ms?: number;
  failTimes?: number;
}

const worker = process.env.DTPS_WORKER_ID ?? 'unknown';
let recorder: RedisClient | undefined;
let runs = 0;

function record(rec: RunRecord): Promise<unknown> {
  recorder ??= createRedis(process.env.DTPS_CHAOS_RECORDER_URL ?? 'redis://127.0.0.1:1', {
    name: 'chaos-recorder',
  });
  return recorder.rpush(RUNS_KEY, JSON.stringify(rec));
}

/** Runs `body` between a recorded start and a recorded end; returns the run id. */
async function recorded(ctx: Ctx, body: () => Promise<void>): Promise<{ run: string }> {
  const run = `${worker}#${++runs}`;
  const base = { id: ctx.task.id, attempt: ctx.task.attempt, worker, run };
  await record({ e: 's', ...base, at: Date.now() });
  try {
    await body();
  } catch (err) {
    await record({ e: 'e', ...base, at: Date.now(), outcome: ctx.signal.aborted ? 'aborted' : 'error' });
    throw err;
  }
  await record({ e: 'e', ...base, at: Date.now(), outcome: 'ok' });
  return { run };
}

const ms = (payload: unknown): number => Number((payload as Payload | null)?.ms ?? 0);

const handlers = {
  /** Works `ms`, succeeds. */
  work: (payload: unknown, ctx: Ctx) => recorded(ctx, () => sleepUnlessAborted(ms(payload), ctx.signal)),

  /** Fails its first `failTimes` attempts, then works `ms` and succeeds. */
  flaky: (payload: unknown, ctx: Ctx) =>
    recorded(ctx, async () => {
      if (ctx.task.attempt <= Number((payload as Payload).failTimes ?? 1)) {
        throw new Error(`flaky: attempt ${ctx.task.attempt} fails by design`);
      }
      await sleepUnlessAborted(ms(payload), ctx.signal);
    }),

  /** Its first attempt outlasts the task's timeout; later attempts work `ms`. */
  slowFirst: (payload: unknown, ctx: Ctx) =>
    recorded(ctx, () => sleepUnlessAborted(ctx.task.attempt === 1 ? HANG_MS : ms(payload), ctx.signal)),

  /** Throws PermanentError: no retry. */
  permanent: (_payload: unknown, ctx: Ctx) =>
    recorded(ctx, async () => {
      throw new PermanentError('permanent by design');
    }),

  /** Always throws an ordinary error: retried until the retries run out. */
  broken: (_payload: unknown, ctx: Ctx) =>
    recorded(ctx, async () => {
      throw new Error('broken by design');
    }),

  /** Outlasts any timeout or deadline it is given. */
  hang: (_payload: unknown, ctx: Ctx) => recorded(ctx, () => sleepUnlessAborted(HANG_MS, ctx.signal)),
};

export default handlers;
