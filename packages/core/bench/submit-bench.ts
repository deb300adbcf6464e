/**
 * Submit throughput: single submits with a fixed number in flight (the
 * Submitter coalesces them a tick at a time), and bulk submitMany calls.
 */
import { Client } from '../src/index.js';
import type { BenchCase, BenchEnv } from './measure.js';

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
      },
    },
  ];
}
