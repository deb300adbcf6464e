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

/** `mark`: the warm-up is over; CPU and outcomes count from here (see processCase). */
export type ChildRequest = { op: 'go' } | { op: 'mark' } | { op: 'stop' } | { op: 'close' };

export type ChildReply =
  | { op: 'ready' | 'closed' }
  /** Outcomes acknowledged since the start (sent every 5 ms while it changes). */
  | { op: 'progress'; processed: number }
  | {
      op: 'stopped';
      processed: number;
      /** Outcomes acknowledged when `mark` arrived (0 without a mark). */
      processedAtMark: number;
      /** CPU since `mark` (or `go`, without one), µs. */
      cpuUs: number;
      rssBytes: number;
      maxRssBytes: number;
      /** Ack latencies, ms (only with trackLatency). */
      acks: number[];
    }
  | { op: 'error'; message: string };
