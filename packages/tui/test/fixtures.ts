/**
 * Test data: workers, tasks and states as the feed would read them.
 */
import {
  type QueueSummary,
  type SeriesPoint,
  type Task,
  type TaskDetail,
  type TaskState,
  type WorkerView,
  zeroCounts,
} from '@dtps/core';
import type { Action } from '../src/state/actions.js';
import { type InitialOptions, initialState, reducer } from '../src/state/reducer.js';
import type { DashboardState } from '../src/state/types.js';

/** A fixed time: 2030-01-02T03:04:05Z. */
export const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);

export const FRESHNESS = { lateAfterMs: 2500, deadAfterMs: 5000 };

export function options(over: Partial<InitialOptions> = {}): InitialOptions {
  return {
    now: NOW,
    columns: 100,
    rows: 30,
    queue: 'default',
    redisLabel: 'redis://127.0.0.1:6379',
    freshness: FRESHNESS,
    ...over,
  };
}

export function worker(id: string, over: Partial<WorkerView> = {}): WorkerView {
  return {
    id,
    host: 'host-a',
    pid: 4242,
    version: '0.1.0',
    queues: ['default'],
    handlers: ['echo', 'noop', 'sleep'],
    poolSize: 5,
    min: 1,
    max: 10,
    busy: 2,
    window: 3,
    processed: 120,
    failed: 1,
    steals: 4,
    steal: false,
    paused: false,
    draining: false,
    isolation: 'inline',
    memoryRss: 80 * 1_048_576,
    eventLoopLagMs: 1.5,
    startedAt: NOW - 60_000,
    lastHeartbeatAt: NOW - 500,
    heartbeatAgeMs: 500,
    ...over,
  };
}

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id,
    queue: 'default',
    type: 'echo',
    payload: { hello: 'world' },
    state: 'queued',
    priority: 5,
    attempts: 0,
    maxRetries: 3,
    backoff: { type: 'exponential', baseMs: 1000, maxMs: 60_000, jitter: true },
    timeoutMs: null,
    deadline: null,
    dependsOn: [],
    runAt: null,
    idempotencyKey: null,
    group: null,
    trace: null,
    result: null,
    error: null,
    errors: [],
    reason: null,
    worker: null,
    progress: null,
    createdAt: NOW - 30_000,
    startedAt: null,
    finishedAt: null,
    logs: [],
    ...over,
  };
}

export function detail(t: Task, over: Partial<TaskDetail> = {}): TaskDetail {
  return { task: t, parents: [], dependents: [], ...over };
}

export function counts(over: Partial<Record<TaskState, number>> = {}): Record<TaskState, number> {
  return { ...zeroCounts(), ...over };
}

export function summary(over: Partial<Record<TaskState, number>> = {}, queue = 'default'): QueueSummary {
  return { name: queue, counts: counts(over), totals: { submitted: 100, succeeded: 90 } };
}

export function point(t: number, over: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    t,
    submitted: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    retried: 0,
    expired: 0,
    cancelled: 0,
    fenced: 0,
    steals: 0,
    p50Ms: null,
    p99Ms: null,
    ...over,
  };
}

/** The state after these actions, from the initial state. */
export function stateAfter(actions: Action[], over: Partial<InitialOptions> = {}): DashboardState {
  return actions.reduce(reducer, initialState(options(over)));
}

/** A connected console with two workers and three tasks listed. */
export function busyState(over: Partial<InitialOptions> = {}): DashboardState {
  return stateAfter(
    [
      { type: 'connectionUp', at: NOW },
      { type: 'workersLoaded', workers: [worker('w-1'), worker('w-2', { steal: true, handlers: ['cpu'] })] },
      {
        type: 'summaryLoaded',
        summary: summary({ queued: 3, running: 2, succeeded: 90, failed: 1 }),
        at: NOW,
      },
      {
        type: 'tasksLoaded',
        key: 'default|*|*',
        tasks: [
          task('t-run', { state: 'running', attempts: 1, worker: 'w-1', progress: 40 }),
          task('t-queued'),
          task('t-failed', {
            state: 'failed',
            attempts: 4,
            error: { message: 'boom', reason: 'handler_error' },
          }),
        ],
      },
    ],
    over,
  );
}

/** Text without ANSI colours. */
export function plain(s: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
  return (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}
