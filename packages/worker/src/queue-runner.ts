import type { Logger } from '@dtps/core';
import {
  type ClaimedTask,
  type ClaimResult,
  decodeInboxMessage,
  type EngineContext,
  LogThrottle,
  type StartOutcome,
  tallies,
  type WakeUp,
  type WorkerOps,
} from '@dtps/core';
import type { Executor } from './executor/executor.js';
import type { AbortReason, RunningAttempt } from './executor/run-attempt.js';
import type { SlotPool } from './pool.js';
import { AttemptRunner } from './queue/attempt-runner.js';
import { IdleRegistration, type IdleRequest } from './queue/idle-registration.js';
import { Outbox } from './queue/outbox.js';
import { OutageReconciler, type Reconciled } from './queue/reconciler.js';
import { RoundPacer } from './queue/round-pacer.js';
import { afterClaim, type ClaimPlan, planRound, type RoundPlan } from './queue/round-planner.js';
import type { QueueSlots } from './queue/slot-arbiter.js';
import { WorkWait } from './queue/work-wait.js';
import type { Reporter } from './reporter.js';
import { LocalWindow } from './window.js';

/** An idle registration outlives the blocking read by this much (a slow round, a busy Redis). */
const REGISTRATION_MARGIN_MS = 5000;

/** What a queue runner needs from the worker (narrow, so it can be tested alone). */
export interface RunnerDeps {
  ctx: EngineContext;
  ops: WorkerOps;
  pool: SlotPool;
  /** This queue's share of the pool (see SlotArbiter): what it may take, charged to it. */
  slots: (hasWork: () => boolean) => QueueSlots;
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
 * Serves one queue by wiring one-way stages: a claim fills the window, the round planner picks
 * what each round reports, starts and claims, the attempt runner runs started tasks on slots and
 * passes outcomes to the outbox, whose completions ride the next round (cycleTasks: ONE script
 * call that reports, starts and claims). When there is nothing to do it registers in the idle
 * hash and waits on Redis; after an outage the reconciler makes Redis and the stages agree.
 */
export class QueueRunner {
  readonly queue: string;
  readonly window = new LocalWindow();
  readonly #d: RunnerDeps;
  readonly #attempts: AttemptRunner;
  readonly #outbox: Outbox;
  readonly #registration: IdleRegistration;
  readonly #wait: WorkWait;
  readonly #reconciler: OutageReconciler;
  readonly #slots: QueueSlots;
  /**
   * No claim has come back since the runner last heard that the queue got work (its start, a
   * handoff, a wake-up): whether the queue has more is unknown, and the arbiter counts it as
   * having some. Without it a runner with no window would learn of a backlog only from a claim,
   * and claim only with a free slot, which a busier queue of the same pool takes first.
   */
  #unknown = true;
  /** Rounds carrying a claim in flight, the tasks those claims may reserve, and window tasks being started. */
  #claims = 0;
  #reserving = 0;
  #starting = 0;
  /** The last claim found the queue dry with every slot it had filled: claim again only for a free slot. */
  #dry = false;
  /** True when the last claim came back full: the queue has more (a backlog signal for the autoscaler). */
  lastClaimFull = false;
  #stopped = false;
  #steals = 0;
  #pumpScheduled = false;
  /** Rounds in flight (and any release one started), so that a pause or stop can wait for them. */
  readonly #rounds = new Set<Promise<unknown>>();
  readonly #pacer = new RoundPacer(() => this.pump());
  readonly #throttle: LogThrottle;

  constructor(queue: string, deps: RunnerDeps) {
    this.queue = queue;
    this.#d = deps;
    this.#throttle = new LogThrottle(deps.log);
    this.#outbox = new Outbox(queue, deps.reporter);
    this.#attempts = new AttemptRunner({ ...deps, queue, outbox: this.#outbox, ended: () => this.pump() });
    this.#registration = new IdleRegistration(queue, deps.ops);
    this.#slots = deps.slots(() => this.hasWork);
    this.#wait = new WorkWait(deps.ctx, queue, deps.ops.workerId);
    this.#reconciler = new OutageReconciler(queue, deps.ctx, deps.ops, this.#registration, this.#wait, {
      busy: () => this.#claims > 0 || this.#starting > 0,
      windowIds: () => this.window.ids(),
      holds: (id) =>
        this.#attempts.running.has(id) || this.#outbox.holds(id) || deps.reporter.holds(queue, id),
    });
  }

  /** Attempts running now, by task id. */
  get running(): ReadonlyMap<string, RunningAttempt> {
    return this.#attempts.running;
  }

  /**
   * Whether this queue has work for a slot: tasks in the window or handed to it and not run yet,
   * or a last claim that came back full (the queue has more), or no claim back yet.
   */
  get hasWork(): boolean {
    return (
      this.#unknown || this.lastClaimFull || this.window.length > 0 || this.#registration.receivedCount > 0
    );
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

  /** Redis is back (a reconnect): a round held back by a backoff goes now, not at the timer. */
  retryNow(): void {
    this.#pacer.release();
    this.pump();
  }

  /** Stops claiming and wakes the blocking read, so that the runner goes quiet. */
  stop(): void {
    this.#stopped = true;
    this.#pacer.release();
    this.#throttle.flush();
    // Completions that were waiting for our next round go on their own now.
    this.#outbox.stop();
    if (!this.#wait.waiting) {
      this.#wait.close();
      return;
    }
    // Waiting: wake the read with a value of our own rather than cutting the connection, so
    // that a handoff it already took arrives (see #waitForWork); without Redis, cut it.
    this.#wait.wakeSelf().catch(() => this.#wait.close());
  }

  /** Resolves once no round is in flight (what they claimed is in the window, running, or released). */
  async settle(): Promise<void> {
    while (this.#rounds.size > 0) await Promise.all([...this.#rounds].map((p) => p.catch(() => {})));
  }

  /** Releases the unstarted window and handoffs to the ready set at once (after any claim in flight lands). */
  async releaseUnstarted(): Promise<number> {
    await this.settle();
    // Stopping: the blocking read was woken (see stop); what it brings must be known first.
    if (this.#stopped) await this.#wait.over();
    const left = await this.#registration.leave();
    const held = this.window.clear();
    if (held.length === 0) return left;
    return (
      left +
      (await this.#d.ops.release(
        this.queue,
        held.map((t) => t.id),
      ))
    );
  }

  /** Aborts one running task (cancellation); true if it ran here. Drops it from the window if reserved. */
  abortTask(id: string, reason: AbortReason): boolean {
    return this.#attempts.abort(id, reason) || this.window.remove(id);
  }

  /** Makes Redis and this runner agree after a connection loss; null while a claim or start is in flight. */
  reconcile(): Promise<Reconciled | null> {
    return this.#reconciler.reconcile();
  }

  /** Sends rounds while there is something to do: completions to report, window tasks to start, a claim. */
  #pass(): void {
    if (this.#stopped) return;
    this.#runReceived();
    if (this.#registration.registered && this.#slots.outranked()) this.#withdraw();
    if (this.#pacer.holding) return;
    if (!this.#round()) return;
    // Nothing more to send this turn (a pool in one round, most passes): no stagger timer, whose
    // wake-up would cost a turn of the event loop per round on a loaded machine.
    if (!this.#plan()) return;
    if (this.#pacer.mayFollow()) while (this.#round()) {}
  }

  /** Received handoffs are started in Redis already: they take free slots before anything else. */
  #runReceived(): void {
    if (this.#registration.receivedCount === 0) return;
    // Started in Redis already: they take slots whatever this queue's share, and are charged to it.
    const n = this.#slots.acquire(this.#registration.receivedCount);
    for (const t of this.#registration.take(n)) this.#attempts.run(t, t.attempt);
  }

  #plan(): RoundPlan | undefined {
    const { pool } = this.#d;
    // Strict order with work before this queue: nothing starts here, and nothing is reserved
    // either (tasks held in our window would wait while other workers could run them).
    const outranked = this.#slots.outranked();
    return planRound({
      poolSize: pool.size,
      freeSlots: outranked ? 0 : this.#slots.available(),
      paused: pool.paused,
      windowLength: this.window.length,
      prefetch: outranked ? 0 : this.#d.prefetch(),
      completionsWaiting: this.#outbox.waiting,
      claimsInFlight: this.#claims,
      reserving: this.#reserving,
      starting: this.#starting,
      lastClaimFull: this.lastClaimFull,
      dry: this.#dry,
      waiting: this.#wait.waiting,
      registered: this.#registration.registered,
      reconciling: this.#reconciler.active,
      stealing: this.#d.stealing(),
    });
  }

  /**
   * Takes this worker off the queue's idle hash (a submit would hand it tasks that must then
   * run, ahead of the queue that outranks this one); it registers again when a claim of its own
   * finds the queue dry. What reached the inbox meanwhile goes back to the ready set.
   */
  #withdraw(): void {
    this.#track(
      this.#registration.leave().catch((err: Error) => {
        // The registration lapses by itself shortly after the blocking read ends.
        this.#throttle.warn({ queue: this.queue, err: err.message }, 'leaving the idle hash failed');
      }),
    );
  }

  /** Plans, takes what the plan names, and sends one round; false when there was nothing to send. */
  #round(): boolean {
    const plan = this.#plan();
    if (!plan) return false;
    const { ops } = this.#d;
    const claim = plan.claim;
    this.#slots.acquire(plan.start + (claim?.start ?? 0));
    const hadWork = this.hasWork;
    const starts = this.window.take(plan.start);
    this.#workChanged(hadWork);
    const done = plan.report ? this.#outbox.take() : [];
    const reserving = claim ? claim.max - claim.start : 0;
    if (claim) this.#claims++;
    this.#reserving += reserving;
    this.#starting += starts.length;
    const requests = starts.map((t) => ({ id: t.id, attempt: t.attempt + 1 }));
    const idle: IdleRequest & { ttlMs: number } = {
      leave: plan.leave,
      register: plan.register,
      // Past its longest blocking read (after which it claims and registers again), a
      // registration is taken for a dead worker's.
      ttlMs: this.#d.idleBlockMs + REGISTRATION_MARGIN_MS,
    };
    this.#registration.sent(idle);
    const sentAt = performance.now();
    const round = ops
      .cycle(this.queue, { complete: done, start: requests, ...(claim ? { claim } : {}), idle })
      .then(
        (r) => {
          this.#pacer.answered(sentAt);
          this.#starting -= starts.length;
          this.#reserving -= reserving;
          this.#outbox.delivered(done, r.completed);
          this.#started(starts, requests, r.started);
          this.#registration.answered(r.registered, r.handedOff);
          if (claim) this.#claimed(claim, r.claim);
          this.pump();
        },
        (err: Error) => {
          this.#registration.failed(idle);
          this.#starting -= starts.length;
          this.#reserving -= reserving;
          this.#outbox.undelivered(done);
          // Not started: they are still in our window in Redis; keep them locally too.
          this.window.add(starts);
          this.#slots.giveBack(starts.length + (claim?.start ?? 0));
          if (claim) this.#claims--;
          if (this.#stopped) return;
          this.#throttle.warn({ queue: this.queue, err: err.message }, 'round failed; trying again');
          this.#pacer.backOff();
        },
      );
    this.#track(round);
    return true;
  }

  /** Whether this queue has work changed: another queue may take slots now (strict), or wait less for this one (weights). */
  #workChanged(had: boolean): void {
    if (this.hasWork !== had) this.#slots.changed();
  }

  #track(p: Promise<unknown>): void {
    this.#rounds.add(p);
    p.finally(() => this.#rounds.delete(p)).catch(() => {});
  }

  /** Runs the window tasks that started; gives back the slots of those that did not. */
  #started(tasks: ClaimedTask[], requests: { attempt: number }[], outcomes: StartOutcome[]): void {
    let unused = 0;
    outcomes.forEach((o, i) => {
      if (o === 'started') this.#attempts.run(tasks[i]!, requests[i]!.attempt);
      else unused++;
    });
    if (unused > 0) this.#slots.giveBack(unused);
  }

  /** Runs what a claim started, keeps what it reserved, and decides whether to wait for work. */
  #claimed(claim: ClaimPlan, r: ClaimResult): void {
    const { pool, ops } = this.#d;
    const hadWork = this.hasWork;
    // Paused or stopping while the claim was in flight: nothing it took starts here. What it
    // reserved goes back to the ready set, and what it started goes back unstarted.
    const release = pool.paused || this.#stopped;
    let started = 0;
    const startedHere: ClaimedTask[] = [];
    const reserved: ClaimedTask[] = [];
    for (const t of r.tasks) {
      if (!t.started) reserved.push(t);
      else {
        started++;
        if (release) startedHere.push(t);
        else this.#attempts.run(t, t.attempt);
      }
    }
    const unused = claim.start - started + startedHere.length;
    if (unused > 0) this.#slots.giveBack(unused);
    if (release) {
      this.#track(
        Promise.all([
          reserved.length > 0
            ? ops.release(
                this.queue,
                reserved.map((t) => t.id),
              )
            : 0,
          startedHere.length > 0 ? this.#registration.leave(startedHere) : 0,
        ]),
      );
    } else {
      this.window.add(reserved);
    }
    this.lastClaimFull = r.tasks.length >= claim.max;
    this.#unknown = false;
    this.#workChanged(hadWork);
    this.#claims--;
    this.#steals += r.stolen;
    if (r.stolen > 0) tallies.queue(this.queue).stolen += r.stolen;
    const next = afterClaim({
      full: this.lastClaimFull,
      slots: claim.start,
      started,
      running: this.running.size,
      waiting: this.#wait.waiting,
    });
    this.#dry = next === 'dry';
    if (next === 'wait') this.#waitForWork(r.nextDueAt);
  }

  /**
   * Waits on Redis until a submit (or the next scheduled task is due); a stealing runner also
   * until a peer's claim leaves work only in windows — so a stealer steals the moment there is
   * something to take, not at the next timeout, and an idle one is as quiet as any.
   */
  #waitForWork(nextDueAt: number | null): void {
    if (this.#stopped) return;
    const { ctx } = this.#d;
    let timeout = this.#d.idleBlockMs;
    if (nextDueAt !== null) timeout = Math.min(timeout, Math.max(1, nextDueAt - ctx.clock.now()));
    this.#wait
      .wait(timeout, this.#d.stealing(), (w) => this.#woken(w))
      .catch((err: Error) => {
        if (this.#stopped) return;
        this.#throttle.warn({ queue: this.queue, err: err.message }, 'waiting for work failed');
        this.#pacer.backOff();
      })
      .finally(() => {
        if (this.#stopped) this.#wait.close();
        // Received handoffs start now, before the next pass: a short one is done by then, and that
        // round reports it with the claim that registers us again (one round, not two).
        else this.#runReceived();
        this.pump();
      });
  }

  /**
   * What woke the wait: a handoff in our inbox (tasks a submit started for us, which used up
   * our registration), the '0' of a wake of our own, or a wake-up of the queue. Paused or
   * stopping, received tasks are released and a wake-up is passed on to a worker that can
   * take the work.
   */
  async #woken(w: WakeUp): Promise<void> {
    const quiet = this.#d.pool.paused || this.#stopped;
    if (!quiet && !this.#unknown) {
      const hadWork = this.hasWork;
      this.#unknown = true;
      this.#workChanged(hadWork);
    }
    if (w.list === this.#wait.inbox) {
      const tasks = decodeInboxMessage(this.queue, w.value);
      if (tasks.length === 0) return;
      this.#registration.receive(tasks);
      if (quiet) await this.#registration.leave();
      return;
    }
    if (quiet) await this.#d.ctx.redis.rpush(w.list, '1');
  }
}
