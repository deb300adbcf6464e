/** The task model of docs/design.md §3. */
import type { TaskLog } from './logs.js';

/** Every state a task can be in. */
export const TASK_STATES = [
  'pending',
  'scheduled',
  'queued',
  'reserved',
  'running',
  'succeeded',
  'failed',
  'expired',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A count for every state, all zero. */
export function zeroCounts(): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
}

/** The states a task never leaves except by an operator's retry. */
export const TERMINAL_STATES = ['succeeded', 'failed', 'expired', 'cancelled'] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

export function isTerminal(state: string): state is TerminalState {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}

/** Retry backoff: exponential with full jitter by default, capped at `maxMs`. */
export interface BackoffPolicy {
  /** `exponential`: base·2^(attempt-1); `fixed`: always base. */
  type: 'exponential' | 'fixed';
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
  /** Full jitter: a uniformly random delay in [0, computed]. */
  jitter: boolean;
}

/** What a producer gives to submit a task. */
export interface TaskSpec {
  /** The handler name. 1–128 characters. */
  type: string;
  /** Any JSON value; at most `payloadMaxBytes` once serialised. */
  payload?: unknown;
  /** Queue name; the client's default queue when absent. */
  queue?: string;
  /** 1–10, 10 runs first. Default 1. */
  priority?: number;
  /** Retries after the first attempt, 0–100. Default 3. */
  maxRetries?: number;
  /** Partial backoff policy; missing fields take the defaults. */
  backoff?: Partial<BackoffPolicy>;
  /** Time limit of one attempt, in ms. */
  timeoutMs?: number;
  /** Absolute deadline: RFC 3339 string, Date, or ms since the epoch. */
  deadline?: string | Date | number;
  /** Ids of tasks (same queue) that must succeed first; in `submitMany`, also `ref`s of the batch. */
  dependsOn?: readonly string[];
  /** Run no earlier than this time. */
  runAt?: string | Date | number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** A second submit with the same key returns the first task and writes nothing (see docs/dedup.md). */
  idempotencyKey?: string;
  /**
   * With `idempotencyKey`: the key holds for this many ms after the task was
   * created (1 ms to 365 days), then a submit with it creates a new task.
   * Without it, the key holds until retention deletes the task.
   */
  dedupTtlMs?: number;
  /**
   * With `idempotencyKey`, this call's debounce mode: while the task holding
   * the key has not started, `replace` gives it this call's payload and
   * `drop` drops this call; once it has started (or ended), a new task takes
   * the key. See docs/dedup.md.
   */
  debounce?: DebounceMode;
  /**
   * The task's group (a tenant, an API account): 1–128 letters, digits and `_ . : @ -`.
   * Groups of a queue take turns (fair groups) and can be limited (docs/flow-control.md).
   */
  group?: string;
  /** In `submitMany`: a local name that other specs of the batch can list in `dependsOn`. */
  ref?: string;
}

/** The immutable fields of a task, fixed at submit (validated, defaults filled in). */
export interface TaskFields {
  id: string;
  queue: string;
  type: string;
  priority: number;
  maxRetries: number;
  backoff: BackoffPolicy;
  timeoutMs: number | null;
  deadline: number | null;
  dependsOn: string[];
  runAt: number | null;
  idempotencyKey: string | null;
  /** The task's group, or null (docs/flow-control.md). */
  group: string | null;
  /** W3C trace context of the producer (traceparent, tracestate). */
  trace: Record<string, string> | null;
  createdAt: number;
}

/** What a debounced submit does while the task holding its key waits to start. */
export const DEBOUNCE_MODES = ['replace', 'drop'] as const;
export type DebounceMode = (typeof DEBOUNCE_MODES)[number];

/** A task spec after validation and defaults: what is stored. */
export interface NormalizedSpec extends TaskFields {
  /** The payload, already serialised as JSON. */
  payloadJson: string;
  /** How long the idempotency key holds, in ms; null or absent: until the task is deleted. */
  dedupTtlMs?: number | null;
  /** This submit's debounce mode; null or absent: none. */
  debounce?: DebounceMode | null;
}

/** The error of a failed attempt, as stored. */
export interface TaskError {
  message: string;
  /** Machine-readable cause: `timeout`, `worker_lost`, `unknown_task_type`, `handler_error`, … */
  reason: string;
  attempt?: number;
  at?: number;
}

/** A task as read back from Redis. */
export interface Task extends TaskFields {
  payload: unknown;
  state: TaskState;
  attempts: number;
  result: unknown;
  /** The last error, if any. */
  error: TaskError | null;
  /** Errors of earlier attempts, oldest first (at most the last 10). */
  errors: TaskError[];
  /** Why the task is in its state when that is not obvious: `dependency_failed`, `deadline`, … */
  reason: string | null;
  /** The worker that runs or ran the last attempt; the worker holding it when reserved. */
  worker: string | null;
  /** Last progress the handler reported, 0–100. */
  progress: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /**
   * The lines its handler wrote with `ctx.log`, oldest first: the newest
   * TASK_LOG_MAX_LINES lines within TASK_LOG_MAX_BYTES, over all attempts,
   * stored when each attempt ended (see docs/handlers.md).
   */
  logs: TaskLog[];
  /**
   * Present only when a stored value of the task could not be read back (see
   * docs/handlers.md): which field, and why. The unreadable value reads as its
   * default (null, an empty list) so that the rest of the task still shows.
   */
  unreadable?: Unreadable;
}

/** A stored value of a task that could not be decoded. */
export interface Unreadable {
  /** The task field at fault (`result`, `payload`, `error`, `spec`, `state`, …); several are comma-separated. */
  field: string;
  /** What was wrong with it. */
  reason: string;
}

/** What `submit` returns. */
export interface SubmitResult {
  id: string;
  queue: string;
  state: TaskState;
  /** True when an earlier task with the same idempotency key was returned instead. */
  duplicate: boolean;
  /** Present (true) when, in debounce mode `replace`, that earlier task took this submit's payload. */
  replaced?: true;
}
