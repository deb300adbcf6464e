import {
  duplicateConnection,
  type EngineContext,
  type RedisClient,
  type WakeUp,
  waitForWork,
} from '@dtps/core';

/**
 * The runner's blocking read for work, on a connection of its own: the queue's wake list, its
 * inbox (handoffs), and for a stealer the steal list — so that an idle runner is quiet and yet
 * takes work the moment there is some. One wait at a time.
 */
export class WorkWait {
  readonly #ctx: EngineContext;
  readonly #queue: string;
  /** This runner's inbox, where handoffs (and a wake-up of its own) arrive. */
  readonly inbox: string;
  #connection: RedisClient | undefined;
  #waiting = false;
  /** The wait in flight, handling included (a stop or a reconcile awaits it: it may bring a handoff). */
  #done: Promise<void> = Promise.resolve();

  constructor(ctx: EngineContext, queue: string, workerId: string) {
    this.#ctx = ctx;
    this.#queue = queue;
    this.inbox = ctx.keys(queue).inbox(workerId);
  }

  /** True while a blocking read is in flight. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /**
   * Blocks until a push to one of the lists, or `timeoutMs`; `handle` runs on what woke it
   * before the wait counts as over. Rejects if the read fails.
   */
  wait(timeoutMs: number, steal: boolean, handle: (w: WakeUp) => Promise<void>): Promise<void> {
    this.#waiting = true;
    if (!this.#connection) {
      this.#connection = duplicateConnection(this.#ctx.redis);
      // Outages show up as a failed wait (the runner logs it once), not as ioredis's unhandled-error prints.
      this.#connection.on('error', () => {});
    }
    const done = waitForWork(this.#ctx, this.#connection, this.#queue, timeoutMs, {
      steal,
      inbox: this.inbox,
    })
      .then((w) => (w === null ? undefined : handle(w)))
      .finally(() => {
        this.#waiting = false;
      });
    this.#done = done.catch(() => {});
    return done;
  }

  /** Resolves once the wait in flight, if any, is over (what it brought has been handled). */
  over(): Promise<void> {
    return this.#done;
  }

  /** Ends the wait in flight with a value of our own (so that a handoff it already took still arrives). */
  wakeSelf(): Promise<unknown> {
    return this.#ctx.redis.rpush(this.inbox, '0');
  }

  /** Cuts the blocking connection (a stop: the next wait, if any, opens a new one). */
  close(): void {
    this.#connection?.disconnect();
    this.#connection = undefined;
  }
}
