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
  /** The answer to `mark`: outcomes acknowledged when it arrived. */
  | { op: 'marked'; processed: number }
  /**
   * Outcomes acknowledged since the start, and the samples behind it: the count read every
   * SAMPLE_MS while it changes, with the time read (nowMs, the same clock in every process), sent in batches of
   * SAMPLES_PER_REPORT (an IPC message a sample cost each process ~30 ms of CPU a second).
   */
  | { op: 'progress'; processed: number; samples: ProgressSample[] }
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

/** One progress sample: [nowMs() when read, outcomes acknowledged then]. */
export type ProgressSample = [at: number, processed: number];

/** How often a child reads its count, ms: the precision of a case's start and end. */
export const SAMPLE_MS = 5;
/** Samples a child sends in one message. */
export const SAMPLES_PER_REPORT = 5;
