/**
 * The console's state: everything a frame is drawn from. Only the reducer
 * makes a new one; views read it through selectors.
 */
import type {
  ControlCommand,
  QueueSummary,
  ScheduleDetail,
  SeriesPoint,
  Task,
  TaskDetail,
  TaskSpec,
  TaskState,
  WorkerView,
} from '@dtps/core';

/** The main views, in Tab order. */
export const VIEWS = ['overview', 'workers', 'tasks', 'schedules'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The Redis connection as the console last saw it. */
export interface Connection {
  status: 'connecting' | 'up' | 'lost';
  /** When it entered that status (epoch ms). */
  since: number;
  /** The last connection error, shown in the banner. */
  error: string | null;
  /** Failed reads or reconnect attempts since it was lost. */
  attempts: number;
}

/** Task counts by state at one second, for the depth chart without a coordinator. */
export interface DepthSample {
  t: number;
  counts: Partial<Record<TaskState, number>>;
}

/** Where the per-second points came from. */
export type SeriesSource = 'coordinator' | 'counters';

/** What the Tasks view lists. */
export interface TaskFilter {
  state: TaskState | null;
  priority: number | null;
}

/** The fields of the submit form, in focus order. */
export const SUBMIT_FIELDS = [
  'type',
  'payload',
  'priority',
  'deadline',
  'retries',
  'timeout',
  'dependsOn',
] as const;
export type SubmitField = (typeof SUBMIT_FIELDS)[number];

/** The submit form: raw text of each field, checked as it is typed. */
export interface SubmitForm {
  focus: SubmitField;
  values: Record<SubmitField, string>;
  /** The server's answer to the last attempt (unknown dependency, …). */
  error: string | null;
  /** Sent, waiting for the answer. */
  submitting: boolean;
  /** The id of the task it made: the form then shows that task as it runs. */
  submittedId: string | null;
}

/** The fields of the filter form, in focus order. */
export const FILTER_FIELDS = ['state', 'queue', 'priority'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** Something the operator must answer with y or n before it happens. */
export interface Confirm {
  prompt: string;
  effect: EffectRequest;
}

/** What is drawn over (or instead of) the current view. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'submit'; form: SubmitForm }
  | { kind: 'filter'; focus: FilterField; draft: TaskFilter & { queue: string } }
  | { kind: 'confirm'; confirm: Confirm };

/** A side effect the reducer asks for; the effects layer carries it out. */
export type EffectRequest =
  | { kind: 'submit'; spec: TaskSpec }
  | { kind: 'cancel'; taskId: string; queue: string }
  | { kind: 'retry'; taskId: string; queue: string }
  | { kind: 'bulk'; action: BulkKey; queue: string; state: TaskState; priority: number | null }
  | { kind: 'control'; workerId: string; command: ControlCommand };

/** The bulk actions of the Tasks view: every task the filter shows. */
export type BulkKey = 'retry' | 'cancel' | 'delete';

/** A bulk action under way: its totals so far (the effects layer reports after every chunk). */
export interface BulkProgress {
  action: BulkKey;
  state: TaskState;
  matched: number;
  done: number;
  scanned: number;
}

/** An effect in the outbox, numbered so that its answer finds it. */
export type Effect = EffectRequest & { id: number };

/** A one-line message under the view; it fades after a few seconds. */
export interface Notice {
  text: string;
  level: 'info' | 'error';
  at: number;
}

/** A task the operator submitted and watches until it ends. */
export interface Follow {
  id: string;
  queue: string;
  task: Task | null;
}

/** Thresholds of the heartbeat colours, from the config. */
export interface Freshness {
  /** Up to this age a heartbeat is fresh (two beats). */
  lateAfterMs: number;
  /** From this age a worker counts as dead (the coordinator's timeout). */
  deadAfterMs: number;
}

export interface DashboardState {
  /** The time of the last tick (epoch ms); time in the reducer comes only from actions. */
  now: number;
  size: { columns: number; rows: number };
  view: ViewName;
  overlay: Overlay | null;
  connection: Connection;
  /** When Redis last lost its data and how many times it has (null: never, as far as the marker says). */
  dataLoss: { at: number; losses: number } | null;
  /** The Redis URL, redacted, for the header and the banner. */
  redisLabel: string;
  freshness: Freshness;
  /** The queue on screen. */
  queue: string;
  queues: string[];
  summary: QueueSummary | null;
  /** The coordinator holding the leader lease, if any. */
  leader: string | null;
  workers: WorkerView[];
  selectedWorker: string | null;
  /** Per-second points, oldest first, at most HISTORY_SECONDS. */
  series: SeriesPoint[];
  seriesSource: SeriesSource;
  depth: DepthSample[];
  tasks: Task[];
  /** The queue and filter the task list was read with (a stale list is not shown under a new filter). */
  tasksKey: string;
  filter: TaskFilter;
  selectedTask: string | null;
  /** First row of the task list on screen. */
  taskScroll: number;
  /** The task whose detail is open (Tasks view), with what was read of it. */
  detail: { id: string; queue: string; data: TaskDetail | null; error: string | null } | null;
  follow: Follow | null;
  /** The schedules with their last runs (read while the Schedules view is open). */
  schedules: ScheduleDetail[];
  outbox: Effect[];
  /** The bulk action running, with its progress. */
  bulk: BulkProgress | null;
  nextEffectId: number;
  notice: Notice | null;
  quit: boolean;
}
