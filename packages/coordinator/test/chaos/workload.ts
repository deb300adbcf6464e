/**
 * The chaos workload: tasks of every kind the engine treats differently
 * (plain, flaky, delayed, with deadlines met and missed, timeouts, permanent
 * and exhausted failures, DAGs whose parents succeed or fail), each with the
 * terminal state its spec decides, whatever the faults do in between.
 */
import type { TaskSpec, TerminalState } from '@dtps/core';
import type { Rng } from './rng.js';

/** What a task does; the handler of the same name (handlers.ts) does it. */
export type Kind =
  | 'work'
  | 'flaky'
  | 'delayed'
  | 'deadlineOk'
  | 'slowFirst'
  | 'permanent'
  | 'broken'
  | 'timeout'
  | 'deadlineRun'
  | 'deadlineLate';

/** One planned task. `parents` are indexes of tasks of the same batch. */
export interface Planned {
  index: number;
  kind: Kind;
  priority: number;
  parents: number[];
  /** The state its spec decides: the kind's own outcome, or `cancelled` under a parent that cannot succeed. */
  expect: TerminalState;
  /** Draws that make the spec (kept so that a resubmit builds the same spec). */
  ms: number;
  failTimes: number;
  delayMs: number;
  deadlineInMs: number;
}

/** The outcome of each kind when it has no failing parent. */
const OUTCOME: Record<Kind, TerminalState> = {
  work: 'succeeded',
  flaky: 'succeeded',
  delayed: 'succeeded',
  deadlineOk: 'succeeded',
  slowFirst: 'succeeded',
  permanent: 'failed',
  broken: 'failed',
  timeout: 'failed',
  deadlineRun: 'expired',
  deadlineLate: 'expired',
};

/** Kinds whose handler throws by design: such a run ending in an error is no repeat. */
export const THROWS_BY_SPEC: ReadonlySet<Kind> = new Set(['flaky', 'permanent', 'broken']);
/**
 * Kinds whose run is aborted by design (timeout, deadline). A `deadlineLate`
 * task should not run at all; if it does, the deadline check says so.
 */
export const ABORTED_BY_SPEC: ReadonlySet<Kind> = new Set([
  'slowFirst',
  'timeout',
  'deadlineRun',
  'deadlineLate',
]);

/** Single tasks: kind and weight. */
const SINGLE_KINDS: readonly (readonly [Kind, number])[] = [
  ['work', 62],
  ['flaky', 9],
  ['delayed', 5],
  ['deadlineOk', 4],
  ['slowFirst', 3],
  ['permanent', 5],
  ['broken', 4],
  ['timeout', 2],
  ['deadlineRun', 3],
];

/** Retries enough for a task that should succeed to survive several faults on its attempts. */
const GENEROUS_RETRIES = 8;
/** The deadline of `deadlineOk`: never reached in a run. */
const FAR_DEADLINE_MS = 600_000;
/** How long the parent of a `deadlineLate` child works: longer than the child's deadline (500 ms). */
const SLOW_PARENT_MS = 1500;
/** A `hang` run lasts this long unless its timeout or deadline aborts it. */
export const HANG_MS = 60_000;

/** Plans `total` tasks in batches of about `batchSize`, a DAG never split across batches. */
export function planWorkload(rng: Rng, total: number, batchSize: number): Planned[][] {
  const batches: Planned[][] = [];
  let batch: Planned[] = [];
  let index = 0;
  const add = (kind: Kind, parents: Planned[] = [], ms?: number): Planned => {
    const doomed = parents.some((p) => p.expect !== 'succeeded');
    const p: Planned = {
      index: index++,
      kind,
      priority: rng.int(1, 10),
      parents: parents.map((q) => q.index),
      expect: doomed ? 'cancelled' : OUTCOME[kind],
      ms: ms ?? rng.int(0, 12),
      failTimes: rng.int(1, 2),
      delayMs: rng.int(100, 2000),
      deadlineInMs:
        kind === 'deadlineRun' ? rng.int(300, 900) : kind === 'deadlineLate' ? 500 : FAR_DEADLINE_MS,
    };
    batch.push(p);
    return p;
  };
  while (index < total) {
    const left = total - index;
    const unit =
      left >= 4
        ? rng.weighted([
            ['single', 78],
            ['diamond', 12],
            ['chain', 7],
            ['late', 3],
          ] as const)
        : 'single';
    if (unit === 'single') add(rng.weighted(SINGLE_KINDS));
    else if (unit === 'diamond') {
      const variant = rng.weighted([
        ['ok', 60],
        ['bFails', 20],
        ['aFails', 10],
        ['aExpires', 10],
      ] as const);
      const a = add(variant === 'aFails' ? 'permanent' : variant === 'aExpires' ? 'deadlineRun' : 'work');
      const b = add(variant === 'bFails' ? 'permanent' : 'work', [a]);
      const c = add('flaky', [a]);
      add('work', [b, c]);
    } else if (unit === 'late') {
      // The parent outlasts the child's deadline: the child expires while it waits (pending).
      add('deadlineLate', [add('work', [], SLOW_PARENT_MS)]);
    } else {
      const variant = rng.weighted([
        ['ok', 70],
        ['middleFails', 30],
      ] as const);
      const a = add('work');
      const b = add(variant === 'middleFails' ? 'broken' : 'flaky', [a]);
      add('work', [b]);
    }
    if (batch.length >= batchSize) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * The task spec of a planned task, its times counted from `now` (so a batch
 * resubmitted after a Redis restart gets deadlines still ahead). The
 * idempotency key makes a resubmit of an applied batch return the first tasks.
 */
export function specOf(p: Planned, now: number, runTag: string): TaskSpec {
  const spec: TaskSpec = {
    type: typeOf(p.kind),
    payload: { ms: p.ms, failTimes: p.failTimes },
    priority: p.priority,
    maxRetries: GENEROUS_RETRIES,
    backoff: { baseMs: 20, maxMs: 200 },
    idempotencyKey: `${runTag}-${p.index}`,
    ref: `t${p.index}`,
  };
  if (p.parents.length > 0) spec.dependsOn = p.parents.map((i) => `t${i}`);
  switch (p.kind) {
    case 'delayed':
      spec.delayMs = p.delayMs;
      break;
    case 'deadlineOk':
    case 'deadlineRun':
      spec.deadline = now + p.deadlineInMs;
      break;
    case 'deadlineLate':
      spec.deadline = now + p.deadlineInMs;
      break;
    case 'slowFirst':
      spec.timeoutMs = 300;
      break;
    case 'permanent':
      spec.maxRetries = 3;
      break;
    case 'broken':
      spec.maxRetries = 2;
      break;
    case 'timeout':
      spec.timeoutMs = 200;
      spec.maxRetries = 1;
      break;
    default:
      break;
  }
  return spec;
}

/** The handler type of a kind. */
function typeOf(kind: Kind): string {
  switch (kind) {
    case 'delayed':
    case 'deadlineOk':
      return 'work';
    case 'timeout':
    case 'deadlineRun':
    case 'deadlineLate':
      return 'hang';
    default:
      return kind;
  }
}
