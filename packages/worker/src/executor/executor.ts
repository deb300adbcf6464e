import type { ClaimedTask } from '@dtps/core';

/**
 * What a running attempt can do besides computing its result. `progress` and
 * `log` must work unbound: handlers get them as `ctx.progress`, `ctx.log` and
 * may destructure them.
 */
export interface AttemptHooks {
  readonly progress: (percent: number) => void;
  readonly log: (message: string) => void;
  parents: Record<string, unknown>;
}

/**
 * Runs one handler call, in this thread or in a pool thread. It resolves with
 * the handler's result or rejects with its error; aborting, timeouts and
 * abandonment are the caller's (see runAttempt).
 */
export interface Executor {
  /** Task types it has handlers for. */
  readonly types: readonly string[];
  has(type: string): boolean;
  /** `abort.signal` is read only by executors that need it (made on first use; see RunningAttempt). */
  run(
    task: ClaimedTask,
    attempt: number,
    abort: { readonly signal: AbortSignal },
    hooks: AttemptHooks,
  ): Promise<unknown>;
  close(): Promise<void>;
}
