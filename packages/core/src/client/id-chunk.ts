/**
 * Task ids of one state, read a bounded chunk at a time: what every task list
 * pages through (the client's `list`, the monitor's task table). The sorted
 * sets and the workers' windows and running sets are read a range at a time,
 * never whole; only the pending set, which has no order of its own, is read
 * whole and sorted.
 */
import type { EngineContext } from '../context.js';
import { PRIORITY_BAND } from '../keys.js';
import { type TaskState, TERMINAL_STATES } from '../task/types.js';

/** Ids of one state from `offset` on, with the worker that holds each where there is one. */
export interface IdChunk {
  ids: string[];
  /** The worker whose window or running set holds each id (reserved and running only). */
  owners: (string | null)[];
  /** More ids of this state follow the chunk. */
  more: boolean;
}

const none = (ids: string[]) => ids.map(() => null);

/**
 * Up to `count` ids of `state` in `queue` from `offset` on, in list order.
 * Queued tasks are read by priority band when `priority` is given (the
 * ready set's score says it); the other states hold no priority in their
 * index, so the caller filters their rows.
 */
export async function readIdChunk(
  ctx: EngineContext,
  queue: string,
  state: TaskState,
  priority: number | undefined,
  offset: number,
  count: number,
): Promise<IdChunk> {
  const k = ctx.keys(queue);
  const r = ctx.redis;
  const cut = (ids: string[], owners: (string | null)[]) => ({
    ids: ids.slice(0, count),
    owners: owners.slice(0, count),
    more: ids.length > count,
  });
  if (state === 'queued') {
    const [min, max] =
      priority === undefined
        ? ['-inf', '+inf']
        : [(10 - priority) * PRIORITY_BAND, (11 - priority) * PRIORITY_BAND - 1];
    // The ready set, then the tasks limits hold back (flow control), a held set at a time:
    // every instance holding tasks is in fc:due.
    const sets = [k.ready, ...(await r.zrange(k.flowDue, '0', '-1')).sort().map((i) => k.flowHeld(i))];
    const ids: string[] = [];
    let skip = offset;
    for (const set of sets) {
      if (ids.length > count) break;
      if (skip > 0) {
        const size = await r.zcount(set, min, max);
        if (skip >= size) {
          skip -= size;
          continue;
        }
      }
      ids.push(...(await r.zrangebyscore(set, min, max, 'LIMIT', skip, count + 1 - ids.length)));
      skip = 0;
    }
    return cut(ids, none(ids));
  }
  if (state === 'scheduled') {
    const ids = await r.zrange(k.scheduled, String(offset), String(offset + count));
    return cut(ids, none(ids));
  }
  if ((TERMINAL_STATES as readonly string[]).includes(state)) {
    const ids = await r.zrevrange(k.done(state as (typeof TERMINAL_STATES)[number]), offset, offset + count);
    return cut(ids, none(ids));
  }
  if (state === 'pending') {
    const ids = (await r.smembers(k.pending)).sort().slice(offset, offset + count + 1);
    return cut(ids, none(ids));
  }
  // reserved or running: the union of the workers' windows or running sets, worker by worker.
  const workers = (await r.smembers(k.workers)).sort();
  const ids: string[] = [];
  const owners: string[] = [];
  let skip = offset;
  for (const w of workers) {
    if (ids.length > count) break;
    const set = state === 'reserved' ? k.window(w) : k.running(w);
    const size = await r.zcard(set);
    if (skip >= size) {
      skip -= size;
      continue;
    }
    const part = await r.zrange(set, String(skip), String(skip + count - ids.length));
    skip = 0;
    for (const id of part) {
      ids.push(id);
      owners.push(w);
    }
  }
  return cut(ids, owners);
}
