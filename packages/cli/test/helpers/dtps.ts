/**
 * Runs the built `dtps` bin as a real child process, the way a user or a
 * script does: its own environment (only DTPS_* given here), an empty temp
 * dir as cwd (no .dtpsrc.yaml is found), optional standard input.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Ran, runChild } from './run-child.js';

/**
 * The launcher that package.json's `bin` names, as a user runs it: after `pnpm
 * build` it runs the bundle (dist/bundle), so every CLI test checks the bundle;
 * after a bare `tsc -b` it runs the compiled modules. This file is
 * dist/test/helpers/dtps.js.
 */
export const BIN = fileURLToPath(new URL('../../../bin/dtps.js', import.meta.url));

/** The compiled entry itself, without the bundle. */
export const UNBUNDLED_BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** One empty working dir for every run of the test process. */
const CWD = mkdtempSync(join(tmpdir(), 'dtps-cli-test-'));

export interface RunResult extends Ran {
  /** stdout parsed as one JSON value (throws if it is not). */
  json<T = Record<string, unknown>>(): T;
  /** stdout parsed as JSON Lines. */
  lines<T = Record<string, unknown>>(): T[];
}

export interface RunOptions {
  /** DTPS_* and other variables for the child, on top of PATH and HOME. */
  env?: Record<string, string>;
  /** Written to standard input, which is then closed. */
  input?: string;
  cwd?: string;
}

/**
 * At most this many children of one test file run at once: every test of a
 * file runs concurrently, and dozens of node processes starting together
 * would make the timing tests (exit 3 within 5 s) measure the machine
 * rather than the CLI. Three, because one test holds two at most (a `wait`
 * and the `cancel` that ends it) and a held child never waits for a slot.
 */
const MAX_CHILDREN = 3;
let running = 0;
const queue: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_CHILDREN) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  return () => {
    running -= 1;
    queue.shift()?.();
  };
}

/** Runs `dtps ...args` and resolves when it has exited (never rejects on a non-zero exit). */
export async function dtps(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const release = await slot();
  try {
    return await spawnDtps(args, opts);
  } finally {
    release();
  }
}

async function spawnDtps(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  // Only what node needs from the parent: no DTPS_* of the developer's shell.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  const ran = await runChild(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? CWD,
    env,
    input: opts.input ?? '',
  });
  return {
    ...ran,
    json: <T>() => JSON.parse(ran.stdout) as T,
    lines: <T>() =>
      ran.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as T),
  };
}
