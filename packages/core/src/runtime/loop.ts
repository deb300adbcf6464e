import { Backoff } from './backoff.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';

/** Options of a Loop. */
export interface LoopOptions {
  /**
   * Keep the interval after a failed tick instead of backing off (a
   * heartbeat: one small command per interval, which must go out as soon as
   * Redis takes it again).
   */
  keepSchedule?: boolean;
  /** The longest wait after failed ticks, in ms (default: 5 s, or the interval if longer). */
  backoffCapMs?: number;
}

/**
 * A background unit with one job, asynq style: it runs `tick` every
 * `intervalMs` until stopped, never two ticks at once, and logs when it stops.
 * A tick that throws is logged (once per distinct error per interval, see
 * LogThrottle) and, unless `keepSchedule`, the next one waits longer each
 * time (full-jitter backoff, never less than the interval), until one
 * succeeds.
 */
export class Loop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  /** now() was called during a tick: run another as soon as it ends. */
  #again = false;
  readonly #backoff: Backoff | undefined;
  readonly #throttle: LogThrottle;
  #delayMs: number;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly tick: () => Promise<void> | void,
    readonly log: Logger,
    opts: LoopOptions = {},
  ) {
    this.#delayMs = intervalMs;
    this.#throttle = new LogThrottle(log);
    this.#backoff = opts.keepSchedule
      ? undefined
      : new Backoff({
          baseMs: intervalMs,
          capMs: opts.backoffCapMs ?? Math.max(intervalMs, 5000),
          floorMs: intervalMs,
        });
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Runs a tick now (e.g. a heartbeat right after an operator's command); during a tick, right after it. */
  now(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#run();
  }

  /**
   * Stops, and waits for a tick in progress — no longer than `waitMs` when
   * given (a tick stuck on an unreachable Redis must not hold a shutdown).
   */
  async stop(waitMs?: number): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (waitMs === undefined) await this.#running;
    else if (this.#running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#running, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    this.#throttle.flush();
    this.log.debug({ unit: this.name }, 'stopped');
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#run(), this.#delayMs);
    this.#timer.unref();
  }

  #run(): void {
    if (this.#running) return;
    this.#running = (async () => {
      // Yield first, so that #running is set even when tick() throws synchronously.
      await null;
      try {
        await this.tick();
        this.#backoff?.reset();
        this.#delayMs = this.intervalMs;
      } catch (err) {
        this.#delayMs = this.#backoff?.next() ?? this.intervalMs;
        this.#throttle.warn({ unit: this.name, err: (err as Error).message }, 'tick failed');
      } finally {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#run();
        } else {
          this.#schedule();
        }
      }
    })();
  }
}
