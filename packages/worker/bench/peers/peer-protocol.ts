/** The messages between `pnpm bench --peers` and its worker children (peer-child.ts). */
import type { Variant } from './settings.js';

/** How a child is set up (passed in the environment as JSON). */
export interface PeerChildConfig {
  variant: Variant;
  redisUrl: string;
  host: string;
  port: number;
  /** Tasks run at once in this process (dtps: pool size; BullMQ, bee-queue: concurrency). */
  concurrency: number;
  /** Keep each task's submit → acknowledged latency (the latency case). */
  trackLatency: boolean;
}

export const CHILD_ENV = 'DTPS_BENCH_PEER';

export type ChildRequest = { op: 'go' } | { op: 'stop' } | { op: 'close' };

export type ChildReply =
  | { op: 'ready' | 'closed' }
  /** Outcomes acknowledged since the start (sent every 5 ms while it changes). */
  | { op: 'progress'; processed: number }
  | {
      op: 'stopped';
      processed: number;
      /** CPU since `go`, µs. */
      cpuUs: number;
      rssBytes: number;
      maxRssBytes: number;
      /** Ack latencies, ms (only with trackLatency). */
      acks: number[];
    }
  | { op: 'error'; message: string };
