import { type EngineContext, type Logger, recoverWorker, removeWorker } from '@dtps/core';

/**
 * Declares workers dead when they have been silent for `heartbeatTimeoutMs`:
 * their window goes back to the queue, their running tasks count a failed
 * attempt (`worker_lost`) and retry under their policy, and a fleet event
 * says so. Its cost grows with the number of dead workers, not of tasks.
 */
export class FailureDetector {
  constructor(
    private readonly ctx: EngineContext,
    private readonly heartbeatTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** One sweep; returns the ids of the workers it declared dead. */
  async tick(): Promise<string[]> {
    const { ctx } = this;
    const cutoff = ctx.clock.now() - this.heartbeatTimeoutMs;
    const dead = await ctx.redis.zrangebyscore(ctx.fleet.workers, '-inf', cutoff);
    for (const id of dead) {
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
    return dead;
  }
}
