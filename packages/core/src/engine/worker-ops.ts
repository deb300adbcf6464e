import { randomInt } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { ValidationError } from '../errors.js';
import {
  APPEND_LOGS,
  type AttemptLogs,
  buildAppendLogs,
  buildCompleteTasks,
  buildCycleTasks,
  buildFailTasks,
  buildLeaveIdle,
  buildLeaveQueue,
  buildRecoverWorker,
  buildReleaseTasks,
  buildReportProgress,
  COMPLETE_TASKS,
  CYCLE_TASKS,
  callScript,
  decodeAppendLogs,
  decodeCompleteTasks,
  decodeCycleTasks,
  decodeFailTasks,
  decodeLeaveIdle,
  decodeLeaveQueue,
  decodeRecoverWorker,
  decodeReleaseTasks,
  decodeReportProgress,
  FAIL_TASKS,
  LEAVE_IDLE,
  LEAVE_QUEUE,
  RECOVER_WORKER,
  RELEASE_TASKS,
  REPORT_PROGRESS,
  type StartOutcome,
} from '../scripts/calls/index.js';
import { TASK_LOG_MAX_BYTES, TASK_LOG_MAX_LINES } from '../task/logs.js';
import type { ClaimedTask } from './claimed.js';
import { encodeCompletions, withUnencodable } from './completion-args.js';
import { queueCall } from './queue-call.js';
import { confirmReplicated } from './replication.js';

export type { StartOutcome };

/** A task to start from the window. */
export interface StartRequest {
  id: string;
  /** The new attempt number (last attempt + 1). */
  attempt: number;
  /** Ignored: the script reads the stored deadline. Kept so a ClaimedTask's fields can be passed as they are. */
  deadline?: number | null;
}

/** A successful attempt to report. */
export interface Completion {
  id: string;
  attempt: number;
  result: unknown;
  /**
   * The result already encoded by {@link encodeResult} where it was made (the
   * worker's attempt does this); when absent, it is encoded here.
   */
  json?: string;
  /** createdAt of the task, for the latency histogram. */
  createdAt?: number;
}

/** A failed attempt to report. */
export interface Failure {
  id: string;
  attempt: number;
  message: string;
  /** `handler_error`, `timeout`, `unknown_task_type`, `aborted`, … */
  reason: string;
  /** Skip the remaining retries. */
  permanent: boolean;
  /** A handler's RateLimitedError: wait this long (ms), the attempt not counted. */
  retryAfterMs?: number | null;
  /**
   * For a task stored without a trace context: the traceparent of its
   * stand-in root, sampled or not as this attempt was (telemetry's
   * standInTraceparent), stored as the task's trace context so that later
   * attempts and the coordinator follow the decision.
   */
  traceparent?: string | null;
}

/** The result of a claim. */
export interface ClaimResult {
  tasks: ClaimedTask[];
  /** When the ready set ran dry: the run time of the earliest scheduled task (the longest a worker should block), else null. */
  nextDueAt: number | null;
  /** How many of the tasks were stolen from a peer's window. */
  stolen: number;
}

/** One round of a busy worker (see {@link WorkerOps.cycle}). */
export interface CycleRequest {
  /** Successes to report. */
  complete?: readonly Completion[];
  /** Reserved tasks to start from the window. */
  start?: readonly StartRequest[];
  /**
   * A claim after those; none when absent or `max` is 0. Takes up to `max`
   * tasks in priority order; the first `start` of them start at once, the rest
   * are reserved in this worker's window. With `steal` > 0, when the queue
   * cannot fill the claim, takes unstarted tasks from the back of the busiest
   * peer's window.
   */
  claim?: { max: number; start?: number; promoteLimit?: number; steal?: number };
  /**
   * Handoffs (lua/includes/handoff.lua). `leave`: this worker may be registered
   * idle; take it off, and return what was handed to it meanwhile. `register`:
   * when the claim cannot fill its free slots, register the worker idle with
   * the slots left, so that a submit hands it tasks straight away. `ttlMs`: how
   * long the registration holds (default 10 s); past it, a submit takes the
   * worker for gone. A worker registers again at least that often (each time
   * its blocking read times out).
   */
  idle?: { leave?: boolean; register?: boolean; ttlMs?: number };
}

/** What a round did: per completion whether the fence accepted it, per start its outcome, and the claim. */
export interface CycleResult {
  completed: boolean[];
  started: StartOutcome[];
  /** The claim's result; empty (no tasks, nextDueAt null) when the round claimed nothing. */
  claim: ClaimResult;
  /** Whether the worker is now registered idle (it asked to, and the claim left slots free). */
  registered: boolean;
  /** Tasks handed to this worker while it was registered (`idle.leave`): started, to run. */
  handedOff: ClaimedTask[];
}

/** How long an idle registration holds unless the worker says (see CycleRequest.idle). */
const DEFAULT_IDLE_TTL_MS = 10_000;

/**
 * The worker's side of the task lifecycle, one script call per batch: `cycle`
 * (report, start and claim — with stealing — in one call: the worker's round),
 * complete, fail, release, leave idle, progress. Each call is
 * fenced by the worker id and the attempt number. The worker runtime builds on
 * these; they are a library of their own so that they can be tested without it.
 */
export class WorkerOps {
  readonly #ctx: EngineContext;
  readonly workerId: string;

  constructor(ctx: EngineContext, workerId: string) {
    if (!/^[A-Za-z0-9_.:@-]{1,128}$/.test(workerId)) {
      throw new ValidationError(
        'id',
        'a worker id must be 1–128 characters of letters, digits and _ . : @ -',
      );
    }
    this.#ctx = ctx;
    this.workerId = workerId;
  }

  /** What every script call of this worker takes first: {@link queueCall} and the worker's id. */
  #call(queue: string) {
    return { ...queueCall(this.#ctx, queue), worker: this.workerId };
  }

  /**
   * Complete, start and claim in ONE script call (cycleTasks): what a busy
   * worker does every round, so that it makes one round trip and Redis runs
   * one script (one stream entry per transition kind, one counter update) per
   * batch. Completions are fenced as {@link WorkerOps.complete}; starts take
   * tasks from this worker's window; then the claim. In that order.
   */
  async cycle(queue: string, req: CycleRequest): Promise<CycleResult> {
    const ctx = this.#ctx;
    const { sendable: done, unencodable } = encodeCompletions(req.complete ?? []);
    const starts = req.start ?? [];
    const claim = req.claim && req.claim.max > 0 ? req.claim : undefined;
    if (claim) await this.#ctx.registerQueue(queue);
    const call = buildCycleTasks({
      ...this.#call(queue),
      keep: ctx.retention.succeeded.max,
      completions: done,
      starts,
      claim: claim
        ? {
            max: claim.max,
            start: claim.start ?? 0,
            promote: claim.promoteLimit ?? 100,
            steal: claim.steal ?? 0,
          }
        : null,
      leaveIdle: req.idle?.leave === true,
      registerIdle: req.idle?.register === true,
      idleTtlMs: req.idle?.ttlMs ?? DEFAULT_IDLE_TTL_MS,
    });
    const round = decodeCycleTasks(await callScript(ctx.redis, CYCLE_TASKS, call), {
      queue,
      completions: done.length,
      starts: starts.length,
    });
    if (done.length > 0 && ctx.durability.mode === 'replicated') await this.#confirm(done);
    const completed = await withUnencodable(
      (f) => this.fail(queue, f),
      req.complete ?? [],
      round.accepted,
      unencodable,
    );
    return {
      completed,
      started: round.started,
      claim: { tasks: round.claimed, nextDueAt: round.nextDueAt, stolen: round.stolen },
      registered: round.registered,
      handedOff: round.handedOff,
    };
  }

  /**
   * Takes this worker off the queue's idle hash (it pauses or stops) and puts
   * back in the ready set, unstarted, what a submit handed to it: its inbox,
   * and `received` — handoffs its blocking read brought in that it will not
   * run. Returns how many went back.
   */
  async leaveIdle(queue: string, received: readonly { id: string; attempt: number }[] = []): Promise<number> {
    const ctx = this.#ctx;
    const call = buildLeaveIdle({
      ...this.#call(queue),
      received,
    });
    return decodeLeaveIdle(await callScript(ctx.redis, LEAVE_IDLE, call)).putBack;
  }

  /** `durability: replicated`: waits for the replicas to have these reports (replication.ts). */
  #confirm(reports: readonly { id: string }[]): Promise<void> {
    return confirmReplicated(
      this.#ctx,
      'completion',
      reports.map((r) => r.id),
    );
  }

  /** Reports successes; returns, per task, whether the fence accepted it. */
  async complete(queue: string, completions: readonly Completion[]): Promise<boolean[]> {
    if (completions.length === 0) return [];
    const { sendable: done, unencodable } = encodeCompletions(completions);
    if (done.length === 0) return withUnencodable((f) => this.fail(queue, f), completions, [], unencodable);
    const ctx = this.#ctx;
    const call = buildCompleteTasks({
      ...this.#call(queue),
      keep: ctx.retention.succeeded.max,
      completions: done,
    });
    const { accepted } = decodeCompleteTasks(await callScript(ctx.redis, COMPLETE_TASKS, call));
    if (ctx.durability.mode === 'replicated') await this.#confirm(done);
    return withUnencodable((f) => this.fail(queue, f), completions, accepted, unencodable);
  }

  /** Reports failed attempts; returns, per task, the state it moved to, or null when the fence refused it. */
  async fail(queue: string, failures: readonly Failure[]): Promise<(string | null)[]> {
    if (failures.length === 0) return [];
    const ctx = this.#ctx;
    const call = buildFailTasks({
      ...this.#call(queue),
      seed: randomInt(2 ** 31),
      failures,
    });
    const { states } = decodeFailTasks(await callScript(ctx.redis, FAIL_TASKS, call));
    if (ctx.durability.mode === 'replicated') await this.#confirm(failures);
    return states;
  }

  /** Hands unstarted tasks back to the queue (all of the window when `ids` is absent). */
  async release(queue: string, ids?: readonly string[]): Promise<number> {
    const ctx = this.#ctx;
    const call = buildReleaseTasks({
      ...this.#call(queue),
      ids,
    });
    return decodeReleaseTasks(await callScript(ctx.redis, RELEASE_TASKS, call)).released;
  }

  /**
   * Stores the log lines of ended attempts with their tasks, in one call for
   * the queue, each task's log kept within TASK_LOG_MAX_LINES and
   * TASK_LOG_MAX_BYTES. Returns how many attempts' lines were stored (a task
   * already deleted by retention gets none).
   */
  async appendLogs(queue: string, attempts: readonly AttemptLogs[]): Promise<number> {
    if (attempts.length === 0) return 0;
    const call = buildAppendLogs({
      keys: this.#ctx.keys(queue),
      maxLines: TASK_LOG_MAX_LINES,
      maxBytes: TASK_LOG_MAX_BYTES,
      attempts,
    });
    return decodeAppendLogs(await callScript(this.#ctx.redis, APPEND_LOGS, call)).stored;
  }

  /** Records a running attempt's progress (0–100); false when this worker does not run that attempt. */
  async progress(queue: string, id: string, attempt: number, percent: number): Promise<boolean> {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100)
      throw new ValidationError('progress', 'must be a number from 0 to 100');
    const ctx = this.#ctx;
    const call = buildReportProgress({
      ...this.#call(queue),
      id,
      attempt,
      percent: Math.round(percent),
    });
    return decodeReportProgress(await callScript(ctx.redis, REPORT_PROGRESS, call)).recorded;
  }

  /**
   * Results of the given tasks (a task's parents), by id; null for a task
   * without a stored result, and for one whose stored result cannot be read
   * (damaged data: the dependent still runs, as it would for a null result).
   */
  async results(queue: string, ids: readonly string[]): Promise<Record<string, unknown>> {
    const k = this.#ctx.keys(queue);
    const raw = await Promise.all(
      ids.map((id) =>
        this.#ctx.redis.hget(k.task(id), 'r').catch((err: Error) => {
          if (/WRONGTYPE/.test(err.message)) return null;
          throw err;
        }),
      ),
    );
    const out: Record<string, unknown> = {};
    ids.forEach((id, i) => {
      out[id] = parseOrNull(raw[i]);
    });
    return out;
  }
}

/** A stored JSON value, or null when absent or not JSON. */
function parseOrNull(raw: string | null | undefined): unknown {
  if (raw == null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/**
 * Takes a worker out of a queue's worker set if it holds no task there (a
 * clean stop, or the janitor's pruning). Returns true when it left.
 */
export async function leaveQueue(ctx: EngineContext, queue: string, workerId: string): Promise<boolean> {
  const call = buildLeaveQueue({ keys: ctx.keys(queue), worker: workerId });
  return decodeLeaveQueue(await callScript(ctx.redis, LEAVE_QUEUE, call)).left;
}

/**
 * Recovers a dead worker in every queue: its window goes back to the ready
 * sets, its running tasks count a failed attempt (`worker_lost`) and retry
 * under their policy. Returns totals over all queues.
 */
export async function recoverWorker(
  ctx: EngineContext,
  workerId: string,
): Promise<{ requeued: number; recovered: number }> {
  let requeued = 0;
  let recovered = 0;
  for (const queue of await ctx.queueNames()) {
    const call = buildRecoverWorker({
      ...queueCall(ctx, queue),
      worker: workerId,
      seed: randomInt(2 ** 31),
    });
    const r = decodeRecoverWorker(await callScript(ctx.redis, RECOVER_WORKER, call));
    requeued += r.requeued;
    recovered += r.recovered;
  }
  return { requeued, recovered };
}
