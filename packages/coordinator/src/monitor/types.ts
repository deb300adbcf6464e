import type { Client, EngineContext, Inspector, Logger } from '@dtps/core';

/** What the coordinator tells the monitor about itself (for /readyz and the overview). */
export interface CoordinatorStatus {
  id: string;
  leading: boolean;
  epoch: number;
  startedAt: number;
}

/** Everything the HTTP monitor needs; it owns nothing of it. */
export interface MonitorDeps {
  ctx: EngineContext;
  client: Client;
  inspector: Inspector;
  status(): CoordinatorStatus;
  log: Logger;
  host: string;
  port: number;
  /** Bearer token for changing endpoints; without one, only loopback hosts are allowed. */
  token?: string;
}

/** A running monitor. */
export interface MonitorServer {
  /** The address it listens on, e.g. http://127.0.0.1:7420. */
  readonly url: string;
  close(): Promise<void>;
}
