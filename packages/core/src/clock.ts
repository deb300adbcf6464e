/**
 * Time, injected. Every timestamp dtps writes comes from a Clock, so that tests
 * can move time instead of sleeping (asynq's timeutil.Clock).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Sets the clock to an absolute time. */
  set(ms: number): void {
    this.#now = ms;
  }
}
