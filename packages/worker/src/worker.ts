import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type ControlCommand,
  EngineContext,
  type Logger,
  Loop,
  leaveQueue,
  type ReplicationShortfall,
  removeWorker,
  silentLogger,
  tallies,
  type WorkerInfo,
  WorkerOps,
  watchDataLoss,
  within,
  writeHeartbeat,
} from '@dtps/core';
import type { Executor } from './executor/executor.js';
import { InlineExecutor } from './executor/inline-executor.js';
import { ThreadExecutor } from './executor/thread-executor.js';
import { handlerModuleUrl, loadHandlerModule } from './handlers/load.js';
import { type ResolvedWorkerOptions, resolveOptions, type WorkerOptions } from './options.js';
import { SlotPool } from './pool.js';
import { reconcileAll } from './queue/reconciler.js';
import { shareLead } from './queue/round-planner.js';
import { SlotArbiter } from './queue/slot-arbiter.js';
import { QueueRunner } from './queue-runner.js';
import { Reporter } from './reporter.js';
import { Autoscaler } from './units/autoscaler.js';
import { ControlListener, type ControlResult } from './units/control-listener.js';
import { applyOperatorScale } from './units/operator-scale.js';

export const VERSION = '0.1.0';

/** Threads a thread-isolated worker may start at most, whatever its max (scale can raise max later). */
const MAX_THREADS = 256;

/**
 * After the grace period (or once the running tasks ended), how long a shutdown may still spend
 * reporting outcomes and leaving the registry. A Redis that does not answer within it does not
 * hold the process: what was not reported is recovered by the coordinator, as after a kill -9.
 */
const CLOSE_REPORT_MS = 1000;

/**
 * A dtps worker: serves queues with an autoscaling pool of slots, prefetches
 * a bounded window, steals from busy peers when idle (if asked), beats a
 * heartbeat with its stats, obeys operator commands, and shuts down without
 * losing a task. Embed it in any Node program, or run `dtps-worker`.
 */
export class Worker {
  readonly id: string;
  /** Removes this worker's gauges from the process's metrics (close). */
  #dropGauges: (() => void) | undefined;
  readonly ctx: EngineContext;
  readonly options: ResolvedWorkerOptions;
  readonly log: Logger;
  readonly pool: SlotPool;
  readonly #input: WorkerOptions;
  readonly #ops: WorkerOps;
  readonly #runners = new Map<string, QueueRunner>();
  #executor: Executor | undefined;
  #reporter: Reporter;
  #steal: boolean;
  #draining = false;
  #closing: Promise<void> | undefined;
  #startedAt = 0;
  readonly #lag = monitorEventLoopDelay({ resolution: 20 });
  readonly #heartbeat: Loop;
  readonly #autoscaleLoop: Loop;
  readonly #reconcileLoop: Loop;
  readonly #dataLoss: Loop;
  readonly #autoscaler: Autoscaler;
  readonly #control: ControlListener;
  #onReconnect: (() => void) | undefined;
  /** Called once a `drain` command has emptied the worker (the daemon exits then). */
  onDrained: (() => void) | undefined;

  constructor(opts: WorkerOptions) {
    this.options = resolveOptions(opts);
    this.#input = opts;
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    const durability = opts.engine?.durability;
    this.ctx = new EngineContext({
      ...opts.engine,
      // A report that replicas did not confirm in time is not refused (docs/durability.md): say so.
      ...(durability?.mode === 'replicated'
        ? {
            durability: {
              ...durability,
              onShortfall: (s: ReplicationShortfall) =>
                this.log.warn(
                  { acked: s.acked, wanted: s.wanted, timeoutMs: s.timeoutMs, tasks: s.ids.length },
                  'report not confirmed by the replicas in time (durability: replicated)',
                ),
            },
          }
        : {}),
      redis: opts.redis,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.log = (opts.logger ?? silentLogger()).child({ worker: this.id });
    this.#ops = new WorkerOps(this.ctx, this.id);
    this.#steal = this.options.steal;
    this.pool = new SlotPool(
      this.options,
      () => this.#pumpAll(),
      () => this.ctx.clock.now(),
    );
    this.#reporter = new Reporter(this.#ops, this.log);
    this.#autoscaler = new Autoscaler(
      this.pool,
      {
        backlog: () =>
          [...this.#runners.values()].reduce((n, r) => n + r.window.length + (r.lastClaimFull ? 1 : 0), 0),
      },
      this.options.autoscale,
      this.log,
      () => this.ctx.clock.now(),
    );
    // Heartbeats keep their schedule when they fail (no backoff): one small write per interval,
    // which must go out the moment Redis takes writes again, so that a worker that rode out a
    // refusal (OOM) is seen alive again at once. The coordinator does not count a worker dead
    // while Redis refuses writes (see FailureDetector).
    this.#heartbeat = new Loop(
      'heartbeater',
      this.options.heartbeatMs,
      () => writeHeartbeat(this.ctx, this.info()),
      this.log,
      { keepSchedule: true },
    );
    this.#autoscaleLoop = new Loop(
      'autoscaler',
      this.options.autoscale.intervalMs,
      () => {
        if (this.#autoscaler.decide() !== null) this.#heartbeat.now();
      },
      this.log,
    );
    this.#reconcileLoop = new Loop('reconciler', 60_000, () => this.#reconcile(), this.log);
    // Every 5 heartbeats: an idle worker stays quiet, and the coordinators check every second.
    this.#dataLoss = watchDataLoss(this.ctx, {
      by: this.id,
      log: this.log,
      intervalMs: 5 * this.options.heartbeatMs,
    });
    this.#control = new ControlListener(this.ctx, this.id, (cmd) => this.apply(cmd), this.log);
  }

  /** Loads handlers, registers the worker, and starts serving. */
  async start(): Promise<void> {
    const o = this.options;
    let handlers = this.#input.handlers;
    if (this.#input.handlersModule) handlers = await loadHandlerModule(this.#input.handlersModule);
    this.#executor =
      o.isolation === 'thread'
        ? new ThreadExecutor(handlerModuleUrl(this.#input.handlersModule!), handlers!, {
            // Slots bound how many run at once; threads start lazily (idle ones exit), so a
            // later `scale` that raises max finds threads to use.
            maxThreads: Math.max(o.max, MAX_THREADS),
            minThreads: Math.max(1, Math.min(this.pool.size, o.max)),
          })
        : new InlineExecutor(handlers!);
    if (this.#executor instanceof ThreadExecutor) await this.#executor.warm();
    // A queue may run half the pool ahead of its weighted share (see share-planner.ts).
    const arbiter = new SlotArbiter(
      o.order,
      () => shareLead(this.pool.size),
      () => this.#pumpAll(),
    );
    for (const [index, queue] of o.queues.entries()) {
      this.#runners.set(
        queue,
        new QueueRunner(queue, {
          ctx: this.ctx,
          ops: this.#ops,
          pool: this.pool,
          slots: (hasWork) => arbiter.slotsOf(index, this.pool, hasWork),
          executor: this.#executor,
          reporter: this.#reporter,
          log: this.log,
          // No window by default: a reserved task still needs a round to start, so a window
          // only adds Redis work a task (docs/benchmarks.md: about a tenth more at 50 and 400
          // slots). Stealing takes from windows, so while it is on a worker keeps one.
          prefetch: () => o.prefetch ?? (this.#steal ? this.pool.size : 0),
          stealing: () => this.#steal && !this.#draining,
          idleBlockMs: o.idleBlockMs,
        }),
      );
    }
    this.#startedAt = this.ctx.clock.now();
    this.#lag.enable();
    await writeHeartbeat(this.ctx, this.info());
    await this.#control.start();
    this.#heartbeat.start();
    if (o.autoscale.enabled) this.#autoscaleLoop.start();
    this.#reconcileLoop.start();
    this.#dataLoss.start();
    this.#dataLoss.now();
    // After a reconnect, make Redis and the runners agree (a lost claim reply leaves strays).
    let wasDown = false;
    const onClose = () => {
      wasDown = true;
    };
    this.#onReconnect = () => {
      if (!wasDown) return;
      wasDown = false;
      this.log.info('Redis is back; reconciling');
      // A Redis that came back may have come back empty: check at once, not at the next interval.
      this.#dataLoss.now();
      setTimeout(() => this.#reconcile().catch(() => {}), 1000).unref();
      for (const r of this.#runners.values()) r.retryNow();
    };
    this.ctx.redis.on('close', onClose);
    this.ctx.redis.on('ready', this.#onReconnect);
    this.log.info(
      {
        queues: o.order.strict ? o.queues : o.order.queues.map((q) => `${q.name}:${q.weight}`),
        ...(o.queues.length > 1 ? { order: o.order.strict ? 'strict' : 'weighted' } : {}),
        pool: { size: this.pool.size, min: o.min, max: o.max },
        steal: this.#steal,
        isolation: o.isolation,
        handlers: this.#executor.types,
      },
      'worker started',
    );
    // Pool size and busy slots, read by the metrics readers when they collect (nothing per task).
    this.#dropGauges = tallies.addGauges(() => {
      const attributes = { worker: this.id };
      return {
        poolSize: [{ value: this.pool.size, attributes }],
        busySlots: [{ value: this.pool.busy, attributes }],
      };
    });
    this.#pumpAll();
  }

  /** Outcomes reported to Redis so far (cheap to read, unlike info(): no syscalls). */
  get stats(): { processed: number; failed: number } {
    return { processed: this.#reporter.stats.processed, failed: this.#reporter.stats.failed };
  }

  /** What the heartbeat announces. */
  info(): WorkerInfo {
    const runners = [...this.#runners.values()];
    const lagMs = Math.round((this.#lag.mean / 1e6) * 10) / 10;
    this.#lag.reset();
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      version: VERSION,
      queues: this.options.queues,
      handlers: [...(this.#executor?.types ?? [])],
      poolSize: this.pool.size,
      min: this.pool.min,
      max: this.pool.max,
      busy: this.pool.busy,
      window: runners.reduce((n, r) => n + r.window.length, 0),
      processed: this.#reporter.stats.processed,
      failed: this.#reporter.stats.failed,
      steals: runners.reduce((n, r) => n + r.steals, 0),
      steal: this.#steal,
      paused: this.pool.paused,
      draining: this.#draining,
      isolation: this.options.isolation,
      memoryRss: process.memoryUsage.rss(),
      eventLoopLagMs: Number.isFinite(lagMs) ? lagMs : 0,
      startedAt: this.#startedAt,
      lastHeartbeatAt: this.ctx.clock.now(),
      sizeChangedBy: this.pool.sizeChange.by,
      sizeReason: this.pool.sizeChange.reason,
      sizeChangedAt: this.pool.sizeChange.at,
    };
  }

  /** Applies an operator's command (from the control channel, or called directly). */
  apply(cmd: ControlCommand): ControlResult | undefined {
    this.log.info({ command: cmd }, 'control command');
    let result: ControlResult | undefined;
    switch (cmd.command) {
      case 'scale':
        result = { scale: applyOperatorScale(this.pool, cmd) };
        // More slots for thread work: bring threads up now, not when the next task waits for one.
        if (this.#executor instanceof ThreadExecutor) this.#executor.warm(this.pool.size).catch(() => {});
        break;
      case 'pause':
        this.pool.pause();
        // The heartbeat goes out now and again once the window is back in the queue.
        this.#releaseAll().then(() => this.#heartbeat.now());
        break;
      case 'resume':
        this.#draining = false;
        this.pool.resume();
        break;
      case 'drain':
        this.#draining = true;
        this.pool.pause();
        this.#releaseAll().then(() => this.#heartbeat.now());
        this.#whenIdle().then(() => this.onDrained?.());
        break;
      case 'steal':
        this.#steal = cmd.on;
        this.#pumpAll();
        break;
      case 'abort':
        this.#runners.get(cmd.queue)?.abortTask(cmd.id, 'cancelled');
        break;
      default:
        this.log.warn({ command: cmd }, 'unknown control command');
        return;
    }
    this.#heartbeat.now();
    return result;
  }

  /**
   * Graceful shutdown, in this order: stop claiming (so nothing new arrives),
   * release the unstarted window at once (so other workers can take it),
   * let running tasks finish within the grace period, abort what is still
   * running (reported as a failed attempt, retried elsewhere), flush the
   * reports, then leave the registry and close connections.
   */
  close(opts: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(opts.graceMs ?? this.options.graceMs);
    return this.#closing;
  }

  /** A forced stop (second signal): abort everything, report what can be, leave. Unreported tasks are recovered by the coordinator. */
  async forceClose(): Promise<void> {
    for (const r of this.#runners.values()) {
      r.stop();
      for (const run of r.running.values()) run.abort('shutdown');
    }
    await Promise.race([this.#reporter.flush(), new Promise((res) => setTimeout(res, 1000))]);
    this.#reporter.close();
  }

  /**
   * Ends within the grace period (+ CLOSE_REPORT_MS) whatever Redis does: every step that
   * talks to Redis is bounded by the time left, and what Redis did not take in time (the
   * window, outcomes, the registry entry) is left for the coordinator to recover.
   */
  async #close(graceMs: number): Promise<void> {
    const deadline = performance.now() + graceMs;
    const left = () => deadline - performance.now();
    this.log.info({ graceMs }, 'shutting down');
    for (const r of this.#runners.values()) r.stop();
    this.pool.pause();
    // Waits for claims in flight first; with Redis gone, not past the grace.
    const released = await within(this.#releaseAll(), left());
    if (released === undefined) {
      this.log.warn(
        'Redis did not take the window back within the grace period; the coordinator will recover it',
      );
    }
    this.log.info(
      // The log keeps its words ("handed back"): operators and tests look for them.
      { handedBack: released ?? 0, running: this.#runningCount() },
      'window handed back; waiting for running tasks',
    );
    const idle = await within(
      this.#whenIdle().then(() => true),
      left(),
    );
    if (!idle) {
      this.log.warn({ running: this.#runningCount() }, 'grace period over; aborting running tasks');
      for (const r of this.#runners.values()) for (const run of r.running.values()) run.abort('shutdown');
    }
    const closeBy = Math.max(deadline, performance.now()) + CLOSE_REPORT_MS;
    const until = () => closeBy - performance.now();
    await within(this.#whenIdle(), until());
    const flushed = await within(
      this.#reporter.flush().then(() => true),
      until(),
    );
    if (!flushed) {
      this.log.warn('Redis did not take every outcome in time; the coordinator will recover those tasks');
    }
    this.#reporter.close();
    await Promise.all([
      this.#heartbeat.stop(until()),
      this.#autoscaleLoop.stop(until()),
      this.#reconcileLoop.stop(until()),
      this.#dataLoss.stop(),
      this.#control.stop(),
    ]);
    if (this.#onReconnect) this.ctx.redis.off('ready', this.#onReconnect);
    this.#lag.disable();
    await within(
      (async () => {
        await removeWorker(this.ctx, this.id).catch(() => {});
        for (const queue of this.options.queues)
          await leaveQueue(this.ctx, queue, this.id).catch(() => false);
      })(),
      until(),
    );
    await this.#executor?.close();
    this.#dropGauges?.();
    this.log.info({ processed: this.#reporter.stats.processed }, 'worker stopped');
  }

  #runningCount(): number {
    let n = 0;
    for (const r of this.#runners.values()) n += r.running.size;
    return n;
  }

  async #whenIdle(): Promise<void> {
    while (this.#runningCount() > 0) await new Promise((r) => setTimeout(r, 10));
  }

  async #releaseAll(): Promise<number> {
    const counts = await Promise.all(
      [...this.#runners.values()].map((r) => r.releaseUnstarted().catch(() => 0)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  #reconcile(): Promise<void> {
    return reconcileAll(this.#runners.values(), () => this.#closing !== undefined, this.log);
  }

  #pumpAll(): void {
    for (const r of this.#runners.values()) r.pump();
  }
}
