/**
 * The configurations compared by `pnpm bench --peers`: dtps with its
 * defaults, and BullMQ and bee-queue each with their defaults and with their
 * documented fast settings. No queue library is imported here, so that a
 * worker child loads only its own system's code (its RSS and start-up are its own).
 */

/** The configurations compared, in the order each repetition runs them (interleaved). */
export const VARIANTS = ['dtps', 'bullmq', 'bullmq-fast', 'bee', 'bee-fast'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The queue name of the peers (dtps uses its default queue, `default`). */
export const QUEUE = 'bench';

/** What each peer's "fast" variant sets, as its documentation recommends for throughput. */
export const FAST_SETTINGS: Record<Variant, string> = {
  dtps: 'defaults (10,000 succeeded tasks retained, events on)',
  bullmq: 'defaults (completed jobs kept, events stream on)',
  'bullmq-fast': 'removeOnComplete: true, removeOnFail: true',
  bee: 'defaults (storeJobs, sendEvents, getEvents on; succeeded jobs kept)',
  'bee-fast':
    'storeJobs: false, removeOnSuccess: true, sendEvents: false, getEvents: false, activateDelayedJobs: false',
};

/** The bee-queue settings of a variant (producer and worker alike). */
export function beeSettings(v: Variant, redis: { host: string; port: number }, isWorker: boolean) {
  const fast = v === 'bee-fast';
  return {
    redis,
    isWorker,
    ...(fast
      ? {
          storeJobs: false,
          removeOnSuccess: true,
          removeOnFailure: true,
          sendEvents: false,
          getEvents: false,
          activateDelayedJobs: false,
        }
      : {}),
  };
}

/** BullMQ job options of a variant. */
export function bullJobOptions(v: Variant): { removeOnComplete?: boolean; removeOnFail?: boolean } {
  return v === 'bullmq-fast' ? { removeOnComplete: true, removeOnFail: true } : {};
}

/** The task payload: `t0` is when it was submitted (ms since the epoch, sub-ms), `w` marks warm-up tasks. */
export interface Payload {
  i: number;
  t0?: number;
  w?: 1;
}

/** Wall-clock ms with sub-ms precision, comparable across processes of this machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
