/**
 * Derived views of the state: what the views draw and what the feed reads.
 * Pure functions of the state; nothing here is stored.
 */
import { isTerminal, type Task, type TaskState, type WorkerView, zeroCounts } from '@dtps/core';
import { taskPageSize, workerPageSize } from './layout.js';
import type { DashboardState, Freshness, TaskFilter } from './types.js';

/** A heartbeat's age as the Workers view colours it. */
export type Heartbeat = 'fresh' | 'late' | 'dead';

export function heartbeatOf(ageMs: number, f: Freshness): Heartbeat {
  if (ageMs <= f.lateAfterMs) return 'fresh';
  return ageMs < f.deadAfterMs ? 'late' : 'dead';
}

/** Whether the Redis-lost banner is up (it takes a line). */
export function bannerShown(state: DashboardState): boolean {
  return state.connection.status !== 'up' || dataLossShown(state);
}

/** How long the console shows that Redis lost its data. */
export const DATA_LOSS_BANNER_MS = 24 * 3_600_000;

/** True while the data-loss banner shows: Redis answers, and lost its data within the last day. */
export function dataLossShown(state: DashboardState): boolean {
  return (
    state.connection.status === 'up' &&
    state.dataLoss !== null &&
    state.now - state.dataLoss.at < DATA_LOSS_BANNER_MS
  );
}

/** Task types the live workers announce, sorted: the submit form's choices. */
export function handlerTypes(state: DashboardState): string[] {
  const types = new Set<string>();
  for (const w of state.workers) {
    if (heartbeatOf(w.heartbeatAgeMs, state.freshness) === 'dead') continue;
    for (const h of w.handlers) types.add(h);
  }
  return [...types].sort();
}

/** Live workers (heartbeat not dead). */
export function liveWorkerCount(state: DashboardState): number {
  return state.workers.filter((w) => heartbeatOf(w.heartbeatAgeMs, state.freshness) !== 'dead').length;
}

export function selectedWorker(state: DashboardState): WorkerView | null {
  return state.workers.find((w) => w.id === state.selectedWorker) ?? null;
}

/** The task list's identity: a list read under another queue or filter is not shown. */
export function tasksKeyOf(queue: string, filter: TaskFilter): string {
  return `${queue}|${filter.state ?? '*'}|${filter.priority ?? '*'}`;
}

/** The tasks the view may show (none while the list is from another filter). */
export function listedTasks(state: DashboardState): Task[] {
  return state.tasksKey === tasksKeyOf(state.queue, state.filter) ? state.tasks : [];
}

export function selectedTaskIndex(state: DashboardState): number {
  return listedTasks(state).findIndex((t) => t.id === state.selectedTask);
}

/**
 * The rows of the task list on screen, the index of the selected one among
 * them, and the selected task's id when it is not in the rows read at all
 * (it changed state or moved past them; the selection stays on it).
 */
export function visibleTasks(state: DashboardState): {
  rows: Task[];
  selected: number;
  total: number;
  gone: string | null;
} {
  const all = listedTasks(state);
  const page = taskPageSize(state.size.rows, bannerShown(state));
  const rows = all.slice(state.taskScroll, state.taskScroll + page);
  const index = selectedTaskIndex(state);
  const gone = index < 0 && all.length > 0 ? state.selectedTask : null;
  return { rows, selected: index < 0 ? -1 : index - state.taskScroll, total: all.length, gone };
}

/** The worker rows on screen (scrolled so that the selected one shows). */
export function visibleWorkers(state: DashboardState): { rows: WorkerView[]; selected: number } {
  const page = workerPageSize(state.size.rows, bannerShown(state));
  const index = Math.max(
    0,
    state.workers.findIndex((w) => w.id === state.selectedWorker),
  );
  const start = Math.max(0, Math.min(index - page + 1, state.workers.length - page));
  const first = Math.max(0, Math.min(start, index));
  return { rows: state.workers.slice(first, first + page), selected: index - first };
}

/** The task that c and r act on: the open detail, else the selected row; with the submit overlay, the followed task. */
export function targetTask(
  state: DashboardState,
): { id: string; queue: string; state: TaskState | null } | null {
  if (state.overlay?.kind === 'submit' && state.follow) {
    const f = state.follow;
    return { id: f.id, queue: f.queue, state: f.task?.state ?? null };
  }
  if (state.view !== 'tasks') return null;
  if (state.detail) {
    const d = state.detail;
    return { id: d.id, queue: d.queue, state: d.data?.task.state ?? null };
  }
  const t = listedTasks(state).find((x) => x.id === state.selectedTask);
  return t ? { id: t.id, queue: t.queue, state: t.state } : null;
}

/** Whether the followed task still needs reading. */
export function followActive(state: DashboardState): boolean {
  return state.follow !== null && (state.follow.task === null || !isTerminal(state.follow.task.state));
}

/** Task counts of the queue on screen, all zero before the first read. */
export function countsOf(state: DashboardState): Record<TaskState, number> {
  const zero = zeroCounts();
  return state.summary ? { ...zero, ...state.summary.counts } : zero;
}

/** How many tasks the feed should read for the Tasks view: the rows above, on and just below the screen. */
export function taskReadLimit(state: DashboardState): number {
  const page = taskPageSize(state.size.rows, bannerShown(state));
  return Math.min(1000, Math.max(100, state.taskScroll + 2 * page + 50));
}

/**
 * What the feed must read on its next tick. It changes when the operator
 * opens something that needs data, so the feed can read at once.
 */
export interface Demand {
  queue: string;
  view: string;
  filter: TaskFilter;
  taskLimit: number;
  detail: { id: string; queue: string } | null;
  follow: { id: string; queue: string } | null;
}

export function demandOf(state: DashboardState): Demand {
  return {
    queue: state.queue,
    view: state.view,
    filter: state.filter,
    taskLimit: taskReadLimit(state),
    detail:
      state.view === 'tasks' && state.detail ? { id: state.detail.id, queue: state.detail.queue } : null,
    follow: followActive(state) && state.follow ? { id: state.follow.id, queue: state.follow.queue } : null,
  };
}

/** A string that changes when the demand does. */
export function demandKey(d: Demand): string {
  return JSON.stringify([d.queue, d.view, d.filter, d.taskLimit, d.detail?.id, d.follow?.id]);
}
