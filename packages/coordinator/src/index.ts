/**
 * @dtps/coordinator — the Coordinator runtime (and, in bin.ts, the
 * `dtps-coordinator` daemon around it).
 */
export { Coordinator } from './coordinator.js';
export { createMonitorServer } from './monitor/server.js';
export type { CoordinatorStatus, MonitorDeps, MonitorServer } from './monitor/types.js';
export type { CoordinatorOptions } from './options.js';
export { FailureDetector } from './units/failure-detector.js';
export { LeaderLease } from './units/leader-lease.js';
export { Rollup } from './units/rollup.js';
export { DeadlineSweeper, Janitor, Promoter } from './units/sweepers.js';
