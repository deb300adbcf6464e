export type { ScheduleEvent } from '../scripts/calls/schedule.js';
export { compileCron, cronNextAfter } from './cron.js';
export { declarationToInput, type ScheduleDeclaration } from './declared.js';
export { runSpec, ScheduleNotFoundError, type ScheduleRow, ScheduleStore } from './store.js';
export { type FirePlan, jitterOf, nextDueAfter, planFires, runKey } from './timing.js';
export * from './types.js';
export {
  checkSchedule,
  MAX_CATCH_UP,
  MIN_EVERY_MS,
  parseMissedPolicy,
  SCHEDULE_ID_PATTERN,
} from './validate.js';
export { type ScheduleDetail, type ScheduleSummary, scheduleDetail, scheduleSummary } from './view.js';
