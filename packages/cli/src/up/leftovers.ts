/**
 * `.dtps/up.json`: which processes a `dtps up` runs in this directory. It is
 * removed on a clean stop. When a `dtps up` was killed outright (SIGKILL,
 * a crash of the machine's terminal), its daemons run on without it; the
 * next `dtps up` here finds them through this file and stops them, so that
 * two redis-servers never write the same AOF and no orphan works on.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { DtpsError, type UpStateFields } from '@dtps/core';
import { commandLine, isAlive, pause } from './processes.js';

/** One process of a `dtps up`, and how to recognise it by its command line. */
export interface RecordedProcess {
  name: string;
  pid: number;
  /** Strings its command line contains (a pid may have been reused since). */
  marks: string[];
}

/**
 * The whole file. `pid`, `startedAt` and `redisUrl` are also read by the
 * other programs started here (core's findRunningUp), to use this Redis.
 */
interface UpState extends UpStateFields {
  processes: RecordedProcess[];
}

/** Marks of `dtps up` itself (meow sets the title of each program to its bin name). */
const UP_MARKS = ['dtps'];

async function matches(pid: number, marks: readonly string[]): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const line = await commandLine(pid);
  return line !== '' && marks.every((m) => line.includes(m));
}

async function read(path: string): Promise<UpState | undefined> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as UpState;
    return typeof state.pid === 'number' && Array.isArray(state.processes) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looks at the state an earlier `dtps up` left here. Throws when that one
 * still runs; stops the processes it left behind (SIGTERM, SIGKILL after
 * 5 s) and says so through `note`.
 */
export async function cleanUpEarlierRun(path: string, note: (text: string) => void): Promise<void> {
  const state = await read(path);
  if (state === undefined) return;
  if (state.pid !== process.pid && (await matches(state.pid, UP_MARKS))) {
    throw new DtpsError(
      'invalid_state',
      `dtps up already runs in this directory (pid ${state.pid}); stop it first (Ctrl-C in its terminal, or kill ${state.pid})`,
    );
  }
  // Recorded in the order they started: stopped the other way round, Redis last.
  for (const p of [...state.processes].reverse()) {
    if (!(await matches(p.pid, p.marks))) continue;
    note(`stopping ${p.name} (pid ${p.pid}), left running by an earlier dtps up that did not stop cleanly`);
    process.kill(p.pid, 'SIGTERM');
    for (let waited = 0; waited < 5000 && isAlive(p.pid); waited += 100) await pause(100);
    if (isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
  }
  await rm(path, { force: true });
}

/** Keeps `.dtps/up.json` in step with what runs. */
export class StateFile {
  readonly #path: string;
  readonly #state: UpState;
  #written = false;

  constructor(path: string) {
    this.#path = path;
    this.#state = { pid: process.pid, startedAt: Date.now(), processes: [] };
  }

  /** Records a process that was just started. */
  async add(p: RecordedProcess): Promise<void> {
    this.#state.processes.push(p);
    await this.#write();
  }

  /** Records the Redis in use, for the other programs started in this directory. */
  async setRedis(url: string): Promise<void> {
    this.#state.redisUrl = url;
    await this.#write();
  }

  /** Removes the file, if this run wrote it (never another run's). */
  async remove(): Promise<void> {
    if (this.#written) await rm(this.#path, { force: true });
  }

  async #write(): Promise<void> {
    // Written aside and renamed: a reader never sees half a file. Only the
    // owner may read it, since the Redis URL may hold a password.
    const temporary = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(this.#state, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.#path);
    this.#written = true;
  }
}
