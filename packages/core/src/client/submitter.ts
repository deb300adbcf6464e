import type { EngineContext } from '../context.js';
import { confirmReplicated } from '../engine/replication.js';
import {
  buildSubmitPlain,
  buildSubmitTasks,
  callScript,
  decodeSubmitPlain,
  decodeSubmitTasks,
  NotWrittenError,
  refusalError,
  SUBMIT_PLAIN,
  SUBMIT_TASKS,
} from '../scripts/calls/index.js';
import type { NormalizedSpec, SubmitResult } from '../task/types.js';
import { tallies } from '../telemetry/tallies.js';

/**
 * Most tasks in one script call. Small enough that a big submit becomes
 * several calls in flight at once: Redis runs one while Node encodes the next
 * and decodes the last, instead of the two taking turns; and each call stays
 * short, so Redis stays responsive.
 */
export const MAX_SCRIPT_BATCH = 250;

/** A task with none of what needs submitTasks' planning: it cannot be refused and starts `queued`. */
function isPlain(s: NormalizedSpec): boolean {
  return (
    s.dependsOn.length === 0 &&
    s.runAt === null &&
    s.deadline === null &&
    s.idempotencyKey === null &&
    s.group === null
  );
}

/**
 * Cuts a list into consecutive runs of plain and other tasks, each at most
 * MAX_SCRIPT_BATCH long. Runs keep their order, and calls on one connection
 * run in the order they were sent, so FIFO order within a priority holds.
 */
export function cutRuns<T>(
  items: readonly T[],
  specOf: (item: T) => NormalizedSpec,
): { plain: boolean; items: T[] }[] {
  const runs: { plain: boolean; items: T[] }[] = [];
  let current: { plain: boolean; items: T[] } | undefined;
  for (const item of items) {
    const plain = isPlain(specOf(item));
    if (!current || current.plain !== plain || current.items.length >= MAX_SCRIPT_BATCH) {
      current = { plain, items: [] };
      runs.push(current);
    }
    current.items.push(item);
  }
  return runs;
}

interface Waiting {
  spec: NormalizedSpec;
  resolve: (r: SubmitResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Writes tasks. Single submits are coalesced: while a call of this client is
 * on its way, every submit made meanwhile waits for the end of the tick and
 * goes to Redis with the others of that tick, in one script call per queue,
 * which is what makes single submits nearly as cheap as bulk ones. A submit
 * made while nothing is on its way goes out at once: at a low rate there is
 * nothing to batch it with, and waiting would only add to its latency.
 */
export class Submitter {
  readonly #ctx: EngineContext;
  #waiting = new Map<string, Waiting[]>();
  #flushScheduled = false;
  /** Script calls sent and not yet answered. */
  #inFlight = 0;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /** Submits one prepared task: at once when nothing is on its way, else with the others of this tick. */
  submit(spec: NormalizedSpec): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      if (this.#inFlight === 0 && !this.#flushScheduled) {
        this.#send(spec.queue, [{ spec, resolve, reject }], isPlain(spec));
        return;
      }
      let list = this.#waiting.get(spec.queue);
      if (!list) {
        list = [];
        this.#waiting.set(spec.queue, list);
      }
      list.push({ spec, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /**
   * Submits prepared tasks of one queue. Atomic: all are written or none
   * (needed when the batch depends on itself), in one call. Not atomic:
   * written in several calls, each task on its own.
   */
  async submitBatch(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
  ): Promise<SubmitResult[]> {
    if (atomic && !specs.every(isPlain)) return this.#call(queue, specs, true);
    // Plain tasks cannot be refused, so an atomic plain batch may go in several calls too.
    const runs = cutRuns(specs, (s) => s);
    const results = await Promise.all(runs.map((r) => this.#call(queue, r.items, false, r.plain)));
    return results.flat();
  }

  #flush(): void {
    this.#flushScheduled = false;
    const all = this.#waiting;
    this.#waiting = new Map();
    for (const [queue, list] of all) {
      for (const run of cutRuns(list, (w) => w.spec)) this.#send(queue, run.items, run.plain);
    }
  }

  /** One script call, counted as on its way while it is (a submit made meanwhile waits for the tick). */
  async #inFlightCall(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
    plain: boolean,
  ): Promise<(SubmitResult | Error)[]> {
    this.#inFlight++;
    try {
      return plain ? await this.#runPlain(queue, specs) : await this.#run(queue, specs, atomic);
    } finally {
      this.#inFlight--;
    }
  }

  #send(queue: string, part: Waiting[], plain: boolean): void {
    this.#callEach(queue, part, plain).catch((err) => {
      for (const w of part) w.reject(err);
    });
  }

  /** One script call for waiting submits of one queue; each settles with its own outcome. */
  async #callEach(queue: string, part: Waiting[], plain: boolean): Promise<void> {
    const raw = await this.#inFlightCall(
      queue,
      part.map((w) => w.spec),
      false,
      plain,
    );
    for (let i = 0; i < part.length; i++) {
      const r = raw[i]!;
      if (r instanceof Error) part[i]!.reject(r);
      else part[i]!.resolve(r);
    }
  }

  async #call(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
    plain = false,
  ): Promise<SubmitResult[]> {
    const raw = await this.#inFlightCall(queue, specs, atomic, plain);
    const failed = raw.find((r) => r instanceof Error && !(r instanceof NotWrittenError));
    if (failed) throw failed;
    return raw as SubmitResult[];
  }

  async #run(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
  ): Promise<(SubmitResult | Error)[]> {
    const ctx = this.#ctx;
    const call = buildSubmitTasks({
      keys: ctx.keys(queue),
      now: ctx.clock.now(),
      maxLen: ctx.eventsMaxLen,
      atomic,
      tasks: specs,
    });
    const replies = decodeSubmitTasks(await callScript(ctx.redis, SUBMIT_TASKS, call), specs.length);
    if (ctx.durability.mode === 'replicated') await this.#confirm(specs);
    // The queue joins the list of known queues once something was written to it.
    const created = replies.reduce((n, r) => (r.outcome === 'created' ? n + 1 : n), 0);
    tallies.queue(queue).submitted += created;
    if (created > 0) await this.#ctx.registerQueue(queue);
    return replies.map((r, i) =>
      r.outcome === 'refused'
        ? refusalError(r.refusal, { id: specs[i]!.id, queue, action: 'submit' })
        : r.outcome === 'replaced'
          ? { id: r.id, queue, state: r.state, duplicate: true, replaced: true }
          : { id: r.id, queue, state: r.state, duplicate: r.outcome === 'duplicate' },
    );
  }

  /** `durability: replicated`: acknowledged only once the replicas have the write (replication.ts). */
  #confirm(specs: readonly NormalizedSpec[]): Promise<void> {
    return confirmReplicated(
      this.#ctx,
      'submit',
      specs.map((s) => s.id),
    );
  }

  /** submitPlain: every task is written, `queued`. */
  async #runPlain(queue: string, specs: readonly NormalizedSpec[]): Promise<SubmitResult[]> {
    const ctx = this.#ctx;
    const call = buildSubmitPlain({
      keys: ctx.keys(queue),
      now: ctx.clock.now(),
      maxLen: ctx.eventsMaxLen,
      tasks: specs,
    });
    decodeSubmitPlain(await callScript(ctx.redis, SUBMIT_PLAIN, call));
    tallies.queue(queue).submitted += specs.length;
    if (ctx.durability.mode === 'replicated') await this.#confirm(specs);
    await this.#ctx.registerQueue(queue);
    return specs.map((s) => ({ id: s.id, queue, state: 'queued', duplicate: false }));
  }
}
