import type { EngineContext } from '../context.js';
import { decodeTask, unreadableTask } from '../task/codec.js';
import type { Task, TaskState } from '../task/types.js';

/**
 * The hash of task `id`, or a task marked unreadable when its key holds
 * something that is not a hash (damaged data): one such key must not fail
 * the read of a page or a status command.
 */
export async function readTaskHash(
  ctx: EngineContext,
  queue: string,
  id: string,
  state?: TaskState,
): Promise<Record<string, string> | Task> {
  try {
    return (await ctx.redis.hgetall(ctx.keys(queue).task(id))) as Record<string, string>;
  } catch (err) {
    if (!/WRONGTYPE/.test((err as Error).message)) throw err;
    return unreadableTask(id, queue, 'task', 'its key in Redis is not a hash', state);
  }
}

/**
 * Reads a task. Reserving writes nothing to the task's hash (it is the hot
 * path), so a task stored as `queued` that is not in the ready set is in some
 * worker's window: it is reported as `reserved`, with that worker.
 */
export async function readTask(ctx: EngineContext, queue: string, id: string): Promise<Task | null> {
  const k = ctx.keys(queue);
  const fields = await readTaskHash(ctx, queue, id);
  if (isTask(fields)) return fields;
  // A hash with neither spec nor state is not a task (a stray key); one with a state but a damaged spec is.
  if (!fields.d && !fields.s) return null;
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
  const all = await Promise.all(ids.map((id) => readTaskHash(ctx, queue, id)));
  return all.flatMap((f, i) => {
    if (isTask(f)) return [f];
    return f.d === undefined && f.s === undefined ? [] : [decodeTask(ids[i]!, queue, f)];
  });
}

/** Whether readTaskHash gave a task (an unreadable one) rather than a hash. */
export function isTask(v: Record<string, string> | Task): v is Task {
  return typeof (v as Task).unreadable === 'object';
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
