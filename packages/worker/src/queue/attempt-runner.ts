import type { Logger } from '@dtps/core';
import {
  attemptSampled,
  type ClaimedTask,
  type EngineContext,
  endAttemptSpan,
  type QueueTally,
  standInTraceparent,
  startAttemptSpan,
  tallies,
  tracingEnabled,
  type WorkerOps,
} from '@dtps/core';
import { RunnerHooks } from '../attempt-hooks.js';
import type { Executor } from '../executor/executor.js';
import {
  type AbortReason,
  type AttemptOutcome,
  RunningAttempt,
  runAttemptThen,
} from '../executor/run-attempt.js';
import type { SlotPool } from '../pool.js';
import type { Outbox } from './outbox.js';

/** What an attempt runner needs (one per queue). */
export interface AttemptDeps {
  queue: string;
  ctx: EngineContext;
  ops: WorkerOps;
  executor: Executor;
  pool: SlotPool;
  log: Logger;
  /** Where outcomes go. */
  outbox: Outbox;
  /** Called after each attempt ended and its slot is free. */
  ended(): void;
}

/**
 * Runs started tasks on slots the caller took: loads parents' results when the task has some,
 * runs the handler, traces the attempt, then frees the slot and passes the outcome on to the
 * outbox. Knows what runs now (for cancellation, shutdown and reconciling).
 */
export class AttemptRunner {
  readonly running = new Map<string, RunningAttempt>();
  readonly #d: AttemptDeps;
  /** This queue's metrics: fields incremented in place (see tallies.ts: no SDK call per task). */
  readonly #tally: QueueTally;
  /** The clock of the attempts' log lines, one function for all of them. */
  readonly #now: () => number;

  constructor(deps: AttemptDeps) {
    this.#d = deps;
    this.#tally = tallies.queue(deps.queue);
    this.#now = () => deps.ctx.clock.now();
  }

  /** Runs attempt `attempt` of `task` on a slot already taken. */
  run(task: ClaimedTask, attempt: number): void {
    const { ops, ctx, log, queue } = this.#d;
    const running = new RunningAttempt(task, attempt);
    this.running.set(task.id, running);
    const hooks = new RunnerHooks(ops, log, queue, task, attempt, this.#now);
    const startedAt = ctx.clock.now();
    this.#tally.started++;
    if (attempt === 1) this.#tally.queueWait.record(Math.max(0, startedAt - task.createdAt) / 1000);
    // Tracing costs nothing on the hot path unless the producer traced the task or this process
    // traces; and a task that sampling drops costs the decision only.
    const span =
      (task.trace !== null || tracingEnabled()) && attemptSampled(task.id, task.trace, attempt, startedAt)
        ? startAttemptSpan({
            id: task.id,
            queue,
            type: task.type,
            attempt,
            createdAt: task.createdAt,
            startedAt,
            trace: task.trace,
            worker: ops.workerId,
          })
        : null;
    const ended = (o: AttemptOutcome) => this.#ended(running, span, hooks, startedAt, o);
    // No promise hops for a task without parents (the common case on the hot path).
    if (task.dependsOn.length === 0) {
      this.#attempt(running, hooks, ended);
      return;
    }
    ops.results(queue, task.dependsOn).then(
      (p) => {
        hooks.parents = p;
        this.#attempt(running, hooks, ended);
      },
      (err: Error) => ended(workerError(err)),
    );
  }

  /** Runs the handler; whatever throws on the way ends the attempt as a `worker_error` (in a microtask, as ever). */
  #attempt(running: RunningAttempt, hooks: RunnerHooks, ended: (o: AttemptOutcome) => void): void {
    try {
      runAttemptThen(this.#d.executor, running, hooks, this.#d.ctx.clock, ended);
    } catch (err) {
      queueMicrotask(() => ended(workerError(err as Error)));
    }
  }

  /** Aborts one running attempt; true if it runs here. */
  abort(id: string, reason: AbortReason): boolean {
    const running = this.running.get(id);
    if (!running) return false;
    running.abort(reason);
    return true;
  }

  /** An attempt ended: frees its slot and passes its outcome on. */
  #ended(
    running: RunningAttempt,
    span: ReturnType<typeof startAttemptSpan> | null,
    hooks: RunnerHooks,
    startedAt: number,
    outcome: AttemptOutcome,
  ): void {
    const { pool, outbox, ctx } = this.#d;
    const { task, attempt } = running;
    this.#tally.runTime.record(Math.max(0, ctx.clock.now() - startedAt) / 1000);
    if (span) endAttemptSpan(span, spanEnd(outcome));
    this.running.delete(task.id);
    pool.release(1);
    // Whatever the outcome (a cancelled attempt's lines too): they go with this tick's reports.
    const logs = hooks.takeLogs();
    if (logs) outbox.logs(logs);
    if (outcome.kind === 'succeeded') {
      outbox.complete({
        id: task.id,
        attempt,
        result: outcome.result,
        json: outcome.json,
        createdAt: task.createdAt,
      });
    } else if (outcome.kind === 'failed') {
      outbox.fail({
        id: task.id,
        attempt,
        message: outcome.message,
        reason: outcome.reason,
        permanent: outcome.permanent,
        retryAfterMs: outcome.retryAfterMs ?? null,
        traceparent: standInTraceparent(task.id, task.trace, span !== null),
      });
    } else if (outcome.reason === 'cancelled') {
      this.#tally.cancelled++;
    } else {
      outbox.fail({
        id: task.id,
        attempt,
        message: abortMessage(outcome.reason, task.timeoutMs),
        reason: outcome.reason === 'shutdown' ? 'worker_shutdown' : outcome.reason,
        permanent: false,
        traceparent: standInTraceparent(task.id, task.trace, span !== null),
      });
    }
    this.#d.ended();
  }
}

function workerError(err: Error): AttemptOutcome {
  return { kind: 'failed', message: err.message, reason: 'worker_error', permanent: false };
}

function spanEnd(outcome: AttemptOutcome): Parameters<typeof endAttemptSpan>[1] {
  if (outcome.kind === 'succeeded') return { ok: true };
  return {
    ok: false,
    reason: outcome.reason,
    ...(outcome.kind === 'failed' ? { message: outcome.message } : {}),
  };
}

function abortMessage(reason: Exclude<AbortReason, 'cancelled'>, timeoutMs: number | null): string {
  if (reason === 'timeout') return `timed out after ${timeoutMs} ms`;
  if (reason === 'deadline') return 'deadline passed while running';
  return 'the worker shut down before the task finished';
}
