import type { Logger } from '@dtps/core';
import {
  type AttemptLogs,
  Backoff,
  type Completion,
  DtpsError,
  type Failure,
  isTransientRedisError,
  LogThrottle,
  type QueueTally,
  redisRefusalOf,
  tallies,
  type WorkerOps,
} from '@dtps/core';
import { HeldIds } from './held-ids.js';

/**
 * Errors that no retry can fix: a refusal only an operator fixes (NOPERM,
 * WRONGPASS) and dtps's own typed errors (a script's bug). Anything else —
 * a lost connection, a passing refusal, an error nobody classified — is
 * tried again.
 */
function isPermanent(err: unknown): boolean {
  if (redisRefusalOf(err) !== undefined) return !isTransientRedisError(err);
  return err instanceof DtpsError;
}

/** Counters the reporter keeps for heartbeats. */
export interface ReportStats {
  processed: number;
  failed: number;
  fenced: number;
}

interface Batch {
  completions: Completion[];
  failures: Failure[];
  logs: AttemptLogs[];
}

/**
 * The last stage of a task: sends outcomes to Redis and counts what Redis
 * said. Completions mostly ride the queue's rounds (see Outbox), which pass
 * Redis's verdict on here; what reaches the reporter itself — failures, and
 * completions no round carries — goes in one script call per queue and kind
 * every tick of the event loop. A batch that meets a Redis outage is sent again until Redis answers:
 * nothing a handler finished is dropped (the fence makes a repeated report
 * harmless).
 */
export class Reporter {
  readonly stats: ReportStats = { processed: 0, failed: 0, fenced: 0 };
  readonly #ops: WorkerOps;
  readonly #log: Logger;
  #pending = new Map<string, Batch>();
  #scheduled = false;
  readonly #inflight = new Set<Promise<void>>();
  /** Ids whose outcome is waiting to be sent or on its way, by queue (until Redis has answered). */
  readonly #unsent = new Map<string, HeldIds>();
  #closed = false;
  /** Shared by every batch's retries: one Redis refusing writes slows them all down together. */
  readonly #backoff = new Backoff({ baseMs: 100, capMs: 5000 });
  readonly #throttle: LogThrottle;
  /** Wakes the batches waiting out a backoff (close: stop waiting). */
  readonly #sleepers = new Set<() => void>();

  constructor(ops: WorkerOps, log: Logger) {
    this.#ops = ops;
    this.#log = log;
    this.#throttle = new LogThrottle(log);
  }

  complete(queue: string, c: Completion): void {
    this.#held(queue).add([c]);
    this.#batch(queue).completions.push(c);
    this.#schedule();
  }

  fail(queue: string, f: Failure): void {
    this.#held(queue).add([f]);
    this.#batch(queue).failures.push(f);
    this.#schedule();
  }

  /**
   * An ended attempt's log lines, stored with the task by one call per queue
   * with the rest of this tick's batch (never a call per line). Retried like
   * outcomes while Redis is away, but not held: a reconcile does not wait for
   * logs.
   */
  logs(queue: string, l: AttemptLogs): void {
    this.#batch(queue).logs.push(l);
    this.#schedule();
  }

  /** True while the outcome of task `id` has not reached Redis yet (reconcile must not call it lost). */
  holds(queue: string, id: string): boolean {
    return this.#unsent.get(queue)?.has(id) ?? false;
  }

  /** What Redis said of completions a round carried (per completion: accepted by the fence). */
  delivered(queue: string, list: readonly Completion[], accepted: readonly boolean[]): void {
    this.#countCompletions(queue, list, accepted);
  }

  /** Sends these completions now (a round that carried them failed), until Redis answers. */
  send(queue: string, list: readonly Completion[]): void {
    this.#held(queue).add(list);
    this.#track(this.#settling(queue, list, () => this.#sendCompletions(queue, list)));
  }

  #held(queue: string): HeldIds {
    let held = this.#unsent.get(queue);
    if (!held) {
      held = new HeldIds();
      this.#unsent.set(queue, held);
    }
    return held;
  }

  /** Resolves when everything reported so far has reached Redis (a closing worker's runners have stopped: their outboxes send through here). */
  async flush(): Promise<void> {
    this.#send();
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /**
   * Stops retrying (a forced shutdown, or a grace period over): what has not
   * reached Redis stays `running` there and the coordinator recovers it, as
   * after a kill -9.
   */
  close(): void {
    this.#closed = true;
    for (const wake of this.#sleepers) wake();
    this.#throttle.flush();
  }

  #batch(queue: string): Batch {
    let b = this.#pending.get(queue);
    if (!b) {
      b = { completions: [], failures: [], logs: [] };
      this.#pending.set(queue, b);
    }
    return b;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#send());
  }

  /** Sends what is pending, one call per queue and kind. */
  #send(): void {
    this.#scheduled = false;
    for (const [queue, b] of this.#pending) {
      if (b.completions.length > 0) {
        const list = b.completions;
        b.completions = [];
        this.#track(this.#settling(queue, list, () => this.#sendCompletions(queue, list)));
      }
      if (b.failures.length > 0) {
        const list = b.failures;
        b.failures = [];
        this.#track(this.#settling(queue, list, () => this.#sendFailures(queue, list)));
      }
      if (b.logs.length > 0) {
        const list = b.logs;
        b.logs = [];
        this.#track(this.#retrying(() => this.#ops.appendLogs(queue, list).then(() => {})));
      }
    }
  }

  /** Sends with retries, then stops holding the ids (Redis answered, or the reporter gave up). */
  async #settling(queue: string, list: readonly { id: string }[], send: () => Promise<void>): Promise<void> {
    try {
      await this.#retrying(send);
    } finally {
      this.#held(queue).remove(list);
    }
  }

  async #sendCompletions(queue: string, list: readonly Completion[]): Promise<void> {
    this.#countCompletions(queue, list, await this.#ops.complete(queue, list));
  }

  #countCompletions(queue: string, list: readonly Completion[], accepted: readonly boolean[]): void {
    this.stats.processed += accepted.length;
    const tally = tallies.queue(queue);
    let fenced = 0;
    accepted.forEach((ok, i) => {
      if (!ok) {
        fenced++;
        this.stats.fenced++;
        this.#log.warn(
          { queue, task: list[i]!.id, attempt: list[i]!.attempt },
          'completion refused by the fence: this worker no longer owns the attempt',
        );
      }
    });
    tally.succeeded += accepted.length - fenced;
    tally.fenced += fenced;
  }

  async #sendFailures(queue: string, list: Failure[]): Promise<void> {
    const states = await this.#ops.fail(queue, list);
    const tally = tallies.queue(queue);
    states.forEach((state, i) => {
      this.stats.processed++;
      this.stats.failed++;
      const f = list[i]!;
      countFailure(tally, state);
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

  /**
   * Sends until Redis takes it: a lost connection or a passing refusal (OOM,
   * BUSY, MISCONF, READONLY…) is tried again after a jittered, growing wait;
   * a permanent error (see isPermanent) is logged and the batch left to the
   * reconciler and the coordinator's recovery.
   */
  async #retrying(send: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        await send();
        this.#backoff.reset();
        return;
      } catch (err) {
        if (this.#closed || isPermanent(err)) {
          this.#log.error({ err: (err as Error).message }, 'could not report task outcomes');
          return;
        }
        const delay = this.#backoff.next();
        this.#throttle.warn({ err: (err as Error).message }, 'Redis did not take the report; trying again');
        await this.#sleep(delay);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
  }
}

/** What a reported failure did, in the process's metrics: the state it moved to, or null (fenced). */
function countFailure(tally: QueueTally, state: string | null): void {
  if (state === null) tally.fenced++;
  else if (state === 'failed') tally.failed++;
  else if (state === 'expired') tally.expired++;
  else tally.retried++; // scheduled (a backoff) or queued (worker_lost retries at once)
}
