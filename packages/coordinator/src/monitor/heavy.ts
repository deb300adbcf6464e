import { HttpError } from './errors.js';
import { LIMITS } from './limits.js';

/**
 * Admits at most `max` heavy requests (task lists and details: many Redis
 * reads, large answers) at once; one more is refused at once with 429 and
 * Retry-After rather than queued, so a crowd of clients cannot pile work up
 * in the process that also renews the leader lease.
 */
export class HeavyGate {
  #active = 0;

  constructor(readonly max: number = LIMITS.heavyConcurrency) {}

  /** Heavy requests running now. */
  get active(): number {
    return this.#active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) {
      throw new HttpError(
        429,
        'too_many_requests',
        `the monitor is serving ${this.max} task lists or details already; retry in ${LIMITS.retryAfterS} s`,
        undefined,
        { 'retry-after': String(LIMITS.retryAfterS) },
      );
    }
    this.#active += 1;
    try {
      return await work();
    } finally {
      this.#active -= 1;
    }
  }
}
