/**
 * The `pnpm bench` driver shared by every package's runner: parses the common
 * flags and each group's own, starts a throwaway redis-server (no AOF, no
 * RDB: a typical queue setup), runs the selected groups one after the other,
 * prints each one's table and writes its `<group>.json`.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Flags of a group (parseArgs options). */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

import { Redis } from 'ioredis';
import { RedisServer } from '../src/testing/index.js';
import { type BenchCase, type BenchEnv, type CaseResult, measure } from './measure.js';
import { parseInfo } from './redis-stats.js';
import { checkTargets, formatResults, type Target, writeResults } from './report.js';

/** What every group is given besides the Redis connections. */
export interface GroupSettings {
  /** `--n`: tasks per measured case (groups that measure a rate or a duration may ignore it). */
  tasks: number;
  /** `--warmup`: tasks of the warm-up run before each case. */
  warmupTasks: number;
  /** The parsed flags, the group's own included (as strings or booleans). */
  args: Readonly<Record<string, string | boolean | undefined>>;
  /** The Redis the bench runs against (for groups that start processes of their own). */
  redisUrl: string;
}

/** One group of cases: `--only NAME` selects it; its results go to `resultsDir/NAME.json`. */
export interface BenchGroup {
  name: string;
  resultsDir: string;
  /** Flags of its own (parseArgs options; string values). */
  options?: ParseArgsOptionsConfig;
  /** Runs every case; returns the text to print and the data to write. */
  run(env: BenchEnv, settings: GroupSettings): Promise<{ text: string; data: unknown }>;
}

/** A group of measured cases (the `measure` kind: warm-up, FLUSHALL, timed run between INFO snapshots). */
export function caseGroup(def: {
  name: string;
  resultsDir: string;
  options?: ParseArgsOptionsConfig;
  cases(settings: GroupSettings): BenchCase[];
  targets: Target[];
}): BenchGroup {
  return {
    name: def.name,
    resultsDir: def.resultsDir,
    ...(def.options ? { options: def.options } : {}),
    async run(env, settings) {
      const results: CaseResult[] = [];
      for (const c of def.cases(settings)) {
        process.stdout.write(`${def.name}/${c.name} … `);
        const r = await measure(env, c, { tasks: settings.tasks, warmupTasks: settings.warmupTasks });
        console.log(`${r.tasksPerSec.toLocaleString('en-US')} tasks/s`);
        results.push(r);
      }
      const checks = checkTargets(results, def.targets);
      return { text: formatResults(results, checks), data: { results, targets: checks } };
    },
  };
}

/** An integer flag, or exit 2 with a message. */
export function intArg(name: string, value: string | boolean | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    process.exit(2);
  }
  return n;
}

/** The 1-minute load average, rounded: recorded with every figure (other work on the machine skews it). */
export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/** Parses the command line, runs the selected groups, writes their results. */
export async function runBench(groups: readonly BenchGroup[], argv = process.argv.slice(2)): Promise<void> {
  const options: ParseArgsOptionsConfig = {
    n: { type: 'string', default: '200000' },
    warmup: { type: 'string' },
    only: { type: 'string' },
  };
  for (const g of groups) Object.assign(options, g.options);
  let args: Record<string, string | boolean | undefined>;
  try {
    args = parseArgs({ args: argv, options }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    console.error(
      `${(err as Error).message}\nflags: ${Object.keys(options)
        .map((k) => `--${k}`)
        .join(' ')}\ngroups: ${groups.map((g) => g.name).join(', ')}`,
    );
    process.exit(2);
  }
  const tasks = intArg('n', args.n);
  const warmupTasks = intArg('warmup', args.warmup ?? String(Math.min(20_000, Math.ceil(tasks / 10))), 0);
  const only = typeof args.only === 'string' ? args.only.split(',').map((s) => s.trim()) : undefined;
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
      loadAverage1m: loadAverage(),
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
      const settings: GroupSettings = { tasks, warmupTasks, args, redisUrl: server.url };
      const loadBefore = loadAverage();
      const { text, data } = await group.run(env, settings);
      console.log(`\n== ${group.name} ==\n${text}\n`);
      const record = { setup: { ...setup, loadAverage1m: loadBefore, loadAverage1mAfter: loadAverage() } };
      const path = await writeResults(
        `${group.name}.json`,
        { ...record, ...(data as object) },
        group.resultsDir,
      );
      console.log(`written: ${path} (load average ${loadBefore} before, ${loadAverage()} after)\n`);
    }
  } finally {
    env.redis.disconnect();
    env.stats.disconnect();
    await server.stop();
  }
}
