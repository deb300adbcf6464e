/** Who set the pool's size last: the size given at start, an operator's command, or the autoscaler. */
export type SizeChangedBy = 'start' | 'operator' | 'autoscaler';

/** The pool's last size decision, as the heartbeat shows it. */
export interface SizeChange {
  by: SizeChangedBy;
  /** In plain words, e.g. "operator: size 4 → 6" or "idle: 8 → 6 (utilisation 0.05, nothing waiting)". */
  reason: string;
  /** When, on the pool's clock (the worker gives it epoch ms). */
  at: number;
  /** The size before and after; equal when only the bounds moved. */
  from: number;
  to: number;
}

/**
 * The slot pool: how many tasks may run at once (its size, between min and
 * max) and how many do. Slots are counted, not threads: an inline handler is
 * an async function; a thread handler holds a slot while a pool thread runs it.
 */
export class SlotPool {
  #size: number;
  #min: number;
  #max: number;
  #busy = 0;
  #paused = false;
  /** Busy slot-ms since the last utilisation reading, and when that reading was. */
  #busyMs = 0;
  #since: number;
  #changedAt: number;
  #sizeChange: SizeChange;
  readonly #now: () => number;
  readonly #onFree: () => void;

  constructor(
    opts: { size: number; min: number; max: number },
    onFree: () => void,
    now: () => number = () => performance.now(),
  ) {
    this.#now = now;
    this.#since = now();
    this.#changedAt = this.#since;
    this.#min = opts.min;
    this.#max = opts.max;
    this.#size = clamp(opts.size, opts.min, opts.max);
    this.#onFree = onFree;
    this.#sizeChange = {
      by: 'start',
      reason: `start: size ${this.#size}`,
      at: this.#since,
      from: this.#size,
      to: this.#size,
    };
  }

  /** Who set the size last, why and when. */
  get sizeChange(): Readonly<SizeChange> {
    return this.#sizeChange;
  }

  get size(): number {
    return this.#size;
  }
  get min(): number {
    return this.#min;
  }
  get max(): number {
    return this.#max;
  }
  get busy(): number {
    return this.#busy;
  }
  get paused(): boolean {
    return this.#paused;
  }

  /** Slots that may take a task now. */
  available(): number {
    return this.#paused ? 0 : Math.max(0, this.#size - this.#busy);
  }

  /** Takes up to `n` slots; returns how many it got. */
  acquire(n: number): number {
    const got = Math.min(n, this.available());
    this.#account();
    this.#busy += got;
    return got;
  }

  /**
   * The share of the slots busy since the last reading, weighted by time
   * (then starts over), or right now if that is more. Short tasks free and
   * refill a slot within the same tick, so a reading at the instant of a
   * release would see a busy pool as partly idle.
   */
  takeUtilisation(): number {
    this.#account();
    const elapsed = this.#changedAt - this.#since;
    const current = this.#size > 0 ? this.#busy / this.#size : 0;
    const weighted = elapsed > 0 && this.#size > 0 ? this.#busyMs / (elapsed * this.#size) : current;
    this.#busyMs = 0;
    this.#since = this.#changedAt;
    // The busier of the interval and this moment: a pool busy right now is not idle.
    return Math.min(1, Math.max(weighted, current));
  }

  #account(): void {
    const now = this.#now();
    this.#busyMs += this.#busy * (now - this.#changedAt);
    this.#changedAt = now;
  }

  /** Gives `n` slots back. */
  release(n = 1): void {
    this.#account();
    this.#busy -= n;
    if (this.#busy < 0) this.#busy = 0;
    this.#onFree();
  }

  /**
   * Sets size and bounds. Bounds first, then the size is kept inside them.
   * Shrinking below the busy count lets running tasks finish; no new ones start
   * until a slot is free under the new size. A `cause` is recorded as the
   * last size decision (see `sizeChange`); without one (bounds moved, size
   * kept) the previous decision stands.
   */
  resize(
    opts: { size?: number; min?: number; max?: number },
    cause?: { by: SizeChangedBy; reason: string },
  ): void {
    const from = this.#size;
    const min = opts.min ?? this.#min;
    const max = Math.max(opts.max ?? this.#max, min);
    this.#min = min;
    this.#max = max;
    this.#size = clamp(opts.size ?? this.#size, min, max);
    if (cause) this.#sizeChange = { ...cause, at: this.#now(), from, to: this.#size };
    this.#onFree();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#onFree();
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
