/**
 * Every way the console's state can change. The feed dispatches the data
 * actions, the keymap the operator's, the effects layer the answers.
 */
import type {
  QueueSummary,
  ScheduleDetail,
  SeriesPoint,
  SubmitResult,
  Task,
  TaskDetail,
  WorkerView,
} from '@dtps/core';
import type { BulkKey, Effect, SeriesSource, ViewName } from './types.js';

/** Answers of the effects layer, by effect kind. */
export type EffectOutcome =
  | { kind: 'submitted'; result: SubmitResult }
  | { kind: 'cancelled'; taskId: string; previousState: string }
  | { kind: 'retried'; taskId: string; state: string }
  | { kind: 'controlled'; workerId: string; what: string }
  | { kind: 'bulkDone'; action: BulkKey; matched: number; done: number };

export type Action =
  // Several actions as one update (one render): what one feed tick read.
  | { type: 'batch'; actions: Action[] }
  // Time, terminal, connection (the feed and the terminal hook).
  | { type: 'tick'; now: number }
  | { type: 'resized'; columns: number; rows: number }
  | { type: 'connectionLost'; error: string; at: number }
  | { type: 'connectionUp'; at: number }
  // Redis lost its data (the origin marker says when; docs/durability.md).
  | { type: 'dataLossSeen'; at: number; losses: number }
  // Data (the feed).
  | { type: 'queuesLoaded'; queues: string[] }
  | { type: 'summaryLoaded'; summary: QueueSummary; at: number }
  | { type: 'leaderLoaded'; leader: string | null }
  | { type: 'workersLoaded'; workers: WorkerView[] }
  | { type: 'seriesLoaded'; points: SeriesPoint[]; source: SeriesSource }
  | { type: 'tasksLoaded'; key: string; tasks: Task[] }
  | { type: 'detailLoaded'; id: string; detail: TaskDetail }
  | { type: 'detailFailed'; id: string; error: string }
  | { type: 'followLoaded'; task: Task }
  | { type: 'schedulesLoaded'; schedules: ScheduleDetail[] }
  // Navigation (the keymap).
  | { type: 'switchView'; view: ViewName }
  | { type: 'cycleView'; delta: 1 | -1 }
  | { type: 'moveSelection'; delta: number }
  | { type: 'openDetail' }
  | { type: 'closeOverlay' }
  | { type: 'openHelp' }
  | { type: 'quit' }
  // The submit form.
  | { type: 'openSubmit' }
  | { type: 'formFocus'; delta: 1 | -1 }
  | { type: 'formInput'; text: string }
  | { type: 'formBackspace' }
  | { type: 'formClear' }
  | { type: 'formCycle'; delta: 1 | -1 }
  | { type: 'formSubmit' }
  // The task filter.
  | { type: 'openFilter' }
  | { type: 'filterFocus'; delta: 1 | -1 }
  | { type: 'filterCycle'; delta: 1 | -1 }
  | { type: 'filterReset' }
  | { type: 'filterApply' }
  // Operator commands.
  | { type: 'requestCancel' }
  | { type: 'requestRetry' }
  | { type: 'requestPauseResume' }
  | { type: 'scaleBy'; delta: 1 | -1 }
  | { type: 'boundBy'; bound: 'min' | 'max'; delta: 1 | -1 }
  | { type: 'toggleSteal' }
  // Every task the filter shows (asks first).
  | { type: 'requestBulk'; action: BulkKey }
  | { type: 'confirmYes' }
  | { type: 'confirmNo' }
  // The effects layer.
  | { type: 'effectsTaken'; ids: number[] }
  | { type: 'bulkProgress'; matched: number; done: number; scanned: number }
  | { type: 'effectDone'; effect: Effect; outcome: EffectOutcome; at: number }
  | { type: 'effectFailed'; effect: Effect; message: string; at: number };

/** The `type` of every action, for tests that must cover each. */
export type ActionType = Action['type'];
