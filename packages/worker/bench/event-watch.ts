/**
 * Watches a queue's event stream on a connection of its own and notes, for
 * every task id, when (performance.now()) its `succeeded` entry reached this
 * process: what a producer waiting on the task sees.
 */
import { lastEventId, type RedisClient, readEvents } from '@dtps/core';

export class SucceededWatch {
  /** Task id → when its succeeded event arrived here (ms, performance.now()). */
  readonly at = new Map<string, number>();
  readonly #redis: RedisClient;
  readonly #stream: string;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(redis: RedisClient, stream: string) {
    this.#redis = redis;
    this.#stream = stream;
  }

  async start(): Promise<void> {
    let cursor = await lastEventId(this.#redis, this.#stream);
    this.#loop = (async () => {
      while (!this.#stopped) {
        const events = await readEvents(this.#redis, this.#stream, cursor, { count: 1000, blockMs: 200 });
        const now = performance.now();
        for (const e of events) {
          cursor = e.streamId;
          if (e.state === 'succeeded') for (const id of e.ids) this.at.set(id, now);
        }
      }
    })();
  }

  /** Resolves once every id has been seen succeeding, or `timeoutMs` has passed (whichever first). */
  async allSeen(ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (const id of ids) {
      while (!this.at.has(id) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }
}
