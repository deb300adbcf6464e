import type { TaskSpec } from '@dtps/core';

/** Tasks a bulk submit writes per `submitMany` call. */
export const BATCH_SIZE = 5000;

/**
 * Splits specs into batches of about `size` for `submitMany`, keeping
 * together every group of specs linked by `ref` (a ref only resolves inside
 * the call that holds it; a group larger than `size` is a batch of its own).
 * Returns spec indices, ascending within each batch.
 */
export function planBatches(specs: readonly TaskSpec[], size: number = BATCH_SIZE): number[][] {
  const parent = specs.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    // Path compression keeps long ref chains cheap.
    let j = i;
    while (parent[j] !== r) [parent[j], j] = [r, parent[j]!];
    return r;
  };
  const refIndex = new Map<string, number>();
  specs.forEach((s, i) => {
    if (typeof s.ref === 'string' && !refIndex.has(s.ref)) refIndex.set(s.ref, i);
  });
  specs.forEach((s, i) => {
    for (const dep of Array.isArray(s.dependsOn) ? s.dependsOn : []) {
      const j = refIndex.get(dep);
      if (j !== undefined) parent[root(i)] = root(j);
    }
  });
  // Groups in the order of their first spec, so that batches follow the file.
  const groups = new Map<number, number[]>();
  specs.forEach((_, i) => {
    const r = root(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const batches: number[][] = [];
  let current: number[] = [];
  for (const group of groups.values()) {
    if (current.length > 0 && current.length + group.length > size) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) batches.push(current);
  return batches.map((b) => b.sort((x, y) => x - y));
}

/**
 * The ids in `dependsOn` that are not refs of the batch, i.e. existing tasks,
 * each with the queue it must be in and the first line naming it.
 */
export function externalDependencies(
  specs: readonly TaskSpec[],
  defaultQueue: string,
): { id: string; queue: string; index: number }[] {
  const refs = new Set(specs.map((s) => s.ref).filter((r): r is string => typeof r === 'string'));
  const seen = new Set<string>();
  const out: { id: string; queue: string; index: number }[] = [];
  specs.forEach((s, index) => {
    const queue = s.queue ?? defaultQueue;
    for (const id of Array.isArray(s.dependsOn) ? s.dependsOn : []) {
      const key = `${queue}\u0000${id}`;
      if (refs.has(id) || seen.has(key)) continue;
      seen.add(key);
      out.push({ id, queue, index });
    }
  });
  return out;
}
