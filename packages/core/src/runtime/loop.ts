import type { Logger } from './logger.js';

/**
 * A background unit with one job, asynq style: it runs `tick` every
 * `intervalMs` until stopped, never two ticks at once, and logs when it stops.
 */
export class Loop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  /** now() was called during a tick: run another as soon as it ends. */
  #again = false;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly tick: () => Promise<void> | void,
    readonly log: Logger,
  ) {}

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

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.log.debug({ unit: this.name }, 'stopped');
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#run(), this.intervalMs);
    this.#timer.unref();
  }

  #run(): void {
    if (this.#running) return;
    this.#running = (async () => {
      // Yield first, so that #running is set even when tick() throws synchronously.
      await null;
      try {
        await this.tick();
      } catch (err) {
        this.log.warn({ unit: this.name, err: (err as Error).message }, 'tick failed');
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
