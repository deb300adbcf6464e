import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Client,
  duplicateConnection,
  EngineContext,
  Inspector,
  type Logger,
  Loop,
  type RedisClient,
  setQueueLimit,
  silentLogger,
  watchDataLoss,
  within,
} from '@dtps/core';
import { assertBindAllowed } from './monitor/auth.js';
import { createMonitorServer } from './monitor/server.js';
import type { CoordinatorStatus, MonitorServer } from './monitor/types.js';
import type { CoordinatorOptions } from './options.js';
import { queueDepthGauges } from './queue-depth-gauges.js';
import { applyDeclaredSchedules } from './units/declared-schedules.js';
import { FailureDetector } from './units/failure-detector.js';
import { LeaderLease } from './units/leader-lease.js';
import { Rollup } from './units/rollup.js';
import { Scheduler } from './units/scheduler.js';
import { DeadlineSweeper, Janitor, Promoter } from './units/sweepers.js';
import { TraceRecorder } from './units/trace-recorder.js';

/**
 * The control plane (docs/design.md §2): tasks flow without it; with it the fleet
 * heals itself and can be seen. Several may run: one leads (lease), the
 * others stand by. Only the leader runs the sweeps; every coordinator can
 * serve the monitor.
 */
export class Coordinator {
  readonly id: string;
  readonly ctx: EngineContext;
  readonly log: Logger;
  readonly lease: LeaderLease;
  readonly #opts: CoordinatorOptions;
  readonly #loops: Loop[];
  readonly #dataLoss: Loop;
  readonly detector: FailureDetector;
  #monitor: MonitorServer | undefined;
  /** The monitor's own Redis connection and client (see start). */
  #monitorRedis: RedisClient | undefined;
  #client: Client | undefined;
  /** The scheduler's client: it submits on the leader's own connection. */
  readonly #scheduleClient: Client;
  readonly scheduler: Scheduler;
  #startedAt = 0;
  /** Removes the queue-depth gauges from the process's metrics (close). */
  #dropGauges: (() => void) | undefined;

  constructor(opts: CoordinatorOptions) {
    this.#opts = opts;
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.ctx = new EngineContext({
      ...opts.engine,
      redis: opts.redis,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.log = (opts.logger ?? silentLogger()).child({ coordinator: this.id });
    const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 5000;
    const sweepMs = opts.sweepIntervalMs ?? 500;
    this.lease = new LeaderLease(this.ctx, this.id, opts.leaseMs ?? 5000, this.log);
    this.detector = new FailureDetector(
      this.ctx,
      heartbeatTimeoutMs,
      this.log,
      () => this.lease.lastRedisTroubleAt,
    );
    const promoter = new Promoter(this.ctx, this.log);
    const deadlines = new DeadlineSweeper(this.ctx, this.log);
    const janitor = new Janitor(this.ctx, this.log);
    const rollup = new Rollup(this.ctx, heartbeatTimeoutMs, this.log);
    this.#scheduleClient = new Client({
      ...opts.engine,
      redis: opts.redis,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.scheduler = new Scheduler(
      this.ctx,
      this.#scheduleClient,
      this.lease,
      opts.scheduleGraceMs ?? 10_000,
      this.log,
    );
    const traces = new TraceRecorder(this.ctx, this.log);
    this.#dataLoss = watchDataLoss(this.ctx, { by: this.id, log: this.log });
    // Leader-only units: each tick first checks that the lease is still ours.
    const asLeader = (fn: () => Promise<unknown>) => async () => {
      if (this.lease.isLeader()) await fn();
    };
    this.#loops = [
      new Loop(
        'failure-detector',
        sweepMs,
        asLeader(() => this.detector.tick()),
        this.log,
      ),
      new Loop(
        'promoter',
        sweepMs,
        asLeader(() => promoter.tick()),
        this.log,
      ),
      new Loop(
        'deadline-sweeper',
        sweepMs,
        asLeader(() => deadlines.tick()),
        this.log,
      ),
      new Loop(
        'janitor',
        opts.janitorIntervalMs ?? 10_000,
        asLeader(() => janitor.tick()),
        this.log,
      ),
      new Loop(
        'scheduler',
        opts.scheduleTickMs ?? 200,
        asLeader(() => this.scheduler.tick()),
        this.log,
      ),
      new Loop(
        'rollup',
        1000,
        asLeader(() => rollup.tick()),
        this.log,
      ),
      // Every coordinator, leading or not: each logs the loss it sees.
      new Loop(
        'trace-recorder',
        sweepMs,
        async () => {
          if (this.lease.isLeader()) await traces.tick();
          else traces.reset();
        },
        this.log,
      ),
      this.#dataLoss,
    ];
  }

  status(): CoordinatorStatus {
    return {
      id: this.id,
      leading: this.lease.isLeader(),
      epoch: this.lease.epoch,
      startedAt: this.#startedAt,
    };
  }

  /** The monitor's address, when it runs. */
  get monitorUrl(): string | undefined {
    return this.#monitor?.url;
  }

  async start(): Promise<void> {
    // Refuse a monitor that may not listen (no token beyond loopback) before taking the lease.
    const m = this.#opts.monitor;
    if (m) assertBindAllowed(m.host ?? '127.0.0.1', m.token);
    this.#startedAt = this.ctx.clock.now();
    await applyDeclaredSchedules(this.ctx, this.#opts.schedules ?? [], this.log);
    await this.lease.start();
    for (const loop of this.#loops) loop.start();
    // The data-loss watch remembers the data set at once, not one interval later.
    this.#dataLoss.now();
    if (m) {
      // The monitor reads on a connection of its own: a large reply queued on
      // it (a page of tasks, a burst of requests) cannot delay the lease
      // renewal or a recovery behind it on the leader's connection.
      const redis = duplicateConnection(this.#opts.redis);
      redis.on('error', (err: Error) =>
        this.log.warn({ err: err.message }, 'monitor Redis connection trouble'),
      );
      this.#monitorRedis = redis;
      this.#client = new Client({
        ...this.#opts.engine,
        redis,
        ...(this.#opts.clock ? { clock: this.#opts.clock } : {}),
      });
      this.#monitor = await createMonitorServer({
        heartbeatTimeoutMs: this.#opts.heartbeatTimeoutMs ?? 5000,
        ctx: this.#client.ctx,
        client: this.#client,
        inspector: new Inspector(this.#client.ctx),
        status: () => this.status(),
        log: this.log,
        host: m.host ?? '127.0.0.1',
        port: m.port ?? 7420,
        ...(m.token ? { token: m.token } : {}),
      });
      this.log.info({ url: this.#monitor?.url }, 'monitor listening');
    }
    await this.#applyLimits();
    this.#dropGauges = queueDepthGauges(new Inspector(this.#client?.ctx ?? this.ctx));
    this.log.info({ leading: this.lease.isLeader() }, 'coordinator started');
  }

  /** Sets the configured limits (idempotent: every coordinator may, each time it starts). */
  async #applyLimits(): Promise<void> {
    for (const l of this.#opts.limits ?? []) {
      const r = await setQueueLimit(this.ctx, l.queue, l.settings);
      this.log.info({ queue: l.queue, limit: r.limit }, 'limit set from the configuration');
    }
  }

  /**
   * Stops in this order: the sweeps (no half-done leader work after the lease
   * goes), then the lease (handed over at once), then the monitor. Ends within
   * `timeoutMs` (default 5 s) whatever Redis does: a sweep stuck on a Redis
   * that does not answer is left behind, and a lease that could not be handed
   * over lapses by itself (a standby takes over within the lease time).
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.#dropGauges?.();
    const closeBy = performance.now() + (opts.timeoutMs ?? 5000);
    const until = () => closeBy - performance.now();
    // Half the time for the sweeps, so that handing the lease over gets the rest.
    await Promise.all(this.#loops.map((loop) => loop.stop(until() / 2)));
    await within(this.lease.stop(), until());
    await within(this.#monitor?.close() ?? Promise.resolve(), until());
    await within(this.#client?.close() ?? Promise.resolve(), until());
    await within(this.#scheduleClient.close(), until());
    this.#monitorRedis?.disconnect();
    this.log.info('coordinator stopped');
  }
}
