/**
 * What this process counted, kept in plain numbers (no OpenTelemetry here).
 *
 * The hot path only increments a field of a per-queue object, or adds a
 * value to a bucket array: a few nanoseconds, whether metrics are exported or
 * not. The OpenTelemetry instruments (metrics.ts) read these totals when a
 * reader collects — an OTLP push every interval, a Prometheus scrape — rather
 * than being called per task: one `Counter.add` or `Histogram.record` with a
 * `queue` attribute costs about a microsecond in the SDK (hashing the
 * attributes), which at 100,000 tasks/s would be a tenth of a core.
 */

/** The counters every process keeps per queue (OpenTelemetry `dtps.tasks.<name>`). */
export const TASK_COUNTERS = [
  'submitted',
  'started',
  'succeeded',
  'failed',
  'retried',
  'expired',
  'cancelled',
  'stolen',
  'fenced',
] as const;
export type TaskCounter = (typeof TASK_COUNTERS)[number];

/** Upper bounds (seconds) of the queue-wait and run-time histograms' buckets. */
export const DURATION_BOUNDS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** A cumulative histogram over DURATION_BOUNDS_S (counts per bucket, the last one +Inf). */
export class DurationHistogram {
  readonly counts = new Array<number>(DURATION_BOUNDS_S.length + 1).fill(0);
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Adds one duration, seconds. */
  record(seconds: number): void {
    let i = 0;
    while (i < DURATION_BOUNDS_S.length && seconds > DURATION_BOUNDS_S[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
    if (seconds < this.min) this.min = seconds;
    if (seconds > this.max) this.max = seconds;
  }
}

/** One queue's totals in this process. */
export type QueueTally = Record<TaskCounter, number> & {
  /** Submit to start of a first attempt. */
  readonly queueWait: DurationHistogram;
  /** Start to end of an attempt on this worker. */
  readonly runTime: DurationHistogram;
};

function newTally(): QueueTally {
  const t = Object.fromEntries(TASK_COUNTERS.map((c) => [c, 0])) as Record<TaskCounter, number>;
  return Object.assign(t, { queueWait: new DurationHistogram(), runTime: new DurationHistogram() });
}

/** A gauge's readings: one value per set of attributes. */
export type GaugeReading = { value: number; attributes: Record<string, string> };
/** Something that reports gauges when collected (a worker's pool, the coordinator's view of Redis). */
export type GaugeSource = () =>
  | Partial<Record<GaugeName, GaugeReading[]>>
  | Promise<Partial<Record<GaugeName, GaugeReading[]>>>;
/** The gauges dtps reports. */
export type GaugeName =
  | 'queueTasks'
  | 'poolSize'
  | 'busySlots'
  | 'limitHeldBack'
  | 'limitRunning'
  | 'limitTokensLeft';

/** The process's tallies: per queue counters and histograms, and the gauge sources. */
export class Tallies {
  readonly #queues = new Map<string, QueueTally>();
  readonly #gauges = new Set<GaugeSource>();

  /** The tally of `queue`: keep it, and increment its fields (that is all the hot path does). */
  queue(queue: string): QueueTally {
    let t = this.#queues.get(queue);
    if (!t) {
      t = newTally();
      this.#queues.set(queue, t);
    }
    return t;
  }

  /** Every queue seen, with its tally. */
  entries(): IterableIterator<[string, QueueTally]> {
    return this.#queues.entries();
  }

  /** Adds a gauge source; returns its removal. */
  addGauges(source: GaugeSource): () => void {
    this.#gauges.add(source);
    return () => this.#gauges.delete(source);
  }

  /** Reads every gauge source (a failing one is skipped: a scrape must not fail for it). */
  async readGauges(): Promise<Record<GaugeName, GaugeReading[]>> {
    const out: Record<GaugeName, GaugeReading[]> = {
      queueTasks: [],
      poolSize: [],
      busySlots: [],
      limitHeldBack: [],
      limitRunning: [],
      limitTokensLeft: [],
    };
    const read = await Promise.allSettled([...this.#gauges].map(async (g) => g()));
    for (const r of read) {
      if (r.status !== 'fulfilled') continue;
      for (const [name, list] of Object.entries(r.value) as [GaugeName, GaugeReading[]][])
        out[name].push(...list);
    }
    return out;
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.#queues.clear();
    this.#gauges.clear();
  }
}

/** This process's tallies: every Client, Worker and coordinator in it adds to the same one. */
export const tallies = new Tallies();
