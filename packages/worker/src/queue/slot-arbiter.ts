import type { QueueOrder } from '@dtps/core';
import type { SlotPool } from '../pool.js';
import { joiningPass, outranked, type QueueShare, slotsFor } from './share-planner.js';

/** One queue's standing with the arbiter. */
interface Standing extends QueueShare {
  /** Read from the queue's runner when a question is asked. */
  hasWork: () => boolean;
  /** It counted as a contender at the last question. */
  active: boolean;
}

/**
 * Shares one worker's slot pool between its queue runners (see share-planner.ts for the
 * policy). Runners ask before they plan (`available`), and tell what they took and what they
 * gave back unused; the arbiter reads each runner's backlog when asked. A change that may let
 * another runner take slots wakes them all (`wake`: pump every runner, coalesced per tick).
 * With one queue it answers the pool's own figures and keeps no account.
 */
export class SlotArbiter {
  readonly #strict: boolean;
  readonly #queues: Standing[];
  readonly #lead: () => number;
  readonly #wake: () => void;

  /**
   * @param lead starts a queue may run ahead of its weighted share (the worker gives half its pool,
   *   see shareLead).
   * @param wake pumps every runner.
   */
  constructor(order: QueueOrder, lead: () => number, wake: () => void) {
    this.#strict = order.strict;
    this.#queues = order.queues.map((q) => ({
      weight: q.weight,
      pass: 0,
      backlogged: false,
      active: false,
      hasWork: () => false,
    }));
    this.#lead = lead;
    this.#wake = wake;
  }

  /** The slots view of queue `index` (its place in the order), whose runner reports its backlog through `hasWork`. */
  slotsOf(index: number, pool: SlotPool, hasWork: () => boolean): QueueSlots {
    this.#queues[index]!.hasWork = hasWork;
    return new QueueSlots(this, index, pool);
  }

  /** How many of `free` slots queue `index` may take now. */
  available(index: number, free: number): number {
    if (this.#queues.length <= 1 || free <= 0) return free;
    this.#refresh(index);
    return slotsFor({
      strict: this.#strict,
      queues: this.#queues,
      asker: index,
      free,
      lead: this.#lead(),
    });
  }

  /** Strict order, and a queue before `index` has work: it takes no slot and reserves nothing. */
  outranked(index: number): boolean {
    if (!this.#strict || index === 0) return false;
    for (let i = 0; i < index; i++) this.#queues[i]!.backlogged = this.#queues[i]!.hasWork();
    return outranked(this.#queues, index);
  }

  /** Queue `index` took `n` slots for starts. */
  charge(index: number, n: number): void {
    if (this.#queues.length <= 1 || n === 0) return;
    const q = this.#queues[index]!;
    q.pass += n / q.weight;
    if (!this.#strict) this.#wake();
  }

  /** Queue `index` gives back `n` slots it took and did not start a task on. */
  refund(index: number, n: number): void {
    if (this.#queues.length <= 1 || n === 0) return;
    const q = this.#queues[index]!;
    q.pass -= n / q.weight;
  }

  /** A runner's backlog may have changed: let the others look again. */
  changed(): void {
    if (this.#queues.length > 1) this.#wake();
  }

  /** Reads every runner's backlog; a queue that joins the contenders starts level with them. */
  #refresh(asker: number): void {
    const stayed: Standing[] = [];
    const joined: Standing[] = [];
    this.#queues.forEach((q, i) => {
      q.backlogged = i === asker || q.hasWork();
      if (!q.backlogged) q.active = false;
      else if (q.active) stayed.push(q);
      else joined.push(q);
    });
    for (const q of joined) {
      q.pass = joiningPass(q.pass, stayed);
      q.active = true;
    }
  }

  /** For tests and the heartbeat: each queue's pass. */
  passes(): number[] {
    return this.#queues.map((q) => q.pass);
  }
}

/**
 * One runner's view of the pool: what it may take (its share of the free slots), and taking and
 * giving back charged to its queue. A slot freed by a task that ended goes back to the pool directly.
 */
export class QueueSlots {
  readonly #arbiter: SlotArbiter;
  readonly #index: number;
  readonly #pool: SlotPool;

  constructor(arbiter: SlotArbiter, index: number, pool: SlotPool) {
    this.#arbiter = arbiter;
    this.#index = index;
    this.#pool = pool;
  }

  /** Free slots this queue may take now. */
  available(): number {
    return this.#arbiter.available(this.#index, this.#pool.available());
  }

  /** Strict order and a queue before this one has work. */
  outranked(): boolean {
    return this.#arbiter.outranked(this.#index);
  }

  /** Takes up to `n` slots for starts; returns how many it got. */
  acquire(n: number): number {
    const got = this.#pool.acquire(n);
    this.#arbiter.charge(this.#index, got);
    return got;
  }

  /** Gives back `n` slots taken and not used for a start (the pool's release wakes every runner). */
  giveBack(n: number): void {
    this.#arbiter.refund(this.#index, n);
    this.#pool.release(n);
  }

  /** A backlog signal of this runner changed. */
  changed(): void {
    this.#arbiter.changed();
  }
}
