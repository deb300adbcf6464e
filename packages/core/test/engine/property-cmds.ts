/**
 * The commands of the model-based test (property.test.ts) and their
 * generators: what a client, a worker, the coordinator and an operator do.
 * The worker's commands are the calls the worker really makes: `cycle`
 * rounds, the blocking read of its inbox, leaving idle, and the reporter's
 * own reports.
 */
import fc from 'fast-check';
import type { BackoffPolicy } from '../../src/index.js';

export const QUEUE = 'default';
export const BACKOFF: BackoffPolicy = { type: 'exponential', baseMs: 100, maxMs: 1000, jitter: true };

/** The `n`th of a list, wrapping around; undefined when it is empty. */
export function pickOf<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

export type Fence = 'ok' | 'attempt' | 'worker';

/** The task types and groups of the test (few, so that limits on them bind). */
export const TYPES = ['noop', 'api'] as const;
export const GROUPS = ['g1', 'g2', 'g3'] as const;
/** Every rate limit of the test has this window (see model-flow.ts). */
export const RATE_WINDOW_MS = 1000;

export type SubmitCmd = {
  k: 'submit';
  /** Index into TYPES, and into GROUPS (null: no group). */
  type: number;
  group: number | null;
  priority: number;
  maxRetries: number;
  delayMs: number | null;
  deadlineIn: number | null;
  deps: number[];
};

/** One worker round: reports, starts from its window, a claim (with stealing), idle flags. */
export type CycleCmd = {
  k: 'cycle';
  w: number;
  reports: { pick: number; fence: Fence }[];
  /** How many window tasks to start, in window order. */
  starts: number;
  /** Also start a task that is not in this worker's window (gone). */
  startOther: boolean;
  claim: { max: number; start: number; steal: number } | null;
  leave: boolean;
  register: boolean;
  /** Idle registration TTL: short ones lapse within a few clock advances. */
  ttlMs: number;
};

/** A limit change (setQueueLimit / clearQueueLimit): 'keep' leaves that part as it is, null removes it. */
export type LimitCmd = {
  k: 'limit';
  scope: 'queue' | 'type' | 'group' | 'each-group';
  /** Index into TYPES or GROUPS, for those scopes. */
  key: number;
  rate: number | null | 'keep';
  conc: number | null | 'keep';
  clear: boolean;
};

export type Cmd =
  | SubmitCmd
  | LimitCmd
  /** An operator pauses / resumes the queue. */
  | { k: 'pause' }
  | { k: 'resume' }
  /** Plain tasks in one submitMany: written together, then handed to idle workers in one pass. */
  | { k: 'burst'; priorities: number[] }
  | CycleCmd
  /** The worker's blocking read returns the first message of its inbox. */
  | { k: 'receive'; w: number }
  /** leaveIdle, naming some of the handoffs it received (and maybe a stale pair). */
  | { k: 'leave'; w: number; names: number[]; stale: boolean }
  /** The reporter's own success report (completeTasks), for a queue no round carries. */
  | { k: 'complete'; pick: number; fence: Fence }
  /** The reporter's failure report (failTasks). */
  | { k: 'fail'; pick: number; fence: Fence; permanent: boolean }
  | { k: 'cancel'; pick: number }
  /** The coordinator declares a worker dead. */
  | { k: 'recover'; w: number }
  | { k: 'release'; w: number; all: boolean; pick: number }
  | { k: 'advance'; ms: number }
  | { k: 'promote' }
  | { k: 'expire' }
  | { k: 'retry'; pick: number; any: boolean }
  /** A late report of an attempt that has moved on. */
  | { k: 'stale'; pick: number; complete: boolean };

const fence = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Fence>('ok') },
  { weight: 1, arbitrary: fc.constant<Fence>('attempt') },
  { weight: 1, arbitrary: fc.constant<Fence>('worker') },
);

/** True one time in four. */
const rarely = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

/** Sometimes a value, more often null. */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

export const submitArb: fc.Arbitrary<Cmd> = fc.record({
  k: fc.constant('submit' as const),
  type: fc.integer({ min: 0, max: TYPES.length - 1 }),
  group: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: GROUPS.length - 1 }) },
  ),
  priority: fc.integer({ min: 1, max: 10 }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  delayMs: sometimes(fc.integer({ min: 0, max: 3000 })),
  deadlineIn: sometimes(fc.integer({ min: 1, max: 8000 })),
  deps: fc.oneof(
    { weight: 3, arbitrary: fc.constant<number[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) },
  ),
});

const claimArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc.record({
      max: fc.integer({ min: 1, max: 5 }),
      start: fc.integer({ min: 0, max: 5 }),
      steal: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
      ),
    }),
  },
);

const cycleArb: fc.Arbitrary<Cmd> = fc.record({
  k: fc.constant('cycle' as const),
  w: fc.nat(),
  reports: fc.array(fc.record({ pick: fc.nat(), fence }), { maxLength: 3 }),
  starts: fc.integer({ min: 0, max: 3 }),
  startOther: rarely,
  claim: claimArb,
  leave: fc.boolean(),
  register: fc.oneof(
    { weight: 1, arbitrary: fc.constant(false) },
    { weight: 2, arbitrary: fc.constant(true) },
  ),
  ttlMs: fc.constantFrom(2000, 10_000),
});

export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: submitArb },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('burst' as const),
      priorities: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 4 }),
    }),
  },
  { weight: 9, arbitrary: cycleArb },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('receive' as const), w: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('leave' as const),
      w: fc.nat(),
      names: fc.array(fc.nat(), { maxLength: 2 }),
      stale: rarely,
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('complete' as const), pick: fc.nat(), fence }) },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('fail' as const), pick: fc.nat(), fence, permanent: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recover' as const), w: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('release' as const),
      w: fc.nat(),
      all: fc.boolean(),
      pick: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('promote' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('expire' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('retry' as const), pick: fc.nat(), any: rarely }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('stale' as const), pick: fc.nat(), complete: fc.boolean() }),
  },
);

const limitPart = fc.oneof(
  { weight: 2, arbitrary: fc.constant<'keep'>('keep') },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 }) },
);

export const limitArb: fc.Arbitrary<Cmd> = fc
  .record({
    k: fc.constant('limit' as const),
    scope: fc.constantFrom('queue' as const, 'type' as const, 'group' as const, 'each-group' as const),
    key: fc.nat(),
    rate: limitPart,
    conc: limitPart,
    clear: rarely,
  })
  // A change names at least one part (the client refuses one that names none).
  .map((c) => (c.rate === 'keep' && c.conc === 'keep' ? { ...c, conc: 1 } : c));

/**
 * The commands of a run with flow control: all of the above, and limits, pause and resume, and
 * short clock moves (rate windows are RATE_WINDOW_MS long).
 */
export const flowCmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 12, arbitrary: cmdArb },
  // More submits: limits bind when tasks wait.
  { weight: 4, arbitrary: submitArb },
  { weight: 3, arbitrary: limitArb },
  { weight: 1, arbitrary: fc.constant<Cmd>({ k: 'pause' }) },
  { weight: 1, arbitrary: fc.constant<Cmd>({ k: 'resume' }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1200 }) }),
  },
);

/** A submit command with defaults. */
export function sub(over: Partial<SubmitCmd> = {}): Cmd {
  return {
    k: 'submit',
    type: 0,
    group: null,
    priority: 5,
    maxRetries: 1,
    delayMs: null,
    deadlineIn: null,
    deps: [],
    ...over,
  };
}

/** A cycle command with defaults: no reports, no starts, no claim, no idle flags. */
export function cyc(w: number, over: Partial<Omit<CycleCmd, 'k' | 'w'>> = {}): Cmd {
  return {
    k: 'cycle',
    w,
    reports: [],
    starts: 0,
    startOther: false,
    claim: null,
    leave: false,
    register: false,
    ttlMs: 10_000,
    ...over,
  };
}

/** A limit change: `rate` and `conc` as in LimitCmd (the rate's window is RATE_WINDOW_MS). */
export function lim(scope: LimitCmd['scope'], over: Partial<Omit<LimitCmd, 'k' | 'scope'>> = {}): Cmd {
  return { k: 'limit', scope, key: 0, rate: 'keep', conc: 'keep', clear: false, ...over };
}
