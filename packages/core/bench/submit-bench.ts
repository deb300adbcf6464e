/**
 * Submit throughput: single submits with a fixed number in flight (the
 * Submitter coalesces them a tick at a time), and bulk submitMany calls.
 */
import { Client } from '../src/index.js';
import { type BenchGroup, caseGroup, intArg } from './driver.js';
import type { BenchCase, BenchEnv } from './measure.js';
import { RESULTS_DIR } from './report.js';

export interface SubmitBenchOptions {
  /** Single submits kept in flight (a sliding window of promises). */
  window: number;
  /** Tasks per submitMany call. */
  chunk: number;
  /** submitMany calls in flight at once (1: one call at a time, like a plain producer loop). */
  bulkInflight: number;
}

export const DEFAULT_SUBMIT_OPTIONS: SubmitBenchOptions = { window: 1000, chunk: 1000, bulkInflight: 1 };

/** Starts `start(i)` for i in [0, count), never more than `window` unsettled at once. */
export function slidingWindow(
  count: number,
  window: number,
  start: (i: number) => Promise<unknown>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let active = 0;
    let failed = false;
    const launch = (): void => {
      while (!failed && active < window && next < count) {
        const i = next++;
        active++;
        start(i).then(
          () => {
            active--;
            if (next < count) launch();
            else if (active === 0) resolve();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
    };
    if (count === 0) resolve();
    else launch();
  });
}

/** A fresh Client per run: no state (queue registry, waiters) carried between cases. */
function client(env: BenchEnv): Client {
  return new Client({ redis: env.redis });
}

export function submitCases(opts: SubmitBenchOptions = DEFAULT_SUBMIT_OPTIONS): BenchCase[] {
  return [
    {
      name: 'single',
      description: `client.submit({type:'noop', payload:{i}}), ${opts.window} in flight`,
      async run(env, tasks) {
        const c = client(env);
        await slidingWindow(tasks, opts.window, (i) => c.submit({ type: 'noop', payload: { i } }));
        await c.close();
        return undefined;
      },
    },
    {
      name: 'bulk',
      description: `client.submitMany() of ${opts.chunk} specs, ${opts.bulkInflight === 1 ? 'one call at a time' : `${opts.bulkInflight} calls in flight`}`,
      async run(env, tasks) {
        const c = client(env);
        await slidingWindow(Math.ceil(tasks / opts.chunk), opts.bulkInflight, (k) => {
          const specs = [];
          for (let i = k * opts.chunk; i < Math.min((k + 1) * opts.chunk, tasks); i++)
            specs.push({ type: 'noop', payload: { i } });
          return c.submitMany(specs);
        });
        await c.close();
        return undefined;
      },
    },
  ];
}

/** The `submit` group: its flags, cases and the issue's targets. */
export function submitGroup(): BenchGroup {
  const d = DEFAULT_SUBMIT_OPTIONS;
  return caseGroup({
    name: 'submit',
    resultsDir: RESULTS_DIR,
    options: {
      window: { type: 'string', default: String(d.window) },
      chunk: { type: 'string', default: String(d.chunk) },
      'bulk-inflight': { type: 'string', default: String(d.bulkInflight) },
    },
    cases: ({ args }) =>
      submitCases({
        window: intArg('window', args.window),
        chunk: intArg('chunk', args.chunk),
        bulkInflight: intArg('bulk-inflight', args['bulk-inflight']),
      }),
    targets: [
      {
        caseName: 'bulk',
        label: '≥ 80,000 tasks/s',
        limit: 80_000,
        kind: 'min',
        value: (r) => r.tasksPerSec,
      },
      {
        caseName: 'single',
        label: '≥ 60,000 tasks/s',
        limit: 60_000,
        kind: 'min',
        value: (r) => r.tasksPerSec,
      },
      {
        caseName: 'bulk',
        label: '< 10 µs Redis CPU/task',
        limit: 10,
        kind: 'max',
        value: (r) => r.redis.cpuUsPerTask,
      },
      {
        caseName: 'single',
        label: '< 10 µs Redis CPU/task',
        limit: 10,
        kind: 'max',
        value: (r) => r.redis.cpuUsPerTask,
      },
    ],
  });
}
