/**
 * A small seeded PRNG (mulberry32): the chaos run draws its workload and its
 * schedule of faults from it, so that a printed seed replays both.
 */

/** Random numbers from a 32-bit seed; the same seed gives the same sequence. */
export class Rng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of `items`, each with its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const sum = items.reduce((n, [, w]) => n + w, 0);
    let x = this.next() * sum;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items.at(-1)![0];
  }

  /** `items` in a random order (a copy). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** The seed from DTPS_CHAOS_SEED (decimal), or the fixed default. */
export function seedFromEnv(fallback: number): number {
  const raw = process.env.DTPS_CHAOS_SEED;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new Error(`DTPS_CHAOS_SEED must be an integer 0..4294967295, got ${JSON.stringify(raw)}`);
  }
  return n;
}
