/**
 * `@dtps/core/bench`: the benchmark machinery, for the runners of other
 * packages (the worker's processing groups): the driver, measuring a case
 * between INFO snapshots, tables and results files, and core's own groups.
 * Not part of the library: nothing under src/ imports it.
 */
export { type BenchGroup, caseGroup, type GroupSettings, intArg, loadAverage, runBench } from './driver.js';
export {
  type BenchCase,
  type BenchEnv,
  type CaseResult,
  type CommandFigure,
  machineBusyUs,
  measure,
  type RunReport,
  round,
} from './measure.js';
export {
  diff,
  HOUSEKEEPING,
  parseInfo,
  type RedisSnapshot,
  SCRIPT_COMMANDS,
  snapshot,
} from './redis-stats.js';
export {
  checkTargets,
  fmt,
  formatChecks,
  formatResults,
  type Target,
  table,
  writeResults,
} from './report.js';
export { slidingWindow, submitGroup } from './submit-bench.js';
