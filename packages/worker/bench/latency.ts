/**
 * The `latency` group: end-to-end latency at a steady submit rate (default
 * 500 tasks/s) through one worker process: from just before `submit()` is
 * called to when the task's `succeeded` entry of the event stream reaches the
 * producer's process (what `wait()` sees). Submits are paced on a fixed
 * schedule, one call each; warm-up seconds at the same rate (`--latency-warmup`,
 * default 3) are not recorded. Beside it, two yardsticks on the same machine at
 * the same rate: the floor (floor.ts) and the reference (reference.ts).
 */
import { Client } from '@dtps/core';
import {
  type BenchEnv,
  type BenchGroup,
  checkTargets,
  diff,
  fmt,
  formatChecks,
  type GroupSettings,
  intArg,
  loadAverage,
  round,
  snapshot,
  type Target,
  table,
} from '@dtps/core/bench';
import { BenchWorker } from './bench-worker.js';
import { SucceededWatch } from './event-watch.js';
import { measureFloor } from './floor.js';
import { paced } from './paced.js';
import { type Distribution, distribution } from './percentiles.js';
import { scriptsArg } from './protocol.js';
import { measureReference } from './reference.js';
import { RESULTS_DIR } from './results-dir.js';

export interface LatencyResult {
  name: string;
  description: string;
  rate: number;
  seconds: number;
  slots: number;
  /** Submit → succeeded event seen by the producer, ms. */
  endToEndMs: Distribution;
  /** The submit call alone (its round trip), ms. */
  submitMs: Distribution;
  /** The floor: the same four process hops through Redis with no work in them (floor.ts), ms. */
  floorMs: Distribution;
  /** The reference: the same hops with the least a queue with records and events does (reference.ts), ms. */
  referenceMs: Distribution;
  /** Seconds at the same rate before the measured ones (not recorded). */
  warmupSeconds: number;
  /** Tasks that did not succeed within 10 s of the last submit (should be 0). */
  missing: number;
  redis: {
    cpuUsPerTask: number;
    commandsPerTask: number;
    scriptCallsPerTask: number;
    /** The busiest commands: calls per task and µs per task. */
    commands: { name: string; callsPerTask: number; usecPerTask: number }[];
  };
  worker: { cpuUsPerTask: number; eventLoopUtilization: number };
  loadAverage1m: number;
}

async function measureRate(
  env: BenchEnv,
  settings: GroupSettings,
  o: { rate: number; seconds: number; slots: number; warmupSeconds: number },
): Promise<LatencyResult> {
  const prof = settings.args['cpu-prof'];
  // Both sides: the producer's submits and the worker's rounds.
  const scripts = scriptsArg(settings.args.scripts);
  const worker = await BenchWorker.spawn(
    {
      redisUrl: settings.redisUrl,
      id: 'bench-latency',
      slots: o.slots,
      prefetch: null,
      steal: false,
      idleBlockMs: null,
      scripts,
    },
    typeof prof === 'string' ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {},
  );
  const client = new Client({ redis: env.redis, scripts });
  const watchConn = env.redis.duplicate();
  const watch = new SucceededWatch(watchConn, client.ctx.keys('default').events);
  try {
    await worker.start();
    await watch.start();
    const period = 1000 / o.rate;
    const submit = async (into: Map<string, number>, submitMs: number[]) => {
      const t0 = performance.now();
      const { id } = await client.submit({ type: 'noop', payload: {} });
      submitMs.push(performance.now() - t0);
      into.set(id, t0);
    };
    // Warm-up at the same rate: the first seconds of a fresh process are slower (its code is
    // still being compiled), and a queue in service is past them.
    await paced(o.rate * o.warmupSeconds, period, () => submit(new Map(), []));
    const submittedAt = new Map<string, number>();
    const submitMs: number[] = [];
    const count = Math.round(o.rate * o.seconds);
    const before = await snapshot(env.stats);
    await worker.usage();
    const loadAverage1m = loadAverage();
    await paced(count, period, () => submit(submittedAt, submitMs));
    // Every task of the run has been seen succeeding (or 10 s passed).
    await watch.allSeen(submittedAt.keys(), 10_000);
    const usage = await worker.usage();
    const after = await snapshot(env.stats);
    const d = diff(before, after);
    const floorMs = await measureFloor(env.redis, settings.redisUrl, { rate: o.rate, count });
    const referenceMs = await measureReference(env.redis, settings.redisUrl, {
      rate: o.rate,
      count,
      warmup: o.rate * o.warmupSeconds,
    });
    const e2e: number[] = [];
    let missing = 0;
    for (const [id, t0] of submittedAt) {
      const t1 = watch.at.get(id);
      if (t1 === undefined) missing++;
      else e2e.push(t1 - t0);
    }
    return {
      name: `${o.rate}/s`,
      description: `noop tasks submitted one call at a time at ${o.rate}/s for ${o.seconds} s; one worker process, ${o.slots} slots; scripts: ${scripts}`,
      rate: o.rate,
      seconds: o.seconds,
      slots: o.slots,
      endToEndMs: distribution(e2e),
      submitMs: distribution(submitMs),
      floorMs,
      referenceMs,
      warmupSeconds: o.warmupSeconds,
      missing,
      redis: {
        cpuUsPerTask: round(d.cpuUs / count, 2),
        commandsPerTask: round(d.totalCalls / count, 3),
        scriptCallsPerTask: round(d.scriptCalls / count, 3),
        commands: d.commands.slice(0, 8).map((c) => ({
          name: c.name,
          callsPerTask: round(c.calls / count, 3),
          usecPerTask: round(c.usec / count, 2),
        })),
      },
      worker: {
        cpuUsPerTask: round(usage.cpuUs / count, 2),
        eventLoopUtilization: round(usage.eventLoopUtilization, 3),
      },
      loadAverage1m,
    };
  } finally {
    await watch.stop();
    watchConn.disconnect();
    await client.close();
    await worker.close();
  }
}

const TARGETS: Target<LatencyResult>[] = [
  { caseName: '500/s', label: 'p50 ≤ 0.5 ms', limit: 0.5, kind: 'atMost', value: (r) => r.endToEndMs.p50 },
  { caseName: '500/s', label: 'p99 ≤ 2 ms', limit: 2, kind: 'atMost', value: (r) => r.endToEndMs.p99 },
];

export function latencyGroup(): BenchGroup {
  return {
    name: 'latency',
    resultsDir: RESULTS_DIR,
    options: {
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '15' },
      'latency-slots': { type: 'string', default: '5' },
      'latency-warmup': { type: 'string', default: '3' },
      scripts: { type: 'string', default: 'functions' },
    },
    async run(env, settings) {
      const rates = String(settings.args.rate)
        .split(',')
        .map((r) => intArg('rate', r.trim()));
      const results: LatencyResult[] = [];
      for (const rate of rates) {
        process.stdout.write(`latency/${rate}/s … `);
        await env.stats.flushall('SYNC');
        const r = await measureRate(env, settings, {
          rate,
          seconds: intArg('seconds', settings.args.seconds),
          slots: intArg('latency-slots', settings.args['latency-slots']),
          warmupSeconds: intArg('latency-warmup', settings.args['latency-warmup'], 0),
        });
        console.log(`p50 ${fmt(r.endToEndMs.p50, 3)} ms, p99 ${fmt(r.endToEndMs.p99, 3)} ms`);
        results.push(r);
      }
      const checks = checkTargets(results, TARGETS);
      const text = [
        table(
          [
            'rate',
            'tasks',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'p99.9 ms',
            'max ms',
            'submit p50',
            'floor p50',
            'floor p99',
            'ref p50',
            'ref p99',
            'Redis µs/task',
            'cmds/task',
            'worker µs/task',
            'load',
          ],
          results.map((r) => [
            r.name,
            fmt(r.endToEndMs.count),
            fmt(r.endToEndMs.p50, 3),
            fmt(r.endToEndMs.p90, 3),
            fmt(r.endToEndMs.p99, 3),
            fmt(r.endToEndMs.p999, 3),
            fmt(r.endToEndMs.max, 3),
            fmt(r.submitMs.p50, 3),
            fmt(r.floorMs.p50, 3),
            fmt(r.floorMs.p99, 3),
            fmt(r.referenceMs.p50, 3),
            fmt(r.referenceMs.p99, 3),
            fmt(r.redis.cpuUsPerTask, 2),
            fmt(r.redis.commandsPerTask, 2),
            fmt(r.worker.cpuUsPerTask, 2),
            fmt(r.loadAverage1m, 2),
          ]),
        ),
        '',
        ...results.map(
          (r) => `${r.name}: ${r.description}${r.missing ? `; ${r.missing} NOT SEEN SUCCEEDING` : ''}`,
        ),
        'Latency: from just before submit() to the succeeded event reaching the producer (Redis µs/task includes the submits).',
        'Floor: the same four process hops (producer → Redis → another process → Redis → producer) as bare LPUSH/BLPOP, at the same rate.',
        'Ref: the same hops with one three-command script call on each side and the producer reading the event stream (reference.ts).',
        '',
        formatChecks(checks),
      ].join('\n');
      return { text, data: { results, targets: checks } };
    },
  };
}
