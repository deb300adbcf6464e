/** The status line of `dtps up --no-tui`: tasks by state over every queue, and the workers. */
import { type Client, TASK_STATES, type TaskState } from '@dtps/core';

/** A worker counts as live when heard from within this time. */
const LIVE_WITHIN_MS = 10_000;

export interface Snapshot {
  at: number;
  /** Tasks in each state, summed over every queue. */
  counts: Record<TaskState, number>;
  workers: number;
  /** Slots of the live workers, and how many of them run a task. */
  slots: number;
  busy: number;
}

export async function snapshot(client: Client): Promise<Snapshot> {
  const names = [...new Set([client.ctx.defaultQueue, ...(await client.queues())])];
  const [perQueue, workers] = await Promise.all([
    Promise.all(names.map((q) => client.counts(q))),
    client.workers({ aliveWithinMs: LIVE_WITHIN_MS }),
  ]);
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  for (const c of perQueue) for (const s of TASK_STATES) counts[s] += c[s] ?? 0;
  return {
    at: Date.now(),
    counts,
    workers: workers.length,
    slots: workers.reduce((sum, w) => sum + w.poolSize, 0),
    busy: workers.reduce((sum, w) => sum + w.busy, 0),
  };
}

/** States always shown; the others only when not zero. */
const ALWAYS: readonly TaskState[] = ['queued', 'running', 'succeeded', 'failed'];

/** `14:03:07  queued 3 · running 2 · succeeded 120 · failed 4 · scheduled 1  |  1 worker, 2/5 slots busy` */
export function statusLine(s: Snapshot): string {
  const time = new Date(s.at).toTimeString().slice(0, 8);
  const states = TASK_STATES.filter((st) => ALWAYS.includes(st) || s.counts[st] > 0)
    .map((st) => `${st} ${s.counts[st]}`)
    .join(' · ');
  const workers = `${s.workers} worker${s.workers === 1 ? '' : 's'}, ${s.busy}/${s.slots} slots busy`;
  return `${time}  ${states}  |  ${workers}`;
}
