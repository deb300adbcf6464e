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
  /**
   * The workers' heartbeat interval, ms (default 1000, the worker default): a
   * worker is `fresh` within 2× of it and `late` after that.
   */
  heartbeatMs?: number;
  /** Silence after which a worker counts as `dead`, ms (default 5 × heartbeatMs, the coordinator default). */
  heartbeatTimeoutMs?: number;
  /** Most Server-Sent Events clients served at once (default 100); more get 503. */
  maxSseClients?: number;
  /** Interval of the SSE keep-alive comment, ms (default 15,000). */
  sseKeepAliveMs?: number;
  /** Task lists and details served at once (default LIMITS.heavyConcurrency); more get 429. */
  maxHeavyRequests?: number;
}

/** A running monitor. */
export interface MonitorServer {
  /** The address it listens on, e.g. http://127.0.0.1:7420 (the real port when `port` was 0). */
  readonly url: string;
  close(): Promise<void>;
}
