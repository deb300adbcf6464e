import type { BackoffPolicy, NormalizedSpec, Task, TaskError, TaskState } from './types.js';

/** The immutable part of a task, stored as JSON in the hash field `d`. */
interface StoredSpec {
  id: string;
  queue: string;
  type: string;
  priority: number;
  maxRetries: number;
  backoff: BackoffPolicy;
  timeoutMs: number | null;
  deadline: number | null;
  dependsOn: string[];
  runAt: number | null;
  idempotencyKey: string | null;
  trace: Record<string, string> | null;
  createdAt: number;
}

/** JSON of the immutable fields (everything but the payload, stored apart so it is never parsed twice). */
export function encodeSpec(spec: NormalizedSpec): string {
  const stored: StoredSpec = {
    id: spec.id,
    queue: spec.queue,
    type: spec.type,
    priority: spec.priority,
    maxRetries: spec.maxRetries,
    backoff: spec.backoff,
    timeoutMs: spec.timeoutMs,
    deadline: spec.deadline,
    dependsOn: spec.dependsOn,
    runAt: spec.runAt,
    idempotencyKey: spec.idempotencyKey,
    trace: spec.trace,
    createdAt: spec.createdAt,
  };
  return JSON.stringify(stored);
}

export function decodeSpec(json: string): StoredSpec {
  return JSON.parse(json) as StoredSpec;
}

function json(value: string | undefined): unknown {
  return value === undefined ? null : JSON.parse(value);
}

function num(value: string | undefined): number | null {
  return value === undefined || value === '' ? null : Number(value);
}

/**
 * A task from its hash (HGETALL). `state` overrides the stored state: a task
 * reserved in a window is stored as `queued` (reserving writes no hash).
 */
export function decodeTask(
  fields: Record<string, string>,
  overrides: { state?: TaskState; worker?: string } = {},
): Task {
  const spec = decodeSpec(fields.d!);
  return {
    id: spec.id,
    queue: spec.queue,
    type: spec.type,
    payload: json(fields.pl),
    state: overrides.state ?? (fields.s as TaskState),
    priority: spec.priority,
    attempts: Number(fields.a ?? 0),
    maxRetries: spec.maxRetries,
    backoff: spec.backoff,
    timeoutMs: spec.timeoutMs,
    deadline: spec.deadline,
    dependsOn: spec.dependsOn,
    runAt: spec.runAt,
    idempotencyKey: spec.idempotencyKey,
    trace: spec.trace,
    result: json(fields.r),
    error: (json(fields.e) as TaskError | null) ?? null,
    errors: (json(fields.eh) as TaskError[] | null) ?? [],
    reason: fields.rs ?? null,
    worker: overrides.worker ?? fields.w ?? null,
    progress: num(fields.pg),
    createdAt: spec.createdAt,
    startedAt: num(fields.st),
    finishedAt: num(fields.ft),
  };
}
