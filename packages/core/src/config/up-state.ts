/**
 * Finding the Redis of a `dtps up` that runs in this directory.
 *
 * `dtps up` starts its own redis-server on a free port when none answers at
 * the configured URL, so the URL in the config file (`redis://127.0.0.1:6379`)
 * is not where that Redis is. `dtps up` writes `.dtps/up.json` with its pid
 * and the Redis URL it uses; the other programs (dtps, dtps-tui,
 * dtps-worker, dtps-coordinator) started in the same directory read it, so
 * that a second shell finds that Redis without being told.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { redactRedisUrl } from '../connection/redact-redis-url.js';

/** Where `dtps up` keeps its state, relative to the directory it runs in. */
export const UP_STATE_FILE = join('.dtps', 'up.json');

/** The fields of `.dtps/up.json` that other programs read. */
export interface UpStateFields {
  /** Pid of `dtps up` itself: the state holds only while it lives. */
  pid: number;
  /** When that `dtps up` started, ms since the epoch. */
  startedAt: number;
  /** The Redis it uses; absent until it has one. */
  redisUrl?: string;
}

/** A running `dtps up` and the Redis it uses. */
export interface RunningUp {
  pid: number;
  startedAt: number;
  redisUrl: string;
  /** Absolute path of the state file it was found in. */
  path: string;
}

/**
 * The `dtps up` running in `cwd`, if any: its state file exists, names a
 * Redis URL, and its pid is alive and a dtps program. A file left by an up that died (its pid
 * gone), a half-written or unreadable file: undefined, silently, since the
 * caller then falls back to the configured URL.
 */
export async function findRunningUp(cwd: string): Promise<RunningUp | undefined> {
  const path = join(cwd, UP_STATE_FILE);
  let state: Partial<UpStateFields>;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as Partial<UpStateFields>;
  } catch {
    return undefined;
  }
  const { pid, startedAt, redisUrl } = state;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (typeof redisUrl !== 'string' || redisUrl === '') return undefined;
  if (!processAlive(pid) || !looksLikeDtps(pid)) return undefined;
  return { pid, startedAt: typeof startedAt === 'number' ? startedAt : 0, redisUrl, path };
}

/** True while a process with this pid exists (EPERM: it exists, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process with this pid is a dtps program, as far as can be
 * told: a pid reused after an up was killed outright (its file left behind)
 * belongs to something else. Where /proc cannot be read (macOS), the pid
 * being alive has to do.
 */
function looksLikeDtps(pid: number): boolean {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  return line.includes('dtps');
}

/**
 * The line a program prints on stderr when it uses up's Redis, so that the
 * user knows which Redis answers:
 * `using dtps up's Redis at redis://127.0.0.1:39199 (from .dtps/up.json)`.
 * The path is shown relative to `cwd` when inside it.
 */
export function upRedisNotice(up: RunningUp, cwd: string): string {
  const rel = relative(cwd, up.path);
  const shown = rel.startsWith('..') || rel === '' ? up.path : rel;
  return `using dtps up's Redis at ${redactRedisUrl(up.redisUrl)} (from ${shown})`;
}
