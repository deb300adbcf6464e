import type { Logger } from '@dtps/core';
import {
  type ClaimedTask,
  duplicateConnection,
  type EngineContext,
  endAttemptSpan,
  type RedisClient,
  startAttemptSpan,
  tracingEnabled,
  type WorkerOps,
  waitForWork,
} from '@dtps/core';
import type { Executor } from './executor/executor.js';
import { type AbortReason, RunningAttempt, runAttempt } from './executor/run-attempt.js';
import type { SlotPool } from './pool.js';
import type { Reporter } from './reporter.js';
import { LocalWindow } from './window.js';

/** What a queue runner needs from the worker (narrow, so it can be tested alone). */
export interface RunnerDeps {
  ctx: EngineContext;
  ops: WorkerOps;
  pool: SlotPool;
  executor: Executor;
  reporter: Reporter;
  log: Logger;
  /** Target window size (prefetch). */
  prefetch(): number;
  /** Whether to steal from peers when the queue is dry. */
  stealing(): boolean;
  /** Longest an idle runner blocks before it looks again (ms). */
  idleBlockMs: number;
}

/**
 * Serves one queue: keeps the prefetch window filled in batches, starts tasks
 * from it in priority order as slots free up, runs them, and blocks on Redis
 * when there is nothing to do. Everything it does to Redis is batched: one
 * claim, one start, one report per tick, not per task.
 */
export class QueueRunner {
  readonly queue: string;
  readonly window = new LocalWindow();
  readonly running = new Map<string, RunningAttempt>();
  readonly #d: RunnerDeps;
  #claiming = false;
  #starting = 0;
  #blocked = false;
  #blocking: RedisClient | undefined;
  #pumpScheduled = false;
  #stopped = false;
  #steals = 0;
  /** The claim in flight (and any hand-back it started), so that a pause or stop can wait for it. */
  #settling: Promise<unknown> = Promise.resolve();
  /** True when the last claim came back full: the queue has more (a backlog signal for the autoscaler). */
  lastClaimFull = false;

  constructor(queue: string, deps: RunnerDeps) {
    this.queue = queue;
    this.#d = deps;
  }

  get steals(): number {
    return this.#steals;
  }

  /** Looks at the work to do soon (coalesced: one pass per tick). */
  pump(): void {
    if (this.#pumpScheduled || this.#stopped) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pass();
    });
  }

  /** Stops claiming and wakes the blocking read, so that the runner goes quiet. */
  stop(): void {
    this.#stopped = true;
    this.#blocking?.disconnect();
    this.#blocking = undefined;
  }

  /** Resolves once no claim is in flight (its tasks are in the window, running, or handed back). */
  async settle(): Promise<void> {
    for (let last: Promise<unknown> | undefined; last !== this.#settling; ) {
      last = this.#settling;
      await last.catch(() => {});
    }
  }

  /** Hands the unstarted window back to the queue at once (after any claim in flight lands). */
  async handBack(): Promise<number> {
    await this.settle();
    const held = this.window.clear();
    if (held.length === 0) return 0;
    return this.#d.ops.release(
      this.queue,
      held.map((t) => t.id),
    );
  }

  /** Aborts one running task (cancellation); true if it ran here. Drops it from the window if reserved. */
  abortTask(id: string, reason: AbortReason): boolean {
    const running = this.running.get(id);
    if (running) {
      running.abort(reason);
      return true;
    }
    return this.window.remove(id);
  }

  /**
   * Makes Redis and this runner agree after a connection loss: a claim whose
   * reply was lost leaves tasks in our window or running set that we do not
   * know; the window ones go back to the queue, the running ones count a lost
   * attempt and retry. Returns null, doing nothing, while a claim or start is
   * in flight (the caller tries again).
   */
  async reconcile(): Promise<{ released: number; failed: number } | null> {
    if (this.#claiming || this.#starting > 0) return null;
    const { ctx, ops, reporter } = this.#d;
    const k = ctx.keys(this.queue);
    const [inWindow, inRunning] = await Promise.all([
      ctx.redis.zrange(k.window(ops.workerId), '0', '-1'),
      ctx.redis.zrange(k.running(ops.workerId), '0', '-1', 'WITHSCORES'),
    ]);
    if (this.#claiming || this.#starting > 0) return null;
    // Known after the read: what runs here, what the window holds, and what finished but whose
    // outcome is still on its way to Redis (not lost: its report settles it).
    const known = new Set(this.window.ids());
    const strayWindow = inWindow.filter((id) => !known.has(id));
    const strayRunning: { id: string; attempt: number }[] = [];
    for (let i = 0; i < inRunning.length; i += 2) {
      const id = inRunning[i]!;
      if (!this.running.has(id) && !reporter.holds(this.queue, id)) {
        strayRunning.push({ id, attempt: Number(inRunning[i + 1]) });
      }
    }
    const released = strayWindow.length > 0 ? await ops.release(this.queue, strayWindow) : 0;
    if (strayRunning.length > 0) {
      await ops.fail(
        this.queue,
        strayRunning.map((s) => ({
          ...s,
          message: 'the worker lost track of it (Redis connection lost)',
          reason: 'worker_lost',
          permanent: false,
        })),
      );
    }
    return { released, failed: strayRunning.length };
  }

  #pass(): void {
    if (this.#stopped) return;
    const { pool } = this.#d;
    // 1. Start reserved tasks in window order while slots are free.
    const fromWindow = pool.acquire(this.window.length);
    if (fromWindow > 0) this.#start(this.window.take(fromWindow));
    // 2. Top the window up, starting at once as many as slots are still free.
    if (this.#claiming || this.#blocked) return;
    const freeSlots = pool.available();
    const want = Math.max(0, this.#d.prefetch() - this.window.length - this.#starting) + freeSlots;
    if (want > 0 && !pool.paused) this.#claim(want, freeSlots);
  }

  #claim(max: number, freeSlots: number): void {
    const { pool, ops, log } = this.#d;
    this.#claiming = true;
    const slots = pool.acquire(freeSlots);
    const steal = this.#d.stealing() && slots > 0 ? slots : 0;
    this.#settling = ops
      .claim(this.queue, { max, start: slots, steal })
      .then(({ tasks, nextDueAt, stolen }) => {
        let started = 0;
        const reserved: ClaimedTask[] = [];
        for (const t of tasks) {
          if (t.started) {
            started++;
            this.#execute(t, t.attempt);
          } else reserved.push(t);
        }
        if (slots > started) pool.release(slots - started);
        if (pool.paused || this.#stopped) {
          // Paused or stopping while the claim was in flight: what it reserved goes straight back.
          if (reserved.length > 0)
            this.#settling = ops
              .release(
                this.queue,
                reserved.map((t) => t.id),
              )
              .then(() => {});
        } else {
          this.window.add(reserved);
        }
        this.lastClaimFull = tasks.length >= max;
        this.#claiming = false;
        this.#steals += stolen;
        if (tasks.length > 0) this.pump();
        // Nothing to take with slots free: wait on Redis for a submit. With every slot busy (the claim
        // only topped up the window), the next completion claims again instead — and, stealing,
        // steals again the moment a slot frees rather than after a blocked wait.
        else if (slots > 0 || this.running.size === 0) this.#block(nextDueAt);
      })
      .catch((err: Error) => {
        pool.release(slots);
        this.#claiming = false;
        if (this.#stopped) return;
        log.warn({ queue: this.queue, err: err.message }, 'claim failed; trying again');
        setTimeout(() => this.pump(), 500).unref();
      });
  }

  /** Blocks on the queue's wake list until a submit (or the next scheduled task is due). */
  #block(nextDueAt: number | null): void {
    if (this.#stopped) return;
    const { ctx, log } = this.#d;
    this.#blocked = true;
    let timeout = this.#d.stealing() ? Math.min(this.#d.idleBlockMs, 1000) : this.#d.idleBlockMs;
    if (nextDueAt !== null) timeout = Math.min(timeout, Math.max(1, nextDueAt - ctx.clock.now()));
    if (!this.#blocking) {
      this.#blocking = duplicateConnection(ctx.redis);
      // Outages show up as a failed wait below (logged once); not as ioredis's unhandled-error prints.
      this.#blocking.on('error', () => {});
    }
    waitForWork(ctx, this.#blocking, this.queue, timeout)
      .then((woken) => {
        // Woken while paused or stopping: pass the wake-up on to a worker that can take the work.
        if (woken && (this.#d.pool.paused || this.#stopped))
          return ctx.redis.rpush(ctx.keys(this.queue).wake, '1');
      })
      .catch((err: Error) => {
        if (!this.#stopped) log.warn({ queue: this.queue, err: err.message }, 'waiting for work failed');
        return new Promise((r) => setTimeout(r, 500).unref());
      })
      .finally(() => {
        this.#blocked = false;
        this.pump();
      });
  }

  /** Starts tasks taken from the window (one script call), then runs those that started. */
  #start(tasks: ClaimedTask[]): void {
    const { ops, pool, log } = this.#d;
    this.#starting += tasks.length;
    const requests = tasks.map((t) => ({ id: t.id, attempt: t.attempt + 1, deadline: t.deadline }));
    ops
      .start(this.queue, requests)
      .then((outcomes) => {
        this.#starting -= tasks.length;
        let unused = 0;
        outcomes.forEach((o, i) => {
          if (o === 'started') this.#execute(tasks[i]!, requests[i]!.attempt);
          else unused++;
        });
        if (unused > 0) pool.release(unused);
        this.pump();
      })
      .catch((err: Error) => {
        this.#starting -= tasks.length;
        // Not started: they are still in our window in Redis; keep them locally too.
        this.window.add(tasks);
        pool.release(tasks.length);
        log.warn({ queue: this.queue, err: err.message }, 'start failed; trying again');
        setTimeout(() => this.pump(), 500).unref();
      });
  }

  #execute(task: ClaimedTask, attempt: number): void {
    const { executor, reporter, pool, ops, ctx, log } = this.#d;
    const running = new RunningAttempt(task, attempt);
    this.running.set(task.id, running);
    const queue = this.queue;
    const hooks = {
      parents: {} as Record<string, unknown>,
      progress: (percent: number) => {
        ops.progress(queue, task.id, attempt, percent).catch(() => {});
      },
      log: (message: string) => log.info({ queue, task: task.id, type: task.type, attempt }, message),
    };
    // Tracing costs nothing on the hot path unless the producer traced the task or this process traces.
    const span =
      task.trace !== null || tracingEnabled()
        ? startAttemptSpan({
            id: task.id,
            queue,
            type: task.type,
            attempt,
            createdAt: task.createdAt,
            startedAt: ctx.clock.now(),
            trace: task.trace,
          })
        : null;
    const parents = task.dependsOn.length > 0 ? ops.results(queue, task.dependsOn) : Promise.resolve({});
    parents
      .then((p) => {
        hooks.parents = p;
        return runAttempt(executor, running, hooks, ctx.clock);
      })
      .catch((err: Error) => ({
        kind: 'failed' as const,
        message: err.message,
        reason: 'worker_error',
        permanent: false,
      }))
      .then((outcome) => {
        if (span) {
          endAttemptSpan(
            span,
            outcome.kind === 'succeeded'
              ? { ok: true }
              : {
                  ok: false,
                  reason: outcome.reason,
                  ...(outcome.kind === 'failed' ? { message: outcome.message } : {}),
                },
          );
        }
        this.running.delete(task.id);
        pool.release(1);
        if (outcome.kind === 'succeeded') {
          reporter.complete(queue, {
            id: task.id,
            attempt,
            result: outcome.result,
            createdAt: task.createdAt,
          });
        } else if (outcome.kind === 'failed') {
          reporter.fail(queue, {
            id: task.id,
            attempt,
            message: outcome.message,
            reason: outcome.reason,
            permanent: outcome.permanent,
          });
        } else if (outcome.reason !== 'cancelled') {
          const message =
            outcome.reason === 'timeout'
              ? `timed out after ${task.timeoutMs} ms`
              : outcome.reason === 'deadline'
                ? 'deadline passed while running'
                : 'the worker shut down before the task finished';
          reporter.fail(queue, {
            id: task.id,
            attempt,
            message,
            reason: outcome.reason === 'shutdown' ? 'worker_shutdown' : outcome.reason,
            permanent: false,
          });
        }
        this.pump();
      });
  }
}
