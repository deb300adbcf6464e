import type { EngineContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { decodeTask } from '../task/codec.js';
import { type PayloadWhere, payloadMatcher } from '../task/payload-field.js';
import { TASK_STATES, type Task, type TaskState, TERMINAL_STATES } from '../task/types.js';
import { readIdChunk } from './id-chunk.js';
import { isTask, readTaskHash } from './reader.js';

/** Filters and paging of `list`. */
export interface ListOptions {
  queue?: string;
  /** Only this state; all states (running first, then waiting, then ended) when absent. */
  state?: TaskState;
  /** Only this priority. */
  priority?: number;
  /** Only tasks of this type. */
  type?: string;
  /**
   * Only tasks whose payload has this value at this field (a dot path,
   * `user.id`; the value compared as JSON). A search: it reads the payload of
   * every task it looks at, at most SCAN_BUDGET per page.
   */
  where?: PayloadWhere;
  /** Page size, 1–1000; default 50. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface TaskPage {
  tasks: Task[];
  /** Pass to the next call for the next page; null at the end. */
  cursor: string | null;
}

/**
 * The most task ids one `list` call looks at when a filter leaves most of
 * them out: a page may come back short (even empty) with a cursor, rather
 * than one call reading a whole queue of millions.
 */
const SCAN_BUDGET = 5000;
/** Ids read at a time when the filter runs here rather than in Redis. */
const FILTER_CHUNK = 250;

const LIST_ORDER: TaskState[] = ['running', 'reserved', 'queued', 'scheduled', 'pending', ...TERMINAL_STATES];

/** Task counts by state of one queue. */
export async function countTasks(ctx: EngineContext, queue: string): Promise<Record<TaskState, number>> {
  const k = ctx.keys(queue);
  const r = ctx.redis;
  // Queued tasks a limit holds back wait in its held set, not the ready set (flow.lua); every
  // instance holding tasks is in fc:due.
  const [workers, holding] = await Promise.all([r.smembers(k.workers), r.zrange(k.flowDue, '0', '-1')]);
  const [ready, held, scheduled, pending, succeeded, failed, expired, cancelled, windows, running] =
    await Promise.all([
      r.zcard(k.ready),
      Promise.all(holding.map((inst) => r.zcard(k.flowHeld(inst)))),
      r.zcard(k.scheduled),
      r.scard(k.pending),
      r.zcard(k.done('succeeded')),
      r.zcard(k.done('failed')),
      r.zcard(k.done('expired')),
      r.zcard(k.done('cancelled')),
      Promise.all(workers.map((w) => r.zcard(k.window(w)))),
      Promise.all(workers.map((w) => r.zcard(k.running(w)))),
    ]);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    pending,
    scheduled,
    queued: ready + sum(held),
    reserved: sum(windows),
    running: sum(running),
    succeeded,
    failed,
    expired,
    cancelled,
  };
}

/** Lists tasks by state, priority and queue, a page at a time. */
export async function listTasks(ctx: EngineContext, opts: ListOptions): Promise<TaskPage> {
  const queue = opts.queue ?? ctx.defaultQueue;
  const limit = opts.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new ValidationError('limit', 'must be an integer from 1 to 1000');
  if (opts.state !== undefined && !(TASK_STATES as readonly string[]).includes(opts.state)) {
    throw new ValidationError('state', `must be one of ${TASK_STATES.join(', ')}`);
  }
  if (
    opts.priority !== undefined &&
    (!Number.isInteger(opts.priority) || opts.priority < 1 || opts.priority > 10)
  ) {
    throw new ValidationError('priority', 'must be an integer from 1 to 10');
  }
  const keep = taskFilter(opts);
  const states = opts.state ? [opts.state] : LIST_ORDER;
  let [stateIndex, offset] = [0, 0];
  if (opts.cursor !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(opts.cursor);
    if (!m || Number(m[1]) >= states.length)
      throw new ValidationError('cursor', 'is not a cursor from a previous page');
    [stateIndex, offset] = [Number(m[1]), Number(m[2])];
  }
  const tasks: Task[] = [];
  // The page is filled with matching tasks: ids are read on until `limit`
  // match or SCAN_BUDGET ids were looked at; the cursor then says where to go
  // on. It counts positions in the state's unfiltered order (or, for queued
  // tasks of one priority, in that priority's band), so the next page must
  // be asked for with the same filters.
  let scanned = 0;
  while (stateIndex < states.length && tasks.length < limit && scanned < SCAN_BUDGET) {
    const state = states[stateIndex]!;
    const want = limit - tasks.length;
    // Redis filters queued tasks by priority (their score's band); other
    // states are filtered here, so they are read in larger chunks.
    const filteredHere =
      (opts.priority !== undefined && state !== 'queued') ||
      opts.type !== undefined ||
      opts.where !== undefined;
    const chunk = filteredHere ? Math.min(Math.max(want, FILTER_CHUNK), SCAN_BUDGET - scanned) : want;
    const { ids, owners, more } = await readIdChunk(ctx, queue, state, opts.priority, offset, chunk);
    scanned += ids.length;
    const hashes = await Promise.all(ids.map((id) => readTaskHash(ctx, queue, id, state)));
    let used = 0;
    for (const [i, h] of hashes.entries()) {
      if (tasks.length === limit) break;
      used = i + 1;
      if (!isTask(h) && !h.d && !h.s) continue; // deleted between the two reads
      // A damaged task is listed, marked `unreadable`, rather than failing the page.
      const t = isTask(h)
        ? h
        : decodeTask(ids[i]!, queue, h, state === 'reserved' ? { state, worker: owners[i]! } : {});
      if (keep(t)) tasks.push(t);
    }
    offset += used;
    if (more || used < ids.length) continue;
    stateIndex += 1;
    offset = 0;
  }
  return { tasks, cursor: stateIndex < states.length ? `${stateIndex}:${offset}` : null };
}

/** The filters of `list` that are checked on each task read (priority, type, payload field). */
function taskFilter(opts: ListOptions): (t: Task) => boolean {
  if (opts.type !== undefined && (typeof opts.type !== 'string' || opts.type.length === 0))
    throw new ValidationError('type', 'must be a non-empty string');
  const payload = opts.where === undefined ? () => true : payloadMatcher(opts.where);
  return (t) =>
    (opts.priority === undefined || t.priority === opts.priority) &&
    (opts.type === undefined || t.type === opts.type) &&
    payload(t.payload);
}
