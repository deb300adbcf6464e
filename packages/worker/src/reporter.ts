import type { Logger } from '@dtps/core';
import { type Completion, DtpsError, type Failure, type WorkerOps } from '@dtps/core';

/** Counters the reporter keeps for heartbeats. */
export interface ReportStats {
  processed: number;
  failed: number;
  fenced: number;
}

interface Batch {
  completions: Completion[];
  failures: Failure[];
}

/**
 * Sends outcomes to Redis in batches: every completion and failure of one
 * tick of the event loop goes in one script call per queue and kind. A batch
 * that meets a Redis outage is sent again until Redis answers: nothing a
 * handler finished is dropped (the fence makes a repeated report harmless).
 */
export class Reporter {
  readonly stats: ReportStats = { processed: 0, failed: 0, fenced: 0 };
  readonly #ops: WorkerOps;
  readonly #log: Logger;
  #pending = new Map<string, Batch>();
  #scheduled = false;
  readonly #inflight = new Set<Promise<void>>();
  /** Ids whose outcome is waiting to be sent or on its way, by queue (until Redis has answered). */
  readonly #unsent = new Map<string, Map<string, number>>();
  #closed = false;

  constructor(ops: WorkerOps, log: Logger) {
    this.#ops = ops;
    this.#log = log;
  }

  complete(queue: string, c: Completion): void {
    this.#hold(queue, [c.id], 1);
    this.#batch(queue).completions.push(c);
  }

  fail(queue: string, f: Failure): void {
    this.#hold(queue, [f.id], 1);
    this.#batch(queue).failures.push(f);
  }

  /** True while the outcome of task `id` has not reached Redis yet (reconcile must not call it lost). */
  holds(queue: string, id: string): boolean {
    return (this.#unsent.get(queue)?.get(id) ?? 0) > 0;
  }

  #hold(queue: string, ids: readonly string[], delta: number): void {
    let m = this.#unsent.get(queue);
    if (!m) {
      m = new Map();
      this.#unsent.set(queue, m);
    }
    for (const id of ids) {
      const n = (m.get(id) ?? 0) + delta;
      if (n > 0) m.set(id, n);
      else m.delete(id);
    }
  }

  /** Resolves when everything reported so far has reached Redis. */
  async flush(): Promise<void> {
    if (this.#scheduled) this.#send();
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /** Stops retrying (a forced shutdown). */
  close(): void {
    this.#closed = true;
  }

  #batch(queue: string): Batch {
    let b = this.#pending.get(queue);
    if (!b) {
      b = { completions: [], failures: [] };
      this.#pending.set(queue, b);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#send());
    }
    return b;
  }

  #send(): void {
    this.#scheduled = false;
    const all = this.#pending;
    this.#pending = new Map();
    for (const [queue, b] of all) {
      if (b.completions.length > 0)
        this.#track(this.#retrying(() => this.#sendCompletions(queue, b.completions)));
      if (b.failures.length > 0) this.#track(this.#retrying(() => this.#sendFailures(queue, b.failures)));
    }
  }

  async #sendCompletions(queue: string, list: Completion[]): Promise<void> {
    const accepted = await this.#ops.complete(queue, list);
    accepted.forEach((ok, i) => {
      this.stats.processed++;
      if (!ok) {
        this.stats.fenced++;
        this.#log.warn(
          { queue, task: list[i]!.id, attempt: list[i]!.attempt },
          'completion refused by the fence: this worker no longer owns the attempt',
        );
      }
    });
  }

  async #sendFailures(queue: string, list: Failure[]): Promise<void> {
    const states = await this.#ops.fail(queue, list);
    states.forEach((state, i) => {
      this.stats.processed++;
      this.stats.failed++;
      const f = list[i]!;
      if (state === null) {
        this.stats.fenced++;
        this.#log.warn(
          { queue, task: f.id, attempt: f.attempt },
          'failure refused by the fence: this worker no longer owns the attempt',
        );
      } else {
        this.#log.info(
          { queue, task: f.id, attempt: f.attempt, reason: f.reason, next: state },
          `attempt failed: ${f.message}`,
        );
      }
    });
  }

  async #retrying(send: () => Promise<void>): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        await send();
        return;
      } catch (err) {
        if (err instanceof DtpsError || this.#closed) {
          this.#log.error({ err }, 'could not report task outcomes');
          return;
        }
        this.#log.warn(
          { err: (err as Error).message },
          `Redis did not take the report; again in ${delay} ms`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
  }
}
