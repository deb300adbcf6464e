/**
 * Runs the built `dtps-worker` daemon as a real child process, the way an
 * operator does: its own environment (only the DTPS_* given here), an empty
 * temp dir as cwd (so no `.dtpsrc.yaml` is found), `--log-format json` so that
 * its log lines can be parsed and awaited. Every process started here is
 * SIGKILLed when the test process exits, so none outlives a failed test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@dtps/core/testing';

/** The compiled daemon: this file is dist/test/process/spawn-worker.js. */
export const WORKER_BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** The compiled recording handler module (see recording-handlers.ts). */
export const RECORDING_HANDLERS = fileURLToPath(new URL('./recording-handlers.js', import.meta.url));

/** One empty working dir for every daemon of the test process. */
const CWD = mkdtempSync(join(tmpdir(), 'dtps-worker-test-'));

/** Every daemon still running; SIGKILLed when this process exits. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** One pino log line of the daemon. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** How a daemon ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnWorkerOptions {
  redisUrl: string;
  prefix: string;
  /** Worker id, given as `DTPS_WORKER_ID` so that handler modules can read it too. */
  id: string;
  /** Extra flags (`--workers 2`, `--steal`, `--handlers FILE`, …). */
  args?: readonly string[];
  /** Extra environment (`DTPS_WORKER_HEARTBEAT_MS`, …). */
  env?: Record<string, string>;
  /** Wait for the 'worker started' log line (default true). */
  waitStarted?: boolean;
  /** How long to wait for it, ms (default 20,000). */
  startTimeoutMs?: number;
}

/** A running (or ended) `dtps-worker` child process. */
export class WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines (stderr), in order. */
  readonly logs: LogLine[] = [];
  /** Lines that were not JSON (stack traces, the fatal start message). */
  readonly rawLines: string[] = [];
  stdout = '';
  /** When the process was spawned and when it exited (performance.now()). */
  readonly spawnedAt = performance.now();
  exitedAt: number | undefined;
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #partial = '';

  private constructor(id: string, child: ChildProcess) {
    this.id = id;
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitedAt = performance.now();
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.#onStderr(d));
  }

  /** Spawns the daemon; by default resolves once it has logged 'worker started'. */
  static async start(opts: SpawnWorkerOptions): Promise<WorkerProcess> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DTPS_REDIS_URL: opts.redisUrl,
      DTPS_PREFIX: opts.prefix,
      DTPS_WORKER_ID: opts.id,
      ...opts.env,
    };
    const child = spawn(process.execPath, [WORKER_BIN, '--log-format', 'json', ...(opts.args ?? [])], {
      cwd: CWD,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const w = new WorkerProcess(opts.id, child);
    if (opts.waitStarted !== false) await w.waitForLog('worker started', opts.startTimeoutMs ?? 20_000);
    return w;
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** The pid of the child. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Everything the daemon wrote to stderr, for failure messages. */
  get stderr(): string {
    return [...this.logs.map((l) => JSON.stringify(l)), ...this.rawLines].join('\n');
  }

  /** Log lines with this message. */
  logsWith(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  /**
   * Resolves with the first log line (already seen or yet to come) whose
   * message is `msg` (or that `match` accepts). Rejects when the process
   * exits first or after `timeoutMs`, with its log tail.
   */
  async waitForLog(msg: string | ((l: LogLine) => boolean), timeoutMs = 20_000): Promise<LogLine> {
    const match = typeof msg === 'string' ? (l: LogLine) => l.msg === msg : msg;
    let found: LogLine | undefined;
    await waitFor(
      () => {
        found = this.logs.find(match);
        if (!found && !this.alive)
          throw new Error(`worker ${this.id} exited (${JSON.stringify(this.#exit)})`);
        return found !== undefined;
      },
      {
        timeoutMs,
        what: `worker ${this.id} to log ${typeof msg === 'string' ? JSON.stringify(msg) : 'a line'}`,
        details: () => this.tail(),
      },
    );
    return found!;
  }

  /** Sends a signal (SIGTERM, SIGINT, SIGKILL). */
  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.child.kill(sig);
  }

  /** kill -9, and waits until the process is gone. */
  async kill9(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** Waits for the exit; rejects after `timeoutMs` (the process is left running). */
  async waitForExit(timeoutMs = 30_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`worker ${this.id} did not exit within ${timeoutMs} ms\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Makes sure the process is gone (cleanup): SIGKILL if still alive. */
  async stop(): Promise<void> {
    if (this.alive) await this.kill9();
  }

  /** The last log lines, for failure messages. */
  tail(lines = 25): string {
    return `--- last lines of worker ${this.id} (pid ${this.child.pid}) ---\n${this.stderr.split('\n').slice(-lines).join('\n')}`;
  }

  #onStderr(chunk: string): void {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (parsed !== null && typeof parsed === 'object' && 'msg' in parsed) this.logs.push(parsed);
        else this.rawLines.push(line);
      } catch {
        this.rawLines.push(line);
      }
    }
  }
}

/** Stops every given worker process that is still running (for `test.after.always`). */
export async function stopAll(workers: Iterable<WorkerProcess>): Promise<void> {
  await Promise.all([...workers].map((w) => w.stop()));
}
