import type { BackoffPolicy, NormalizedSpec, Task, TaskError, TaskFields, TaskState } from './types.js';
import { DEFAULT_BACKOFF } from './validate.js';

/**
 * The stored form of `d`: short keys, and only what differs from the defaults.
 * The id and queue are not stored (the key says them). A plain task's `d` is
 * about 45 bytes, which keeps its hash in Redis's compact listpack encoding
 * (values up to 64 bytes): about a third of the memory, and cheaper to write.
 * The Lua scripts read `r` (maxRetries), `b` (backoff) and `dp` (dependsOn);
 * a missing `b` means DEFAULT_BACKOFF, which lua/includes/attempt.lua repeats.
 */
interface ShortSpec {
  t: string;
  c: number;
  p: number;
  r: number;
  b?: BackoffPolicy;
  to?: number;
  dl?: number;
  dp?: string[];
  ra?: number;
  ik?: string;
  tr?: Record<string, string>;
}

function isDefaultBackoff(b: BackoffPolicy): boolean {
  return (
    b.type === DEFAULT_BACKOFF.type &&
    b.baseMs === DEFAULT_BACKOFF.baseMs &&
    b.maxMs === DEFAULT_BACKOFF.maxMs &&
    b.jitter === DEFAULT_BACKOFF.jitter
  );
}

/** JSON of the immutable fields (everything but the payload, stored apart so it is never parsed twice). */
export function encodeSpec(spec: NormalizedSpec): string {
  const short: ShortSpec = { t: spec.type, c: spec.createdAt, p: spec.priority, r: spec.maxRetries };
  if (!isDefaultBackoff(spec.backoff)) short.b = spec.backoff;
  if (spec.timeoutMs !== null) short.to = spec.timeoutMs;
  if (spec.deadline !== null) short.dl = spec.deadline;
  if (spec.dependsOn.length > 0) short.dp = spec.dependsOn;
  if (spec.runAt !== null) short.ra = spec.runAt;
  if (spec.idempotencyKey !== null) short.ik = spec.idempotencyKey;
  if (spec.trace !== null) short.tr = spec.trace;
  return JSON.stringify(short);
}

/** The stored `d` of task `id` in `queue`, defaults filled in. */
export function decodeSpec(id: string, queue: string, json: string): TaskFields {
  const s = JSON.parse(json) as ShortSpec;
  return {
    id,
    queue,
    type: s.t,
    priority: s.p,
    maxRetries: s.r,
    backoff: s.b ?? DEFAULT_BACKOFF,
    timeoutMs: s.to ?? null,
    deadline: s.dl ?? null,
    dependsOn: s.dp ?? [],
    runAt: s.ra ?? null,
    idempotencyKey: s.ik ?? null,
    trace: s.tr ?? null,
    createdAt: s.c,
  };
}

function json(value: string | undefined): unknown {
  return value === undefined ? null : JSON.parse(value);
}

function num(value: string | undefined): number | null {
  return value === undefined || value === '' ? null : Number(value);
}

/**
 * Task `id` of `queue` from its hash (HGETALL). `state` overrides the stored
 * state: a task reserved in a window is stored as `queued` (reserving writes no hash).
 */
export function decodeTask(
  id: string,
  queue: string,
  fields: Record<string, string>,
  overrides: { state?: TaskState; worker?: string } = {},
): Task {
  return {
    ...decodeSpec(id, queue, fields.d!),
    payload: json(fields.pl),
    state: overrides.state ?? (fields.s as TaskState),
    attempts: Number(fields.a ?? 0),
    result: json(fields.r),
    error: (json(fields.e) as TaskError | null) ?? null,
    errors: (json(fields.eh) as TaskError[] | null) ?? [],
    reason: fields.rs ?? null,
    worker: overrides.worker ?? fields.w ?? null,
    progress: num(fields.pg),
    startedAt: num(fields.st),
    finishedAt: num(fields.ft),
  };
}
