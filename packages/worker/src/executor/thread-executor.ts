import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { ClaimedTask } from '@dtps/core';
import { Piscina } from 'piscina';
import type { HandlerMap } from '../handlers/types.js';
import { EncodedResult } from './encoded-result.js';
import type { AttemptHooks, Executor } from './executor.js';
import type { ThreadError, ThreadResult, ThreadTask } from './thread-entry.js';

/**
 * Runs handlers in a pool of worker threads (Piscina), so that CPU-bound
 * handlers never block the worker's event loop — its heartbeats, claims and
 * reports. An aborted task (timeout, deadline, cancel) terminates its thread.
 */
export class ThreadExecutor implements Executor {
  readonly types: readonly string[];
  readonly #pool: Piscina;

  /** `handlers` is the module loaded in this thread, for its task types; each pool thread loads `handlersModule` itself. */
  constructor(
    handlersModule: string,
    handlers: HandlerMap,
    opts: { maxThreads?: number; minThreads?: number } = {},
  ) {
    this.types = Object.keys(handlers).sort();
    const maxThreads = Math.max(1, opts.maxThreads ?? availableParallelism());
    // Threads kept warm: a cold thread's start-up (loading the handler module) would eat into a task's timeout.
    const minThreads = Math.min(maxThreads, Math.max(1, opts.minThreads ?? 1));
    this.#pool = new Piscina({
      filename: new URL('./thread-entry.js', import.meta.url).href,
      workerData: { handlersModule },
      minThreads,
      maxThreads,
      idleTimeout: 30_000,
    });
  }

  /**
   * Starts `threads` threads (default: the kept-warm ones) and loads the
   * handler module in them, so that no task's timeout pays for a cold thread.
   */
  async warm(threads = this.#pool.minThreads): Promise<void> {
    await Promise.all(Array.from({ length: threads }, () => this.#pool.run({ warmup: true })));
  }

  has(type: string): boolean {
    return this.types.includes(type);
  }

  async run(
    task: ClaimedTask,
    attempt: number,
    abort: { readonly signal: AbortSignal },
    hooks: AttemptHooks,
  ): Promise<unknown> {
    const { port1, port2 } = new MessageChannel();
    const take = (m: { progress?: number; log?: string }) => {
      // The thread checked both where the handler made them; a throw here would be the worker's to crash on.
      try {
        if (m.progress !== undefined) hooks.progress(m.progress);
        if (m.log !== undefined) hooks.log(m.log);
      } catch {}
    };
    port1.on('message', take);
    const job: ThreadTask = {
      type: task.type,
      payload: task.payload,
      task: {
        id: task.id,
        queue: task.queue,
        type: task.type,
        attempt,
        priority: task.priority,
        maxRetries: task.maxRetries,
        deadline: task.deadline,
      },
      parents: hooks.parents,
      port: port2,
    };
    try {
      const r = (await this.#pool.run(job, { signal: abort.signal, transferList: [port2] })) as ThreadResult;
      return new EncodedResult(r.dtpsJson);
    } catch (err) {
      const e = err as Partial<ThreadError>;
      if (e?.dtpsThreadError)
        throw Object.assign(new Error(e.message), {
          permanent: e.permanent,
          dtpsReason: e.reason,
          // Carried as RateLimitedError's own fields, which retryAfterOf reads on this side.
          ...(e.retryAfterMs === null || e.retryAfterMs === undefined
            ? {}
            : { rateLimited: true, retryAfterMs: e.retryAfterMs }),
        });
      throw err;
    } finally {
      // The result comes back on the pool's own channel, ahead of what still waits on this
      // port: take that too (the handler's last log lines), or closing the port would drop it.
      for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1))
        take(m.message);
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
