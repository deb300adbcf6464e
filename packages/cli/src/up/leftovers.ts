/**
 * What an earlier `dtps up` here left running. When a `dtps up` was killed
 * outright (SIGKILL, a crash of the machine's terminal), its daemons run on
 * without it; the next `dtps up` here finds them through `.dtps/up.json`
 * (state-file.ts) and stops them, so that two redis-servers never write the
 * same AOF and no orphan works on.
 */
import { rm } from 'node:fs/promises';
import { DtpsError } from '@dtps/core';
import { commandLine, isAlive, pause } from './processes.js';
import { readState } from './state-file.js';

/** Marks of `dtps up` itself (meow sets the title of each program to its bin name). */
const UP_MARKS = ['dtps'];

async function matches(pid: number, marks: readonly string[]): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const line = await commandLine(pid);
  return line !== '' && marks.every((m) => line.includes(m));
}

/**
 * Looks at the state an earlier `dtps up` left here. Throws when that one
 * still runs; stops the processes it left behind (SIGTERM, SIGKILL after
 * 5 s) and says so through `note`.
 */
export async function cleanUpEarlierRun(path: string, note: (text: string) => void): Promise<void> {
  const state = await readState(path);
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
