import {
  decodeTask,
  type EngineContext,
  type Inspector,
  type TaskDetail,
  TaskNotFoundError,
  type TaskState,
} from '@dtps/core';
import { LIMITS } from '../limits.js';

/** A task's detail, with the bodies too large to send left out (null) and their sizes. */
export interface BoundedDetail extends TaskDetail {
  /** Bytes of JSON of the stored payload, result and error history. */
  sizes: { payload: number; result: number; errors: number };
  /** Bodies left out because they are larger than the monitor sends (see docs/http-api.md). */
  omitted: ('payload' | 'result' | 'errors')[];
}

/**
 * One task for the detail view. Its payload and result are sent whole up to
 * the engine's payloadMaxBytes (what a submit may carry), its error history
 * up to LIMITS.detailErrorsMaxBytes; a larger body (only a corrupt or
 * foreign write can make one) is left out and named in `omitted`, so one
 * request never makes the coordinator hold more than a few MB.
 */
export async function boundedDetail(
  ctx: EngineContext,
  inspector: Inspector,
  id: string,
  queue: string | undefined,
): Promise<BoundedDetail> {
  // Measured first, so that the whole hash is read only when it is within bounds.
  const q = queue ?? (await findQueue(ctx, id));
  const key = ctx.keys(q ?? ctx.defaultQueue).task(id);
  const [payload, result, errors] = (await ctx.redis
    .pipeline()
    .hstrlen(key, 'pl')
    .hstrlen(key, 'r')
    .hstrlen(key, 'eh')
    .exec()
    .then((replies) => (replies ?? []).map(([, v]) => Number(v ?? 0)))) as [number, number, number];
  const sizes = { payload, result, errors };
  const omitted: BoundedDetail['omitted'] = [];
  if (payload > ctx.payloadMaxBytes) omitted.push('payload');
  if (result > ctx.payloadMaxBytes) omitted.push('result');
  if (errors > LIMITS.detailErrorsMaxBytes) omitted.push('errors');
  if (omitted.length === 0 || q === undefined)
    return { ...(await inspector.task(id, queue)), sizes, omitted };
  return { ...(await readWithout(ctx, q, id, omitted)), sizes, omitted };
}

/** The stored fields of a task hash, by the body each one is. */
const BODY_FIELD = { payload: 'pl', result: 'r', errors: 'eh' } as const;
const TASK_FIELDS = ['d', 'pl', 's', 'a', 'r', 'e', 'eh', 'rs', 'w', 'pg', 'st', 'ft', 'lg'];

/** The detail read field by field, without the `omitted` bodies (what inspector.task does with HGETALL). */
async function readWithout(
  ctx: EngineContext,
  queue: string,
  id: string,
  omitted: BoundedDetail['omitted'],
): Promise<TaskDetail> {
  const k = ctx.keys(queue);
  const skip = new Set<string>(omitted.map((o) => BODY_FIELD[o]));
  const names = TASK_FIELDS.filter((f) => !skip.has(f));
  const values = await ctx.redis.hmget(k.task(id), ...names);
  const fields: Record<string, string> = {};
  names.forEach((f, i) => {
    if (values[i] !== null && values[i] !== undefined) fields[f] = values[i]!;
  });
  if (!fields.d) throw new TaskNotFoundError(id, queue);
  let worker: string | undefined;
  if (fields.s === 'queued' && (await ctx.redis.zscore(k.ready, id)) === null) {
    // Reserving writes no hash: a queued task outside the ready set sits in a worker's window.
    const workers = await ctx.redis.smembers(k.workers);
    const scores = await Promise.all(workers.map((w) => ctx.redis.zscore(k.window(w), id)));
    const i = scores.findIndex((s) => s !== null);
    if (i >= 0) worker = workers[i];
  }
  const task = decodeTask(id, queue, fields, worker ? { state: 'reserved', worker } : {});
  const [states, dependents] = await Promise.all([
    Promise.all(task.dependsOn.map((p) => ctx.redis.hget(k.task(p), 's'))),
    ctx.redis.smembers(k.dependents(id)),
  ]);
  return {
    task,
    parents: task.dependsOn.map((p, i) => ({ id: p, state: (states[i] as TaskState | null) ?? null })),
    dependents: dependents.sort(),
  };
}

/** The queue holding `id` (the default queue first), or undefined: inspector.task reports it unknown. */
async function findQueue(ctx: EngineContext, id: string): Promise<string | undefined> {
  if (await ctx.redis.exists(ctx.keys(ctx.defaultQueue).task(id))) return ctx.defaultQueue;
  for (const q of await ctx.queueNames()) if (await ctx.redis.exists(ctx.keys(q).task(id))) return q;
  return undefined;
}
