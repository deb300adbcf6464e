import { Backoff } from '@dtps/core';
import { staggers } from './round-planner.js';

/**
 * A pass sends one round; what else is due goes this long later (or with the next reply, if sooner).
 * Two rounds sent at once land in one read of Redis's: it runs them back to back and answers both
 * in one write, the worker runs both batches and merges their completions into one round again,
 * and the pair stays in lock-step — Redis idle while the worker runs, the worker idle while Redis
 * runs (measured: 45–55k tasks/s and Redis 66–72% busy, against 60–74k and 90% when the rounds
 * are apart). A millisecond later, Redis is busy with the first when the second arrives, and the
 * replies come back apart. Only slow rounds are staggered (see STAGGER_ABOVE_MS).
 */
export const STAGGER_MS = 1;

/**
 * When the next round may go: at once, a millisecond after the last one (the stagger), or after
 * a failed round or wait, once a jittered, growing wait is over — a Redis that refuses writes
 * (OOM) answers at once, and without a wait every freed slot would send the next round straight
 * away (thousands a second). A timer that ends calls `look` (the runner's pump).
 */
export class RoundPacer {
  readonly #look: () => void;
  /** How long rounds take to come back (ms, a moving average): whether to stagger them. */
  #roundMs = 0;
  #staggerTimer: NodeJS.Timeout | undefined;
  #backoffTimer: NodeJS.Timeout | undefined;
  readonly #backoff = new Backoff({ baseMs: 100, capMs: 5000 });

  constructor(look: () => void) {
    this.#look = look;
  }

  /** True while a backoff holds every round back. */
  get holding(): boolean {
    return this.#backoffTimer !== undefined;
  }

  /**
   * After the first round of a pass: true if more may go at once; false when rounds are slow
   * enough to stagger (the runner looks again STAGGER_MS later).
   */
  mayFollow(): boolean {
    if (!staggers(this.#roundMs)) return true;
    if (!this.#staggerTimer) {
      this.#staggerTimer = setTimeout(() => {
        this.#staggerTimer = undefined;
        this.#look();
      }, STAGGER_MS);
      this.#staggerTimer.unref();
    }
    return false;
  }

  /** A round sent at `sentAt` (performance.now()) came back: it counts in the average, and ends a backoff series. */
  answered(sentAt: number): void {
    this.#roundMs += (performance.now() - sentAt - this.#roundMs) / 8;
    if (this.#backoff.failures > 0) this.#backoff.reset();
  }

  /** A round or a wait failed: hold every round back for the next wait of the series. */
  backOff(): void {
    if (this.#backoffTimer) return;
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#look();
    }, this.#backoff.next());
    this.#backoffTimer.unref();
  }

  /** Ends a backoff now (Redis is back, or the runner stops). */
  release(): void {
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
  }
}
