/**
 * The `steal` group: a heavy-tailed batch over two worker processes, work
 * stealing off and on. Both workers (4 slots, prefetch 60 each) are idle
 * when the batch is submitted in one call, due 300 ms later (a submit would
 * hand tasks straight to both idle workers; due tasks are claimed): the first
 * worker to claim once it is due claims it all: the 4 long tasks (first, by
 * priority) start on its slots and the 60 short ones wait in its window.
 * Without stealing it runs everything; with `steal`, the other worker takes
 * unstarted tasks from the back of that window. Makespan: from when the batch
 * is due to the last finish; ideal: total work / all 8 slots.
 */
import { Client, rangeEvents, type TaskSpec } from '@dtps/core';
import {
  type BenchEnv,
  type BenchGroup,
  checkTargets,
  fmt,
  formatChecks,
  type GroupSettings,
  intArg,
  loadAverage,
  round,
  type Target,
  table,
} from '@dtps/core/bench';
import { BenchWorker } from './bench-worker.js';
import { untilBlocked } from './blocked.js';
import { RESULTS_DIR } from './results-dir.js';

const SLOTS = 4;
const PREFETCH = 60;
const LONG = { count: 4, ms: 1000 };
const SHORT = { count: 60, ms: 100 };
/** The batch is due this long after the submit (see above). */
const DELAY_MS = 300;
const TOTAL_WORK_MS = LONG.count * LONG.ms + SHORT.count * SHORT.ms;
const IDEAL_MS = TOTAL_WORK_MS / (2 * SLOTS);

export interface StealRun {
  makespanMs: number;
  ratio: number;
  /** Tasks run by the worker that did not claim the batch. */
  ranByOther: number;
  steals: number;
  /** When the first steal happened, ms after the submit (event stream, ms resolution). */
  firstStealMs: number | null;
  loadAverage1m: number;
}

export interface StealResult {
  name: string;
  steal: boolean;
  runs: StealRun[];
  /** The median run. */
  makespanMs: number;
  ratio: number;
}

async function oneRun(env: BenchEnv, settings: GroupSettings, steal: boolean): Promise<StealRun> {
  await env.stats.flushall('SYNC');
  const config = { redisUrl: settings.redisUrl, slots: SLOTS, prefetch: PREFETCH, steal, idleBlockMs: null };
  const pair = await Promise.all([
    BenchWorker.spawn({ ...config, id: 'W1' }),
    BenchWorker.spawn({ ...config, id: 'W2' }),
  ]);
  const client = new Client({ redis: env.redis });
  try {
    await Promise.all(pair.map((w) => w.start()));
    // Both blocked on the queue's wake list before the batch arrives: the start-up race stays out.
    await untilBlocked(env, 2);
    const specs: TaskSpec[] = [
      ...Array.from({ length: LONG.count }, () => ({
        type: 'sleep',
        payload: { ms: LONG.ms },
        priority: 10,
      })),
      ...Array.from({ length: SHORT.count }, () => ({ type: 'sleep', payload: { ms: SHORT.ms } })),
    ].map((spec) => ({ ...spec, delayMs: DELAY_MS }));
    const loadAverage1m = loadAverage();
    const ids = (await client.submitMany(specs)).map((r) => r.id);
    const submittedAt = Date.now() + DELAY_MS;
    for (;;) {
      if ((await client.counts()).succeeded === ids.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const tasks = await Promise.all(ids.map((id) => client.get(id)));
    const events = await rangeEvents(env.redis, client.ctx.keys('default').events, '-', 10_000);
    const holder = events.find((e) => e.state === 'running')!.worker;
    const reserved = events.find((e) => e.state === 'reserved');
    if (reserved?.worker !== holder || reserved.ids.length !== SHORT.count)
      throw new Error('the batch was not claimed whole by one worker; the run does not show stealing');
    const makespanMs = Math.max(...tasks.map((t) => t.finishedAt!)) - submittedAt;
    const steals = events.filter((e) => e.state === 'stolen');
    const stolen = steals.reduce((n, e) => n + e.ids.length, 0);
    return {
      makespanMs,
      ratio: round(makespanMs / IDEAL_MS, 3),
      ranByOther: tasks.filter((t) => t.worker !== holder).length,
      steals: stolen,
      firstStealMs: steals[0] ? steals[0].at - submittedAt : null,
      loadAverage1m,
    };
  } finally {
    await client.close();
    await Promise.all(pair.map((w) => w.close()));
  }
}

const TARGETS: Target<StealResult>[] = [
  {
    caseName: 'steal on',
    label: `makespan ≤ 1.15 × ideal (${IDEAL_MS} ms)`,
    limit: 1.15,
    kind: 'atMost',
    value: (r) => r.ratio,
  },
];

export function stealGroup(): BenchGroup {
  return {
    name: 'steal',
    resultsDir: RESULTS_DIR,
    options: { 'steal-runs': { type: 'string', default: '3' } },
    async run(env, settings) {
      const n = intArg('steal-runs', settings.args['steal-runs']);
      const results: StealResult[] = [];
      for (const steal of [false, true]) {
        const name = steal ? 'steal on' : 'steal off';
        const runs: StealRun[] = [];
        for (let i = 0; i < n; i++) {
          process.stdout.write(`steal/${name} run ${i + 1} … `);
          const r = await oneRun(env, settings, steal);
          console.log(`${r.makespanMs} ms`);
          runs.push(r);
        }
        const median = [...runs].sort((a, b) => a.makespanMs - b.makespanMs)[Math.floor(runs.length / 2)]!;
        results.push({ name, steal, runs, makespanMs: median.makespanMs, ratio: median.ratio });
      }
      const checks = checkTargets(results, TARGETS);
      const text = [
        table(
          [
            'stealing',
            'makespan ms (median)',
            'ratio to ideal',
            'runs (ms)',
            'ran by the other',
            'steals',
            'first steal ms',
            'load',
          ],
          results.map((r) => [
            r.name,
            fmt(r.makespanMs),
            fmt(r.ratio, 2),
            r.runs.map((x) => x.makespanMs).join(', '),
            r.runs.map((x) => x.ranByOther).join(', '),
            r.runs.map((x) => x.steals).join(', '),
            r.runs.map((x) => (x.firstStealMs === null ? '-' : x.firstStealMs)).join(', '),
            r.runs.map((x) => fmt(x.loadAverage1m, 2)).join(', '),
          ]),
        ),
        '',
        `Batch: ${LONG.count} × ${LONG.ms} ms + ${SHORT.count} × ${SHORT.ms} ms = ${TOTAL_WORK_MS} ms of work; two worker processes of ${SLOTS} slots (prefetch ${PREFETCH}); ideal makespan ${IDEAL_MS} ms.`,
        '',
        formatChecks(checks),
      ].join('\n');
      return { text, data: { batch: { LONG, SHORT, SLOTS, PREFETCH, IDEAL_MS }, results, targets: checks } };
    },
  };
}
