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
  readonly #onFree: () => void;

  constructor(opts: { size: number; min: number; max: number }, onFree: () => void) {
    this.#min = opts.min;
    this.#max = opts.max;
    this.#size = clamp(opts.size, opts.min, opts.max);
    this.#onFree = onFree;
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
    this.#busy += got;
    return got;
  }

  /** Gives `n` slots back. */
  release(n = 1): void {
    this.#busy -= n;
    if (this.#busy < 0) this.#busy = 0;
    this.#onFree();
  }

  /**
   * Sets size and bounds. Bounds first, then the size is kept inside them.
   * Shrinking below the busy count lets running tasks finish; no new ones start
   * until a slot is free under the new size.
   */
  resize(opts: { size?: number; min?: number; max?: number }): void {
    const min = opts.min ?? this.#min;
    const max = Math.max(opts.max ?? this.#max, min);
    this.#min = min;
    this.#max = max;
    this.#size = clamp(opts.size ?? this.#size, min, max);
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
