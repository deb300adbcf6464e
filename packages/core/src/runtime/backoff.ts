/**
 * How long a retry loop waits after a failure: exponential backoff with full
 * jitter (a uniform draw between 0 and min(cap, base · 2^failures)), reset
 * by a success. The jitter keeps a fleet of workers that met the same outage
 * from retrying in step; the cap keeps a recovered Redis from waiting long.
 */
export interface BackoffOptions {
  /** The first ceiling, in ms (default 100). */
  baseMs?: number;
  /** The largest ceiling, in ms (default 5000). */
  capMs?: number;
  /** The smallest wait, in ms, whatever the draw (default 0). */
  floorMs?: number;
  /** A number in [0, 1) (tests pass their own). */
  random?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly floorMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 100;
    this.capMs = opts.capMs ?? 5000;
    this.floorMs = opts.floorMs ?? 0;
    this.#random = opts.random ?? Math.random;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts a failure and returns how long to wait before the next try (ms). */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.max(this.floorMs, Math.floor(this.#random() * ceiling));
  }

  /** A success: the next failure starts again from the base. */
  reset(): void {
    this.#failures = 0;
  }
}
