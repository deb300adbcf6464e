import { type EngineContext, type Logger, recoverWorker, redisRefusalOf, removeWorker } from '@dtps/core';

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
 * lease, through `lastRefusalAt`) met. The workers' heartbeats keep their
 * schedule, so they are back well within that time.
 */
export class FailureDetector {
  #refusedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: EngineContext,
    private readonly heartbeatTimeoutMs: number,
    private readonly log: Logger,
    /** When another unit last saw Redis refuse a write (the lease's renewals). */
    private readonly lastRefusalAt: () => number = () => Number.NEGATIVE_INFINITY,
  ) {}

  /** One sweep; returns the ids of the workers it declared dead. */
  async tick(): Promise<string[]> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const cutoff = now - this.heartbeatTimeoutMs;
    const dead = await ctx.redis.zrangebyscore(ctx.fleet.workers, '-inf', cutoff);
    if (dead.length === 0) return dead;
    const refusedAt = Math.max(this.#refusedAt, this.lastRefusalAt());
    if (now - refusedAt < this.heartbeatTimeoutMs) return [];
    try {
      for (const id of dead) await this.#declareDead(id);
    } catch (err) {
      if (redisRefusalOf(err) !== undefined) this.#refusedAt = ctx.clock.now();
      throw err;
    }
    return dead;
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
