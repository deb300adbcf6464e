/** What a worker announces in each heartbeat (DESIGN §5: heartbeats carry the worker's stats). */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  version: string;
  queues: string[];
  /** Task types it has handlers for: what the console offers in its submit form. */
  handlers: string[];
  poolSize: number;
  min: number;
  max: number;
  /** Slots running a task now. */
  busy: number;
  /** Tasks reserved in its prefetch window. */
  window: number;
  processed: number;
  failed: number;
  steals: number;
  steal: boolean;
  paused: boolean;
  draining: boolean;
  isolation: 'inline' | 'thread';
  memoryRss: number;
  eventLoopLagMs: number;
  startedAt: number;
  lastHeartbeatAt: number;
}

/** Commands an operator sends to a worker at run time. */
export type ControlCommand =
  | { command: 'scale'; size?: number; min?: number; max?: number }
  | { command: 'pause' }
  | { command: 'resume' }
  | { command: 'drain' }
  | { command: 'steal'; on: boolean }
  | { command: 'abort'; queue: string; id: string };
