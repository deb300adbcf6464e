/**
 * Recovery times of a chaos run. For a worker killed or stopped: from the
 * signal until every task it held (running or reserved) was running on
 * another worker or had ended (what an operator waits for); and until the
 * leader declared it dead. For the leader: until another coordinator held the
 * lease. For Redis: until it answered again, and until a completion was
 * accepted again.
 */
import type { Task } from '@dtps/core';
import type { Fault } from './faults.js';
import type { RunRecord } from './handlers.js';

export interface Stats {
  n: number;
  max: number;
  p99: number;
  median: number;
}

export interface Recovery {
  /** Worker kill or stop → its tasks running again (elsewhere, or on the continued worker) or ended, ms. */
  worker: Stats | undefined;
  /** Worker kill or stop → declared dead, ms. */
  declared: Stats | undefined;
  leader: Stats | undefined;
  redisBack: Stats | undefined;
  redisFlowing: Stats | undefined;
  /** Faults whose recovery was never seen (each is a violation). */
  unrecovered: string[];
}

/** Measures every fault against the run's records. */
export function measure(
  faults: readonly Fault[],
  tasks: ReadonlyMap<string, Task>,
  runs: readonly RunRecord[],
  declaredDead: ReadonlyMap<string, readonly number[]>,
): Recovery {
  const starts = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (r.e !== 's') continue;
    const list = starts.get(r.id);
    if (list) list.push(r);
    else starts.set(r.id, [r]);
  }
  const worker: number[] = [];
  const declared: number[] = [];
  const leader: number[] = [];
  const redisBack: number[] = [];
  const redisFlowing: number[] = [];
  const unrecovered: string[] = [];
  for (const f of faults) {
    const name = `${f.kind} of ${f.target} at ${new Date(f.at).toISOString()}`;
    if (f.kind === 'worker-kill' || f.kind === 'worker-stop') {
      const dead = declaredDead.get(f.target)?.find((at) => at >= f.at);
      if (dead === undefined) unrecovered.push(`${name}: never declared dead`);
      else declared.push(dead - f.at);
      let last = f.held.length === 0 ? dead : f.at;
      for (const id of f.held) {
        const task = tasks.get(id);
        const again = (starts.get(id) ?? []).find((r) => r.at >= f.at && isNewRun(r, f, task))?.at;
        // A report in flight at the signal may land after the snapshot of what the worker held.
        const finished = task?.finishedAt == null ? undefined : Math.max(task.finishedAt, f.at);
        const at = Math.min(again ?? Infinity, finished ?? Infinity);
        if (at === Infinity) {
          unrecovered.push(`${name}: task ${id} neither ran again nor ended`);
          last = undefined;
          break;
        }
        last = Math.max(last!, at);
      }
      if (last !== undefined) worker.push(last - f.at);
    } else if (f.kind === 'leader-kill') {
      if (f.recoveredAt === undefined) unrecovered.push(`${name}: no other coordinator took the lease`);
      else leader.push(f.recoveredAt - f.at);
    } else {
      if (f.backAt !== undefined) redisBack.push(f.backAt - f.at);
      // No completion after the restart only means no work was left to complete.
      if (f.recoveredAt !== undefined) redisFlowing.push(f.recoveredAt - f.at);
    }
  }
  return {
    worker: stats(worker),
    declared: stats(declared),
    leader: stats(leader),
    redisBack: stats(redisBack),
    redisFlowing: stats(redisFlowing),
    unrecovered,
  };
}

/**
 * A run that recovers a task the faulted worker held: on another worker; or,
 * for a stopped worker, on that same worker once continued, with an attempt
 * it claimed anew (not one Redis had taken back from it as `worker_lost`,
 * which a continued worker may still start).
 */
function isNewRun(r: RunRecord, f: Fault, task: Task | undefined): boolean {
  if (r.worker !== f.target) return true;
  if (f.continuedAt === undefined || r.at < f.continuedAt) return false;
  return !(task?.errors ?? []).some((e) => e.reason === 'worker_lost' && e.attempt === r.attempt);
}

/** n, max, p99 (nearest rank) and median of `xs`; undefined when empty. */
export function stats(xs: readonly number[]): Stats | undefined {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, max: sorted.at(-1)!, p99: rank(0.99), median: rank(0.5) };
}
