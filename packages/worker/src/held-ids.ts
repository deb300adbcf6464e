/**
 * Task ids whose outcome has not reached Redis yet, counted (one task can have two outcomes on
 * their way: a late report of an old attempt and the new one's). A reconcile must not call such
 * a task lost.
 */
export class HeldIds {
  readonly #counts = new Map<string, number>();

  add(list: readonly { id: string }[]): void {
    for (const { id } of list) this.addOne(id);
  }

  addOne(id: string): void {
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
  }

  remove(list: readonly { id: string }[]): void {
    for (const { id } of list) {
      const n = (this.#counts.get(id) ?? 0) - 1;
      if (n > 0) this.#counts.set(id, n);
      else this.#counts.delete(id);
    }
  }

  has(id: string): boolean {
    return this.#counts.has(id);
  }
}
