import { type ClaimedTask, type Clock, encodeResult, errorText, isPermanent, retryAfterOf } from '@dtps/core';
import { EncodedResult } from './encoded-result.js';
import type { AttemptHooks, Executor } from './executor.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why an attempt was aborted. */
export type AbortReason = 'timeout' | 'deadline' | 'cancelled' | 'shutdown';

/** How an attempt ended. */
export type AttemptOutcome =
  /** `json`: the result as stored (encoded where it was made; see encodeResult). */
  | { kind: 'succeeded'; result: unknown; json: string }
  | { kind: 'failed'; message: string; reason: string; permanent: boolean; retryAfterMs?: number | null }
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

/**
 * The outcome of a handler's result: succeeded with its JSON, or — when it
 * cannot be stored — a permanent failure with reason `unencodable_result`
 * naming the task and why (no retry can change what the handler returns).
 */
function resultOutcome(task: ClaimedTask, result: unknown): AttemptOutcome {
  if (result instanceof EncodedResult) return { kind: 'succeeded', result: undefined, json: result.json };
  try {
    return { kind: 'succeeded', result, json: encodeResult(result) };
  } catch (err) {
    return unencodable(task, errorText(err));
  }
}

/** Whether a pool thread said the result could not be encoded (see ThreadExecutor); never throws. */
function isUnencodable(err: unknown): boolean {
  try {
    return (err as { dtpsReason?: unknown } | null)?.dtpsReason === 'unencodable_result';
  } catch {
    return false;
  }
}

/** A failed attempt: the result of task `task` cannot be stored, for `why`. */
export function unencodable(task: ClaimedTask, why: string): AttemptOutcome {
  return {
    kind: 'failed',
    message: `task ${task.id} (type ${task.type}): ${why}`,
    reason: 'unencodable_result',
    permanent: true,
  };
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
  return new Promise((resolve) => runAttemptThen(executor, running, hooks, clock, resolve));
}

/**
 * {@link runAttempt}, its outcome passed to `ended` (once, never synchronously) rather than
 * through a promise: the worker runs every task through here, and a promise with its reaction
 * per attempt is a share of a busy worker's time and garbage.
 */
export function runAttemptThen(
  executor: Executor,
  running: RunningAttempt,
  hooks: AttemptHooks,
  clock: Clock,
  ended: (outcome: AttemptOutcome) => void,
): void {
  const { task } = running;
  if (task.corrupt !== undefined) {
    endSoon(ended, { kind: 'failed', message: task.corrupt, reason: 'corrupt_task', permanent: true });
    return;
  }
  if (!executor.has(task.type)) {
    endSoon(ended, {
      kind: 'failed',
      message: `no handler for task type "${task.type}" (this worker handles: ${executor.types.join(', ') || 'nothing'})`,
      reason: 'unknown_task_type',
      permanent: true,
    });
    return;
  }
  // Settled by whichever comes first: the handler, or an abort. `inReaction`: settled from the
  // handler's promise, a microtask already, where the outcome may go on at once.
  let timers: NodeJS.Timeout[] | undefined;
  let done = false;
  const settle = (outcome: AttemptOutcome, inReaction = false): void => {
    if (done) return;
    done = true;
    running.onAbort = undefined;
    if (timers) for (const t of timers) clearTimeout(t);
    if (inReaction) ended(outcome);
    else endSoon(ended, outcome);
  };
  const already = running.abortReason;
  if (already !== undefined) {
    settle({ kind: 'aborted', reason: already });
    return;
  }
  // Invariant 5, where it matters to the user: no handler is called past its task's deadline,
  // whatever Redis was told (a round resent after an outage carries the `now` it was built
  // with) and however long this process was stopped since the start.
  if (task.deadline !== null && task.deadline <= clock.now()) {
    settle({ kind: 'aborted', reason: 'deadline' });
    return;
  }
  running.onAbort = (reason) => settle({ kind: 'aborted', reason });
  // setTimeout fires at once past 2^31-1 ms (~24.8 days): a limit further out is not armed.
  const arm = (ms: number, reason: AbortReason) => {
    if (ms > MAX_TIMER_MS) return;
    timers ??= [];
    timers.push(setTimeout(() => running.abort(reason), Math.max(0, ms)));
  };
  if (task.timeoutMs !== null) arm(task.timeoutMs, 'timeout');
  if (task.deadline !== null) arm(task.deadline - clock.now(), 'deadline');
  // errorText and isPermanent never throw, whatever the handler threw (a Proxy, a throwing getter).
  const failed = (err: unknown, inReaction = false): void => {
    if (isUnencodable(err)) {
      settle(unencodable(task, errorText(err)), inReaction);
      return;
    }
    const retryAfterMs = retryAfterOf(err);
    settle(
      retryAfterMs === null
        ? { kind: 'failed', message: errorText(err), reason: 'handler_error', permanent: isPermanent(err) }
        : {
            kind: 'failed',
            message: errorText(err),
            reason: 'rate_limited',
            permanent: false,
            retryAfterMs,
          },
      inReaction,
    );
  };
  try {
    executor.run(task, running.attempt, running, hooks).then(
      (result) => {
        if (!done) settle(resultOutcome(task, result), true);
      },
      (err: unknown) => failed(err, true),
    );
  } catch (err) {
    failed(err);
  }
}

/**
 * Passes an outcome on in a microtask, as a promise's resolution would: an attempt never ends
 * inside the call that started or aborted it (the runner and a cancellation may be in the
 * middle of their own bookkeeping).
 */
function endSoon(ended: (outcome: AttemptOutcome) => void, outcome: AttemptOutcome): void {
  queueMicrotask(() => ended(outcome));
}
