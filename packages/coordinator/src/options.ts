import type {
  Clock,
  ConfiguredLimit,
  EngineOptions,
  Logger,
  RedisClient,
  ScheduleDeclaration,
} from '@dtps/core';

/** Options of an embedded Coordinator. */
export interface CoordinatorOptions {
  redis: RedisClient;
  engine?: Omit<EngineOptions, 'redis'>;
  /** Coordinator id; default `<host>-<pid>-<random>`. */
  id?: string;
  /** Leader lease time, ms (default 5000): a standby takes over within it when the leader dies. */
  leaseMs?: number;
  /** A worker silent this long is declared dead, ms (default 5000). */
  heartbeatTimeoutMs?: number;
  /** Cadence of failure detection, promotion and deadline sweeps, ms (default 500). */
  sweepIntervalMs?: number;
  /** Cadence of retention and stream trimming, ms (default 10,000). */
  janitorIntervalMs?: number;
  /** A schedule's due time older than this when the leader gets to it counts as missed, ms (default 10,000). */
  scheduleGraceMs?: number;
  /** How often the leader looks for due schedules, ms (default 200). */
  scheduleTickMs?: number;
  /** Schedules of the config file: created or updated on start (docs/schedules.md). */
  schedules?: readonly ScheduleDeclaration[];
  /** Start the HTTP monitor. */
  monitor?: { host?: string; port?: number; token?: string };
  logger?: Logger;
  clock?: Clock;
  /**
   * Flow-control limits to set at start (the config file's `limits`): each exactly as given.
   * Limits not listed are left as they are (changed at run time with `dtps queue limit`).
   */
  limits?: readonly ConfiguredLimit[];
}
