import type { Client } from '../client/client.js';
import type { TaskState } from '../task/types.js';
import { missedPolicyText, type ScheduleInfo, type ScheduleTemplate } from './types.js';

/**
 * One schedule as `dtps schedule list --json` prints it (a contract): `cron`
 * or `everyMs`, whichever it has; times in ms since the epoch.
 */
export type ScheduleSummary = {
  id: string;
  tz: string | null;
  next: number | null;
  last: number | null;
  paused: boolean;
  fired: number;
} & ({ cron: string } | { everyMs: number });

/** The summary of a schedule. */
export function scheduleSummary(s: ScheduleInfo): ScheduleSummary {
  const timing = s.def.cron !== null ? { cron: s.def.cron } : { everyMs: s.def.everyMs as number };
  return { id: s.id, ...timing, tz: s.def.tz, next: s.next, last: s.last, paused: s.paused, fired: s.fired };
}

/** One schedule in full, as `show` and the HTTP API give it: the summary, the template, the policies and the last run. */
export type ScheduleDetail = ScheduleSummary & {
  template: ScheduleTemplate;
  missed: string;
  overlap: string;
  jitterMs: number;
  origin: string;
  /** How the last handled due time ended: fired, skipped-overlap, missed, refused. */
  lastOutcome: string | null;
  /** The last run's task, and its state now (null once retention deleted it). */
  lastTask: { id: string; queue: string; state: TaskState | null } | null;
  createdAt: number;
  updatedAt: number;
};

/** The detail of a schedule, reading its last run's task. */
export async function scheduleDetail(s: ScheduleInfo, client: Client): Promise<ScheduleDetail> {
  let lastTask: ScheduleDetail['lastTask'] = null;
  if (s.lastTask && s.lastQueue) {
    const task = await client.find(s.lastTask, { queue: s.lastQueue });
    lastTask = { id: s.lastTask, queue: s.lastQueue, state: task?.state ?? null };
  }
  return {
    ...scheduleSummary(s),
    template: s.def.template,
    missed: missedPolicyText(s.def.missed),
    overlap: s.def.overlap,
    jitterMs: s.def.jitterMs,
    origin: s.def.origin,
    lastOutcome: s.lastOutcome,
    lastTask,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
