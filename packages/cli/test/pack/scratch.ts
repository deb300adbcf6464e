/**
 * A project of a user's own, outside this repository: the packed tarballs
 * installed with npm into a copy of examples/quickstart in a temp dir, and
 * the commands a user runs there, as real child processes that cannot see
 * the repository (its node_modules/.bin is taken off their PATH).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@dtps/core/testing';
import { type Ran, runChild } from '../helpers/run-child.js';

/** The repository root: this file is packages/cli/dist/test/pack/scratch.js. */
export const REPO = realpathSync(fileURLToPath(new URL('../../../../../', import.meta.url)));

/** True when `path` is the repository or inside it. */
export function insideRepo(path: string): boolean {
  const rel = relative(REPO, realpathSync(path));
  return !rel.startsWith('..') && !rel.startsWith('/');
}

/**
 * The environment of a command run in the scratch project: PATH without the
 * repository's directories (so only the project's own bins are found), and
 * nothing of the developer's DTPS_* settings. npm's registry, cache and
 * proxy settings are kept, so that CI's npm configuration applies; the other
 * npm_* variables that `pnpm test` sets are pnpm's, not the user's.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^DTPS_/i.test(key)) continue;
    if (/^npm_/i.test(key) && !/^npm_config_(registry|cache|.*proxy|cafile|strict_ssl)$/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.startsWith(REPO))
    .join(delimiter);
  return { ...env, ...extra };
}

export type { Ran };

/** Runs a command to its end; never rejects on a non-zero exit. */
export const run = runChild;

/** Why a command failed, for an assertion message. */
export function explain(what: string, r: Ran): string {
  return `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** A long-running command (a daemon) with its output kept for waits and failure messages. */
export class Started {
  output = '';
  readonly exited: Promise<number | null>;
  #code: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.#code = code;
        resolve(code);
      });
    });
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.output += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.output += d;
    });
  }

  get alive(): boolean {
    return this.#code === undefined;
  }

  /** Resolves once the output contains `text`; fails at once when the process ends first. */
  async waitForOutput(text: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      () => {
        if (this.output.includes(text)) return true;
        if (!this.alive) throw new Error(`exited ${this.#code} before printing "${text}":\n${this.output}`);
        return false;
      },
      { timeoutMs, what: `"${text}" in the output`, details: () => this.output },
    );
  }

  /**
   * Signals the whole process group, as systemd's KillMode=mixed does at
   * first: `npx` runs a command through a shell and does not pass signals
   * on, so signalling `npx` alone would leave the daemon running.
   */
  signal(signal: NodeJS.Signals): void {
    if (!this.alive || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is gone already
    }
  }

  /** SIGKILL to the process group unless already ended. */
  kill(): void {
    this.signal('SIGKILL');
  }
}

/** Every daemon started here, so that none outlives its test file. */
const started = new Set<Started>();

/** Starts a long-running command; {@link killStarted} ends it if the test does not. */
export function start(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
) {
  // A process group of its own, so that everything under it can be signalled (see Started.signal).
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const s = new Started(child);
  started.add(s);
  return s;
}

/** SIGKILLs whatever {@link start} started and is still running. */
export function killStarted(): void {
  for (const s of started) s.kill();
}
process.on('exit', killStarted);

/** The scratch project: where it is and how long its install took. */
export interface ScratchApp {
  dir: string;
  tarballs: string[];
  packMs: number;
  installMs: number;
}

/** A new temp dir outside the repository for one test file's scratch project. */
export function scratchRoot(): string {
  return mkdtempSync(join(tmpdir(), 'dtps-outside-'));
}

/**
 * Packs the five packages with the repository's `pack:all` script (the build
 * is `pnpm test`'s), copies examples/quickstart to a new temp dir and there
 * runs `npm install` with the tarballs, as its README says; all under `root`.
 */
export async function installScratchApp(root: string): Promise<ScratchApp> {
  const packDir = join(root, 'dist-packages');
  const pack = await run(process.execPath, [join(REPO, 'scripts', 'pack-all.mjs'), packDir], {
    cwd: REPO,
    env: process.env,
  });
  if (pack.code !== 0) throw new Error(explain('pnpm pack:all', pack));
  const tarballs = readdirSync(packDir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(packDir, f));

  const dir = join(root, 'quickstart');
  cpSync(join(REPO, 'examples', 'quickstart'), dir, {
    recursive: true,
    filter: (src) => !/node_modules|package-lock\.json/.test(relative(REPO, src)),
  });
  // --prefer-offline: third-party packages come from npm's cache when it has them.
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
    cwd: dir,
    env: userEnv(),
  });
  if (install.code !== 0) throw new Error(explain('npm install', install));
  return { dir, tarballs, packMs: pack.ms, installMs: install.ms };
}
