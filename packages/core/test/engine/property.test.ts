/**
 * Model-based test of the engine on the path that runs: random sequences of
 * what the worker really does — `cycle` rounds (reports, window starts, claims
 * with stealing, idle registration and leaving), the blocking read of its
 * inbox after a submit handed it tasks, leaveIdle, the reporter's own reports
 * — and of submits, cancels, retries, sweeps, clock moves, stale reports and
 * the coordinator's recovery of a dead worker. Each runs against the real
 * engine (one fresh prefix per run; on a single node, or on the Cluster with
 * DTPS_TEST_REDIS=cluster) and against the in-memory model of model.ts; after
 * every step the whole state is compared (property-check.ts).
 *
 * Half the random runs also change limits (rates, concurrency caps, per queue,
 * type, group and each group), pause and resume the queue; tasks have types and
 * groups (fair lanes) in all of them. The flow invariants are in property-flow.ts.
 *
 * 40 runs by default (the first EXAMPLES.length are the EXAMPLES below). The
 * seed is printed; knobs: DTPS_PROPERTY_RUNS=<n> for a longer soak;
 * DTPS_PROPERTY_SEED and DTPS_PROPERTY_PATH replay a reported failure;
 * DTPS_PROPERTY_STEPS=<n> allows longer sequences (default at most 40 steps
 * after the first submits); DTPS_PROPERTY_LOG=1 prints every run's steps.
 */
import test from 'ava';
import fc from 'fast-check';
import { CLUSTER, useEngine } from './fixture.js';
import { checkState } from './property-check.js';
import {
  BACKOFF,
  type Cmd,
  cmdArb,
  cyc,
  flowCmdArb,
  lim,
  limitArb,
  sub,
  submitArb,
} from './property-cmds.js';
import { Run } from './property-run.js';

const engine = useEngine(test);

const WORKERS = ['w1', 'w2', 'w3'];

/** Runs one command sequence against the engine and the model, checking the state after every step. */
async function runSequence(nWorkers: number, cmds: readonly Cmd[]): Promise<void> {
  const e = await engine.make({ backoff: BACKOFF });
  const run = new Run(e, WORKERS.slice(0, nWorkers));
  try {
    for (const cmd of cmds) {
      await run.step(cmd);
      await checkState(run);
    }
    if (process.env.DTPS_PROPERTY_LOG)
      console.log(run.log.join('\n'), '\n', JSON.stringify(run.model.counts()));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- steps (prefix ${e.prefix}):\n${run.log.join('\n')}`, {
      cause: err,
    });
  }
}

const claimOf = (max: number, start: number, steal = 0) => ({ max, start, steal });

/** Sequences that reach rare paths in every test run; they are the first runs of `numRuns`. */
const EXAMPLES: [number, Cmd[], Cmd[]][] = [
  // One parent releases three dependents at once (the engine picks their FIFO order); priority then
  // decides. A claim that finds the queue short steals the rest; fenced reports change nothing.
  [
    2,
    [
      sub(),
      sub({ priority: 3, deps: [0] }),
      sub({ priority: 3, deps: [0] }),
      sub({ priority: 7, deps: [0] }),
    ],
    [
      cyc(0, { claim: claimOf(1, 1) }),
      cyc(0, { reports: [{ pick: 0, fence: 'ok' }] }),
      cyc(1, { claim: claimOf(2, 0) }),
      cyc(0, { claim: claimOf(2, 0, 1) }),
      cyc(1, { starts: 1, startOther: true }),
      cyc(0, { starts: 2, claim: claimOf(3, 3) }),
      { k: 'fail', pick: 0, fence: 'ok', permanent: true },
      cyc(0, { reports: [{ pick: 0, fence: 'worker' }] }),
      cyc(1, { reports: [{ pick: 0, fence: 'attempt' }] }),
      cyc(1, { reports: [{ pick: 0, fence: 'ok' }] }),
      { k: 'complete', pick: 0, fence: 'ok' },
    ],
  ],
  // Deadlines: a failure after the deadline expires the task and cancels its dependent; recovery retries;
  // the deadline sweep expires what did not start and leaves running tasks alone.
  [
    3,
    [sub({ maxRetries: 2, deadlineIn: 500 }), sub({ deps: [0] }), sub({ maxRetries: 2, deadlineIn: 5000 })],
    [
      cyc(0, { claim: claimOf(1, 1) }),
      { k: 'advance', ms: 600 },
      { k: 'fail', pick: 0, fence: 'ok', permanent: false },
      { k: 'stale', pick: 0, complete: true },
      cyc(1, { claim: claimOf(1, 1) }),
      { k: 'recover', w: 1 },
      { k: 'advance', ms: 1000 },
      cyc(2, { claim: claimOf(1, 0) }),
      { k: 'release', w: 2, all: true, pick: 0 },
      sub({ deadlineIn: 100 }),
      cyc(0, { claim: claimOf(1, 1) }),
      { k: 'advance', ms: 5000 },
      { k: 'expire' },
      { k: 'retry', pick: 0, any: false },
      { k: 'retry', pick: 1, any: false },
    ],
  ],
  // Claims that steal when two peers' windows are equally long (the engine picks one).
  [
    3,
    [sub(), sub(), sub(), sub(), sub()],
    [
      cyc(0, { claim: claimOf(2, 0) }),
      cyc(1, { claim: claimOf(2, 0) }),
      cyc(2, { claim: claimOf(2, 1, 2) }),
      cyc(2, { claim: claimOf(2, 1, 2) }),
      { k: 'recover', w: 0 },
      { k: 'cancel', pick: 4 },
    ],
  ],
  // Handoffs: dry claims register idle; a lone plain submit goes straight to the first live
  // registration, a planned one through the ready set; the blocking read takes the inbox; a
  // round that leaves idle brings the inbox along; leaveIdle and recovery put handoffs back
  // unstarted; a registration past its time is dropped by the next submit.
  [
    3,
    [],
    [
      cyc(0, { claim: claimOf(2, 2), register: true }),
      cyc(1, { claim: claimOf(1, 1), register: true, ttlMs: 2000 }),
      sub(),
      sub({ deadlineIn: 5000 }),
      { k: 'receive', w: 0 },
      cyc(0, { reports: [{ pick: 0, fence: 'ok' }], claim: claimOf(2, 2), register: true }),
      sub(),
      sub(),
      sub(),
      cyc(1, { leave: true, claim: claimOf(1, 1), register: true }),
      { k: 'leave', w: 0, names: [0], stale: true },
      cyc(2, { claim: claimOf(3, 3), register: true, ttlMs: 2000 }),
      cyc(0, { claim: claimOf(3, 3), register: true }),
      { k: 'advance', ms: 2500 },
      sub({ priority: 9 }),
      sub({ priority: 2 }),
      { k: 'recover', w: 0 },
      cyc(1, { leave: true, claim: claimOf(2, 2), register: true }),
      sub(),
      { k: 'cancel', pick: 8 },
      { k: 'receive', w: 1 },
      cyc(1, { reports: [{ pick: 0, fence: 'ok' }], leave: true }),
    ],
  ],
  // Flow control: a queue cap with a rate, its cap removed and set again (it counts only what
  // starts under it); each-group caps holding a group back while another runs; a held task
  // cancelled; pause (nothing starts, submits wait) and resume; a type's rate across the window;
  // clearing lets held tasks go; groups take turns in the ready set.
  [
    2,
    [sub({ group: 0 }), sub({ type: 1 }), sub({ group: 1, type: 1 }), sub({ group: 0 })],
    [
      lim('queue', { rate: 2, conc: 1 }),
      cyc(0, { claim: claimOf(2, 2) }),
      lim('queue', { conc: null }),
      cyc(1, { claim: claimOf(2, 2) }),
      cyc(0, { reports: [{ pick: 0, fence: 'ok' }] }),
      cyc(1, { reports: [{ pick: 0, fence: 'ok' }] }),
      lim('queue', { conc: 1 }),
      { k: 'advance', ms: 1000 },
      cyc(0, { claim: claimOf(3, 3) }),
      lim('queue', { clear: true }),
      lim('each-group', { conc: 1 }),
      sub({ group: 0, priority: 7 }),
      sub({ group: 2 }),
      cyc(1, { claim: claimOf(3, 3), register: true }),
      { k: 'cancel', pick: 3 },
      { k: 'pause' },
      sub({ group: 1 }),
      cyc(0, { claim: claimOf(3, 3), register: true }),
      { k: 'resume' },
      lim('type', { key: 1, rate: 1 }),
      sub({ type: 1 }),
      sub({ type: 1 }),
      cyc(0, { reports: [{ pick: 0, fence: 'ok' }], claim: claimOf(3, 3) }),
      { k: 'advance', ms: 999 },
      cyc(1, { reports: [{ pick: 0, fence: 'ok' }], claim: claimOf(3, 3) }),
      { k: 'advance', ms: 1 },
      cyc(1, { claim: claimOf(3, 3) }),
      lim('each-group', { clear: true }),
      { k: 'recover', w: 0 },
      cyc(1, { claim: claimOf(5, 5) }),
      { k: 'advance', ms: 1000 },
      cyc(1, { claim: claimOf(5, 5) }),
    ],
  ],
];

test('model-based: the worker’s real rounds keep the engine and the model in step', async (t) => {
  const numRuns = Number(process.env.DTPS_PROPERTY_RUNS ?? 40);
  const steps = Number(process.env.DTPS_PROPERTY_STEPS ?? 40);
  const seed = process.env.DTPS_PROPERTY_SEED
    ? Number(process.env.DTPS_PROPERTY_SEED)
    : Math.floor(Math.random() * 2 ** 31);
  t.log(
    `seed ${seed}, ${numRuns} runs of up to ${steps} steps on ${CLUSTER ? 'the Cluster' : 'a single node'} (replay: DTPS_PROPERTY_SEED=${seed} DTPS_PROPERTY_STEPS=${steps})`,
  );
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 3 }),
      fc.array(submitArb, { minLength: 2, maxLength: 6 }),
      // Half the runs also change limits (from the first step on) and pause the queue (flowCmdArb).
      fc.oneof(
        fc.array(cmdArb, { minLength: 10, maxLength: steps, size: 'max' }),
        fc
          .tuple(limitArb, fc.array(flowCmdArb, { minLength: 9, maxLength: steps - 1, size: 'max' }))
          .map(([first, rest]) => [first, ...rest]),
      ),
      async (nWorkers, first, rest) => {
        runs += 1;
        await runSequence(nWorkers, [...first, ...rest]);
      },
    ),
    {
      numRuns,
      seed,
      examples: EXAMPLES,
      includeErrorInReport: true,
      // Replays a reported failure: DTPS_PROPERTY_SEED=<seed> DTPS_PROPERTY_PATH=<path>.
      ...(process.env.DTPS_PROPERTY_PATH ? { path: process.env.DTPS_PROPERTY_PATH } : {}),
    },
  );
  t.true(runs >= numRuns);
});
