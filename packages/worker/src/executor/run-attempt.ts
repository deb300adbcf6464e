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

/** A running attempt: its AbortController, so that cancellation and shutdown can stop it. */
export class RunningAttempt {
  readonly controller = new AbortController();
  constructor(
    readonly task: ClaimedTask,
    readonly attempt: number,
  ) {}

  abort(reason: AbortReason): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
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
export async function runAttempt(
  executor: Executor,
  running: RunningAttempt,
  hooks: AttemptHooks,
  clock: Clock,
): Promise<AttemptOutcome> {
  const { task } = running;
  if (!executor.has(task.type)) {
    return {
      kind: 'failed',
      message: `no handler for task type "${task.type}" (this worker handles: ${executor.types.join(', ') || 'nothing'})`,
      reason: 'unknown_task_type',
      permanent: true,
    };
  }
  const signal = running.controller.signal;
  const timers: NodeJS.Timeout[] = [];
  // setTimeout fires at once past 2^31-1 ms (~24.8 days): a limit further out is not armed.
  const arm = (ms: number, reason: AbortReason) => {
    if (ms <= MAX_TIMER_MS) timers.push(setTimeout(() => running.abort(reason), Math.max(0, ms)));
  };
  if (task.timeoutMs !== null) arm(task.timeoutMs, 'timeout');
  if (task.deadline !== null) arm(task.deadline - clock.now(), 'deadline');
  const aborted = new Promise<AttemptOutcome>((resolve) => {
    const onAbort = () => resolve({ kind: 'aborted', reason: signal.reason as AbortReason });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  const work = (async (): Promise<AttemptOutcome> => {
    try {
      const result = await executor.run(task, running.attempt, signal, hooks);
      return { kind: 'succeeded', result };
    } catch (err) {
      const permanent = err instanceof PermanentError || (err as { permanent?: unknown })?.permanent === true;
      return { kind: 'failed', message: errorMessage(err), reason: 'handler_error', permanent };
    }
  })();
  try {
    return await Promise.race([work, aborted]);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
