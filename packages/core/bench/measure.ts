/**
 * Runs one benchmark case against the bench's Redis: warm-up, FLUSHALL, then
 * a timed run between two INFO snapshots, and turns the deltas into per-task
 * figures. Shared by every group of cases (core's submit, the worker's processing).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { diff, snapshot } from './redis-stats.js';

/** What a case needs: the connection the engine uses, and one for statistics. */
export interface BenchEnv {
  /** The engine's connection (the case builds its Client on it). */
  redis: Redis;
  /** A second connection for INFO and FLUSHALL, so they never queue behind the workload. */
  stats: Redis;
}

/**
 * What a run may report about the process that did the work, when that is not
 * the bench's own process (a worker child process): its CPU and event loop.
 */
export interface RunReport {
  /** CPU (user + system) that process used during the run, µs. */
  cpuUs: number;
  /** Its event loop utilisation over the run. */
  eventLoopUtilization: number;
}

/** One case of a group. */
export interface BenchCase {
  name: string;
  /** One line: what is measured, with its parameters. */
  description: string;
  /**
   * Work before the timed run, not measured (before the first snapshot): for
   * example pre-loading the queue that the run then processes.
   */
  prepare?(env: BenchEnv, tasks: number): Promise<void>;
  /** Does the work for `tasks` tasks; resolves when all are acknowledged. */
  run(env: BenchEnv, tasks: number): Promise<RunReport | undefined>;
  /** Cleanup after the closing snapshot (not measured). */
  after?(env: BenchEnv): Promise<void>;
}

export interface CommandFigure {
  name: string;
  calls: number;
  callsPerTask: number;
  usecPerCall: number;
  usecPerTask: number;
}

/** The figures of one case; "per task" means divided by the measured task count. */
export interface CaseResult {
  name: string;
  description: string;
  tasks: number;
  seconds: number;
  tasksPerSec: number;
  redis: {
    /** used_cpu_sys + used_cpu_user of the server process, per task. */
    cpuUsPerTask: number;
    /** The same, main thread only. */
    mainThreadCpuUsPerTask: number;
    /** Redis CPU time / wall time: 1.0 is one core saturated. */
    cpuLoad: number;
    /** Every call commandstats counted (script calls and the commands run inside them), per task. */
    commandsPerTask: number;
    /** EVAL/EVALSHA calls per task. */
    scriptCallsPerTask: number;
    /** The commands other than script calls (mostly those run from Lua), per task. */
    innerCommandsPerTask: number;
    /** By command, busiest first. An evalsha's usec includes the commands it ran. */
    commands: CommandFigure[];
  };
  node: {
    /** Which process: `bench` (this one) or `worker` (the child process that did the work). */
    process: 'bench' | 'worker';
    /** process.cpuUsage() (user + system) of that Node process, per task. */
    cpuUsPerTask: number;
    /** Node CPU time / wall time (can exceed 1.0: GC and libuv threads). */
    cpuLoad: number;
    /** Event loop utilisation over the run: near 1.0 means the producer is the limit. */
    eventLoopUtilization: number;
  };
  /**
   * CPU used on the machine by everything but this process and Redis, in cores
   * (from /proc/stat; null elsewhere). Above ~0.2 the rates are not figures of record.
   */
  otherCpuLoad: number | null;
  /** 1-minute load average when the timed run began (other work on the machine skews the figures). */
  loadAverage1m: number;
}

export interface MeasureOptions {
  tasks: number;
  warmupTasks: number;
}

/** Warm-up, FLUSHALL, measured run. */
export async function measure(env: BenchEnv, c: BenchCase, opts: MeasureOptions): Promise<CaseResult> {
  if (opts.warmupTasks > 0) {
    await c.prepare?.(env, opts.warmupTasks);
    await c.run(env, opts.warmupTasks);
  }
  await env.stats.flushall('SYNC');
  await c.prepare?.(env, opts.tasks);
  const before = await snapshot(env.stats);
  const loadAverage1m = Math.round(loadavg()[0]! * 100) / 100;
  const machine0 = machineBusyUs();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await c.run(env, opts.tasks);
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const machine1 = machineBusyUs();
  const after = await snapshot(env.stats);
  await c.after?.(env);
  const d = diff(before, after);
  const n = opts.tasks;
  const wallUs = (t1 - t0) * 1000;
  const benchUs = cpu.user + cpu.system;
  // The figures are of the process that did the work; the machine's "other" load leaves out both.
  const nodeUs = report ? report.cpuUs : benchUs;
  const ownUs = report ? report.cpuUs + benchUs : benchUs;
  return {
    name: c.name,
    description: c.description,
    tasks: n,
    seconds: round((t1 - t0) / 1000, 3),
    tasksPerSec: Math.round(n / ((t1 - t0) / 1000)),
    redis: {
      cpuUsPerTask: round(d.cpuUs / n, 2),
      mainThreadCpuUsPerTask: round(d.mainThreadCpuUs / n, 2),
      cpuLoad: round(d.cpuUs / wallUs, 2),
      commandsPerTask: round(d.totalCalls / n, 4),
      scriptCallsPerTask: round(d.scriptCalls / n, 4),
      innerCommandsPerTask: round(d.otherCalls / n, 4),
      commands: d.commands.map((x) => ({
        name: x.name,
        calls: x.calls,
        callsPerTask: round(x.calls / n, 4),
        usecPerCall: round(x.usec / x.calls, 2),
        usecPerTask: round(x.usec / n, 2),
      })),
    },
    node: {
      process: report ? 'worker' : 'bench',
      cpuUsPerTask: round(nodeUs / n, 2),
      cpuLoad: round(nodeUs / wallUs, 2),
      eventLoopUtilization: round(report ? report.eventLoopUtilization : elu.utilization, 2),
    },
    otherCpuLoad:
      machine0 === null || machine1 === null
        ? null
        : round(Math.max(0, machine1 - machine0 - ownUs - d.cpuUs) / wallUs, 2),
    loadAverage1m,
  };
}

/** CPU time used by the whole machine so far (user, nice, system, irq, softirq, steal), in µs; null without /proc/stat. */
export function machineBusyUs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    // /proc/stat counts in USER_HZ, 100 a second on Linux.
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10_000;
  } catch {
    return null;
  }
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
