/**
 * Where `dtps up` finds the programs it starts and where it keeps its files.
 *
 * The daemons are found through the workspace layout: this file is
 * packages/cli/dist/src/up/paths.js once built, and the daemons' launchers
 * are packages/<name>/bin/*.js. (docs/design.md §1: cli may reach into the other
 * packages for `dtps up`.)
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The programs `dtps up` starts, by their short name. */
export const PROGRAMS = {
  worker: { bin: 'dtps-worker', package: 'worker' },
  coordinator: { bin: 'dtps-coordinator', package: 'coordinator' },
  console: { bin: 'dtps-tui', package: 'tui' },
} as const;

export type ProgramName = keyof typeof PROGRAMS;

const PACKAGES = new URL('../../../../', import.meta.url);

/** The committed launcher of a program (`packages/worker/bin/dtps-worker.js`). */
export function binPath(name: ProgramName): string {
  const p = PROGRAMS[name];
  return fileURLToPath(new URL(`${p.package}/bin/${p.bin}.js`, PACKAGES));
}

/**
 * Why a program cannot start, or undefined when it can: its launcher and
 * its build output (dist/src/bin.js, which the launcher imports) exist.
 */
export function missingProgram(name: ProgramName): string | undefined {
  const p = PROGRAMS[name];
  const bin = binPath(name);
  if (!existsSync(bin)) return `${p.bin} is not installed (no ${bin})`;
  const built = fileURLToPath(new URL(`${p.package}/dist/src/bin.js`, PACKAGES));
  if (!existsSync(built)) return `${p.bin} is not built yet; run \`pnpm build\` at the repository root`;
  return undefined;
}

/** The files of one `dtps up` under `<cwd>/.dtps`. */
export interface UpLayout {
  cwd: string;
  /** `.dtps`: everything of `dtps up`. */
  root: string;
  /** `.dtps/logs`: one log file a daemon. */
  logs: string;
  /** `.dtps/redis`: the data (AOF) of the redis-server `dtps up` starts. */
  redis: string;
  /** `.dtps/up.json`: what runs, so that a later `dtps up` can clean up after a killed one. */
  state: string;
}

export function layoutOf(cwd: string): UpLayout {
  const root = join(cwd, '.dtps');
  return { cwd, root, logs: join(root, 'logs'), redis: join(root, 'redis'), state: join(root, 'up.json') };
}

/** A path as shown to the user: relative to the working directory when inside it. */
export function shown(layout: UpLayout, path: string): string {
  const rel = relative(layout.cwd, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
