import { randomInt } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { runScript } from '../scripts/registry.js';
import { type ClaimedTask, decodeHandoff, decodeHandout } from './claimed.js';

/** A task to start from the window. */
export interface StartRequest {
  id: string;
  /** The new attempt number (last attempt + 1). */
  attempt: number;
  /** Ignored: the script reads the stored deadline. Kept so a ClaimedTask's fields can be passed as they are. */
  deadline?: number | null;
}

/** Outcome of a start: started, no longer in the window, or expired at its deadline. */
export type StartOutcome = 'started' | 'gone' | 'expired';

/** A successful attempt to report. */
export interface Completion {
  id: string;
  attempt: number;
  result: unknown;
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

  /**
   * Complete, start and claim in ONE script call (cycleTasks): what a busy
   * worker does every round, so that it makes one round trip and Redis runs
   * one script (one stream entry per transition kind, one counter update) per
   * batch. Completions are fenced as {@link WorkerOps.complete}; starts take
   * tasks from this worker's window; then the claim. In that order.
   */
  async cycle(queue: string, req: CycleRequest): Promise<CycleResult> {
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    const done = req.complete ?? [];
    const starts = req.start ?? [];
    const claim = req.claim && req.claim.max > 0 ? req.claim : undefined;
    if (claim) await this.#ctx.registerQueue(queue);
    const now = ctx.clock.now();
    const args: (string | number)[] = [
      k.base,
      now,
      ctx.eventsMaxLen,
      this.workerId,
      ctx.retention.succeeded.max,
      claim?.max ?? 0,
      claim?.start ?? 0,
      claim?.promoteLimit ?? 100,
      claim?.steal ?? 0,
      done.length,
      starts.length,
      (req.idle?.leave ? 1 : 0) + (req.idle?.register ? 2 : 0),
      req.idle?.ttlMs ?? DEFAULT_IDLE_TTL_MS,
    ];
    pushCompletions(args, done, now);
    for (const t of starts) args.push(t.id, t.attempt);
    const reply = (await runScript(
      ctx.redis,
      'cycleTasks',
      [
        k.ready,
        k.scheduled,
        k.window(this.workerId),
        k.running(this.workerId),
        k.workers,
        k.done('succeeded'),
      ],
      args,
    )) as (string | number)[];
    const messages = Number(reply[3]);
    const handedOff: ClaimedTask[] = [];
    for (let i = 0; i < messages; i++) handedOff.push(...decodeHandoff(queue, String(reply[4 + i])));
    const first = 4 + messages;
    const completed: boolean[] = [];
    for (let i = 0; i < done.length; i++) completed.push(Number(reply[first + i]) === 1);
    const started: StartOutcome[] = [];
    for (let i = 0; i < starts.length; i++)
      started.push(startOutcome(Number(reply[first + done.length + i])));
    const nextDue = Number(reply[0]);
    return {
      completed,
      started,
      claim: {
        tasks: claim ? decodeHandout(queue, reply, first + done.length + starts.length) : [],
        nextDueAt: nextDue < 0 ? null : nextDue,
        stolen: Number(reply[1]),
      },
      registered: Number(reply[2]) === 1,
      handedOff,
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
    const k = ctx.keys(queue);
    const args: (string | number)[] = [k.base, ctx.clock.now(), ctx.eventsMaxLen, this.workerId];
    for (const t of received) args.push(t.id, t.attempt);
    return Number(
      await runScript(
        ctx.redis,
        'leaveIdle',
        [k.idle, k.inbox(this.workerId), k.running(this.workerId)],
        args,
      ),
    );
  }

  /** Reports successes; returns, per task, whether the fence accepted it. */
  async complete(queue: string, done: readonly Completion[]): Promise<boolean[]> {
    if (done.length === 0) return [];
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    const now = ctx.clock.now();
    const args: (string | number)[] = [
      k.base,
      now,
      ctx.eventsMaxLen,
      this.workerId,
      ctx.retention.succeeded.max,
    ];
    pushCompletions(args, done, now);
    const reply = (await runScript(
      ctx.redis,
      'completeTasks',
      [k.running(this.workerId), k.done('succeeded')],
      args,
    )) as number[];
    return reply.map((c) => c === 1);
  }

  /** Reports failed attempts; returns, per task, the state it moved to, or null when the fence refused it. */
  async fail(queue: string, failures: readonly Failure[]): Promise<(string | null)[]> {
    if (failures.length === 0) return [];
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    const args: (string | number)[] = [
      k.base,
      ctx.clock.now(),
      ctx.eventsMaxLen,
      this.workerId,
      randomInt(2 ** 31),
    ];
    for (const f of failures) args.push(f.id, f.attempt, f.message, f.reason, f.permanent ? '1' : '0');
    const reply = (await runScript(ctx.redis, 'failTasks', [k.running(this.workerId)], args)) as string[];
    return reply.map((s) => (s === '' ? null : s));
  }

  /** Hands unstarted tasks back to the queue (all of the window when `ids` is absent). */
  async release(queue: string, ids?: readonly string[]): Promise<number> {
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    return Number(
      await runScript(
        ctx.redis,
        'releaseTasks',
        [k.window(this.workerId), k.ready],
        [k.base, ctx.clock.now(), ctx.eventsMaxLen, this.workerId, ...(ids ?? [])],
      ),
    );
  }

  /** Records a running attempt's progress (0–100); false when this worker does not run that attempt. */
  async progress(queue: string, id: string, attempt: number, percent: number): Promise<boolean> {
    if (!Number.isFinite(percent) || percent < 0 || percent > 100)
      throw new ValidationError('progress', 'must be a number from 0 to 100');
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    const r = await runScript(
      ctx.redis,
      'reportProgress',
      [k.running(this.workerId)],
      [k.base, ctx.clock.now(), ctx.eventsMaxLen, this.workerId, id, attempt, Math.round(percent)],
    );
    return Number(r) === 1;
  }

  /** Results of the given tasks (a task's parents), by id; null for a task without a stored result. */
  async results(queue: string, ids: readonly string[]): Promise<Record<string, unknown>> {
    const k = this.#ctx.keys(queue);
    const raw = await Promise.all(ids.map((id) => this.#ctx.redis.hget(k.task(id), 'r')));
    const out: Record<string, unknown> = {};
    ids.forEach((id, i) => {
      out[id] = raw[i] == null ? null : JSON.parse(raw[i]!);
    });
    return out;
  }
}

/** A start code of cycleTasks as an outcome. */
function startOutcome(code: number): StartOutcome {
  return code === 1 ? 'started' : code === 0 ? 'gone' : 'expired';
}

/** The 4 values per completion that completeTasks and cycleTasks take: id, attempt, result JSON, latency ms. */
function pushCompletions(args: (string | number)[], done: readonly Completion[], now: number): void {
  for (const d of done) {
    const latency = d.createdAt === undefined ? '' : Math.max(0, now - d.createdAt);
    const result = d.result === undefined || d.result === null ? 'null' : JSON.stringify(d.result);
    args.push(d.id, d.attempt, result, latency);
  }
}

/**
 * Takes a worker out of a queue's worker set if it holds no task there (a
 * clean stop, or the janitor's pruning). Returns true when it left.
 */
export async function leaveQueue(ctx: EngineContext, queue: string, workerId: string): Promise<boolean> {
  const k = ctx.keys(queue);
  const r = await runScript(
    ctx.redis,
    'leaveQueue',
    [k.window(workerId), k.running(workerId), k.workers],
    [workerId, k.base],
  );
  return Number(r) === 1;
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
    const k = ctx.keys(queue);
    const [a, b] = (await runScript(
      ctx.redis,
      'recoverWorker',
      [k.window(workerId), k.running(workerId), k.workers],
      [k.base, ctx.clock.now(), ctx.eventsMaxLen, workerId, randomInt(2 ** 31)],
    )) as [number, number];
    requeued += Number(a);
    recovered += Number(b);
  }
  return { requeued, recovered };
}
