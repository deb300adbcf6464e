/**
 * `.dtps/up.json`: which processes a `dtps up` runs in this directory, and
 * the Redis it uses. Written as each part starts, removed on a clean stop.
 * Two kinds of reader: the other programs started here (core's
 * findRunningUp reads `pid`, `startedAt` and `redisUrl`, to use this Redis),
 * and the next `dtps up` here, which stops what a killed one left running
 * (leftovers.ts).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { UpStateFields } from '@dtps/core';

/** One process of a `dtps up`, and how to recognise it by its command line. */
export interface RecordedProcess {
  name: string;
  pid: number;
  /** Strings its command line contains (a pid may have been reused since). */
  marks: string[];
}

/** The whole file: the fields other programs read, and the processes started. */
export interface UpState extends UpStateFields {
  processes: RecordedProcess[];
}

/** The state in `path`, or undefined when there is none or it cannot be read. */
export async function readState(path: string): Promise<UpState | undefined> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as UpState;
    return typeof state.pid === 'number' && Array.isArray(state.processes) ? state : undefined;
  } catch {
    return undefined;
  }
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
