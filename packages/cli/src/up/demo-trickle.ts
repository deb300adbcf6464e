/**
 * `dtps up --demo`: a trickle of demo tasks, so that there is something to
 * watch. A few tasks a second, a mix of the demo handlers (sleep, echo, cpu,
 * flaky, fail, noop) at varied priorities, and now and then a small pipeline
 * whose steps depend on each other. It holds back while the queue has a
 * backlog, so that an idle afternoon does not fill Redis.
 */
import type { Client, TaskSpec } from '@dtps/core';
import { pause } from './processes.js';

/** How often a batch is submitted. */
const INTERVAL_MS = 800;

/** No new demo tasks while this many wait (pending, scheduled, queued, reserved). */
const MAX_BACKLOG = 300;

type Random = () => number;

function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: Random, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** Mostly low priorities, some middle, a few urgent ones. */
function priority(random: Random): number {
  const r = random();
  if (r < 0.6) return between(random, 1, 4);
  if (r < 0.9) return between(random, 5, 7);
  return between(random, 8, 10);
}

const WORDS = ['hello', 'ping', 'invoice', 'thumbnail', 'report', 'welcome-mail', 'sync', 'audit'];

const KINDS = [
  ['sleep', 30],
  ['echo', 25],
  ['cpu', 15],
  ['flaky', 15],
  ['fail', 8],
  ['noop', 7],
] as const;

/** One demo task of a random kind. */
export function demoTask(random: Random, n: number): TaskSpec {
  const kind = pick(random, KINDS);
  const p = priority(random);
  switch (kind) {
    case 'sleep':
      return { type: 'sleep', payload: { ms: between(random, 2, 25) * 100 }, priority: p };
    case 'echo':
      return {
        type: 'echo',
        payload: { message: WORDS[between(random, 0, WORDS.length - 1)], n },
        priority: p,
      };
    case 'cpu':
      return { type: 'cpu', payload: { ms: between(random, 2, 25) * 10 }, priority: p };
    case 'flaky':
      return { type: 'flaky', payload: { failTimes: between(random, 1, 2) }, priority: p, maxRetries: 3 };
    case 'fail':
      return {
        type: 'fail',
        payload: { message: 'demo: this task always fails', permanent: random() < 0.5 },
        priority: p,
        maxRetries: 1,
      };
    case 'noop':
      return { type: 'noop', priority: p };
  }
}

/**
 * A small pipeline: fetch, then transform, then a report that needs both.
 * One in five fetches fails for good, and its dependants with it.
 */
export function demoPipeline(random: Random, n: number): TaskSpec[] {
  const p = priority(random);
  const fetch: TaskSpec =
    random() < 0.2
      ? {
          ref: 'fetch',
          type: 'fail',
          payload: { message: 'demo: the source is down', permanent: true },
          priority: p,
        }
      : { ref: 'fetch', type: 'sleep', payload: { ms: between(random, 5, 15) * 100 }, priority: p };
  return [
    fetch,
    {
      ref: 'transform',
      type: 'cpu',
      payload: { ms: between(random, 5, 15) * 10 },
      priority: p,
      dependsOn: ['fetch'],
    },
    {
      type: 'echo',
      payload: { message: `pipeline ${n} done` },
      priority: p,
      dependsOn: ['transform', 'fetch'],
    },
  ];
}

/** One tick's batch: a pipeline now and then, else one to three tasks. */
export function demoBatch(random: Random, n: number): TaskSpec[] {
  if (random() < 0.12) return demoPipeline(random, n);
  return Array.from({ length: between(random, 1, 3) }, (_, i) => demoTask(random, n + i));
}

export interface DemoTrickleOptions {
  client: Client;
  queue: string;
  /** Where problems go (a log file: the console owns the terminal). */
  log: (line: string) => void;
  random?: Random;
  intervalMs?: number;
}

/** Submits demo batches until stopped. */
export class DemoTrickle {
  submitted = 0;
  failures = 0;
  readonly #opts: DemoTrickleOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(opts: DemoTrickleOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#opts.log(`submitting demo tasks to queue ${this.#opts.queue}`);
    this.#loop ??= this.#run();
  }

  /** Stops; resolves once a submit in flight has ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#opts.log(`stopped after ${this.submitted} demo tasks`);
  }

  async #run(): Promise<void> {
    const { client, queue, random = Math.random, intervalMs = INTERVAL_MS } = this.#opts;
    let lastError = '';
    while (!this.#stop.signal.aborted) {
      try {
        const counts = await client.counts(queue);
        const backlog = counts.pending + counts.scheduled + counts.queued + counts.reserved;
        if (backlog < MAX_BACKLOG) {
          const batch = demoBatch(random, this.submitted + 1).map((spec) => ({ ...spec, queue }));
          await client.submitMany(batch);
          this.submitted += batch.length;
        }
        lastError = '';
      } catch (err) {
        this.failures += 1;
        const message = err instanceof Error ? err.message : String(err);
        // Once per spell of trouble, not once a tick.
        if (message !== lastError) this.#opts.log(`could not submit demo tasks: ${message}`);
        lastError = message;
      }
      await pause(intervalMs, this.#stop.signal);
    }
  }
}
