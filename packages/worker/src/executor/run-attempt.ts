import { type ClaimedTask, type Clock, PermanentError } from '@dtps/core';
import type { AttemptHooks, Executor } from './executor.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why an attempt was aborted. */
export type AbortReason = 'timeout' | 'deadline' | 'cancelled' | 'shutdown';

/** How an attempt ended. */
export type AttemptOutcome =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; message: string; reason: string; permanent: boolean }
  | { kind: 'aborted'; reason: AbortReason };

/**
 * A running attempt and the way to stop it. Its AbortController is made the
 * first time someone asks for the signal: most handlers never look at it, and
 * one controller and signal per task is a measurable share of a busy worker.
 */
export class RunningAttempt {
  #controller: AbortController | undefined;
  #reason: AbortReason | undefined;
  /** Called on the first abort (runAttempt ends the attempt with it). */
  onAbort: ((reason: AbortReason) => void) | undefined;

  constructor(
    readonly task: ClaimedTask,
    readonly attempt: number,
  ) {}

  /** The attempt's AbortController (already aborted if the attempt was). */
  get controller(): AbortController {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller;
  }

  /** What the handler gets as `ctx.signal`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why it was aborted, or undefined. */
  get abortReason(): AbortReason | undefined {
    return this.#reason;
  }

  /** Aborts once: later calls change nothing. */
  abort(reason: AbortReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.onAbort?.(reason);
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  try {
    return typeof err === 'string' ? err : JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/**
 * Runs one attempt under its limits: `timeoutMs` and the deadline abort it
 * through its AbortSignal, as do cancellation and a forced shutdown. Once
 * aborted, the attempt ends at once: a handler that ignores its signal is
 * abandoned and whatever it returns later is discarded.
 */
export function runAttempt(
  executor: Executor,
  running: RunningAttempt,
  hooks: AttemptHooks,
  clock: Clock,
): Promise<AttemptOutcome> {
  const { task } = running;
  if (!executor.has(task.type)) {
    return Promise.resolve({
      kind: 'failed',
      message: `no handler for task type "${task.type}" (this worker handles: ${executor.types.join(', ') || 'nothing'})`,
      reason: 'unknown_task_type',
      permanent: true,
    });
  }
  // One promise per attempt, settled by whichever comes first: the handler, or an abort.
  return new Promise<AttemptOutcome>((resolve) => {
    let timers: NodeJS.Timeout[] | undefined;
    let done = false;
    const settle = (outcome: AttemptOutcome): void => {
      if (done) return;
      done = true;
      running.onAbort = undefined;
      if (timers) for (const t of timers) clearTimeout(t);
      resolve(outcome);
    };
    const already = running.abortReason;
    if (already !== undefined) return settle({ kind: 'aborted', reason: already });
    running.onAbort = (reason) => settle({ kind: 'aborted', reason });
    // setTimeout fires at once past 2^31-1 ms (~24.8 days): a limit further out is not armed.
    const arm = (ms: number, reason: AbortReason) => {
      if (ms > MAX_TIMER_MS) return;
      timers ??= [];
      timers.push(setTimeout(() => running.abort(reason), Math.max(0, ms)));
    };
    if (task.timeoutMs !== null) arm(task.timeoutMs, 'timeout');
    if (task.deadline !== null) arm(task.deadline - clock.now(), 'deadline');
    const failed = (err: unknown): void => {
      const permanent = err instanceof PermanentError || (err as { permanent?: unknown })?.permanent === true;
      settle({ kind: 'failed', message: errorMessage(err), reason: 'handler_error', permanent });
    };
    try {
      executor.run(task, running.attempt, running, hooks).then((result) => {
        settle({ kind: 'succeeded', result });
      }, failed);
    } catch (err) {
      failed(err);
    }
  });
}
