/**
 * What a benchmark case cost Redis: `INFO commandstats` and `INFO cpu`
 * snapshots, and the difference of two.
 */
import type { Redis } from 'ioredis';

/** Calls and total time of one command, as `INFO commandstats` counts them. */
export interface CommandStat {
  calls: number;
  usec: number;
}

/** One reading of the server's counters. */
export interface RedisSnapshot {
  /** used_cpu_sys + used_cpu_user of the whole server process, in µs. */
  cpuUs: number;
  /** used_cpu_sys_main_thread + used_cpu_user_main_thread, in µs. */
  mainThreadCpuUs: number;
  /** By lower-case command name (`cmdstat_` removed; `xadd`, `evalsha`, `client|list`). */
  commands: Map<string, CommandStat>;
}

/** The script-calling commands: everything else is a command run on its own or from inside a script. */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set([
  'eval',
  'evalsha',
  'eval_ro',
  'evalsha_ro',
  'fcall',
  'fcall_ro',
]);

/**
 * Commands the benchmark itself sends around a case (statistics, FLUSHALL); left
 * out of the figures. INFO is the big one: one call per snapshot.
 */
export const HOUSEKEEPING: ReadonlySet<string> = new Set([
  'info',
  'flushall',
  'config|resetstat',
  'ping',
  'select',
]);

/** `key:value` lines of an INFO reply (sections and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** `calls=3,usec=10,usec_per_call=3.33,...` → { calls, usec }. */
export function parseCommandStat(value: string): CommandStat {
  const fields = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
  return { calls: Number(fields.get('calls') ?? 0), usec: Number(fields.get('usec') ?? 0) };
}

/** Reads INFO cpu and commandstats in one call. */
export async function snapshot(redis: Redis): Promise<RedisSnapshot> {
  const info = parseInfo(await redis.info('cpu', 'commandstats'));
  const sec = (name: string): number => Number(info.get(name) ?? Number.NaN);
  const commands = new Map<string, CommandStat>();
  for (const [key, value] of info) {
    if (key.startsWith('cmdstat_')) commands.set(key.slice('cmdstat_'.length), parseCommandStat(value));
  }
  return {
    cpuUs: (sec('used_cpu_sys') + sec('used_cpu_user')) * 1e6,
    mainThreadCpuUs: (sec('used_cpu_sys_main_thread') + sec('used_cpu_user_main_thread')) * 1e6,
    commands,
  };
}

/** What happened between two snapshots, housekeeping commands left out. */
export interface RedisDelta {
  cpuUs: number;
  mainThreadCpuUs: number;
  /** Every command counted by commandstats: script calls and the commands they ran. */
  totalCalls: number;
  /** EVAL/EVALSHA calls. */
  scriptCalls: number;
  /** Commands other than script calls (those inside scripts, and plain ones). */
  otherCalls: number;
  /** By command, busiest (by usec) first. */
  commands: { name: string; calls: number; usec: number }[];
}

export function diff(before: RedisSnapshot, after: RedisSnapshot): RedisDelta {
  const commands: RedisDelta['commands'] = [];
  let totalCalls = 0;
  let scriptCalls = 0;
  for (const [name, a] of after.commands) {
    if (HOUSEKEEPING.has(name)) continue;
    const b = before.commands.get(name) ?? { calls: 0, usec: 0 };
    const calls = a.calls - b.calls;
    if (calls <= 0) continue;
    commands.push({ name, calls, usec: a.usec - b.usec });
    totalCalls += calls;
    if (SCRIPT_COMMANDS.has(name)) scriptCalls += calls;
  }
  commands.sort((x, y) => y.usec - x.usec);
  return {
    cpuUs: after.cpuUs - before.cpuUs,
    mainThreadCpuUs: after.mainThreadCpuUs - before.mainThreadCpuUs,
    totalCalls,
    scriptCalls,
    otherCalls: totalCalls - scriptCalls,
    commands,
  };
}
