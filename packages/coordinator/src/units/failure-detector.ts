import { classifyRedisError, type EngineContext, type Logger, recoverWorker, removeWorker } from '@dtps/core';

/**
 * Declares workers dead when they have been silent for `heartbeatTimeoutMs`:
 * their window goes back to the queue, their running tasks count a failed
 * attempt (`worker_lost`) and retry under their policy, and a fleet event
 * says so. Its cost grows with the number of dead workers, not of tasks.
 *
 * A heartbeat is a write: while Redis refuses writes (OOM, MISCONF…) every
 * worker falls silent without being dead. So silence counts only once Redis
 * has taken writes again for a whole heartbeat timeout: no worker is declared
 * dead within `heartbeatTimeoutMs` of the last refusal this detector (or the
 * lease, through `lastRedisTroubleAt`) met. The workers' heartbeats keep their
 * schedule, so they are back well within that time.
 *
 * The same holds when Redis was gone (killed, restarting, loading its AOF):
 * the workers could not beat, and this detector could not look. Its read then
 * fails, or waits for the reconnect; either way, silence counts again only a
 * heartbeat timeout after it could see Redis again (found by the chaos suite:
 * every live worker was declared dead the moment a restarted Redis answered).
 */
export class FailureDetector {
  /** When this detector last met a Redis that refused, or could not be reached in time. */
  #troubleAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: EngineContext,
    private readonly heartbeatTimeoutMs: number,
    private readonly log: Logger,
    /** When another unit last saw Redis in trouble (the lease's renewals; see LeaderLease). */
    private readonly lastRedisTroubleAt: () => number = () => Number.NEGATIVE_INFINITY,
  ) {}

  /** One sweep; returns the ids of the workers it declared dead. */
  async tick(): Promise<string[]> {
    const { ctx } = this;
    const cutoff = ctx.clock.now() - this.heartbeatTimeoutMs;
    const askedAt = performance.now();
    try {
      const dead = await ctx.redis.zrangebyscore(ctx.fleet.workers, '-inf', cutoff);
      // A read that waited this long waited for Redis to come back: the silence may be Redis's.
      if (performance.now() - askedAt > this.heartbeatTimeoutMs / 2) this.#troubleAt = ctx.clock.now();
      if (dead.length === 0) return dead;
      const troubleAt = Math.max(this.#troubleAt, this.lastRedisTroubleAt());
      if (ctx.clock.now() - troubleAt < this.heartbeatTimeoutMs) return [];
      for (const id of dead) await this.#declareDead(id);
      return dead;
    } catch (err) {
      const kind = classifyRedisError(err);
      if (kind === 'refused' || kind === 'unreachable') this.#troubleAt = ctx.clock.now();
      throw err;
    }
  }

  /** Recovers a silent worker's tasks, takes it off the registry, and says so. */
  async #declareDead(id: string): Promise<void> {
    const { ctx } = this;
    const { requeued, recovered } = await recoverWorker(ctx, id);
    await removeWorker(ctx, id);
    await ctx.redis.xadd(
      ctx.fleet.events,
      'MAXLEN',
      '~',
      '1000',
      '*',
      'kind',
      'worker:dead',
      'id',
      id,
      'requeued',
      String(requeued),
      'recovered',
      String(recovered),
    );
    this.log.warn(
      { worker: id, requeued, recovered, silentMs: this.heartbeatTimeoutMs },
      'worker declared dead; its tasks were recovered',
    );
  }
}
