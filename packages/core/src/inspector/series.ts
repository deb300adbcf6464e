import { LATENCY_BOUNDS_MS } from '../engine/latency.js';
import type { TaskState } from '../task/types.js';

/** One point of a queue's time series (a second, or a minute). */
export interface SeriesPoint {
  /** Start of the interval, epoch ms. */
  t: number;
  submitted: number;
  started: number;
  succeeded: number;
  failed: number;
  retried: number;
  expired: number;
  cancelled: number;
  fenced: number;
  steals: number;
  /** Task counts by state at the end of the interval (absent when only counters were read). */
  depth?: Partial<Record<TaskState, number>>;
  /** End-to-end latency percentiles of the tasks that succeeded, ms (upper bucket bounds); null without data. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Counter fields of a point that add up over time. */
export const SERIES_COUNTERS = [
  'submitted',
  'started',
  'succeeded',
  'failed',
  'retried',
  'expired',
  'cancelled',
  'fenced',
  'steals',
] as const;

/** Latency bucket counts from a counters hash (`lat_le_<bound>`). */
export function latencyBuckets(fields: Record<string, string>): number[] {
  const out = LATENCY_BOUNDS_MS.map((b) => Number(fields[`lat_le_${b}`] ?? 0));
  out.push(Number(fields.lat_le_inf ?? 0));
  return out;
}

/** The bucket bound (ms) under which a fraction `q` of the samples fall; null without samples. */
export function percentile(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= rank) return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : Number.POSITIVE_INFINITY;
  }
  return null;
}

/** A point from one interval's counters hash. */
export function pointFromCounters(t: number, fields: Record<string, string>): SeriesPoint {
  const buckets = latencyBuckets(fields);
  const point: SeriesPoint = {
    t,
    submitted: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    retried: 0,
    expired: 0,
    cancelled: 0,
    fenced: 0,
    steals: 0,
    p50Ms: percentile(buckets, 0.5),
    p99Ms: percentile(buckets, 0.99),
  };
  for (const c of SERIES_COUNTERS) point[c] = Number(fields[c] ?? 0);
  return point;
}
