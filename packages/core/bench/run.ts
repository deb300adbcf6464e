/**
 * `pnpm bench` — throughput and Redis cost of the engine, on a throwaway
 * redis-server of its own (no AOF, no RDB: a typical queue setup).
 *
 *   node packages/core/dist/bench/run.js [--n 200000] [--warmup 20000] [--only submit]
 *                                        [--window 1000] [--chunk 1000] [--bulk-inflight 1]
 *
 * Each group prints a table and writes packages/core/bench/results/<group>.json.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisServer } from '../src/testing/index.js';
import { type BenchCase, type BenchEnv, type CaseResult, measure } from './measure.js';
import { parseInfo } from './redis-stats.js';
import { checkTargets, formatResults, type Target, writeResults } from './report.js';
import { DEFAULT_SUBMIT_OPTIONS, submitCases } from './submit-bench.js';

interface Group {
  name: string;
  cases: BenchCase[];
  targets: Target[];
}

const options = {
  n: { type: 'string', default: '200000' },
  warmup: { type: 'string' },
  only: { type: 'string' },
  window: { type: 'string', default: String(DEFAULT_SUBMIT_OPTIONS.window) },
  chunk: { type: 'string', default: String(DEFAULT_SUBMIT_OPTIONS.chunk) },
  'bulk-inflight': { type: 'string', default: String(DEFAULT_SUBMIT_OPTIONS.bulkInflight) },
} as const;
let args: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  args = parseArgs({ options }).values;
} catch (err) {
  console.error(
    `${(err as Error).message}\nflags: ${Object.keys(options)
      .map((k) => `--${k}`)
      .join(' ')}`,
  );
  process.exit(2);
}

function intArg(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    process.exit(2);
  }
  return n;
}

const tasks = intArg('n', args.n);
const warmupTasks = intArg('warmup', args.warmup ?? String(Math.min(20_000, Math.ceil(tasks / 10))), 0);

const groups: Group[] = [
  {
    name: 'submit',
    cases: submitCases({
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
  },
];

const only = args.only?.split(',').map((s) => s.trim());
const selected = only ? groups.filter((g) => only.includes(g.name)) : groups;
if (only && selected.length !== only.length) {
  console.error(`--only: unknown group in ${args.only}; groups: ${groups.map((g) => g.name).join(', ')}`);
  process.exit(2);
}

const server = await RedisServer.start();
const env: BenchEnv = {
  redis: new Redis({ host: server.host, port: server.port }),
  stats: new Redis({ host: server.host, port: server.port }),
};
try {
  const serverInfo = parseInfo(await env.stats.info('server'));
  const setup = {
    date: new Date().toISOString(),
    node: process.version,
    redis: serverInfo.get('redis_version'),
    redisServer: 'throwaway redis-server on 127.0.0.1, appendonly no, save "" (no AOF, no RDB)',
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    /** 1-minute load average at the start: above ~0.5 other work shares the cores and the figures are low. */
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    tasks,
    warmupTasks,
  };
  console.log(`dtps bench — Node ${setup.node}, Redis ${setup.redis}, ${setup.cpu}`);
  console.log(`Redis: ${setup.redisServer}`);
  if (setup.loadAverage1m > 0.5)
    console.log(`note: load average ${setup.loadAverage1m} — other processes share the CPUs`);
  console.log(
    `${tasks.toLocaleString('en-US')} tasks per case after ${warmupTasks.toLocaleString('en-US')} warm-up; FLUSHALL between cases\n`,
  );
  for (const group of selected) {
    const results: CaseResult[] = [];
    for (const c of group.cases) {
      process.stdout.write(`${group.name}/${c.name} … `);
      const r = await measure(env, c, { tasks, warmupTasks });
      console.log(`${r.tasksPerSec.toLocaleString('en-US')} tasks/s`);
      results.push(r);
    }
    const checks = checkTargets(results, group.targets);
    console.log(`\n== ${group.name} ==\n${formatResults(results, checks)}\n`);
    const path = await writeResults(`${group.name}.json`, { setup, results, targets: checks });
    console.log(`written: ${path}\n`);
  }
} finally {
  env.redis.disconnect();
  env.stats.disconnect();
  await server.stop();
}
