/**
 * Buckets of the end-to-end latency histogram (submit → finish), in ms. Each
 * second's counters hold `lat_le_<bound>` fields; the last bucket is `lat_le_inf`.
 */
export const LATENCY_BOUNDS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
] as const;

/** Counter name of the bucket a latency falls in. */
export function latencyBucket(ms: number): string {
  for (const b of LATENCY_BOUNDS_MS) if (ms <= b) return `lat_le_${b}`;
  return 'lat_le_inf';
}
