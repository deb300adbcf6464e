import {
  acquireLease,
  classifyRedisError,
  duplicateConnection,
  type EngineContext,
  type Logger,
  LogThrottle,
  Loop,
  type RedisClient,
  releaseLease,
} from '@dtps/core';

/**
 * The leader lease: any number of coordinators run, exactly one leads. The
 * leader renews the lease every third of its time; standbys try to take it
 * as often, and at once when a leader steps down (pub/sub). Each change of
 * hands gets a new fencing epoch. A leader that cannot renew in time stops
 * acting as leader before its lease can have passed to another.
 */
export class LeaderLease {
  #epoch = 0;
  #validUntil = 0;
  readonly #loop: Loop;
  #sub: RedisClient | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #listeners: ((leading: boolean) => void)[] = [];
  readonly #throttle: LogThrottle;
  /**
   * When this lease last saw Redis in trouble: a renewal refused (OOM…) or
   * unable to reach it, or the first renewal that got through after such
   * trouble. Workers could not beat their heartbeats meanwhile either, so the
   * failure detector counts their silence only from a heartbeat timeout after.
   */
  lastRedisTroubleAt = Number.NEGATIVE_INFINITY;
  #inTrouble = false;

  constructor(
    private readonly ctx: EngineContext,
    readonly holder: string,
    readonly leaseMs: number,
    private readonly log: Logger,
  ) {
    this.#loop = new Loop('leader-lease', Math.max(50, Math.floor(leaseMs / 3)), () => this.tick(), log);
    this.#throttle = new LogThrottle(log);
  }

  /** True while this coordinator holds a lease that cannot have expired yet. */
  isLeader(): boolean {
    return this.#epoch > 0 && this.ctx.clock.now() < this.#validUntil;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Called with true when this coordinator starts leading, false when it stops. */
  onChange(listener: (leading: boolean) => void): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {
    const sub = duplicateConnection(this.ctx.redis);
    sub.on('error', () => {});
    sub.on('message', () => this.#loop.now());
    await sub.subscribe(this.ctx.fleet.leaderReleased);
    this.#sub = sub;
    await this.tick();
    this.#loop.start();
  }

  /** One try to take or renew the lease. */
  async tick(): Promise<void> {
    const wasLeading = this.isLeader();
    const startedAt = this.ctx.clock.now();
    let epoch: number | null = null;
    const askedAt = performance.now();
    try {
      epoch = await acquireLease(this.ctx, this.holder, this.leaseMs);
      // A daemon's commands wait out an outage (they do not fail): a renewal that took this long
      // waited for Redis to come back.
      if (this.#inTrouble || performance.now() - askedAt > this.leaseMs / 4) {
        this.#inTrouble = false;
        this.lastRedisTroubleAt = this.ctx.clock.now();
      }
    } catch (err) {
      // Unknown: keep leading until the local validity runs out, no longer.
      const kind = classifyRedisError(err);
      if (kind === 'refused' || kind === 'unreachable') {
        this.#inTrouble = true;
        this.lastRedisTroubleAt = this.ctx.clock.now();
      }
      this.#throttle.warn({ err: (err as Error).message }, 'could not renew the lease');
    }
    if (epoch !== null && epoch < 0) {
      // Another coordinator holds it: certainly not us. Try again the moment it lapses
      // (not just at the next tick), so a standby takes over within the lease time.
      this.#epoch = 0;
      this.#validUntil = 0;
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.#loop.now(), -epoch + 1);
      this.#retry.unref();
    } else if (epoch !== null) {
      // Count from before the call: the lease may have been set up to that long ago.
      this.#validUntil = startedAt + Math.floor(this.leaseMs * 0.9);
      if (this.#epoch !== epoch) {
        this.#epoch = epoch;
        this.log.info({ epoch }, 'leading');
        await this.ctx.redis
          .xadd(
            this.ctx.fleet.events,
            'MAXLEN',
            '~',
            '1000',
            '*',
            'kind',
            'leader:elected',
            'id',
            this.holder,
            'epoch',
            String(epoch),
          )
          .catch(() => {});
      }
    } else if (!this.isLeader()) {
      this.#epoch = 0;
    }
    const leading = this.isLeader();
    if (leading !== wasLeading) {
      if (!leading) this.log.warn('no longer leading');
      for (const l of this.#listeners) l(leading);
    }
  }

  /** Stops; a leader hands the lease over at once. */
  async stop(): Promise<void> {
    clearTimeout(this.#retry);
    await this.#loop.stop();
    this.#sub?.disconnect();
    if (this.#epoch > 0) {
      const epoch = this.#epoch;
      this.#epoch = 0;
      await releaseLease(this.ctx, this.holder, epoch).catch(() => false);
      this.log.info({ epoch }, 'lease handed over');
      for (const l of this.#listeners) l(false);
    }
  }
}
