/** The types of the model of model.ts and model-tasks.ts. */
import type { TaskState } from '../../src/index.js';

export type TerminalKind = 'succeeded' | 'failed' | 'expired' | 'cancelled';

const TERMINAL: ReadonlySet<TaskState> = new Set(['succeeded', 'failed', 'expired', 'cancelled']);

export function isTerminalState(s: TaskState): boolean {
  return TERMINAL.has(s);
}

export interface ModelTask {
  id: string;
  priority: number;
  maxRetries: number;
  deadline: number | null;
  /** Its task type and group (flow control: the limits it counts under, its lane). */
  type: string;
  group: string | null;
  /** The runAt of the spec (delayMs), used when dependencies are met. */
  specRunAt: number | null;
  deps: string[];
  state: TaskState;
  /** The hash's attempt counter `a`. */
  attempt: number;
  /** The worker holding it while reserved or running. */
  worker: string | null;
  /** FIFO position while queued or reserved (the engine's ready score keeps the same order). */
  seq: number;
  /** Run time while scheduled. */
  runAt: number | null;
  /** Dependencies not yet succeeded while pending. */
  waitingOn: Set<string>;
  /** Why it ended (failed, expired, cancelled). */
  reason: string | null;
  /** The fence of the last attempt that ran: a report with it after the task moved on must be refused. */
  lastFence: { worker: string; attempt: number } | null;
}

export interface SubmitInput {
  priority: number;
  maxRetries: number;
  deadline: number | null;
  runAt: number | null;
  deps: string[];
  type?: string;
  group?: string | null;
}

/**
 * Which script wrote a submitted task, for its sequence number: submitTasks takes one from the
 * FIFO counter for every task of the batch (whatever its state) unless the batch has lanes;
 * submitPlain one per task; a plain task handed straight to an idle worker none (handoff.lua).
 */
export type SubmitPath = 'tasks' | 'plain' | 'handoff';

export interface Handed {
  id: string;
  attempt: number;
  started: boolean;
}

/** One task of an inbox message: what a submit started for an idle worker. */
export interface InboxTask {
  id: string;
  attempt: number;
}

/** An idle registration: free slots, and the time it holds until (ms). */
export interface Registration {
  free: number;
  until: number;
}

/** A (task, attempt) pair a worker names. */
export interface Fenced {
  id: string;
  attempt: number;
}

/** What the engine chose, read back by the caller (see the class comment). */
export interface Choices {
  /** Among peers whose windows are equally longest, the one a claim stole from. */
  victim(candidates: string[]): string;
  /** Dependents that one parent released together, in the engine's order. */
  released(ids: string[]): string[];
  /**
   * The claim of a limited queue (flow.lua), as the engine answered it: the model checks that
   * every start was allowed, in order, and takes it (which tasks a limit holds back depends on
   * its held sets and their due times, which the model does not replay).
   */
  limitedClaim?: { handed: Handed[]; nextDueAt: number | null };
  /** Tasks that such a claim found past their deadline (they expired at handout). */
  expiredAtHandout?: ReadonlySet<string>;
}

/** One `cycle` round (WorkerOps.cycle). */
export interface CycleInput {
  complete: readonly Fenced[];
  start: readonly Fenced[];
  claim: { max: number; start: number; steal: number } | null;
  leave: boolean;
  register: boolean;
  ttlMs: number;
}

export interface ClaimOutcome {
  handed: Handed[];
  nextDueAt: number | null;
  stolen: number;
  started: number;
}

export interface CycleOutcome {
  handedOff: InboxTask[];
  completed: boolean[];
  started: ('started' | 'gone' | 'expired')[];
  claim: ClaimOutcome;
  registered: boolean;
}

export type RetryOutcome =
  | { ok: true; state: 'queued' | 'pending' }
  | { ok: false; code: 'invalid_state' | 'deadline_passed' | 'dependency_not_satisfied' };

/** Ready-set order: higher priority first, FIFO within a priority. */
export function readyOrder(a: ModelTask, b: ModelTask): number {
  // Equal scores (lost attempts all go in at sequence 0) order by id, as a Redis sorted set does.
  return b.priority - a.priority || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
