/**
 * Child processes of the testing module (redis-server, sentinel): spawned
 * with their output in a file, tracked so that none outlives the test process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every child still running; SIGKILLed when this process exits. */
const running = new Set<ChildProcess>();
let handlersInstalled = false;

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * Installs, once, an 'exit' handler that SIGKILLs every tracked child, and
 * SIGINT/SIGTERM/SIGHUP handlers that do the same and then, when nobody else
 * listens for the signal, re-raise it so the process still dies of it.
 */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** Tracks a child spawned elsewhere: SIGKILLed if still running when this process ends. */
export function trackChild(child: ChildProcess): void {
  installHandlers();
  if (child.pid === undefined) return;
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** Last `lines` lines of a text file, or a note when it cannot be read. */
export async function tailFile(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(could not read ${path}: ${(err as Error).message})`;
  }
}

/**
 * One child process with stdout and stderr appended to `outputFile`. It does
 * not keep the event loop alive (a forgotten server cannot hang a test run)
 * and it is SIGKILLed when this process exits.
 */
export class ManagedProcess {
  private spawnError: Error | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** File that receives the child's stdout and stderr. */
    readonly outputFile: string,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', () => {
        running.delete(child);
        resolve();
      });
      child.once('error', (err) => {
        this.spawnError = err;
        running.delete(child);
        // 'exit' may never come after a failed spawn
        if (child.pid === undefined) resolve();
      });
    });
  }

  /** Spawns `command args` with its output appended to `outputFile`. */
  static async spawn(command: string, args: readonly string[], outputFile: string): Promise<ManagedProcess> {
    installHandlers();
    const out = await open(outputFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['ignore', out.fd, out.fd], detached: false });
    } finally {
      await out.close();
    }
    const managed = new ManagedProcess(child, outputFile);
    if (child.pid !== undefined) running.add(child);
    child.unref();
    return managed;
  }

  /** Process id, when the spawn succeeded. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited (or failed to spawn). */
  get alive(): boolean {
    return (
      this.spawnError === undefined &&
      this.child.pid !== undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** Why the process is not running, for error messages; undefined while alive. */
  get exitReason(): string | undefined {
    if (this.spawnError) return `failed to spawn: ${this.spawnError.message}`;
    if (this.child.exitCode !== null) return `exited with code ${this.child.exitCode}`;
    if (this.child.signalCode !== null) return `killed by ${this.child.signalCode}`;
    return undefined;
  }

  /** Resolves when the process has exited; true if it did within `timeoutMs`. */
  async waitForExit(timeoutMs = 10_000): Promise<boolean> {
    if (!this.alive) return true;
    this.child.ref();
    try {
      const timer = sleep(timeoutMs, false, { ref: false });
      return await Promise.race([this.exitPromise.then(() => true), timer]);
    } finally {
      this.child.unref();
    }
  }

  /** Sends SIGKILL and waits for the process to exit. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.waitForExit(10_000);
  }

  /** Sends SIGTERM, waits up to `graceMs`, then SIGKILLs. */
  async terminate(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    if (!(await this.waitForExit(graceMs))) await this.kill9();
  }
}
