/**
 * The bench's handle on one peer-child.ts process: fork, wait until ready,
 * `go`, follow its progress, `stop` (its CPU, RSS and latencies), `close`.
 * Children still alive when the bench exits are killed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHILD_ENV, type ChildReply, type PeerChildConfig, type ProgressSample } from './peer-protocol.js';

const CHILD = fileURLToPath(new URL('./peer-child.js', import.meta.url));

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

type Stopped = Extract<ChildReply, { op: 'stopped' }>;

export class PeerWorker {
  /** Outcomes acknowledged since `go`, as last reported. */
  processed = 0;
  /** Every progress sample since `go`, oldest first. */
  readonly samples: ProgressSample[] = [];
  readonly #child: ChildProcess;
  readonly #waiting = new Map<string, (r: ChildReply) => void>();
  #onProgress: (() => void) | undefined;
  #failed: Error | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    live.add(child);
    child.on('message', (r: ChildReply) => {
      if (r.op === 'progress') {
        this.processed = r.processed;
        this.samples.push(...r.samples);
        this.#onProgress?.();
        return;
      }
      if (r.op === 'error') {
        this.#failed = new Error(`peer child: ${r.message}`);
        for (const w of this.#waiting.values()) w(r);
        return;
      }
      this.#waiting.get(r.op)?.(r);
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      this.#failed ??= new Error(`peer child exited (${code ?? signal})`);
      for (const w of this.#waiting.values()) w({ op: 'error', message: this.#failed.message });
    });
  }

  static async spawn(config: PeerChildConfig, execArgv: string[] = []): Promise<PeerWorker> {
    const child = fork(CHILD, [], {
      env: { ...process.env, [CHILD_ENV]: JSON.stringify(config) },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w = new PeerWorker(child);
    await w.#await('ready');
    return w;
  }

  /** Starts taking tasks (see allProcessed to follow them). */
  go(): void {
    this.#child.send({ op: 'go' });
  }

  /** Calls `onProgress` on every progress report from now on (instead of the last one given). */
  follow(onProgress: () => void): void {
    this.#onProgress = onProgress;
  }

  /** Ends the warm-up: the child's CPU and outcomes count from here. Resolves with its outcomes then. */
  async mark(): Promise<number> {
    const r = this.#await('marked');
    this.#child.send({ op: 'mark' });
    return ((await r) as Extract<ChildReply, { op: 'marked' }>).processed;
  }

  async stop(): Promise<Stopped> {
    const r = this.#await('stopped');
    this.#child.send({ op: 'stop' });
    return (await r) as Stopped;
  }

  async close(): Promise<void> {
    if (!live.has(this.#child)) return;
    const r = this.#await('closed');
    this.#child.send({ op: 'close' });
    await r;
  }

  #await(op: ChildReply['op']): Promise<ChildReply> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed);
      this.#waiting.set(op, (r) => {
        this.#waiting.delete(op);
        if (r.op === 'error') reject(new Error(r.message));
        else resolve(r);
      });
    });
  }
}

/** Outcomes the workers together have acknowledged, as last reported. */
function processedBy(workers: readonly PeerWorker[]): number {
  return workers.reduce((a, w) => a + w.processed, 0);
}

/**
 * When workers together had first acknowledged `total` outcomes, from each one's samples (the
 * child's clock, within SAMPLE_MS), and how many they had then; undefined if not yet.
 */
export function reached(
  samplesByWorker: readonly (readonly ProgressSample[])[],
  total: number,
): { at: number; processed: number } | undefined {
  const events = samplesByWorker
    .flatMap((samples, i) => samples.map(([at, n]) => ({ at, n, i })))
    .sort((a, b) => a.at - b.at);
  const last = samplesByWorker.map(() => 0);
  let sum = 0;
  for (const e of events) {
    sum += e.n - last[e.i]!;
    last[e.i] = e.n;
    if (sum >= total) return { at: e.at, processed: sum };
  }
  return undefined;
}

/**
 * Resolves once the workers together have acknowledged `total` outcomes (or rejects after
 * `timeoutMs`), with when that was and how many they had then (see `reached`).
 */
export function allProcessed(
  workers: readonly PeerWorker[],
  total: number,
  timeoutMs: number,
): Promise<{ at: number; processed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${sum()} of ${total} tasks processed in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const sum = () => processedBy(workers);
    const check = () => {
      if (sum() < total) return;
      clearTimeout(timer);
      resolve(
        reached(
          workers.map((w) => w.samples),
          total,
        )!,
      );
    };
    for (const w of workers) w.follow(check);
    check();
  });
}
