/**
 * The child processes of `dtps up`: daemons with their output in a log file,
 * in a process group of their own, and the console in the foreground.
 *
 * Daemons are detached (their own session and process group) so that Ctrl-C
 * in the terminal reaches `dtps up` alone, which then stops them in order:
 * a worker must hand its tasks back while Redis still runs. A safety net
 * stops any child still running when `dtps up` exits by any path but
 * SIGKILL; `.dtps/up.json` (leftovers.ts) covers that one.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ExitCode } from '../exit-codes.js';

/**
 * Why `dtps up` cannot go on, said in full (its message may hold a log's
 * tail, several lines), with the exit code and error code to report.
 */
export class UpFailure extends Error {
  readonly code: string;
  readonly exit: ExitCode;
  constructor(code: string, message: string, exit: ExitCode) {
    super(message);
    this.name = 'UpFailure';
    this.code = code;
    this.exit = exit;
  }
}

/** How a child process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when it could not be started at all. */
  error?: Error;
}

export function describeExit(status: ExitStatus): string {
  if (status.error) return `could not be started: ${status.error.message}`;
  if (status.signal !== null) return `was killed by ${status.signal}`;
  return `exited with code ${status.code}`;
}

/** Every child still running: the safety net's list. */
const running = new Set<ChildProcess>();
let netInstalled = false;

/**
 * When `dtps up` exits with children still running (a crash, its output
 * closed: never on a clean stop), SIGTERM them, and have a detached shell
 * SIGKILL whichever still runs 5 s later: a worker whose Redis is gone may
 * never finish its graceful stop.
 */
function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', () => {
    const pids: number[] = [];
    for (const child of running) {
      try {
        child.kill('SIGTERM');
        if (child.pid !== undefined) pids.push(child.pid);
      } catch {
        // already gone
      }
    }
    if (pids.length === 0) return;
    try {
      spawn('/bin/sh', ['-c', `sleep 5; kill -9 ${pids.join(' ')} 2>/dev/null`], {
        detached: true,
        stdio: 'ignore',
      }).unref();
    } catch {
      // nothing more to do on the way out
    }
  });
}

function track(child: ChildProcess): Promise<ExitStatus> {
  installSafetyNet();
  if (child.pid !== undefined) running.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      running.delete(child);
      // After a failed spawn no 'exit' follows.
      if (child.pid === undefined) resolve({ code: null, signal: null, error });
    });
  });
}

/** Options of {@link Daemon.start}. */
export interface DaemonOptions {
  /** Short name for messages: `dtps-worker`. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Receives stdout and stderr; truncated first. */
  logFile: string;
}

/** A background process: output in a log file, its own process group. */
export class Daemon {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<ExitStatus>;
  #child: ChildProcess;
  #status: ExitStatus | undefined;

  private constructor(name: string, logFile: string, child: ChildProcess) {
    this.name = name;
    this.logFile = logFile;
    this.#child = child;
    this.exited = track(child).then((status) => {
      this.#status = status;
      return status;
    });
  }

  static start(opts: DaemonOptions): Daemon {
    const fd = openSync(opts.logFile, 'w');
    try {
      const child = spawn(opts.command, [...opts.args], {
        cwd: opts.cwd,
        env: opts.env,
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      return new Daemon(opts.name, opts.logFile, child);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** How it ended, once it has. */
  get status(): ExitStatus | undefined {
    return this.#status;
  }

  get alive(): boolean {
    return this.#status === undefined && this.#child.pid !== undefined;
  }

  /** Sends a signal if it still runs. */
  signal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      this.#child.kill(signal);
    } catch {
      // gone in the meantime
    }
  }

  /**
   * Sends SIGTERM, waits up to `graceMs` for the exit, then SIGKILLs.
   * Resolves with how it ended and whether it had to be killed. (A second
   * SIGTERM meanwhile, through `signal`, makes the daemons stop at once.)
   */
  async stop(graceMs: number): Promise<{ status: ExitStatus; killed: boolean }> {
    if (!this.alive) return { status: await this.exited, killed: false };
    this.signal('SIGTERM');
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), graceMs);
    });
    try {
      const first = await Promise.race([this.exited, timeout]);
      if (first !== timedOut) return { status: first, killed: false };
      this.signal('SIGKILL');
      return { status: await this.exited, killed: true };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The console: in the foreground, on this terminal. */
export class Foreground {
  readonly name: string;
  readonly exited: Promise<ExitStatus>;
  #child: ChildProcess;
  #done = false;

  constructor(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.name = name;
    this.#child = spawn(command, [...args], { cwd, env, stdio: 'inherit' });
    this.exited = track(this.#child).then((status) => {
      this.#done = true;
      return status;
    });
  }

  /** Stops it if it still runs (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs: number): Promise<ExitStatus> {
    if (!this.#done) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}

/** The last `lines` lines of a log file, or a note when it cannot be read. */
export async function tailFile(path: string, lines = 15): Promise<string> {
  try {
    const text = (await readFile(path, 'utf8')).trimEnd();
    return text === '' ? '(the log is empty)' : text.split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(could not read ${path}: ${(err as Error).message})`;
  }
}

/** Indents each line by two spaces (a log's tail under a message). */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** True while a process with this pid exists (and may be signalled by us). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, '' when it is gone or cannot be read. */
export async function commandLine(pid: number): Promise<string> {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // No /proc (macOS): ask ps.
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (err, stdout) => resolve(err ? '' : stdout.trim()));
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
