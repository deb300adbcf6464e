/**
 * Reducer cases for what the feed reads: merging per-second points, keeping
 * the depth history, keeping the selection on the same task or worker across
 * refreshes.
 */
import type { QueueSummary, SeriesPoint, Task, WorkerView } from '@dtps/core';
import { taskPageSize } from './layout.js';
import { bannerShown, tasksKeyOf } from './selectors.js';
import type { DashboardState, DepthSample, SeriesSource } from './types.js';

/** Seconds of history the charts keep. */
export const HISTORY_SECONDS = 180;

/** Points merged by time (newer reads win), oldest first, at most HISTORY_SECONDS. */
export function mergeSeries(
  old: readonly SeriesPoint[],
  points: readonly SeriesPoint[],
  oldSource: SeriesSource,
  source: SeriesSource,
): SeriesPoint[] {
  const byT = new Map<number, SeriesPoint>();
  if (oldSource === source) for (const p of old) byT.set(p.t, p);
  for (const p of points) byT.set(p.t, p);
  const all = [...byT.values()].sort((a, b) => a.t - b.t);
  const newest = all.at(-1)?.t ?? 0;
  return all.filter((p) => p.t > newest - HISTORY_SECONDS * 1000);
}

/** The depth history with this read's counts as the sample of its second. */
export function appendDepth(old: readonly DepthSample[], summary: QueueSummary, at: number): DepthSample[] {
  const t = Math.floor(at / 1000) * 1000;
  const kept = old.filter((s) => s.t < t && s.t > t - HISTORY_SECONDS * 1000);
  return [...kept, { t, counts: { ...summary.counts } }];
}

function sameWorkers(a: readonly WorkerView[], b: readonly WorkerView[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

export function onWorkers(state: DashboardState, workers: WorkerView[]): DashboardState {
  if (sameWorkers(state.workers, workers)) return state;
  const keep = workers.some((w) => w.id === state.selectedWorker);
  return { ...state, workers, selectedWorker: keep ? state.selectedWorker : (workers[0]?.id ?? null) };
}

export function onSummary(state: DashboardState, summary: QueueSummary, at: number): DashboardState {
  if (summary.name !== state.queue) return state;
  return { ...state, summary, depth: appendDepth(state.depth, summary, at) };
}

/** Keeps the scroll so that the selected row is on screen. */
export function scrollFor(state: DashboardState, index: number): number {
  const page = taskPageSize(state.size.rows, bannerShown(state));
  if (index < 0) return 0;
  if (index < state.taskScroll) return index;
  if (index >= state.taskScroll + page) return index - page + 1;
  return state.taskScroll;
}

/**
 * A new read of the task list. The selection is a task, not a row: it stays
 * on the same task wherever the task moves in the list (rows arrive above it,
 * it changes state), and when the task has left the rows read (another
 * state under a filter, or past the rows read) it stays on that task, shown
 * as such, rather than landing on whatever task now has its row: Enter then
 * still opens the task the operator chose. Only a list read under another
 * filter, or a first read, selects the first row.
 */
export function onTasks(state: DashboardState, key: string, tasks: Task[]): DashboardState {
  if (key !== tasksKeyOf(state.queue, state.filter)) return state;
  const sameList = state.tasksKey === key;
  const selected = sameList && state.selectedTask !== null ? state.selectedTask : (tasks[0]?.id ?? null);
  const next = { ...state, tasks, tasksKey: key, selectedTask: selected };
  const index = tasks.findIndex((t) => t.id === selected);
  if (index < 0) return { ...next, taskScroll: Math.min(state.taskScroll, Math.max(0, tasks.length - 1)) };
  return { ...next, taskScroll: scrollFor(next, index) };
}

/** Moves the selected row of the Workers or Tasks view by `delta` rows (clamped). */
export function onMove(state: DashboardState, delta: number): DashboardState {
  if (state.view === 'workers') {
    if (state.workers.length === 0) return state;
    const i = Math.max(
      0,
      state.workers.findIndex((w) => w.id === state.selectedWorker),
    );
    const j = Math.min(state.workers.length - 1, Math.max(0, i + delta));
    return { ...state, selectedWorker: state.workers[j]!.id };
  }
  if (state.view === 'tasks' && !state.detail) {
    const list = state.tasksKey === tasksKeyOf(state.queue, state.filter) ? state.tasks : [];
    if (list.length === 0) return state;
    const i = Math.max(
      0,
      list.findIndex((t) => t.id === state.selectedTask),
    );
    const j = Math.min(list.length - 1, Math.max(0, i + delta));
    return { ...state, selectedTask: list[j]!.id, taskScroll: scrollFor(state, j) };
  }
  return state;
}
