import { QUEUE_NAME_PATTERN, TASK_ID_PATTERN } from '@dtps/core';
import type { HeavyGate } from './heavy.js';
import type { MonitorDeps } from './types.js';

/** The resolved settings every route module receives. */
export interface MonitorContext {
  deps: MonitorDeps;
  /** Workers' heartbeat interval, ms. */
  heartbeatMs: number;
  /** Silence after which a worker counts as dead, ms. */
  deadAfterMs: number;
  maxSseClients: number;
  sseKeepAliveMs: number;
  /** Admits the heavy requests (task lists and details), a few at a time. */
  heavy: HeavyGate;
}

/** The common root of the JSON API. */
export const API = '/api/v1';

/** JSON schema fragments shared by the routes (patterns from core, so that the HTTP and engine rules agree). */
export const schemas = {
  queue: { type: 'string', pattern: QUEUE_NAME_PATTERN.source },
  taskId: { type: 'string', pattern: TASK_ID_PATTERN.source },
  /** The worker id rule of WorkerOps. */
  workerId: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,128}$' },
} as const;

/** A worker's heartbeat freshness. */
export type WorkerStatus = 'fresh' | 'late' | 'dead';

/** fresh within 2 heartbeats, late up to the dead-after time, dead beyond. */
export function workerStatus(
  ageMs: number,
  m: Pick<MonitorContext, 'heartbeatMs' | 'deadAfterMs'>,
): WorkerStatus {
  if (ageMs <= 2 * m.heartbeatMs) return 'fresh';
  return ageMs <= m.deadAfterMs ? 'late' : 'dead';
}
