/** Periodic tasks (docs/schedules.md): what a schedule is, as stored and as shown. */

/** What happens to due times that passed while no coordinator led (older than the grace). */
export type MissedPolicy = { kind: 'skip' } | { kind: 'once' } | { kind: 'catch-up'; max: number };

/** Whether a run starts while the task of the previous run has not ended. */
export type OverlapPolicy = 'allow' | 'skip';

/** The task each run submits. */
export interface ScheduleTemplate {
  type: string;
  /** Any JSON value. */
  payload?: unknown;
  /** The queue; the default queue when absent. */
  queue?: string;
  priority?: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** The task's deadline, as ms after its due time. */
  deadlineOffsetMs?: number;
  /** The task's group (fair groups and group limits: docs/flow-control.md). */
  group?: string;
}

/** A schedule as given (CLI, config file, HTTP API): one of `cron` or `everyMs`. */
export interface ScheduleInput {
  id: string;
  /** 5 fields (minute first) or 6 (second first), or a nickname such as `@hourly`. */
  cron?: string;
  /** IANA time zone of `cron`; UTC when absent. */
  tz?: string;
  /** A fixed interval, ms (≥ 1000). */
  everyMs?: number;
  template: ScheduleTemplate;
  /** `skip`, `once` (default) or `catch-up:N`. */
  missed?: string;
  /** `allow` (default) or `skip`. */
  overlap?: OverlapPolicy;
  /** Each run's task starts up to this many ms after its due time (stable per due time). */
  jitterMs?: number;
}

/** A validated schedule definition: what is stored as JSON. */
export interface ScheduleDef {
  id: string;
  cron: string | null;
  tz: string | null;
  everyMs: number | null;
  template: ScheduleTemplate;
  missed: MissedPolicy;
  overlap: OverlapPolicy;
  jitterMs: number;
  /** Where it was declared: `config` ones are reported when the file drops them. */
  origin: 'cli' | 'config' | 'api';
}

/** How a due time ended. */
export type FireOutcome = 'fired' | 'skipped-overlap' | 'missed' | 'refused';

/** A schedule with its state, as the CLI, console and HTTP API show it. */
export interface ScheduleInfo {
  id: string;
  def: ScheduleDef;
  /** The next due time (ms), null while paused. */
  next: number | null;
  /** The last due time that was handled (fired or skipped), ms; null before the first. */
  last: number | null;
  paused: boolean;
  /** Runs submitted so far. */
  fired: number;
  /** The task of the last run and its queue. */
  lastTask: string | null;
  lastQueue: string | null;
  /** How the last handled due time ended. */
  lastOutcome: FireOutcome | null;
  createdAt: number;
  updatedAt: number;
}

/** The text form of a missed-run policy: `skip`, `once`, `catch-up:N`. */
export function missedPolicyText(p: MissedPolicy): string {
  return p.kind === 'catch-up' ? `catch-up:${p.max}` : p.kind;
}
