import {
  type EngineContext,
  type Logger,
  lastEventId,
  rangeEvents,
  readTasks,
  recordTaskEvent,
  type TransitionEvent,
  tracingEnabled,
} from '@dtps/core';

/** Stream entries read per call. */
const BATCH = 1000;
/** Most calls per queue and tick: a busy queue is caught up over several ticks rather than stalling the loop. */
const MAX_BATCHES = 10;

/**
 * What a transition means for a task's trace: the kind of span recorded
 * (`dtps.<kind>`), or undefined for transitions the producer's and the
 * workers' own spans already show (submit, start, success, a final failure).
 */
export function traceKindOf(e: Pick<TransitionEvent, 'state' | 'reason'>): string | undefined {
  switch (e.state) {
    case 'expired':
      return 'expire';
    case 'cancelled':
      return 'cancel';
    case 'stolen':
      return 'steal';
    case 'scheduled':
    case 'queued':
    case 'pending':
      if (e.reason === 'retry' || e.reason === 'operator_retry') return 'retry';
      if (e.reason === 'worker_lost') return 'recover';
      if (e.reason === 'released') return 'release';
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Records what happens to tasks between and beside their attempts — retries
 * scheduled, steals, recovery from a lost worker, releases, expiry, cancels —
 * as spans in each task's trace, read from the queues' event streams. The
 * coordinator (the leader, so once) does it, because these transitions are
 * made by Lua scripts on behalf of many processes, some of which (a `dtps
 * cancel`) never trace. Idle unless telemetry traces are on.
 */
export class TraceRecorder {
  readonly #ctx: EngineContext;
  readonly #log: Logger;
  /** Per queue, the last stream entry handled. */
  readonly #cursors = new Map<string, string>();
  /** Whether the first pass ran: queues that appear after it are read from their start. */
  #primed = false;

  constructor(ctx: EngineContext, log: Logger) {
    this.#ctx = ctx;
    this.#log = log;
  }

  /** One pass over every queue's new stream entries; returns how many spans were recorded. */
  async tick(): Promise<number> {
    if (!tracingEnabled()) return 0;
    let recorded = 0;
    for (const queue of await this.#ctx.queueNames()) recorded += await this.#queue(queue);
    this.#primed = true;
    return recorded;
  }

  /** Forgets the cursors (leadership lost): a coordinator that leads again starts from then. */
  reset(): void {
    this.#cursors.clear();
    this.#primed = false;
  }

  async #queue(queue: string): Promise<number> {
    const stream = this.#ctx.keys(queue).events;
    if (!this.#cursors.has(queue) && !this.#primed) {
      // From now on: what happened before this coordinator led was someone else's to record.
      this.#cursors.set(queue, await lastEventId(this.#ctx.redis, stream));
      return 0;
    }
    let n = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const cursor = this.#cursors.get(queue);
      const events = await rangeEvents(
        this.#ctx.redis,
        stream,
        cursor === undefined ? '-' : `(${cursor}`,
        BATCH,
      );
      if (events.length === 0) break;
      this.#cursors.set(queue, events[events.length - 1]!.streamId);
      n += await this.#record(queue, events);
      if (events.length < BATCH) break;
    }
    if (n > 0) this.#log.debug({ queue, n }, 'recorded task events in their traces');
    return n;
  }

  /** Records the events among `events` that make spans; returns how many. */
  async #record(queue: string, events: TransitionEvent[]): Promise<number> {
    const wanted = events.flatMap((e) => {
      const kind = traceKindOf(e);
      return kind === undefined ? [] : [{ e, kind }];
    });
    if (wanted.length === 0) return 0;
    const ids = [...new Set(wanted.flatMap(({ e }) => e.ids))];
    const traces = new Map((await readTasks(this.#ctx, queue, ids)).map((t) => [t.id, t.trace]));
    let n = 0;
    for (const { e, kind } of wanted) {
      for (const id of e.ids) {
        recordTaskEvent({
          kind,
          id,
          queue,
          trace: traces.get(id) ?? null,
          at: e.at,
          reason: e.reason,
          worker: e.worker,
        });
        n++;
      }
    }
    return n;
  }
}
