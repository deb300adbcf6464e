import type { AttemptLogs, Completion, Failure } from '@dtps/core';
import { HeldIds } from '../held-ids.js';
import type { Reporter } from '../reporter.js';

/**
 * One queue's outcomes on their way to Redis. While the queue's rounds go, completions wait here
 * for the next round, which carries them all in its script call (cycleTasks) and tells the
 * reporter what Redis said; once the rounds stop, completions go to the reporter, which sends
 * them alone. Failures always go to the reporter. Everything moves forward: nothing comes back.
 */
export class Outbox {
  readonly #queue: string;
  readonly #reporter: Reporter;
  #waiting: Completion[] = [];
  /** Ids of completions waiting or riding a round in flight (until its reply, or until the reporter has them). */
  readonly #held = new HeldIds();
  #stopped = false;

  constructor(queue: string, reporter: Reporter) {
    this.#queue = queue;
    this.#reporter = reporter;
  }

  /** Completions waiting for a round. */
  get waiting(): number {
    return this.#waiting.length;
  }

  complete(c: Completion): void {
    if (this.#stopped) this.#reporter.complete(this.#queue, c);
    else {
      this.#held.addOne(c.id);
      this.#waiting.push(c);
    }
  }

  fail(f: Failure): void {
    this.#reporter.fail(this.#queue, f);
  }

  /** An ended attempt's log lines: the reporter sends them with its next batch. */
  logs(l: AttemptLogs): void {
    this.#reporter.logs(this.#queue, l);
  }

  /** The completions a round carries (all that wait); they stay held until `delivered` or `undelivered`. */
  take(): Completion[] {
    const list = this.#waiting;
    this.#waiting = [];
    return list;
  }

  /** The round's reply: Redis's verdict on each completion (accepted by the fence or not), for the reporter's counts. */
  delivered(list: readonly Completion[], accepted: readonly boolean[]): void {
    this.#reporter.delivered(this.#queue, list, accepted);
    this.#held.remove(list);
  }

  /** The round failed: the reporter sends these on its own, until Redis answers. */
  undelivered(list: readonly Completion[]): void {
    if (list.length === 0) return;
    this.#reporter.send(this.#queue, list);
    this.#held.remove(list);
  }

  /** No more rounds: what waits, and what completes from now on, goes through the reporter. */
  stop(): void {
    this.#stopped = true;
    const list = this.take();
    for (const c of list) this.#reporter.complete(this.#queue, c);
    this.#held.remove(list);
  }

  /** True while the completion of task `id` is here or riding a round (a reconcile must not call it lost). */
  holds(id: string): boolean {
    return this.#held.has(id);
  }
}
