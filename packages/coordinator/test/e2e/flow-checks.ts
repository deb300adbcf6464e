/**
 * What the flow-control acceptance tests (issue 19) compute from a run's
 * records: the most starts in any window of a rate, the running count
 * replayed from the event stream, start order, and the task hashes' start
 * times. Pure functions over what Redis recorded, plus two readers.
 */
import type { RedisClient, TransitionEvent } from '@dtps/core';

/** The most of `times` in any half-open window `[x, x + windowMs)`, and where that window starts. */
export function maxInWindow(times: readonly number[], windowMs: number): { max: number; from: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { max: 0, from: Number.NaN };
  let end = 0;
  // The fullest window can be taken to start at one of the times.
  for (let i = 0; i < sorted.length; i++) {
    while (end < sorted.length && sorted[end]! < sorted[i]! + windowMs) end++;
    if (end - i > best.max) best = { max: end - i, from: sorted[i]! };
  }
  return best;
}

/** What replaying the event stream found about the running count. */
export interface RunningReplay {
  /** The most tasks in state running at once, after any entry of the stream. */
  max: number;
  /** The stream entry after which that count was first reached. */
  atStreamId: string | null;
  /** Tasks that entered running while already running (never expected: a double start). */
  doubleStarts: string[];
}

/** States an entry can note without moving a task out of running. */
const NOT_LEAVING = new Set(['running', 'held', 'progress']);

/**
 * Replays the event stream in order: a `running` entry adds its tasks, any entry that moves a
 * task elsewhere (succeeded, failed, scheduled for a retry, queued again after recovery,
 * cancelled, …) takes it out. `only`, when given, limits the count to those tasks (one
 * group's, for a group cap).
 */
export function replayRunning(events: readonly TransitionEvent[], only?: ReadonlySet<string>): RunningReplay {
  const running = new Set<string>();
  const out: RunningReplay = { max: 0, atStreamId: null, doubleStarts: [] };
  for (const e of events) {
    for (const id of e.ids) {
      if (only && !only.has(id)) continue;
      if (e.state === 'running') {
        if (running.has(id)) out.doubleStarts.push(id);
        running.add(id);
      } else if (!NOT_LEAVING.has(e.state)) {
        running.delete(id);
      }
    }
    if (running.size > out.max) {
      out.max = running.size;
      out.atStreamId = e.streamId;
    }
  }
  return out;
}

/** Every start in stream order: one row per task id of each `running` entry. */
export function startsInOrder(
  events: readonly TransitionEvent[],
): { id: string; at: number; worker: string | null }[] {
  return events
    .filter((e) => e.state === 'running')
    .flatMap((e) => e.ids.map((id) => ({ id, at: e.at, worker: e.worker })));
}

/** How many entries of `events` move each task to `state`. */
export function transitionsTo(events: readonly TransitionEvent[], state: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.state !== state) continue;
    for (const id of e.ids) out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/**
 * The start time (`st`, the claim's clock, the one the rate limit counts with) and the finish
 * time (`ft`) of each task's last attempt, read from the task hashes in pipelined batches.
 */
export async function startAndFinishTimes(
  redis: RedisClient,
  taskKey: (id: string) => string,
  ids: readonly string[],
): Promise<{ st: number[]; ft: number[] }> {
  const st: number[] = [];
  const ft: number[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const rows = await Promise.all(batch.map((id) => redis.hmget(taskKey(id), 'st', 'ft')));
    for (const [s, f] of rows) {
      st.push(Number(s));
      ft.push(Number(f));
    }
  }
  return { st, ft };
}

/** How many starts each worker made. */
export function startsByWorker(starts: readonly { worker: string | null }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of starts) out[s.worker ?? '?'] = (out[s.worker ?? '?'] ?? 0) + 1;
  return out;
}

/** Whether stream entry id `a` (`<ms>-<seq>`) comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
}

/**
 * The most handler attempts physically running at once, from the recording handlers' start and
 * finish entries (an attempt with no finish, on a killed worker, is left out).
 */
export function maxHandlersAtOnce(
  records: readonly { event: string; id: string; attempt: number; worker: string; at: number }[],
): number {
  const startOf = new Map<string, number>();
  const edges: [number, number][] = [];
  for (const r of records) {
    const key = `${r.id}:${r.attempt}:${r.worker}`;
    if (r.event === 'start') startOf.set(key, r.at);
    else if (startOf.has(key)) edges.push([startOf.get(key)!, 1], [r.at, -1]);
  }
  // Ends before starts at the same ms: an attempt that ended as another began did not overlap it.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}
