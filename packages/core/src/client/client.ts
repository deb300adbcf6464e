import { EngineContext, type EngineOptions } from '../context.js';
import { ClosedError, TaskNotFoundError, ValidationError } from '../errors.js';
import { listWorkers, publishControl, sendControl } from '../fleet/registry.js';
import type { ControlCommand, ControlReply, WorkerInfo } from '../fleet/types.js';
import {
  buildCancelTask,
  buildPauseQueue,
  buildResumeQueue,
  buildRetryTask,
  CANCEL_TASK,
  callScript,
  decodeCancelTask,
  decodePauseQueue,
  decodeResumeQueue,
  decodeRetryTask,
  PAUSE_QUEUE,
  RESUME_QUEUE,
  RETRY_TASK,
  refusalError,
} from '../scripts/calls/index.js';
import type { SubmitResult, Task, TaskSpec, TaskState } from '../task/types.js';
import { QUEUE_NAME_PATTERN } from '../task/validate.js';
import { hasActiveSpan, tracingEnabled } from '../telemetry/tracing.js';
import {
  type BulkAction,
  type BulkFilter,
  type BulkRunOptions,
  type BulkStep,
  type BulkStepOptions,
  bulkRun,
  bulkStep,
} from './bulk.js';
import { countTasks, type ListOptions, listTasks, type TaskPage } from './listing.js';
import { prepareBatch, prepareOne } from './prepare.js';
import {
  clearQueueLimit,
  type LimitChangeResult,
  type LimitSettings,
  type LimitTarget,
  type QueueLimit,
  readQueueLimits,
  setQueueLimit,
} from './queue-limits.js';
import { findQueueOf, readTask } from './reader.js';
import { Submitter } from './submitter.js';
import { submitBatchTraced, submitTraced } from './traced-submit.js';
import { QueueWaiter } from './waiter.js';

/** Where a call looks for a task: the given queue, or every known queue. */
export interface TaskRef {
  queue?: string;
}

/** What `cancel` reports. */
export interface CancelResult {
  id: string;
  queue: string;
  /** The state the task was in. */
  previousState: TaskState;
  /** The worker that was running it, told to abort; null if it was not running. */
  worker: string | null;
}

/**
 * The producer's and operator's side of dtps: submit, read, wait, cancel,
 * retry, list and count tasks.
 */
export class Client {
  readonly ctx: EngineContext;
  readonly #submitter: Submitter;
  readonly #waiters = new Map<string, QueueWaiter>();
  #closed = false;

  constructor(opts: EngineOptions) {
    this.ctx = new EngineContext(opts);
    this.#submitter = new Submitter(this.ctx);
  }

  /**
   * Submits one task: at once when none of this client's calls is on its way,
   * else with the other submits of the tick, one script call per queue. Throws
   * ValidationError (nothing written) or UnknownDependencyError.
   */
  submit(spec: TaskSpec): Promise<SubmitResult> {
    // Not an async function: the submitter's promise is returned as it is, without a second one
    // around it (and the turns it takes to settle); what throws here is returned as a rejection.
    try {
      this.#open();
      const traced = tracingEnabled() || hasActiveSpan();
      const prepared = prepareOne(this.ctx, spec, traced);
      if (!traced) return this.#submitter.submit(prepared);
      return submitTraced(this.ctx, prepared, (s) => this.#submitter.submit(s));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Submits many tasks; results come in the order of `specs`. Specs may name
   * each other by `ref` in `dependsOn`. A batch with dependencies is written
   * all or nothing (per queue); any invalid spec refuses the whole batch.
   */
  async submitMany(specs: readonly TaskSpec[]): Promise<SubmitResult[]> {
    this.#open();
    const traced = tracingEnabled() || hasActiveSpan();
    const { ordered, positionOf } = prepareBatch(this.ctx, specs, traced);
    // Each queue's tasks, as positions in `ordered`.
    const byQueue = new Map<string, number[]>();
    ordered.forEach((s, pos) => {
      const positions = byQueue.get(s.queue);
      if (positions) positions.push(pos);
      else byQueue.set(s.queue, [pos]);
    });
    const written = new Array<SubmitResult>(ordered.length);
    const writeAll = () =>
      Promise.all(
        [...byQueue].map(async ([queue, positions]) => {
          const list = byQueue.size === 1 ? ordered : positions.map((pos) => ordered[pos]!);
          const atomic = list.some((s) => s.dependsOn.length > 0);
          const results = await this.#submitter.submitBatch(queue, list, atomic);
          positions.forEach((pos, i) => {
            written[pos] = results[i]!;
          });
        }),
      );
    if (!traced) await writeAll();
    else await submitBatchTraced(this.ctx, ordered, writeAll);
    return positionOf.map((pos) => written[pos]!);
  }

  /**
   * Checks specs exactly as `submitMany` would (fields, refs, cycles) without
   * touching Redis. Throws ValidationError (field `specs[i].x`) or
   * DependencyCycleError; unknown dependency ids are only found at submit.
   */
  validate(specs: readonly TaskSpec[]): void {
    prepareBatch(this.ctx, specs, false);
  }

  /** The task, or TaskNotFoundError. */
  async get(id: string, ref: TaskRef = {}): Promise<Task> {
    const task = await this.find(id, ref);
    if (!task) throw new TaskNotFoundError(id, ref.queue);
    return task;
  }

  /** The task, or null. */
  async find(id: string, ref: TaskRef = {}): Promise<Task | null> {
    this.#open();
    if (typeof id !== 'string' || id.length === 0) throw new ValidationError('id', 'must be a task id');
    const queue = await findQueueOf(this.ctx, id, ref.queue);
    return queue === null ? null : readTask(this.ctx, queue, id);
  }

  /**
   * Resolves with the task once it has ended (succeeded, failed, expired,
   * cancelled), read from the queue's event stream. Rejects with
   * WaitTimeoutError after `timeoutMs`.
   */
  async wait(id: string, opts: TaskRef & { timeoutMs?: number } = {}): Promise<Task> {
    this.#open();
    if (opts.timeoutMs !== undefined && (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 0)) {
      throw new ValidationError('timeoutMs', 'must be a non-negative integer');
    }
    const queue = await findQueueOf(this.ctx, id, opts.queue);
    if (queue === null) throw new TaskNotFoundError(id, opts.queue);
    let waiter = this.#waiters.get(queue);
    if (!waiter) {
      waiter = new QueueWaiter(this.ctx, queue, (taskId) => readTask(this.ctx, queue, taskId));
      this.#waiters.set(queue, waiter);
    }
    return waiter.wait(id, opts.timeoutMs);
  }

  /**
   * Cancels a task that has not ended; its pending dependents are cancelled
   * too. A running task's worker is told to abort it (its AbortSignal fires).
   */
  async cancel(id: string, opts: TaskRef & { reason?: string } = {}): Promise<CancelResult> {
    this.#open();
    const queue = await findQueueOf(this.ctx, id, opts.queue);
    if (queue === null) throw new TaskNotFoundError(id, opts.queue);
    const call = buildCancelTask({
      keys: this.ctx.keys(queue),
      now: this.ctx.clock.now(),
      maxLen: this.ctx.eventsMaxLen,
      id,
      reason: opts.reason ?? 'cancelled',
    });
    const r = decodeCancelTask(await callScript(this.ctx.redis, CANCEL_TASK, call));
    if (r.outcome === 'refused') throw refusalError(r.refusal, { id, queue, action: 'cancel' });
    if (r.worker) await publishControl(this.ctx, r.worker, { command: 'abort', queue, id });
    return { id, queue, previousState: r.previousState, worker: r.worker };
  }

  /**
   * An operator's retry of a task that has ended: a new attempt series. Refused
   * while it has not ended, when its deadline has passed, or when a dependency
   * did not succeed (retry that one first).
   */
  async retry(id: string, ref: TaskRef = {}): Promise<SubmitResult> {
    this.#open();
    const queue = await findQueueOf(this.ctx, id, ref.queue);
    if (queue === null) throw new TaskNotFoundError(id, ref.queue);
    const call = buildRetryTask({
      keys: this.ctx.keys(queue),
      now: this.ctx.clock.now(),
      maxLen: this.ctx.eventsMaxLen,
      id,
    });
    const r = decodeRetryTask(await callScript(this.ctx.redis, RETRY_TASK, call));
    if (r.outcome === 'refused') throw refusalError(r.refusal, { id, queue, action: 'retry' });
    return { id, queue, state: r.state, duplicate: false };
  }

  /**
   * Pauses a queue: no task of it starts anywhere (what workers had reserved
   * goes back to the queue, keeping its place) until `resumeQueue`; submits
   * are still accepted and running tasks finish. Distinct from pausing a worker.
   */
  async pauseQueue(queue: string): Promise<QueueChange> {
    this.#open();
    const call = buildPauseQueue({
      keys: this.ctx.keys(checkQueue(queue)),
      now: this.ctx.clock.now(),
      maxLen: this.ctx.eventsMaxLen,
    });
    const r = decodePauseQueue(await callScript(this.ctx.redis, PAUSE_QUEUE, call));
    await this.ctx.registerQueue(queue);
    return { queue, paused: true, changed: r.changed, released: r.released };
  }

  /** Resumes a paused queue: its tasks start again. */
  async resumeQueue(queue: string): Promise<QueueChange> {
    this.#open();
    const call = buildResumeQueue({ keys: this.ctx.keys(checkQueue(queue)) });
    const r = decodeResumeQueue(await callScript(this.ctx.redis, RESUME_QUEUE, call));
    return { queue, paused: false, changed: r.changed, released: 0 };
  }

  /** Whether a queue is paused (and since when), and its limits with what they hold now. */
  async queueState(queue: string): Promise<QueueState> {
    this.#open();
    const [since, limits] = await Promise.all([
      this.ctx.redis.get(this.ctx.keys(checkQueue(queue)).paused),
      readQueueLimits(this.ctx, queue),
    ]);
    return { queue, paused: since !== null, pausedAt: since === null ? null : Number(since), limits };
  }

  /**
   * Sets a rate limit and/or a concurrency cap of a queue, for the whole queue, one task type,
   * one group, or each group separately (docs/flow-control.md). What is not given stays as it
   * was; null removes that part. Enforced where tasks are handed out, across the whole fleet.
   */
  async setQueueLimit(queue: string, settings: LimitSettings): Promise<LimitChangeResult> {
    this.#open();
    return setQueueLimit(this.ctx, checkQueue(queue), settings);
  }

  /** Removes a limit; the tasks it held back go back in the queue, keeping their places. */
  async clearQueueLimit(queue: string, target: LimitTarget): Promise<LimitChangeResult> {
    this.#open();
    return clearQueueLimit(this.ctx, checkQueue(queue), target);
  }

  /**
   * Retries, cancels, deletes or purges every task a filter chooses, a
   * bounded chunk per script call, until done or `opts.signal` aborts (the
   * result's cursor then goes on). Safe to run again after an interruption.
   */
  bulk(action: BulkAction, filter: BulkFilter, opts: BulkRunOptions = {}): Promise<BulkStep> {
    this.#open();
    return bulkRun(this.ctx, action, filter, opts);
  }

  /** One bounded step of `bulk` (at most `opts.maxScan` ids); call again with its cursor until null. */
  bulkStep(action: BulkAction, filter: BulkFilter, opts: BulkStepOptions = {}): Promise<BulkStep> {
    this.#open();
    return bulkStep(this.ctx, action, filter, opts);
  }

  /** Tasks by state, priority, type, payload field and queue, a page at a time. */
  list(opts: ListOptions = {}): Promise<TaskPage> {
    this.#open();
    return listTasks(this.ctx, opts);
  }

  /** The number of tasks in each state of a queue. */
  counts(queue?: string): Promise<Record<TaskState, number>> {
    this.#open();
    return countTasks(this.ctx, queue ?? this.ctx.defaultQueue);
  }

  /** Every queue that was ever used with this prefix. */
  queues(): Promise<string[]> {
    this.#open();
    return this.ctx.queueNames();
  }

  /**
   * Workers in the registry, newest heartbeat first; with `aliveWithinMs`, only
   * those heard from within that time.
   */
  workers(opts: { aliveWithinMs?: number } = {}): Promise<WorkerInfo[]> {
    this.#open();
    return listWorkers(this.ctx, opts);
  }

  /**
   * Sends a control command to a worker: scale (size, min, max), pause,
   * resume, drain, steal on/off, abort a task. Throws `not_found` for a worker
   * the registry does not know, ValidationError for a bad value. With
   * `awaitReplyMs`, resolves with the worker's answer (for scale: what
   * changed, before and after), or null when none came within that time.
   */
  control(workerId: string, command: ControlCommand): Promise<undefined>;
  control(
    workerId: string,
    command: ControlCommand,
    opts: { awaitReplyMs: number },
  ): Promise<ControlReply | null>;
  async control(
    workerId: string,
    command: ControlCommand,
    opts: { awaitReplyMs?: number } = {},
  ): Promise<ControlReply | null | undefined> {
    this.#open();
    return sendControl(this.ctx, workerId, command, opts);
  }

  /**
   * Stops waits (they reject with ClosedError). The Redis connection passed in
   * is the caller's to close.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.values()) w.close();
    this.#waiters.clear();
  }

  #open(): void {
    if (this.#closed) throw new ClosedError('client');
  }
}

/** What pauseQueue and resumeQueue did. */
export interface QueueChange {
  queue: string;
  /** The queue's state now. */
  paused: boolean;
  /** False when it already was in that state. */
  changed: boolean;
  /** Reserved tasks put back in the queue by a pause. */
  released: number;
}

/** A queue's operator state (`dtps queue show`). */
export interface QueueState {
  queue: string;
  paused: boolean;
  /** When it was paused (ms), or null. */
  pausedAt: number | null;
  /** Flow-control limits of the queue (docs/flow-control.md). */
  limits: QueueLimit[];
}

function checkQueue(queue: string): string {
  if (!QUEUE_NAME_PATTERN.test(queue))
    throw new ValidationError('queue', 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
  return queue;
}
