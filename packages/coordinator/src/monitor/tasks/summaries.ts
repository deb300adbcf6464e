import { decodeSpec, type EngineContext, type TaskError, type TaskState } from '@dtps/core';
import { LIMITS } from '../limits.js';

/**
 * A task as a list shows it: everything but its bodies. The payload and
 * result are given as sizes (the detail route fetches them, one task at a
 * time), so a page of tasks of 1 MB payloads stays a few hundred bytes a row.
 */
export interface TaskSummary {
  id: string;
  queue: string;
  type: string | null;
  state: TaskState;
  priority: number | null;
  attempts: number;
  maxRetries: number | null;
  worker: string | null;
  progress: number | null;
  createdAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  deadline: number | null;
  timeoutMs: number | null;
  /** The task's group (docs/flow-control.md), or null. */
  group: string | null;
  dependsOn: string[];
  reason: string | null;
  /** The last error, when it is at most LIMITS.listErrorMaxBytes of JSON (else null, and errorBytes says its size). */
  error: TaskError | null;
  /** Bytes of JSON of the stored payload, result and last error (0: none stored). */
  payloadBytes: number;
  resultBytes: number;
  errorBytes: number;
  /** Set when the stored task could not be read: the row is shown with why, the page carries on. */
  unreadable?: string;
}

/** The hash fields a row is made of (`pl`, `r` and `e` are measured, not read). */
const FIELDS = ['d', 's', 'a', 'rs', 'w', 'pg', 'st', 'ft'] as const;

const num = (v: string | null | undefined): number | null =>
  v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v);

/** One row from the hash fields; a corrupt `d` or `e` makes an `unreadable` row instead of failing the page. */
function toSummary(
  id: string,
  queue: string,
  listed: TaskState,
  owner: string | null,
  values: (string | null)[],
  sizes: { payload: number; result: number; error: number },
  errorJson: string | null,
): TaskSummary {
  const [d, s, a, rs, w, pg, st, ft] = values;
  // A reserved task is stored as `queued` (reserving writes no hash): the index it was listed from says it.
  const state = listed === 'reserved' ? 'reserved' : ((s as TaskState | null) ?? listed);
  const row: TaskSummary = {
    id,
    queue,
    type: null,
    state,
    priority: null,
    attempts: num(a) ?? 0,
    maxRetries: null,
    worker: owner ?? w ?? null,
    progress: num(pg),
    createdAt: null,
    startedAt: num(st),
    finishedAt: num(ft),
    deadline: null,
    timeoutMs: null,
    group: null,
    dependsOn: [],
    reason: rs ?? null,
    error: null,
    payloadBytes: sizes.payload,
    resultBytes: sizes.result,
    errorBytes: sizes.error,
  };
  try {
    const spec = decodeSpec(id, queue, d ?? '');
    Object.assign(row, {
      type: spec.type,
      priority: spec.priority,
      maxRetries: spec.maxRetries,
      createdAt: spec.createdAt,
      deadline: spec.deadline,
      timeoutMs: spec.timeoutMs,
      group: spec.group,
      dependsOn: spec.dependsOn,
    });
  } catch (err) {
    row.unreadable = `stored spec is not readable: ${(err as Error).message}`;
  }
  if (errorJson !== null) {
    try {
      row.error = JSON.parse(errorJson) as TaskError;
    } catch (err) {
      row.unreadable ??= `stored error is not readable: ${(err as Error).message}`;
    }
  }
  return row;
}

/**
 * Rows of `ids` (all of `queue`, listed from `state`), in order; null where
 * the task was deleted between the index read and this one. Two pipelined
 * round trips: the small fields and the body sizes, then the last errors
 * small enough to show.
 */
export async function readSummaries(
  ctx: EngineContext,
  queue: string,
  state: TaskState,
  ids: readonly string[],
  owners: readonly (string | null)[],
): Promise<(TaskSummary | null)[]> {
  if (ids.length === 0) return [];
  const k = ctx.keys(queue);
  const first = ctx.redis.pipeline();
  for (const id of ids) {
    const key = k.task(id);
    first.hmget(key, ...FIELDS);
    first.hstrlen(key, 'pl');
    first.hstrlen(key, 'r');
    first.hstrlen(key, 'e');
  }
  const replies = (await first.exec()) ?? [];
  const at = (i: number): unknown => {
    const [err, value] = replies[i] ?? [null, null];
    if (err) throw err;
    return value;
  };
  const rows = ids.map((_, i) => ({
    values: at(4 * i) as (string | null)[],
    sizes: {
      payload: at(4 * i + 1) as number,
      result: at(4 * i + 2) as number,
      error: at(4 * i + 3) as number,
    },
  }));
  const wanted = rows
    .map((r, i) => (r.sizes.error > 0 && r.sizes.error <= LIMITS.listErrorMaxBytes ? i : -1))
    .filter((i) => i >= 0);
  const errors = new Map<number, string | null>();
  if (wanted.length > 0) {
    const second = ctx.redis.pipeline();
    for (const i of wanted) second.hget(k.task(ids[i]!), 'e');
    const got = (await second.exec()) ?? [];
    wanted.forEach((i, j) => {
      errors.set(i, (got[j]?.[1] as string | null) ?? null);
    });
  }
  return rows.map((r, i) =>
    r.values[0] === null
      ? null // deleted between the two reads
      : toSummary(ids[i]!, queue, state, owners[i] ?? null, r.values, r.sizes, errors.get(i) ?? null),
  );
}
