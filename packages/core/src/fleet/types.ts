/** What a worker announces in each heartbeat (docs/design.md §5: heartbeats carry the worker's stats). */
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
  /** Who set `poolSize` last: the size given at start, an operator (CLI, console, HTTP) or the autoscaler. */
  sizeChangedBy?: 'start' | 'operator' | 'autoscaler';
  /** Why, in plain words: "operator: size 4 → 6", "idle: 8 → 6 (utilisation 0.05, nothing waiting)". */
  sizeReason?: string;
  /** When (ms since the epoch). */
  sizeChangedAt?: number;
}

/**
 * Commands an operator sends to a worker at run time. With `replyTo`, the
 * worker publishes a ControlReply on the `controlReply(replyTo)` channel.
 */
export type ControlCommand = (
  | { command: 'scale'; size?: number; min?: number; max?: number }
  | { command: 'pause' }
  | { command: 'resume' }
  | { command: 'drain' }
  | { command: 'steal'; on: boolean }
  | { command: 'abort'; queue: string; id: string }
) & { replyTo?: string };

/** One pool setting a `scale` command moved, and why when it was not the one asked for. */
export interface ScaleChange {
  field: 'size' | 'min' | 'max';
  from: number;
  to: number;
  /** Why a field that was not asked for moved: "raised to the new min". */
  note?: string;
}

/** What a `scale` command did: the pool before and after, and each setting that moved. */
export interface ScaleOutcome {
  before: { size: number; min: number; max: number };
  after: { size: number; min: number; max: number };
  changes: ScaleChange[];
}

/** A worker's answer to a command that asked for one (`replyTo`). */
export interface ControlReply {
  worker: string;
  command: ControlCommand['command'];
  /** For `scale`: what it did. */
  scale?: ScaleOutcome;
}

/** "min 1 → 30; size 4 → 30 (raised to the new min)", or "nothing changed (size 4, min 1, max 10)". */
export function describeScale(outcome: Pick<ScaleOutcome, 'changes' | 'after'>): string {
  const { changes, after } = outcome;
  if (changes.length === 0) return `nothing changed (size ${after.size}, min ${after.min}, max ${after.max})`;
  return changes.map((c) => `${c.field} ${c.from} → ${c.to}${c.note ? ` (${c.note})` : ''}`).join('; ');
}
