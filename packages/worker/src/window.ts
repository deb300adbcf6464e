import type { ClaimedTask } from '@dtps/core';

/**
 * The worker's local copy of its prefetch window: reserved tasks, kept in
 * ready-score order (priority, then FIFO), so the front is what starts next.
 */
export class LocalWindow {
  #tasks: ClaimedTask[] = [];

  get length(): number {
    return this.#tasks.length;
  }

  /** Adds tasks, keeping score order. */
  add(tasks: readonly ClaimedTask[]): void {
    if (tasks.length === 0) return;
    const last = this.#tasks[this.#tasks.length - 1];
    this.#tasks.push(...tasks);
    // Claims arrive in order after what we hold; only steals and the starts of a failed round need a sort.
    const sorted = tasks.every((t, i) => i === 0 || tasks[i - 1]!.score <= t.score);
    if (!sorted || (last && tasks[0]!.score < last.score)) this.#tasks.sort((a, b) => a.score - b.score);
  }

  /** Takes up to `n` tasks from the front. */
  take(n: number): ClaimedTask[] {
    return this.#tasks.splice(0, n);
  }

  /** Removes one task by id (cancelled or stolen); true if it was here. */
  remove(id: string): boolean {
    const i = this.#tasks.findIndex((t) => t.id === id);
    if (i < 0) return false;
    this.#tasks.splice(i, 1);
    return true;
  }

  /** Empties the window, returning what it held. */
  clear(): ClaimedTask[] {
    const all = this.#tasks;
    this.#tasks = [];
    return all;
  }

  ids(): string[] {
    return this.#tasks.map((t) => t.id);
  }
}
