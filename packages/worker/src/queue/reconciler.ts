import type { EngineContext, Logger, WorkerOps } from '@dtps/core';
import type { IdleRegistration } from './idle-registration.js';
import type { WorkWait } from './work-wait.js';

/** What a reconcile found under this worker in Redis that it did not know, and sent back. */
export interface Reconciled {
  released: number;
  failed: number;
}

/** The runner's stages, as the reconciler reads them (it changes none of them). */
export interface ReconcileView {
  /** A round that claims or starts is in flight: what Redis holds is about to change. */
  busy(): boolean;
  /** Unstarted tasks this runner knows: its window. */
  windowIds(): Iterable<string>;
  /** A task that runs here, or whose outcome is still on its way to Redis (not lost: its report settles it). */
  holds(id: string): boolean;
}

/**
 * Makes Redis and one runner agree after a connection loss: a claim whose reply was lost leaves
 * tasks in the worker's window or running set that the runner does not know; the window ones go
 * back to the ready set, the running ones count a lost attempt and retry.
 */
export class OutageReconciler {
  readonly #queue: string;
  readonly #ctx: EngineContext;
  readonly #ops: WorkerOps;
  readonly #registration: IdleRegistration;
  readonly #wait: WorkWait;
  readonly #view: ReconcileView;
  #active = false;

  constructor(
    queue: string,
    ctx: EngineContext,
    ops: WorkerOps,
    registration: IdleRegistration,
    wait: WorkWait,
    view: ReconcileView,
  ) {
    this.#queue = queue;
    this.#ctx = ctx;
    this.#ops = ops;
    this.#registration = registration;
    this.#wait = wait;
    this.#view = view;
  }

  /** While reconciling, claims do not register (no handoff may be on its way while Redis is read). */
  get active(): boolean {
    return this.#active;
  }

  /** Reconciles once; null, doing nothing, while a claim or start is in flight (the caller tries again). */
  async reconcile(): Promise<Reconciled | null> {
    if (this.#view.busy()) return null;
    this.#active = true;
    try {
      // A handoff on its way to the blocking read is in our running set but not yet known
      // here: off the idle hash first, and let the read return what it took.
      if (this.#registration.registered) {
        await this.#registration.leave();
        if (this.#wait.waiting) {
          await this.#wait.wakeSelf();
          await this.#wait.over();
        }
      }
      return await this.#sendBackStrays();
    } finally {
      this.#active = false;
    }
  }

  async #sendBackStrays(): Promise<Reconciled | null> {
    if (this.#view.busy()) return null;
    const ctx = this.#ctx;
    const ops = this.#ops;
    const k = ctx.keys(this.#queue);
    const [inWindow, inRunning] = await Promise.all([
      ctx.redis.zrange(k.window(ops.workerId), '0', '-1'),
      ctx.redis.zrange(k.running(ops.workerId), '0', '-1', 'WITHSCORES'),
    ]);
    if (this.#view.busy()) return null;
    // Known after the read, not before: what ran or was reported meanwhile is known now.
    const known = new Set(this.#view.windowIds());
    for (const id of this.#registration.receivedIds()) known.add(id);
    const strayWindow = inWindow.filter((id) => !known.has(id));
    const strayRunning: { id: string; attempt: number }[] = [];
    for (let i = 0; i < inRunning.length; i += 2) {
      const id = inRunning[i]!;
      if (!this.#view.holds(id)) strayRunning.push({ id, attempt: Number(inRunning[i + 1]) });
    }
    const released = strayWindow.length > 0 ? await ops.release(this.#queue, strayWindow) : 0;
    if (strayRunning.length > 0) {
      await ops.fail(
        this.#queue,
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
}

/** Something that reconciles one queue (a queue runner). */
export interface Reconcilable {
  readonly queue: string;
  reconcile(): Promise<Reconciled | null>;
}

/** How long a runner busy with a claim or start waits before its next try. */
const RETRY_MS = 250;

/**
 * Reconciles every runner once; a runner busy with a claim or start is tried again shortly,
 * until it has run or `stopping` says to give up. Logs what was found.
 */
export async function reconcileAll(
  runners: Iterable<Reconcilable>,
  stopping: () => boolean,
  log: Logger,
): Promise<void> {
  const pending = new Set(runners);
  for (let round = 0; pending.size > 0 && !stopping(); round++) {
    if (round > 0) await new Promise((r) => setTimeout(r, RETRY_MS));
    for (const r of [...pending]) {
      const done = await r.reconcile();
      if (done === null) continue;
      pending.delete(r);
      if (done.released + done.failed > 0) {
        log.warn({ queue: r.queue, ...done }, 'reconciled tasks this worker had lost track of');
      }
    }
  }
}
