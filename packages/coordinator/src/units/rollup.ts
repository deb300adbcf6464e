import {
  type EngineContext,
  execTransaction,
  Inspector,
  type Logger,
  latencyBuckets,
  percentile,
  pointFromCounters,
  type QueueSummary,
  type Recommendation,
  type SeriesPoint,
  type WorkerView,
} from '@dtps/core';
import { recommendFleet } from './recommend.js';

const KEEP_1S = 600; // 10 minutes
const KEEP_1M = 1440; // 24 hours
const WORKER_SERIES_TTL_S = 86_400;

/**
 * Rolls the engine's per-second counters up into series that the console and
 * the web page read: per queue and per worker, one point a second for the
 * last 10 minutes and one a minute for 24 hours. Also computes the fleet-level
 * recommendation of how many worker processes the backlog needs.
 */
export class Rollup {
  readonly #inspector: Inspector;
  readonly #last = new Map<string, number>();
  #lastMinute = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly heartbeatTimeoutMs: number,
    private readonly log: Logger,
  ) {
    this.#inspector = new Inspector(ctx);
  }

  async tick(): Promise<void> {
    const upto = Math.floor(this.ctx.clock.now() / 1000) - 1; // the last whole second
    const minute = Math.floor((upto + 1) / 60);
    const minuteDone = this.#lastMinute !== 0 && minute > this.#lastMinute ? minute - 1 : null;
    this.#lastMinute = minute;
    // One summary per queue per tick, shared by the series and the recommendation.
    const summaries = new Map<string, QueueSummary>();
    for (const q of await this.ctx.queueNames()) {
      const summary = await this.#inspector.queue(q);
      summaries.set(q, summary);
      await this.#rollQueue(q, summary, upto, minuteDone);
    }
    const workers = await this.#inspector.workers({ aliveWithinMs: this.heartbeatTimeoutMs });
    await this.#rollWorkers(workers, upto, minuteDone);
    await this.#recommend(summaries, workers, upto);
  }

  async #rollQueue(
    queue: string,
    summary: QueueSummary,
    upto: number,
    minuteDone: number | null,
  ): Promise<SeriesPoint[]> {
    const k = this.ctx.keys(queue);
    const r = this.ctx.redis;
    let last = this.#last.get(queue);
    if (last === undefined) {
      const head = await r.lindex(k.series('1s'), 0);
      last = head ? Math.floor((JSON.parse(head) as SeriesPoint).t / 1000) : upto - 1;
    }
    if (last >= upto) return [];
    const from = Math.max(last + 1, upto - 9); // after a pause, no more than 10 s of catch-up
    const seconds = Array.from({ length: upto - from + 1 }, (_, i) => from + i);
    const hashes = await Promise.all(seconds.map((s) => r.hgetall(k.perSecond(s))));
    const points = hashes.map((h, i) => pointFromCounters(seconds[i]! * 1000, h));
    points[points.length - 1]!.depth = summary.counts;
    const tx = r.multi();
    for (const p of points) tx.lpush(k.series('1s'), JSON.stringify(p));
    tx.ltrim(k.series('1s'), 0, KEEP_1S - 1);
    if (minuteDone !== null) {
      const minute = await this.#minutePoint(queue, minuteDone);
      minute.depth = summary.counts;
      tx.lpush(k.series('1m'), JSON.stringify(minute)).ltrim(k.series('1m'), 0, KEEP_1M - 1);
    }
    await execTransaction(tx.exec());
    this.#last.set(queue, upto);
    return points;
  }

  /** A minute's point from its 60 per-second hashes (latency percentiles over the whole minute). */
  async #minutePoint(queue: string, minute: number): Promise<SeriesPoint> {
    const k = this.ctx.keys(queue);
    const seconds = Array.from({ length: 60 }, (_, i) => minute * 60 + i);
    const hashes = await Promise.all(seconds.map((s) => this.ctx.redis.hgetall(k.perSecond(s))));
    const sum: Record<string, number> = {};
    for (const h of hashes) for (const [f, v] of Object.entries(h)) sum[f] = (sum[f] ?? 0) + Number(v);
    const point = pointFromCounters(
      minute * 60_000,
      Object.fromEntries(Object.entries(sum).map(([f, v]) => [f, String(v)])),
    );
    const buckets = latencyBuckets(Object.fromEntries(Object.entries(sum).map(([f, v]) => [f, String(v)])));
    point.p50Ms = percentile(buckets, 0.5);
    point.p99Ms = percentile(buckets, 0.99);
    return point;
  }

  async #rollWorkers(workers: WorkerView[], upto: number, minuteDone: number | null): Promise<void> {
    if (workers.length === 0) return;
    const tx = this.ctx.redis.multi();
    for (const w of workers) {
      const point = {
        t: upto * 1000,
        poolSize: w.poolSize,
        busy: w.busy,
        window: w.window,
        processed: w.processed,
        failed: w.failed,
        steals: w.steals,
      };
      const key1s = this.ctx.fleet.workerSeries(w.id, '1s');
      tx.lpush(key1s, JSON.stringify(point))
        .ltrim(key1s, 0, KEEP_1S - 1)
        .expire(key1s, WORKER_SERIES_TTL_S);
      if (minuteDone !== null) {
        const key1m = this.ctx.fleet.workerSeries(w.id, '1m');
        tx.lpush(key1m, JSON.stringify({ ...point, t: minuteDone * 60_000 }))
          .ltrim(key1m, 0, KEEP_1M - 1)
          .expire(key1m, WORKER_SERIES_TTL_S);
      }
    }
    await execTransaction(tx.exec());
  }

  /** The fleet advice (see recommendFleet), from the last 10 s of every queue. */
  async #recommend(summaries: Map<string, QueueSummary>, workers: WorkerView[], upto: number): Promise<void> {
    const seconds: { submitted: number; done: number }[] = [];
    let backlog = 0;
    for (const [q, summary] of summaries) {
      backlog += summary.counts.queued + summary.counts.reserved;
      (await this.#inspector.recentSeconds(q, 10)).forEach((p, i) => {
        seconds[i] ??= { submitted: 0, done: 0 };
        seconds[i].submitted += p.submitted;
        seconds[i].done += p.succeeded + p.failed + p.retried + p.expired;
      });
    }
    const rec: Recommendation = { at: upto * 1000, ...recommendFleet({ seconds, backlog, workers }) };
    await this.ctx.redis.set(this.ctx.fleet.recommendation, JSON.stringify(rec), 'PX', 60_000);
    this.log.debug({ recommendation: rec }, 'fleet recommendation');
  }
}
