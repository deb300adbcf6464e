import type { ClaimedTask, WorkerOps } from '@dtps/core';

/** How a round stands in the idle hash: whether it takes the worker off, and whether it may register it. */
export interface IdleRequest {
  leave: boolean;
  register: boolean;
}

/**
 * This runner's place in the queue's idle hash, where a submit starts tasks for it and pushes
 * them to its inbox (a handoff, lua/includes/handoff.lua), and the handed-off tasks it received
 * and has not run yet. A registration is used once: a handoff, a round that leaves, or `leave`
 * ends it; a claim that cannot fill its slots makes a new one.
 */
export class IdleRegistration {
  readonly #queue: string;
  readonly #ops: WorkerOps;
  #registered = false;
  /** Handed-off tasks (started in Redis already), waiting for a free slot. */
  readonly #received: ClaimedTask[] = [];

  constructor(queue: string, ops: WorkerOps) {
    this.#queue = queue;
    this.#ops = ops;
  }

  /** Whether this worker may be in the idle hash (a handoff may be on its way). */
  get registered(): boolean {
    return this.#registered;
  }

  /** A round goes out: one that leaves takes the worker off at once (its reply cannot bring a handoff). */
  sent(idle: IdleRequest): void {
    if (idle.leave) this.#registered = false;
  }

  /** A round came back: whether its claim registered us, and the handoffs it collected on the way. */
  answered(registered: boolean, handedOff: readonly ClaimedTask[]): void {
    if (registered) this.#registered = true;
    if (handedOff.length > 0) this.#received.push(...handedOff);
  }

  /** A round failed: whether it left or registered is unknown, so leave again with the next claim. */
  failed(idle: IdleRequest): void {
    if (idle.leave || idle.register) this.#registered = true;
  }

  /** A handoff arrived in the inbox: it used up the registration. */
  receive(tasks: readonly ClaimedTask[]): void {
    this.#registered = false;
    this.#received.push(...tasks);
  }

  /** Takes up to `n` received tasks, to run on `n` free slots. */
  take(n: number): ClaimedTask[] {
    return this.#received.splice(0, n);
  }

  get receivedCount(): number {
    return this.#received.length;
  }

  receivedIds(): string[] {
    return this.#received.map((t) => t.id);
  }

  /**
   * Off the idle hash; what a submit handed to this runner and it will not run goes back to the
   * ready set, unstarted: its inbox, the received tasks, and `more` (started tasks it gives up).
   * Returns how many went back.
   */
  async leave(more: readonly ClaimedTask[] = []): Promise<number> {
    const unrun = [...this.#received.splice(0), ...more];
    if (!this.#registered && unrun.length === 0) return 0;
    this.#registered = false;
    return this.#ops.leaveIdle(
      this.#queue,
      unrun.map((t) => ({ id: t.id, attempt: t.attempt })),
    );
  }
}
