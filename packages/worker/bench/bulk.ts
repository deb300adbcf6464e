/**
 * The `bulk` group: what a bulk operation costs the traffic that flows
 * beside it. 100,000 failed tasks (`--bulk-tasks`) wait in queue `bulk`;
 * noop tasks flow through one worker process (5 slots) on queue `default` at
 * 1,000 tasks/s (`--bulk-rate`), submitted one call at a time on a fixed
 * schedule. The end-to-end latency of the flowing tasks (submit → succeeded
 * event seen by the producer) is measured for `--bulk-baseline` seconds
 * without a bulk operation, then while `dtps bulk retry --state failed
 * --queue bulk` runs as a real child process, until it exits. The target:
 * the flow's p99 during the bulk retry stays under 3× its p99 without it.
 * Redis's slow log (threshold 2 ms) says whether any single call blocked it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, WorkerOps } from '@dtps/core';
import {
  type BenchGroup,
  checkTargets,
  fmt,
  formatChecks,
  intArg,
  loadAverage,
  round,
  type Target,
  table,
} from '@dtps/core/bench';
import { BenchWorker } from './bench-worker.js';
import { SucceededWatch } from './event-watch.js';
import { type Distribution, distribution } from './percentiles.js';
import { RESULTS_DIR } from './results-dir.js';

/** The `dtps` launcher (packages/cli/bin/dtps.js), from packages/worker/dist/bench/. */
const DTPS = fileURLToPath(new URL('../../../cli/bin/dtps.js', import.meta.url));
const SLOW_US = 2000;

export interface BulkBenchResult {
  name: string;
  description: string;
  rate: number;
  failedTasks: number;
  /** Flowing tasks' latency without a bulk operation, ms. */
  baselineMs: Distribution;
  /** Flowing tasks' latency while the bulk retry ran, ms. */
  duringBulkMs: Distribution;
  /** p99 during / p99 without. */
  p99Ratio: number;
  /** Wall time of `dtps bulk retry` from spawn to exit (includes its start-up), s. */
  bulkSeconds: number;
  /** What the command printed: {"matched","done"}. */
  bulkResult: { matched: number; done: number };
  /** Redis calls slower than 2 ms during the bulk run (SLOWLOG), and the slowest, ms. */
  slowCalls: number;
  slowestCallMs: number;
  /** Of those, the bulk operation's own script calls (bulkTasks), and its slowest, ms. */
  slowBulkCalls: number;
  slowestBulkCallMs: number;
  /** Flowing tasks not seen succeeding within 10 s of their run's end (should be 0). */
  missing: number;
  loadAverage1m: number;
}

/** Fails `n` tasks of queue `bulk` through the worker's real path, 1,000 a round. */
async function preload(client: Client, n: number): Promise<void> {
  const ops = new WorkerOps(client.ctx, 'bench-preload');
  for (let i = 0; i < n; i += 1000) {
    const size = Math.min(1000, n - i);
    const specs = Array.from({ length: size }, () => ({ type: 'resize', queue: 'bulk', maxRetries: 0 }));
    await client.submitMany(specs);
    const { claim } = await ops.cycle('bulk', { claim: { max: size, start: size } });
    await ops.fail(
      'bulk',
      claim.tasks.map((t) => ({
        id: t.id,
        attempt: t.attempt,
        message: 'x',
        reason: 'handler_error',
        permanent: true,
      })),
    );
  }
}

/** Submits a noop every `periodMs` until `until()` says stop; returns id → submit time. */
async function flow(client: Client, periodMs: number, until: () => boolean): Promise<Map<string, number>> {
  const at = new Map<string, number>();
  const calls: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; !until(); i++) {
    const wait = start + i * periodMs - performance.now();
    if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    calls.push(client.submit({ type: 'noop', payload: {} }).then(({ id }) => void at.set(id, t0)));
  }
  await Promise.all(calls);
  return at;
}

function latencies(submitted: Map<string, number>, watch: SucceededWatch): { ms: number[]; missing: number } {
  const ms: number[] = [];
  let missing = 0;
  for (const [id, t0] of submitted) {
    const t1 = watch.at.get(id);
    if (t1 === undefined) missing++;
    else ms.push(t1 - t0);
  }
  return { ms, missing };
}

/** Runs `dtps bulk retry` against the bench's Redis; resolves with its JSON and its wall time. */
function runBulkRetry(
  redisUrl: string,
): Promise<{ result: { matched: number; done: number }; seconds: number }> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [DTPS, 'bulk', 'retry', '--state', 'failed', '--queue', 'bulk', '--json'],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DTPS_REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`dtps bulk retry exited ${code}: ${out}`));
      else resolve({ result: JSON.parse(out), seconds: (performance.now() - t0) / 1000 });
    });
  });
}

const TARGETS: Target<BulkBenchResult>[] = [
  {
    caseName: 'retry',
    label: 'p99 during bulk < 3× baseline',
    limit: 3,
    kind: 'atMost',
    value: (r) => r.p99Ratio,
  },
];

export function bulkGroup(): BenchGroup {
  return {
    name: 'bulk',
    resultsDir: RESULTS_DIR,
    options: {
      'bulk-tasks': { type: 'string', default: '100000' },
      'bulk-rate': { type: 'string', default: '1000' },
      'bulk-baseline': { type: 'string', default: '10' },
    },
    async run(env, settings) {
      const failedTasks = intArg('bulk-tasks', settings.args['bulk-tasks']);
      const rate = intArg('bulk-rate', settings.args['bulk-rate']);
      const baselineSeconds = intArg('bulk-baseline', settings.args['bulk-baseline']);
      await env.stats.flushall('SYNC');
      const client = new Client({ redis: env.redis });
      process.stdout.write(`bulk: preloading ${failedTasks} failed tasks … `);
      await preload(client, failedTasks);
      console.log('done');
      const worker = await BenchWorker.spawn({
        redisUrl: settings.redisUrl,
        id: 'bench-bulk-flow',
        slots: 5,
        prefetch: null,
        steal: false,
        idleBlockMs: null,
        scripts: 'functions',
      });
      const watchConn = env.redis.duplicate();
      const watch = new SucceededWatch(watchConn, client.ctx.keys('default').events);
      try {
        await worker.start();
        await watch.start();
        const period = 1000 / rate;
        const timed = (seconds: number) => {
          const end = performance.now() + seconds * 1000;
          return () => performance.now() >= end;
        };
        await flow(client, period, timed(3)); // warm-up, not recorded
        const loadAverage1m = loadAverage();
        const base = await flow(client, period, timed(baselineSeconds));
        await env.stats.config('SET', 'slowlog-log-slower-than', String(SLOW_US));
        await env.stats.config('SET', 'slowlog-max-len', '100000');
        await env.stats.slowlog('RESET');
        let finished = false;
        const bulk = runBulkRetry(settings.redisUrl).finally(() => {
          finished = true;
        });
        const during = await flow(client, period, () => finished);
        const { result, seconds } = await bulk;
        const slow = (await env.stats.slowlog('GET', 100000)) as [number, number, number, string[]][];
        // A call's arguments: FCALL <library>_<script> … or EVALSHA <sha> …; the bulk call carries `bulk` as its queue's base.
        const slowBulk = slow.filter((e) => e[3].some((a) => /bulkTasks/.test(String(a))));
        await watch.allSeen([...base.keys(), ...during.keys()], 10_000);
        const a = latencies(base, watch);
        const b = latencies(during, watch);
        const baselineMs = distribution(a.ms);
        const duringBulkMs = distribution(b.ms);
        const r: BulkBenchResult = {
          name: 'retry',
          description: `dtps bulk retry of ${failedTasks} failed tasks (queue bulk) while noop tasks flow at ${rate}/s through one worker process of 5 slots (queue default)`,
          rate,
          failedTasks,
          baselineMs,
          duringBulkMs,
          p99Ratio: round(duringBulkMs.p99 / baselineMs.p99, 2),
          bulkSeconds: round(seconds, 2),
          bulkResult: result,
          slowCalls: slow.length,
          slowestCallMs: round(Math.max(0, ...slow.map((e) => e[2])) / 1000, 2),
          slowBulkCalls: slowBulk.length,
          slowestBulkCallMs: round(Math.max(0, ...slowBulk.map((e) => e[2])) / 1000, 2),
          missing: a.missing + b.missing,
          loadAverage1m,
        };
        console.log(
          `bulk: p99 ${fmt(baselineMs.p99, 3)} ms without, ${fmt(duringBulkMs.p99, 3)} ms during (${r.p99Ratio}×); retry took ${r.bulkSeconds} s`,
        );
        const checks = checkTargets([r], TARGETS);
        const text = [
          table(
            [
              'case',
              'flow p50',
              'flow p99',
              'flow max',
              'bulk p50',
              'bulk p99',
              'bulk max',
              'ratio p99',
              'bulk s',
              'done',
              'calls > 2 ms',
              'slowest ms',
              'bulk calls > 2 ms',
              'slowest bulk ms',
              'load',
            ],
            [
              [
                r.name,
                fmt(baselineMs.p50, 3),
                fmt(baselineMs.p99, 3),
                fmt(baselineMs.max, 3),
                fmt(duringBulkMs.p50, 3),
                fmt(duringBulkMs.p99, 3),
                fmt(duringBulkMs.max, 3),
                fmt(r.p99Ratio, 2),
                fmt(r.bulkSeconds, 2),
                fmt(result.done),
                fmt(r.slowCalls),
                fmt(r.slowestCallMs, 2),
                fmt(r.slowBulkCalls),
                fmt(r.slowestBulkCallMs, 2),
                fmt(loadAverage1m, 2),
              ],
            ],
          ),
          '',
          `${r.name}: ${r.description}${r.missing ? `; ${r.missing} NOT SEEN SUCCEEDING` : ''}`,
          'flow: latency of the flowing tasks without a bulk operation; bulk: while it ran (ms, submit → succeeded event).',
          '',
          formatChecks(checks),
        ].join('\n');
        return { text, data: { results: [r], targets: checks } };
      } finally {
        await watch.stop();
        watchConn.disconnect();
        await client.close();
        await worker.close();
      }
    },
  };
}
