import type { EngineContext } from '../context.js';
import { decodeTask } from '../task/codec.js';
import type { Task } from '../task/types.js';

/**
 * Reads a task. Reserving writes nothing to the task's hash (it is the hot
 * path), so a task stored as `queued` that is not in the ready set is in some
 * worker's window: it is reported as `reserved`, with that worker.
 */
export async function readTask(ctx: EngineContext, queue: string, id: string): Promise<Task | null> {
  const k = ctx.keys(queue);
  const fields = (await ctx.redis.hgetall(k.task(id))) as Record<string, string>;
  if (!fields.d) return null;
  if (fields.s !== 'queued') return decodeTask(id, queue, fields);
  if ((await ctx.redis.zscore(k.ready, id)) !== null) return decodeTask(id, queue, fields);
  const workers = await ctx.redis.smembers(k.workers);
  const scores = await Promise.all(workers.map((w) => ctx.redis.zscore(k.window(w), id)));
  const i = scores.findIndex((s) => s !== null);
  return i < 0
    ? decodeTask(id, queue, fields)
    : decodeTask(id, queue, fields, { state: 'reserved', worker: workers[i]! });
}

/** Reads many tasks of one queue (missing ones are left out), without the reserved check. */
export async function readTasks(ctx: EngineContext, queue: string, ids: readonly string[]): Promise<Task[]> {
  const k = ctx.keys(queue);
  const all = await Promise.all(
    ids.map((id) => ctx.redis.hgetall(k.task(id)) as Promise<Record<string, string>>),
  );
  return all.flatMap((f, i) => (f.d === undefined ? [] : [decodeTask(ids[i]!, queue, f)]));
}

/**
 * The queue that holds task `id`: the given one, else the default queue, else
 * any known queue. Null when none has it.
 */
export async function findQueueOf(ctx: EngineContext, id: string, queue?: string): Promise<string | null> {
  if (queue !== undefined) return (await ctx.redis.exists(ctx.keys(queue).task(id))) ? queue : null;
  if (await ctx.redis.exists(ctx.keys(ctx.defaultQueue).task(id))) return ctx.defaultQueue;
  const names = (await ctx.queueNames()).filter((q) => q !== ctx.defaultQueue);
  const found = await Promise.all(names.map((q) => ctx.redis.exists(ctx.keys(q).task(id))));
  const i = found.findIndex((n) => n > 0);
  return i < 0 ? null : names[i]!;
}
