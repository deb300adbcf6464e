import type { EngineContext } from '../context.js';
import { DtpsError, UnknownDependencyError } from '../errors.js';
import { runScript } from '../scripts/registry.js';
import { encodeSpec } from '../task/codec.js';
import type { NormalizedSpec, SubmitResult, TaskState } from '../task/types.js';

/** Most tasks in one script call: keeps each call short, so Redis stays responsive. */
export const MAX_SCRIPT_BATCH = 1000;

interface Waiting {
  spec: NormalizedSpec;
  resolve: (r: SubmitResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Writes tasks. Single submits are coalesced: every submit made in the same
 * tick of the event loop goes to Redis in one script call per queue, which is
 * what makes single submits nearly as cheap as bulk ones.
 */
export class Submitter {
  readonly #ctx: EngineContext;
  #waiting = new Map<string, Waiting[]>();
  #flushScheduled = false;
  readonly #registeredQueues = new Set<string>();

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /** Submits one prepared task, coalesced with the others of this tick. */
  submit(spec: NormalizedSpec): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
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
   * (needed when the batch depends on itself). Not atomic: written in chunks,
   * each task on its own.
   */
  async submitBatch(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
  ): Promise<SubmitResult[]> {
    if (atomic) return this.#call(queue, specs, true);
    const chunks: Promise<SubmitResult[]>[] = [];
    for (let i = 0; i < specs.length; i += MAX_SCRIPT_BATCH) {
      chunks.push(this.#call(queue, specs.slice(i, i + MAX_SCRIPT_BATCH), false));
    }
    return (await Promise.all(chunks)).flat();
  }

  #flush(): void {
    this.#flushScheduled = false;
    const all = this.#waiting;
    this.#waiting = new Map();
    for (const [queue, list] of all) {
      for (let i = 0; i < list.length; i += MAX_SCRIPT_BATCH) {
        const part = list.slice(i, i + MAX_SCRIPT_BATCH);
        this.#callEach(queue, part).catch((err) => {
          for (const w of part) w.reject(err);
        });
      }
    }
  }

  async #callEach(queue: string, part: Waiting[]): Promise<void> {
    const raw = await this.#run(
      queue,
      part.map((w) => w.spec),
      false,
    );
    part.forEach((w, i) => {
      const r = raw[i]!;
      if (r instanceof Error) w.reject(r);
      else w.resolve(r);
    });
  }

  async #call(queue: string, specs: readonly NormalizedSpec[], atomic: boolean): Promise<SubmitResult[]> {
    const raw = await this.#run(queue, specs, atomic);
    const failed = raw.find((r) => r instanceof Error && !(r instanceof NotWritten));
    if (failed) throw failed;
    return raw as SubmitResult[];
  }

  async #run(
    queue: string,
    specs: readonly NormalizedSpec[],
    atomic: boolean,
  ): Promise<(SubmitResult | Error)[]> {
    const ctx = this.#ctx;
    const k = ctx.keys(queue);
    const args: (string | number)[] = [k.base, ctx.clock.now(), ctx.eventsMaxLen, atomic ? '1' : '0'];
    for (const s of specs) {
      args.push(
        s.id,
        s.priority,
        s.runAt ?? '',
        s.deadline ?? '',
        s.idempotencyKey ?? '',
        s.dependsOn.join(' '),
        encodeSpec(s),
        s.payloadJson,
      );
    }
    const keys = [k.ready, k.scheduled, k.pending, k.deadlines, k.idempotency, k.seq];
    const flat = (await runScript(ctx.redis, 'submitTasks', keys, args)) as (number | string)[];
    // The queue joins the list of known queues once something was written to it.
    if (!this.#registeredQueues.has(queue) && flat.some((v, i) => i % 3 === 0 && Number(v) === 0)) {
      await this.#registerQueue(queue);
    }
    return specs.map((s, i) => {
      const code = Number(flat[i * 3]);
      const id = String(flat[i * 3 + 1]);
      const state = String(flat[i * 3 + 2]) as TaskState;
      if (code === 0) return { id, queue, state, duplicate: false };
      if (code === 1) return { id, queue, state, duplicate: true };
      if (code === -1) return new UnknownDependencyError(id, queue);
      if (code === -2) return new NotWritten(s.id);
      return new DtpsError('script_error', `submitTasks returned unknown code ${code}`);
    });
  }

  async #registerQueue(queue: string): Promise<void> {
    if (this.#registeredQueues.has(queue)) return;
    await this.#ctx.redis.sadd(this.#ctx.fleet.queues, queue);
    this.#registeredQueues.add(queue);
  }
}

/** A task of an atomic batch that was not written because another was refused. */
class NotWritten extends Error {}
