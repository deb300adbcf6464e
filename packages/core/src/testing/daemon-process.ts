/**
 * Runs a built dtps daemon (`dtps-worker`, `dtps-coordinator`) as a real
 * child process, the way an operator does: an environment of its own (only
 * the DTPS_* given here), an empty temp dir as cwd (so no `.dtpsrc.yaml` is
 * found), `--log-format json` so that its log lines can be parsed and
 * awaited. Every process started here is SIGKILLed when the test process
 * ends, so none outlives a failed test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { trackChild } from './child-process.js';
import { waitFor } from './conditions.js';

/** One empty working dir for every daemon of the test process, made on first use. */
let cwd: string | undefined;

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

/** What every daemon of a test needs. */
export interface DaemonOptions {
  redisUrl: string;
  prefix: string;
  /** Id of the daemon (given as the `idEnv` variable, so that handler modules can read it too). */
  id: string;
  /** Extra flags. */
  args?: readonly string[];
  /** Extra environment (`DTPS_WORKER_HEARTBEAT_MS`, …). */
  env?: Record<string, string>;
  /** Wait for the start log line (default true). */
  waitStarted?: boolean;
  /** How long to wait for it, ms (default 30,000: the machine may be busy). */
  startTimeoutMs?: number;
}

/** Which daemon: its compiled bin, the variable that names it, the line it logs once started. */
export interface DaemonKind {
  name: string;
  bin: string;
  idEnv: string;
  startedMsg: string;
}

/** A running (or ended) daemon child process with its parsed JSON log. */
export class DaemonProcess {
  readonly kind: string;
  readonly id: string;
  readonly child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  readonly logs: LogLine[] = [];
  /** Lines that were not JSON (stack traces, the fatal start message). */
  readonly rawLines: string[] = [];
  /** When the process was spawned and when it exited (performance.now()). */
  readonly spawnedAt = performance.now();
  exitedAt: number | undefined;
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #partial = '';

  private constructor(kind: string, id: string, child: ChildProcess) {
    this.kind = kind;
    this.id = id;
    this.child = child;
    trackChild(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitedAt = performance.now();
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#onOutput(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.#onOutput(d));
  }

  /** Spawns the daemon; by default resolves once it has logged its start line. */
  static async spawn(kind: DaemonKind, opts: DaemonOptions): Promise<DaemonProcess> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DTPS_REDIS_URL: opts.redisUrl,
      DTPS_PREFIX: opts.prefix,
      [kind.idEnv]: opts.id,
      ...opts.env,
    };
    cwd ??= mkdtempSync(join(tmpdir(), 'dtps-daemon-test-'));
    const child = spawn(process.execPath, [kind.bin, '--log-format', 'json', ...(opts.args ?? [])], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const d = new DaemonProcess(kind.name, opts.id, child);
    if (opts.waitStarted !== false) await d.waitForLog(kind.startedMsg, opts.startTimeoutMs ?? 30_000);
    return d;
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything the daemon wrote, for failure messages. */
  get output(): string {
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
    const last = this.output.split('\n').slice(-lines).join('\n');
    return `--- last lines of ${this.kind} ${this.id} (pid ${this.child.pid}) ---\n${last}`;
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

/** Stops every given daemon that is still running (for `test.after.always`). */
export async function stopAll(daemons: Iterable<DaemonProcess>): Promise<void> {
  await Promise.all([...daemons].map((d) => d.stop()));
}
