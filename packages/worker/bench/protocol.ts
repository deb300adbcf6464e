/**
 * The messages between the bench (parent) and a worker child process. The
 * child runs one embedded Worker; the parent tells it when to start, pause
 * and resume, so that pre-loading the queue and process start-up stay out of
 * the timed part.
 */

import type { ScriptMode } from '@dtps/core';

/** How the child's Worker is set up (passed in the environment as JSON). */
export interface ChildConfig {
  redisUrl: string;
  id: string;
  /** Fixed pool: size = min = max (no autoscaling during a measurement). */
  slots: number;
  /** Prefetch window; null: the pool size (the default). */
  prefetch: number | null;
  steal: boolean;
  /** Longest idle block, ms (null: the default). */
  idleBlockMs: number | null;
  /** How the worker runs scripts (`--scripts`; default functions, as dtps's default). */
  scripts?: ScriptMode;
  /** OTLP/HTTP base URL: the worker exports traces and/or metrics there (`--telemetry`). */
  otlpEndpoint?: string;
  traces?: boolean;
  metrics?: boolean;
  /** telemetry.traceRateLimit (absent: DTPS_TELEMETRY_TRACE_RATE_LIMIT, else the config's default). */
  traceRateLimit?: number;
}

/** `--scripts eval|functions` of the process and latency groups. */
export function scriptsArg(value: string | boolean | undefined): ScriptMode {
  if (value === undefined || value === 'functions') return 'functions';
  if (value === 'eval') return 'eval';
  throw new Error(`--scripts: "${String(value)}" is not eval or functions`);
}

/** The environment variable that carries the ChildConfig. */
export const CONFIG_ENV = 'DTPS_BENCH_WORKER';

/** What the parent asks. */
export type Request =
  | { op: 'start' }
  | { op: 'pause' }
  /** Resume, and answer once `tasks` more outcomes have reached Redis. */
  | { op: 'resume'; tasks: number }
  /** CPU used so far (for rates over a wall-clock window). */
  | { op: 'usage' }
  | { op: 'close' };

/** CPU and event loop figures of the child over an interval. */
export interface Usage {
  cpuUs: number;
  eventLoopUtilization: number;
  /** Outcomes reported to Redis so far. */
  processed: number;
}

/** What the child answers: one reply per request, in order. */
export type Reply =
  | { op: 'ready' | 'started' | 'paused' | 'closed' }
  | { op: 'resumed'; ms: number; usage: Usage }
  | { op: 'usage'; usage: Usage }
  | { op: 'error'; message: string };

/** Bench task types: `noop` returns at once; `sleep` waits `payload.ms` (a timer, no progress reports). */
export const BENCH_TYPES = ['noop', 'sleep'] as const;
