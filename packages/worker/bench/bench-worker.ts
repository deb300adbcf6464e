/**
 * The parent's handle on a worker child process (worker-child.ts): forks it,
 * sends requests, awaits replies in order. Every child still alive when the
 * bench exits is killed, so a failed run leaves no worker behind.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildConfig, CONFIG_ENV, type Reply, type Request, type Usage } from './protocol.js';

const CHILD = fileURLToPath(new URL('./worker-child.js', import.meta.url));

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface SpawnOptions {
  /** Extra node flags for the child (`--cpu-prof`, `--cpu-prof-dir=…`). */
  execArgv?: string[];
}

export class BenchWorker {
  readonly id: string;
  readonly #child: ChildProcess;
  readonly #waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  readonly #exited: Promise<void>;

  private constructor(id: string, child: ChildProcess) {
    this.id = id;
    this.#child = child;
    live.add(child);
    child.on('message', (r: Reply) => this.#waiting.shift()?.resolve(r));
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        for (const w of this.#waiting.splice(0))
          w.reject(new Error(`bench worker ${id} exited (${code ?? signal})`));
        resolve();
      });
    });
  }

  /** Forks the child and waits until its Worker is built (not started). */
  static async spawn(config: ChildConfig, opts: SpawnOptions = {}): Promise<BenchWorker> {
    const child = fork(CHILD, [], {
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
      execArgv: opts.execArgv ?? [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w = new BenchWorker(config.id, child);
    await w.#next('ready');
    return w;
  }

  start(): Promise<unknown> {
    return this.#ask({ op: 'start' }, 'started');
  }

  pause(): Promise<unknown> {
    return this.#ask({ op: 'pause' }, 'paused');
  }

  /** Resumes and resolves once `tasks` more outcomes reached Redis: how long that took, and the child's CPU. */
  async resume(tasks: number): Promise<{ ms: number; usage: Usage }> {
    const r = await this.#ask({ op: 'resume', tasks }, 'resumed');
    return r as { ms: number; usage: Usage };
  }

  /** The child's CPU since the last usage or resume reply. */
  async usage(): Promise<Usage> {
    return ((await this.#ask({ op: 'usage' }, 'usage')) as { usage: Usage }).usage;
  }

  /** Closes the Worker (graceful) and waits for the process to exit. */
  async close(): Promise<void> {
    if (!live.has(this.#child)) return;
    await this.#ask({ op: 'close' }, 'closed');
    await this.#exited;
  }

  #ask(req: Request, expect: Reply['op']): Promise<Reply> {
    const reply = this.#next(expect);
    this.#child.send(req);
    return reply;
  }

  #next(expect: Reply['op']): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.push({
        resolve: (r) =>
          r.op === expect
            ? resolve(r)
            : reject(new Error(`bench worker ${this.id}: ${r.op === 'error' ? r.message : `got ${r.op}`}`)),
        reject,
      });
    });
  }
}
