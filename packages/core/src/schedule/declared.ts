import type { ScheduleInput, ScheduleTemplate } from './types.js';

/**
 * A schedule as the config file declares it (`schedules:`): flat, the task's
 * fields beside the schedule's own, as on the command line.
 */
export type ScheduleDeclaration = Record<string, unknown>;

const OWN = new Set(['id', 'cron', 'tz', 'everyMs', 'missed', 'overlap', 'jitterMs']);

/** The declaration as a ScheduleInput: the schedule's own keys, and every other key in the template. */
export function declarationToInput(d: ScheduleDeclaration): ScheduleInput {
  const template: Record<string, unknown> = {};
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (OWN.has(k)) input[k] = v;
    else template[k] = v;
  }
  return { ...(input as Omit<ScheduleInput, 'template'>), template: template as unknown as ScheduleTemplate };
}
