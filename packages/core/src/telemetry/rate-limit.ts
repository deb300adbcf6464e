/** Traces a process starts per second when `telemetry.traceRateLimit` is not given. */
export const DEFAULT_TRACE_RATE_LIMIT = 100;

/**
 * How many traces a process starts per second (config
 * `telemetry.traceRateLimit`): a token bucket that holds one second's worth
 * (the burst) and refills continuously, like AWS X-Ray's reservoir or
 * Jaeger's rate-limiting sampler. It bounds what tracing costs a busy process
 * whatever its rate, while a process that starts fewer traces than the limit
 * traces every one.
 */
export class TraceRateLimiter {
  readonly #perMs: number;
  readonly #capacity: number;
  #tokens: number;
  #last: number;

  /** `perSecond` > 0: traces started per second, and the burst. */
  constructor(perSecond: number, now: number = Date.now()) {
    this.#perMs = perSecond / 1000;
    // A rate under one a second still starts a trace now and then.
    this.#capacity = Math.max(1, perSecond);
    this.#tokens = this.#capacity;
    this.#last = now;
  }

  /** Whether a trace may start now (and if so, counts it): a clock reading and a few arithmetic steps. */
  take(now: number = Date.now()): boolean {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
      this.#last = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
