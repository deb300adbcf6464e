import { type EngineContext, expireDue, type Logger, leaveQueue, promoteDue, trimQueue } from '@dtps/core';

/**
 * The queue sweeps, one unit each (asynq's forwarder and janitor): each
 * visits every known queue once per tick, with a bounded amount of work per
 * queue, so a tick costs O(queues · log tasks).
 */
abstract class QueueSweep {
  constructor(
    protected readonly ctx: EngineContext,
    protected readonly log: Logger,
  ) {}

  protected abstract sweep(queue: string): Promise<number>;
  protected abstract readonly what: string;

  /** One pass over all queues; returns how many tasks were touched. */
  async tick(): Promise<number> {
    let total = 0;
    for (const queue of await this.ctx.queueNames()) {
      const n = await this.sweep(queue);
      if (n > 0) this.log.debug({ queue, n }, this.what);
      total += n;
    }
    return total;
  }
}

/** Promotes due scheduled tasks (workers do it when they claim; this covers queues with no worker awake). */
export class Promoter extends QueueSweep {
  protected readonly what = 'promoted due tasks';
  protected sweep(queue: string): Promise<number> {
    return promoteDue(this.ctx, queue, 1000);
  }
}

/** Expires pending, scheduled and queued tasks past their deadline; their dependents are cancelled. */
export class DeadlineSweeper extends QueueSweep {
  protected readonly what = 'expired tasks past their deadline';
  protected sweep(queue: string): Promise<number> {
    return expireDue(this.ctx, queue, 1000);
  }
}

/**
 * Enforces retention (age and count per terminal state), trims the event
 * streams, and prunes queue worker sets of workers that left the registry
 * holding nothing (so that per-worker costs follow the live fleet).
 */
export class Janitor extends QueueSweep {
  protected readonly what = 'deleted old tasks';
  protected async sweep(queue: string): Promise<number> {
    const deleted = await trimQueue(this.ctx, queue, 1000);
    const members = await this.ctx.redis.smembers(this.ctx.keys(queue).workers);
    const registered = await Promise.all(
      members.map((id) => this.ctx.redis.zscore(this.ctx.fleet.workers, id)),
    );
    for (const [i, id] of members.entries()) {
      if (registered[i] === null && (await leaveQueue(this.ctx, queue, id))) {
        this.log.debug({ queue, worker: id }, 'pruned a worker that left');
      }
    }
    return deleted;
  }
}
