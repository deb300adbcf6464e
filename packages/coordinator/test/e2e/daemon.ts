/**
 * Runs the built daemons (`dtps-coordinator`, `dtps-worker`) as real child
 * processes, the way an operator does: an environment of their own (only the
 * DTPS_* given here), an empty temp dir as cwd (so no `.dtpsrc.yaml` is
 * found), `--log-format json` so that their log lines can be parsed and
 * awaited. Every process started here is SIGKILLed when the test process
 * exits, so none outlives a failed test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@dtps/core/testing';

/** The compiled coordinator daemon: this file is packages/coordinator/dist/test/e2e/daemon.js. */
export const COORDINATOR_BIN = fileURLToPath(new URL('../../src/bin.js', import.meta.url));

/** The compiled worker daemon, in the sibling package. */
export const WORKER_BIN = fileURLToPath(new URL('../../../../worker/dist/src/bin.js', import.meta.url));

/** The compiled recording handler module (see recording-handlers.ts). */
export const RECORDING_HANDLERS = fileURLToPath(new URL('./recording-handlers.js', import.meta.url));

/** One empty working dir for every daemon of the test process. */
const CWD = mkdtempSync(join(tmpdir(), 'dtps-coordinator-e2e-'));

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

/** One pino log line of a daemon. */
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

export interface SpawnOptions {
  redisUrl: string;
  prefix: string;
  /** Id of the daemon (given as DTPS_WORKER_ID or DTPS_COORDINATOR_ID). */
  id: string;
  /** Extra flags. */
  args?: readonly string[];
  /** Extra environment (`DTPS_WORKER_HEARTBEAT_MS`, …). */
  env?: Record<string, string>;
  /** Wait for the start log line (default true). */
  waitStarted?: boolean;
  /** How long to wait for it, ms (default 30,000: the machine is shared). */
  startTimeoutMs?: number;
}

/** A running (or ended) daemon child process with its parsed JSON log. */
export class Daemon {
  readonly kind: 'worker' | 'coordinator';
  readonly id: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  readonly logs: LogLine[] = [];
  /** Lines that were not JSON (stack traces, the fatal start message). */
  readonly rawLines: string[] = [];
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #partial = '';

  private constructor(kind: 'worker' | 'coordinator', id: string, child: ChildProcess) {
    this.kind = kind;
    this.id = id;
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#onOutput(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.#onOutput(d));
  }

  static async spawn(
    kind: 'worker' | 'coordinator',
    bin: string,
    idEnv: string,
    startedMsg: string,
    opts: SpawnOptions,
  ): Promise<Daemon> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DTPS_REDIS_URL: opts.redisUrl,
      DTPS_PREFIX: opts.prefix,
      [idEnv]: opts.id,
      ...opts.env,
    };
    const child = spawn(process.execPath, [bin, '--log-format', 'json', ...(opts.args ?? [])], {
      cwd: CWD,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const d = new Daemon(kind, opts.id, child);
    if (opts.waitStarted !== false) await d.waitForLog(startedMsg, opts.startTimeoutMs ?? 30_000);
    return d;
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  get pid(): number {
    return this.child.pid!;
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
  async waitForLog(msg: string | ((l: LogLine) => boolean), timeoutMs = 30_000): Promise<LogLine> {
    const match = typeof msg === 'string' ? (l: LogLine) => l.msg === msg : msg;
    let found: LogLine | undefined;
    await waitFor(
      () => {
        found = this.logs.find(match);
        if (!found && !this.alive)
          throw new Error(`${this.kind} ${this.id} exited (${JSON.stringify(this.#exit)})\n${this.tail()}`);
        return found !== undefined;
      },
      {
        timeoutMs,
        what: `${this.kind} ${this.id} to log ${typeof msg === 'string' ? JSON.stringify(msg) : 'a line'}`,
        details: () => this.tail(),
      },
    );
    return found!;
  }

  /** Sends a signal (SIGTERM, SIGSTOP, SIGCONT, …) if still running. */
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
        () =>
          reject(new Error(`${this.kind} ${this.id} did not exit within ${timeoutMs} ms\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Makes sure the process is gone (cleanup): SIGCONT (in case it is stopped), then SIGKILL. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGCONT');
    await this.kill9();
  }

  /** The last log lines, for failure messages. */
  tail(lines = 25): string {
    const all = [...this.logs.map((l) => JSON.stringify(l)), ...this.rawLines];
    return `--- last lines of ${this.kind} ${this.id} (pid ${this.child.pid}) ---\n${all.slice(-lines).join('\n')}`;
  }

  #onOutput(chunk: string): void {
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

/** Fast settings of a worker for tests: 200 ms heartbeats, a fixed pool (no autoscaling surprises). */
export interface WorkerSpawnOptions extends SpawnOptions {
  /** Fixed pool size (min = max = size); default 4. */
  slots?: number;
  /** Heartbeat period, ms (default 200). */
  heartbeatMs?: number;
}

/** Starts `dtps-worker` with the recording handlers; resolves once it has logged 'worker started'. */
export function spawnWorker(opts: WorkerSpawnOptions): Promise<Daemon> {
  const slots = String(opts.slots ?? 4);
  return Daemon.spawn('worker', WORKER_BIN, 'DTPS_WORKER_ID', 'worker started', {
    ...opts,
    args: [
      '--handlers',
      RECORDING_HANDLERS,
      '--workers',
      slots,
      '--min',
      slots,
      '--max',
      slots,
      ...(opts.args ?? []),
    ],
    env: { DTPS_WORKER_HEARTBEAT_MS: String(opts.heartbeatMs ?? 200), ...opts.env },
  });
}

/** Fast settings of a coordinator for tests. */
export interface CoordinatorSpawnOptions extends SpawnOptions {
  /** Leader lease, ms (default 5000, the daemon's default). */
  leaseMs?: number;
  /** Worker heartbeat timeout, ms (default 1500). */
  heartbeatTimeoutMs?: number;
  /** Sweep interval, ms (default 200). */
  sweepIntervalMs?: number;
}

/**
 * Starts `dtps-coordinator` (never with --monitor here); resolves once it
 * has logged 'coordinator started'.
 */
export function spawnCoordinator(opts: CoordinatorSpawnOptions): Promise<Daemon> {
  return Daemon.spawn('coordinator', COORDINATOR_BIN, 'DTPS_COORDINATOR_ID', 'coordinator started', {
    ...opts,
    env: {
      DTPS_COORDINATOR_LEASE_MS: String(opts.leaseMs ?? 5000),
      DTPS_COORDINATOR_HEARTBEAT_TIMEOUT_MS: String(opts.heartbeatTimeoutMs ?? 1500),
      DTPS_COORDINATOR_SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 200),
      ...opts.env,
    },
  });
}

/** Stops every given daemon that is still running (for `test.after.always`). */
export async function stopAll(daemons: Iterable<Daemon>): Promise<void> {
  await Promise.all([...daemons].map((d) => d.stop()));
}
