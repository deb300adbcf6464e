import { duplicateConnection } from '../connection/duplicate-connection.js';
import type { EngineContext } from '../context.js';
import { ClosedError, WaitTimeoutError } from '../errors.js';
import { lastEventId, readEvents } from '../events.js';
import type { RedisClient } from '../scripts/registry.js';
import { isTerminal, type Task } from '../task/types.js';

interface Waiter {
  resolve: (t: Task) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

/** How long one XREAD blocks before the loop looks at its state again. */
const BLOCK_MS = 2000;

/**
 * Waits for tasks of one queue to end, from the queue's event stream: one
 * blocking reader per queue and client, however many tasks are awaited; the
 * task itself is read once at the start and once when its terminal event
 * arrives (never polled).
 *
 * Why it cannot miss an end: the reader's cursor is taken before the task is
 * read. An end before the cursor is seen by that read; one after it reaches
 * the reader.
 */
export class QueueWaiter {
  readonly #ctx: EngineContext;
  readonly #queue: string;
  readonly #fetch: (id: string) => Promise<Task | null>;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #reader: RedisClient | undefined;
  #position = '0-0';
  #running = false;
  #starting: Promise<void> | undefined;
  #closed = false;

  constructor(ctx: EngineContext, queue: string, fetch: (id: string) => Promise<Task | null>) {
    this.#ctx = ctx;
    this.#queue = queue;
    this.#fetch = fetch;
  }

  /** Resolves with the task once it is terminal; rejects with WaitTimeoutError after `timeoutMs`. */
  async wait(id: string, timeoutMs?: number): Promise<Task> {
    if (this.#closed) throw new ClosedError('client');
    if (!this.#running) {
      // A fresh cursor: everything after it reaches the loop, everything before is in the task we read next.
      this.#starting ??= lastEventId(this.#ctx.redis, this.#ctx.keys(this.#queue).events).then((c) => {
        this.#position = c;
      });
      try {
        await this.#starting;
      } finally {
        this.#starting = undefined;
      }
    }
    const done = new Promise<Task>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.#remove(id, w);
          reject(new WaitTimeoutError(id, timeoutMs));
        }, timeoutMs);
      }
      let set = this.#waiters.get(id);
      if (!set) {
        set = new Set();
        this.#waiters.set(id, set);
      }
      set.add(w);
    });
    if (!this.#running) {
      this.#running = true;
      this.#loop().catch(() => {});
    }
    this.#check(id).catch(() => {});
    return done;
  }

  /** Stops reading and rejects every wait. */
  close(): void {
    this.#closed = true;
    for (const [id, set] of this.#waiters)
      for (const w of set) this.#settle(id, w, new ClosedError('client'));
    this.#reader?.disconnect();
  }

  async #loop(): Promise<void> {
    const stream = this.#ctx.keys(this.#queue).events;
    if (!this.#reader) {
      this.#reader = duplicateConnection(this.#ctx.redis);
      // Outages surface in the read loop (which re-checks the awaited tasks); not as unhandled events.
      this.#reader.on('error', () => {});
    }
    try {
      while (!this.#closed && this.#waiters.size > 0) {
        try {
          const events = await readEvents(this.#reader, stream, this.#position, {
            count: 1000,
            blockMs: BLOCK_MS,
          });
          for (const ev of events) {
            this.#position = ev.streamId;
            if (!isTerminal(ev.state)) continue;
            for (const id of ev.ids) if (this.#waiters.has(id)) this.#check(id).catch(() => {});
          }
        } catch {
          if (this.#closed) return;
          // Redis went away: events may have been missed, so look at each awaited task once it answers again.
          await new Promise((r) => setTimeout(r, 250));
          for (const id of this.#waiters.keys()) this.#check(id).catch(() => {});
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #check(id: string): Promise<void> {
    const task = await this.#fetch(id);
    if (!task || !isTerminal(task.state)) return;
    const set = this.#waiters.get(id);
    if (!set) return;
    for (const w of set) this.#settle(id, w, task);
  }

  #settle(id: string, w: Waiter, outcome: Task | Error): void {
    this.#remove(id, w);
    if (outcome instanceof Error) w.reject(outcome);
    else w.resolve(outcome);
  }

  #remove(id: string, w: Waiter): void {
    if (w.timer) clearTimeout(w.timer);
    const set = this.#waiters.get(id);
    if (!set) return;
    set.delete(w);
    if (set.size === 0) this.#waiters.delete(id);
  }
}
