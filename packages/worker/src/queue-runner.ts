import type { Logger } from '@dtps/core';
import {
  Backoff,
  type ClaimedTask,
  type ClaimResult,
  decodeHandoff,
  duplicateConnection,
  type EngineContext,
  endAttemptSpan,
  LogThrottle,
  type RedisClient,
  type StartOutcome,
  startAttemptSpan,
  tracingEnabled,
  type WorkerOps,
  waitForWork,
} from '@dtps/core';
import { RunnerHooks } from './attempt-hooks.js';
import type { Executor } from './executor/executor.js';
import { type AbortReason, type AttemptOutcome, RunningAttempt, runAttempt } from './executor/run-attempt.js';
import type { SlotPool } from './pool.js';
import type { CompletionCarrier, Reporter } from './reporter.js';
import { LocalWindow } from './window.js';

/**
 * Rounds a busy runner keeps in flight (each starts at most 1/ROUNDS of the pool; see #pass).
 * Two let Redis and this process overlap; three measured slower (smaller batches, more calls).
 */
const ROUNDS = 2;

/**
 * A pass sends one round; what else is due goes this long later (or with the next reply, if sooner).
 * Two rounds sent at once land in one read of Redis's: it runs them back to back and answers both
 * in one write, the worker runs both batches and merges their completions into one round again,
 * and the pair stays in lock-step — Redis idle while the worker runs, the worker idle while Redis
 * runs (measured: 45–55k tasks/s and Redis 66–72% busy, against 60–74k and 90% when the rounds
 * are apart). A millisecond later, Redis is busy with the first when the second arrives, and the
 * replies come back apart.
 */
const STAGGER_MS = 1;

/**
 * Only rounds that take Redis this long are staggered: a small round is back before a millisecond's
 * gap is over, and waiting for the timer would idle the worker (50 slots: 8% fewer tasks/s).
 */
const STAGGER_ABOVE_MS = 2;

/** An idle registration outlives the blocking read by this much (a slow round, a busy Redis). */
const REGISTRATION_MARGIN_MS = 5000;

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
 * when there is nothing to do. Everything it does to Redis is batched, and
 * batched together: each round is ONE script call (cycleTasks) that reports
 * the tasks that succeeded since the last round, starts window tasks on the
 * freed slots and claims more — not a claim, a start and a report per tick.
 */
export class QueueRunner implements CompletionCarrier {
  readonly queue: string;
  readonly window = new LocalWindow();
  readonly running = new Map<string, RunningAttempt>();
  readonly #d: RunnerDeps;
  /** Rounds carrying a claim in flight (see #mayClaim). */
  #claims = 0;
  /** Tasks the claims in flight may reserve (so that two claims do not both fill the window). */
  #reserving = 0;
  /** Tasks being started by rounds in flight. */
  #starting = 0;
  #blocked = false;
  /** The blocking read in flight, if any (a stop waits for it: it may bring a handoff). */
  #blockDone: Promise<unknown> | undefined;
  /**
   * This worker may be in the queue's idle hash, where a submit hands it tasks straight to its
   * inbox (lua/includes/handoff.lua): set by a claim that registered it, cleared by what takes
   * it off (a handoff, a round that leaves, leaveIdle).
   */
  #registered = false;
  /** While reconciling: claims do not register (no handoff may be on its way while Redis is read). */
  #reconciling = false;
  /** Tasks a handoff started for this worker, waiting for a free slot. */
  readonly #handedOff: ClaimedTask[] = [];
  /**
   * The last claim found the queue dry with every slot it had filled: claim again only once a
   * slot is free (the next completion), not round after round while nothing changes.
   */
  #dry = false;
  #blocking: RedisClient | undefined;
  #pumpScheduled = false;
  #staggerTimer: NodeJS.Timeout | undefined;
  /** How long rounds take to come back (ms, a moving average): whether to stagger them. */
  #roundMs = 0;
  #stopped = false;
  #steals = 0;
  /** Rounds in flight (and any hand-back one started), so that a pause or stop can wait for them. */
  readonly #rounds = new Set<Promise<unknown>>();
  /** True when the last claim came back full: the queue has more (a backlog signal for the autoscaler). */
  lastClaimFull = false;
  /**
   * After a failed round or wait, no round goes out until this timer fires: a Redis that
   * refuses writes (OOM) answers at once, and without a wait every freed slot would send the
   * next round straight away (thousands a second).
   */
  #backoffTimer: NodeJS.Timeout | undefined;
  readonly #backoff = new Backoff({ baseMs: 100, capMs: 5000 });
  readonly #throttle: LogThrottle;

  constructor(queue: string, deps: RunnerDeps) {
    this.queue = queue;
    this.#d = deps;
    this.#throttle = new LogThrottle(deps.log);
    deps.reporter.carry(queue, this);
  }

  get steals(): number {
    return this.#steals;
  }

  /** While serving, the runner's rounds carry this queue's completions (see Reporter). */
  get carrying(): boolean {
    return !this.#stopped;
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

  /** Redis is back (a reconnect): a round held back by a backoff goes now, not at the timer. */
  retryNow(): void {
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.pump();
  }

  /** Stops claiming and wakes the blocking read, so that the runner goes quiet. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#backoffTimer);
    this.#throttle.flush();
    // Completions that were waiting for our next round go on their own now.
    this.#d.reporter.kick();
    if (!this.#blocked) {
      this.#closeBlocking();
      return;
    }
    // Blocked: wake the read with a value of our own rather than cutting the connection, so
    // that a handoff it already took arrives (see #block); without Redis, cut it.
    this.#wakeSelf().catch(() => this.#closeBlocking());
  }

  #wakeSelf(): Promise<unknown> {
    const { ctx, ops } = this.#d;
    return ctx.redis.rpush(ctx.keys(this.queue).inbox(ops.workerId), '0');
  }

  #closeBlocking(): void {
    this.#blocking?.disconnect();
    this.#blocking = undefined;
  }

  /** Resolves once no round is in flight (what they claimed is in the window, running, or handed back). */
  async settle(): Promise<void> {
    while (this.#rounds.size > 0) await Promise.all([...this.#rounds].map((p) => p.catch(() => {})));
  }

  /** Hands the unstarted window back to the queue at once (after any claim in flight lands). */
  async handBack(): Promise<number> {
    await this.settle();
    // Stopping: the blocking read was woken (see stop); what it brings must be known first.
    if (this.#stopped) await this.#blockDone;
    const back = await this.#leaveIdle();
    const held = this.window.clear();
    if (held.length === 0) return back;
    return (
      back +
      (await this.#d.ops.release(
        this.queue,
        held.map((t) => t.id),
      ))
    );
  }

  /**
   * Off the idle hash; what a submit handed to this runner and it has not run goes back to
   * the queue, unstarted (its inbox, and handoffs waiting for a slot).
   */
  async #leaveIdle(): Promise<number> {
    const received = this.#handedOff.splice(0);
    if (!this.#registered && received.length === 0) return 0;
    this.#registered = false;
    return this.#d.ops.leaveIdle(
      this.queue,
      received.map((t) => ({ id: t.id, attempt: t.attempt })),
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
    if (this.#claims > 0 || this.#starting > 0) return null;
    this.#reconciling = true;
    try {
      // A handoff on its way to the blocking read is in our running set but not yet known
      // here: off the idle hash first, and let the read return what it took.
      if (this.#registered) {
        const received = this.#handedOff.splice(0);
        this.#registered = false;
        await this.#d.ops.leaveIdle(
          this.queue,
          received.map((t) => ({ id: t.id, attempt: t.attempt })),
        );
        if (this.#blocked) {
          await this.#wakeSelf();
          await this.#blockDone;
        }
      }
      return await this.#reconcileNow();
    } finally {
      this.#reconciling = false;
    }
  }

  async #reconcileNow(): Promise<{ released: number; failed: number } | null> {
    if (this.#claims > 0 || this.#starting > 0) return null;
    const { ctx, ops, reporter } = this.#d;
    const k = ctx.keys(this.queue);
    const [inWindow, inRunning] = await Promise.all([
      ctx.redis.zrange(k.window(ops.workerId), '0', '-1'),
      ctx.redis.zrange(k.running(ops.workerId), '0', '-1', 'WITHSCORES'),
    ]);
    if (this.#claims > 0 || this.#starting > 0) return null;
    // Known after the read: what runs here, what the window holds, and what finished but whose
    // outcome is still on its way to Redis (not lost: its report settles it).
    const known = new Set(this.window.ids());
    for (const t of this.#handedOff) known.add(t.id);
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

  /** Sends rounds while there is something to do: completions to report, window tasks to start, a claim. */
  #pass(): void {
    if (this.#stopped) return;
    this.#runHandedOff();
    if (this.#backoffTimer) return;
    // A round starts at most half the pool from the window (and, with a backlog, from a claim), so
    // that when a whole pool frees at once two rounds go out (apart, see STAGGER_MS): Redis runs one while this process
    // handles the other's reply (the two overlap instead of taking turns), and a busy worker
    // settles into two rounds in flight.
    const perRound = Math.max(1, Math.ceil(this.#d.pool.size / ROUNDS));
    if (!this.#round(perRound)) return;
    if (this.#roundMs >= STAGGER_ABOVE_MS) this.#staggerNext();
    else while (this.#round(perRound)) {}
  }

  /** Holds every round back for a jittered, growing wait (reset by a round that succeeds). */
  #backOff(): void {
    if (this.#backoffTimer) return;
    this.#backoffTimer = setTimeout(() => {
      this.#backoffTimer = undefined;
      this.pump();
    }, this.#backoff.next());
    this.#backoffTimer.unref();
  }

  /** Looks again once the round just sent has had time to reach Redis alone (see STAGGER_MS). */
  #staggerNext(): void {
    if (this.#staggerTimer) return;
    this.#staggerTimer = setTimeout(() => {
      this.#staggerTimer = undefined;
      this.pump();
    }, STAGGER_MS);
    this.#staggerTimer.unref();
  }

  /** Handed-off tasks are started in Redis already: they take free slots before anything else. */
  #runHandedOff(): void {
    if (this.#handedOff.length === 0) return;
    const n = this.#d.pool.acquire(this.#handedOff.length);
    for (const t of this.#handedOff.splice(0, n)) this.#execute(t, t.attempt);
  }

  /** Builds and sends one round; false when there was nothing to send. */
  #round(perRound: number): boolean {
    const { pool, ops, reporter } = this.#d;
    // 1. Reserved tasks from the window, in window order, on free slots.
    const starts = this.window.take(pool.acquire(Math.min(this.window.length, perRound)));
    // 2. The completions waiting since the last round (whether a blocked runner claims depends
    // on them, see #mayClaim).
    const done = reporter.takeCompletions(this.queue);
    // 3. A claim: tasks started at once on free slots (only once the window is empty: its tasks
    // go first), and reserved ones to keep the window at its prefetch size. With a backlog, a
    // claim too starts at most the round's share, and a second claim may take the rest.
    let claim: { max: number; start: number; steal: number } | undefined;
    if (this.#mayClaim(done.length > 0)) {
      const free = pool.available();
      const direct =
        this.window.length > 0 ? 0 : this.lastClaimFull ? Math.min(free, perRound - starts.length) : free;
      const reserve = Math.max(
        0,
        this.#d.prefetch() - this.window.length - this.#starting - starts.length - this.#reserving,
      );
      // A claim has a fixed cost in Redis whatever its size: an idle slot always claims, but the
      // window is topped up only once it is down to half, in batches of half the prefetch or
      // more. After a dry claim, only a free slot is worth another one (see #claimed).
      const refill = reserve > 0 && reserve >= Math.ceil(this.#d.prefetch() / 2);
      if (direct > 0 || (refill && !this.#dry)) {
        const slots = pool.acquire(direct);
        claim = { max: slots + reserve, start: slots, steal: this.#d.stealing() && slots > 0 ? slots : 0 };
      }
    }
    if (starts.length === 0 && !claim && done.length === 0) return false;

    const reserving = claim ? claim.max - claim.start : 0;
    if (claim) this.#claims++;
    this.#reserving += reserving;
    this.#starting += starts.length;
    const requests = starts.map((t) => ({ id: t.id, attempt: t.attempt + 1 }));
    // Registered and claiming (woken by a wake-up or a timeout, not a handoff): the round takes
    // us off the idle hash. A claim with free slots registers us if it cannot fill them.
    const leave = this.#registered && claim !== undefined;
    const idle = {
      leave,
      register: claim !== undefined && claim.start > 0 && !this.#reconciling,
      // Past its longest blocking read (after which it claims and registers again), a
      // registration is taken for a dead worker's.
      ttlMs: this.#d.idleBlockMs + REGISTRATION_MARGIN_MS,
    };
    if (leave) this.#registered = false;
    const sentAt = performance.now();
    const round = ops
      .cycle(this.queue, { complete: done, start: requests, ...(claim ? { claim } : {}), idle })
      .then(
        (r) => {
          this.#roundMs += (performance.now() - sentAt - this.#roundMs) / 8;
          if (this.#backoff.failures > 0) this.#backoff.reset();
          this.#starting -= starts.length;
          this.#reserving -= reserving;
          reporter.settleCompletions(this.queue, done, r.completed);
          this.#started(starts, requests, r.started);
          if (r.registered) this.#registered = true;
          if (r.handedOff.length > 0) this.#handedOff.push(...r.handedOff);
          if (claim) this.#claimed(claim, r.claim);
          this.pump();
        },
        (err: Error) => {
          // Whether it left or registered is unknown: leave again with the next claim.
          if (idle.leave || idle.register) this.#registered = true;
          this.#starting -= starts.length;
          this.#reserving -= reserving;
          if (done.length > 0) reporter.giveBack(this.queue, done);
          // Not started: they are still in our window in Redis; keep them locally too.
          this.window.add(starts);
          pool.release(starts.length + (claim?.start ?? 0));
          if (claim) this.#claims--;
          if (this.#stopped) return;
          this.#throttle.warn({ queue: this.queue, err: err.message }, 'round failed; trying again');
          this.#backOff();
        },
      );
    this.#rounds.add(round);
    round.finally(() => this.#rounds.delete(round));
    return true;
  }

  /**
   * One claim at a time, or two while the last one came back full (a backlog: the second
   * keeps Redis busy while this process runs the first one's tasks). Never while paused, nor
   * while blocked on an empty queue — except to report a completion when not registered.
   */
  #mayClaim(reporting: boolean): boolean {
    if (this.#d.pool.paused) return false;
    // Blocked, but not registered for handoffs (it ran one): a round that reports a completion
    // claims for the freed slot too, and registers us again if the queue is dry.
    if (this.#blocked && !(reporting && !this.#registered)) return false;
    return this.#claims === 0 || (this.#claims < ROUNDS && this.lastClaimFull);
  }

  /** Runs the window tasks that started; gives back the slots of those that did not. */
  #started(tasks: ClaimedTask[], requests: { attempt: number }[], outcomes: StartOutcome[]): void {
    let unused = 0;
    outcomes.forEach((o, i) => {
      if (o === 'started') this.#execute(tasks[i]!, requests[i]!.attempt);
      else unused++;
    });
    if (unused > 0) this.#d.pool.release(unused);
  }

  /** Runs what a claim started, keeps what it reserved, and decides whether to wait for work. */
  #claimed(claim: { max: number; start: number }, r: ClaimResult): void {
    const { pool, ops } = this.#d;
    // Paused or stopping while the claim was in flight: nothing it took starts here. What it
    // reserved goes back to the queue, and what it started goes back unstarted.
    const giveBack = pool.paused || this.#stopped;
    let started = 0;
    const startedHere: ClaimedTask[] = [];
    const reserved: ClaimedTask[] = [];
    for (const t of r.tasks) {
      if (!t.started) reserved.push(t);
      else {
        started++;
        if (giveBack) startedHere.push(t);
        else this.#execute(t, t.attempt);
      }
    }
    const unused = claim.start - started + startedHere.length;
    if (unused > 0) pool.release(unused);
    if (giveBack) {
      const back = Promise.all([
        reserved.length > 0
          ? ops.release(
              this.queue,
              reserved.map((t) => t.id),
            )
          : 0,
        startedHere.length > 0
          ? ops.leaveIdle(
              this.queue,
              startedHere.map((t) => ({ id: t.id, attempt: t.attempt })),
            )
          : 0,
      ]);
      this.#rounds.add(back);
      back.finally(() => this.#rounds.delete(back)).catch(() => {});
    } else {
      this.window.add(reserved);
    }
    this.lastClaimFull = r.tasks.length >= claim.max;
    this.#claims--;
    this.#steals += r.stolen;
    // The claim took all there was, and could not even fill the slots it had: wait on Redis for a
    // submit instead of claiming again (an idle worker is quiet). With every slot it had filled —
    // stealing, that is: it stole as many as it had slots — the next free slot claims (and steals)
    // again at once rather than after a blocked wait.
    this.#dry = false;
    if (this.lastClaimFull || this.#blocked) return;
    if (started < claim.start || (claim.start === 0 && this.running.size === 0)) this.#block(r.nextDueAt);
    else this.#dry = true;
  }

  /**
   * Blocks on the queue's wake list until a submit (or the next scheduled task is due); a
   * stealing runner also on the steal list, which a peer's claim pushes when it leaves work
   * only in windows — so a stealer steals the moment there is something to take, not at the
   * next timeout, and an idle one is as quiet as any.
   */
  #block(nextDueAt: number | null): void {
    if (this.#stopped) return;
    const { ctx } = this.#d;
    this.#blocked = true;
    let timeout = this.#d.idleBlockMs;
    if (nextDueAt !== null) timeout = Math.min(timeout, Math.max(1, nextDueAt - ctx.clock.now()));
    if (!this.#blocking) {
      this.#blocking = duplicateConnection(ctx.redis);
      // Outages show up as a failed wait below (logged once); not as ioredis's unhandled-error prints.
      this.#blocking.on('error', () => {});
    }
    const inbox = ctx.keys(this.queue).inbox(this.#d.ops.workerId);
    this.#blockDone = waitForWork(ctx, this.#blocking, this.queue, timeout, {
      steal: this.#d.stealing(),
      inbox,
    })
      .then(async (woken): Promise<void> => {
        if (woken === null) return;
        if (woken.list === inbox) {
          await this.#received(woken.value);
          return;
        }
        // Woken while paused or stopping: pass the wake-up on to a worker that can take the work.
        if (this.#d.pool.paused || this.#stopped) await ctx.redis.rpush(woken.list, '1');
      })
      .catch((err: Error) => {
        if (this.#stopped) return;
        this.#throttle.warn({ queue: this.queue, err: err.message }, 'waiting for work failed');
        this.#backOff();
      })
      .finally(() => {
        this.#blocked = false;
        if (this.#stopped) this.#closeBlocking();
        // Handed tasks start now, before the next pass: a short one is done by then, and that
        // round reports it with the claim that registers us again (one round, not two).
        else this.#runHandedOff();
        this.pump();
      });
  }

  /**
   * A message from our inbox: a handoff (tasks a submit started for us, which used up our
   * registration), or the '0' of #wakeSelf. Paused or stopping, the tasks go back unstarted.
   */
  async #received(message: string): Promise<void> {
    const tasks = decodeHandoff(this.queue, message);
    if (tasks.length === 0) return;
    this.#registered = false;
    this.#handedOff.push(...tasks);
    if (this.#d.pool.paused || this.#stopped) await this.#leaveIdle();
  }

  #execute(task: ClaimedTask, attempt: number): void {
    const { executor, ops, ctx, log } = this.#d;
    const running = new RunningAttempt(task, attempt);
    this.running.set(task.id, running);
    const queue = this.queue;
    const hooks = new RunnerHooks(ops, log, queue, task, attempt);
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
    // No extra promise hops for a task without parents (the common case on the hot path).
    const outcome =
      task.dependsOn.length > 0
        ? ops.results(queue, task.dependsOn).then((p) => {
            hooks.parents = p;
            return runAttempt(executor, running, hooks, ctx.clock);
          })
        : runAttempt(executor, running, hooks, ctx.clock);
    outcome.then(
      (o) => this.#finished(running, span, o),
      (err: Error) =>
        this.#finished(running, span, {
          kind: 'failed',
          message: err.message,
          reason: 'worker_error',
          permanent: false,
        }),
    );
  }

  /** An attempt ended: frees its slot and hands its outcome to the reporter. */
  #finished(
    running: RunningAttempt,
    span: ReturnType<typeof startAttemptSpan> | null,
    outcome: AttemptOutcome,
  ): void {
    const { reporter, pool } = this.#d;
    const { task, attempt } = running;
    const queue = this.queue;
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
        json: outcome.json,
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
  }
}
