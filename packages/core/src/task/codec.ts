import { CorruptTaskError } from '../errors.js';
import { parseLogs, type TaskLog } from './logs.js';
import {
  type BackoffPolicy,
  type NormalizedSpec,
  TASK_STATES,
  type Task,
  type TaskError,
  type TaskFields,
  type TaskState,
  type Unreadable,
} from './types.js';
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
  g?: string;
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

// A producer submits mostly one or a few types: their JSON is made once.
let lastType = '';
let lastTypeJson = '""';
function typeJson(type: string): string {
  if (type !== lastType) {
    lastTypeJson = JSON.stringify(type);
    lastType = type;
  }
  return lastTypeJson;
}

/** The fields every stored spec has, as the start of its JSON. */
function head(spec: NormalizedSpec): string {
  return `{"t":${typeJson(spec.type)},"c":${spec.createdAt},"p":${spec.priority},"r":${spec.maxRetries}`;
}

/** True when the spec stores nothing past its head (the backoff is checked apart). */
function hasOnlyHead(spec: NormalizedSpec): boolean {
  return (
    spec.timeoutMs === null &&
    spec.deadline === null &&
    spec.dependsOn.length === 0 &&
    spec.runAt === null &&
    spec.idempotencyKey === null &&
    spec.trace === null &&
    spec.group === null
  );
}

// Tasks submitted in the same millisecond with the same type, priority and retries, and nothing
// else, store the same JSON: the last one is kept and given again.
const lastHeadOnly = { type: '', createdAt: -1, priority: 0, maxRetries: 0, json: '' };
function headOnly(spec: NormalizedSpec): string {
  const last = lastHeadOnly;
  if (
    spec.createdAt !== last.createdAt ||
    spec.type !== last.type ||
    spec.priority !== last.priority ||
    spec.maxRetries !== last.maxRetries
  ) {
    last.json = `${head(spec)}}`;
    last.type = spec.type;
    last.createdAt = spec.createdAt;
    last.priority = spec.priority;
    last.maxRetries = spec.maxRetries;
  }
  return last.json;
}

/**
 * JSON of the immutable fields (everything but the payload, stored apart so it
 * is never parsed twice): exactly `JSON.stringify` of the ShortSpec, written
 * as a string without building the object, since every submitted task passes
 * here. Numbers are validated integers, whose JSON is their decimal form.
 */
export function encodeSpec(spec: NormalizedSpec): string {
  const defaultBackoff = isDefaultBackoff(spec.backoff);
  if (defaultBackoff && hasOnlyHead(spec)) return headOnly(spec);
  let json = head(spec);
  if (!defaultBackoff) json += `,"b":${JSON.stringify(spec.backoff)}`;
  if (spec.timeoutMs !== null) json += `,"to":${spec.timeoutMs}`;
  if (spec.deadline !== null) json += `,"dl":${spec.deadline}`;
  if (spec.dependsOn.length > 0) json += `,"dp":${JSON.stringify(spec.dependsOn)}`;
  if (spec.runAt !== null) json += `,"ra":${spec.runAt}`;
  if (spec.idempotencyKey !== null) json += `,"ik":${JSON.stringify(spec.idempotencyKey)}`;
  if (spec.trace !== null) json += `,"tr":${JSON.stringify(spec.trace)}`;
  // Last, and only letters, digits and `_ . : @ -`: the Lua scripts find it with a pattern (groupOf in keys.lua).
  if (spec.group !== null) json += `,"g":${JSON.stringify(spec.group)}`;
  return `${json}}`;
}

/** What could not be read while decoding one task: field → reason, in the order met. */
class Problems {
  readonly list: { field: string; reason: string }[] = [];

  add(field: string, reason: string): void {
    this.list.push({ field, reason });
  }

  /** The task's `unreadable` (see Task), or undefined when all was read. */
  get unreadable(): Unreadable | undefined {
    if (this.list.length === 0) return undefined;
    return {
      field: this.list.map((p) => p.field).join(', '),
      reason: this.list.map((p) => (this.list.length > 1 ? `${p.field}: ${p.reason}` : p.reason)).join('; '),
    };
  }
}

/** `raw` parsed as JSON, or `fallback` with a problem noted for `field`. */
function parseJson(field: string, raw: string | undefined, problems: Problems, fallback: unknown): unknown {
  if (raw === undefined) return fallback;
  try {
    return JSON.parse(raw);
  } catch (err) {
    problems.add(
      field,
      raw === '' ? 'the stored value is empty' : `the stored value is not JSON (${(err as Error).message})`,
    );
    return fallback;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** `v` when `ok(v)` holds (or `v` is absent), else `fallback` with a problem noted for `field`. */
function checked<T>(
  field: string,
  v: unknown,
  ok: (v: unknown) => boolean,
  fallback: T,
  problems: Problems,
): T {
  if (v === undefined || v === null) return fallback;
  if (ok(v)) return v as T;
  problems.add(field, `unexpected stored value ${preview(v)}`);
  return fallback;
}

/** A short rendering of a stored value for a reason. */
function preview(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

/** The spec `d` of task `id`, reading what it can; what it cannot is noted in `problems`. */
function readSpec(id: string, queue: string, json: string | undefined, problems: Problems): TaskFields {
  let d: Record<string, unknown> = {};
  if (json === undefined) problems.add('spec', 'the task has no stored spec');
  else {
    const parsed = parseJson('spec', json, problems, {});
    if (isObject(parsed)) d = parsed;
    else problems.add('spec', `not an object: ${preview(parsed)}`);
  }
  let type = '';
  if (typeof d.t === 'string' && d.t !== '') type = d.t;
  else if (Object.keys(d).length > 0)
    problems.add('type', d.t === undefined ? 'missing' : `unexpected stored value ${preview(d.t)}`);
  return {
    id,
    queue,
    type,
    priority: checked(
      'priority',
      d.p,
      (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10,
      5,
      problems,
    ),
    maxRetries: checked('maxRetries', d.r, (v) => Number.isInteger(v) && (v as number) >= 0, 0, problems),
    backoff: checked('backoff', d.b, isObject, DEFAULT_BACKOFF, problems) as BackoffPolicy,
    timeoutMs: checked('timeoutMs', d.to, isNum, null, problems),
    deadline: checked('deadline', d.dl, isNum, null, problems),
    dependsOn: checked(
      'dependsOn',
      d.dp,
      (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
      [],
      problems,
    ),
    runAt: checked('runAt', d.ra, isNum, null, problems),
    idempotencyKey: checked('idempotencyKey', d.ik, (v) => typeof v === 'string', null, problems),
    group: checked('group', d.g, (v) => typeof v === 'string', null, problems),
    trace: checked('trace', d.tr, isObject, null, problems) as Record<string, string> | null,
    createdAt: checked('createdAt', d.c, isNum, 0, problems),
  };
}

/**
 * The stored `d` of task `id` in `queue`, defaults filled in. Throws
 * {@link CorruptTaskError} when it cannot be read (a worker must not run a
 * task it cannot know).
 */
export function decodeSpec(id: string, queue: string, json: string | undefined): TaskFields {
  const fast = json === undefined ? undefined : wellFormedSpec(id, queue, json);
  if (fast !== undefined) return fast;
  const problems = new Problems();
  const spec = readSpec(id, queue, json, problems);
  const bad = problems.unreadable;
  if (bad) throw new CorruptTaskError(id, bad.field, bad.reason);
  return spec;
}

/** A stored number (progress, times), or null when absent or unreadable. */
function num(field: string, value: string | undefined, problems: Problems): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  problems.add(field, `unexpected stored value ${preview(value)}`);
  return null;
}

/**
 * Task `id` of `queue` from its hash (HGETALL). `state` overrides the stored
 * state: a task reserved in a window is stored as `queued` (reserving writes no hash).
 * Never throws on damaged data: what cannot be read reads as its default and
 * is named in the task's `unreadable`, so that one bad value does not fail a
 * status command or a page of tasks.
 */
export function decodeTask(
  id: string,
  queue: string,
  fields: Record<string, string>,
  overrides: { state?: TaskState; worker?: string } = {},
): Task {
  const problems = new Problems();
  const spec = readSpec(id, queue, fields.d, problems);
  const payload = parseJson('payload', fields.pl, problems, null);
  const stored = fields.s;
  const state = checked(
    'state',
    stored,
    (v) => (TASK_STATES as readonly unknown[]).includes(v),
    'failed',
    problems,
  );
  const attempts = checked(
    'attempts',
    fields.a === undefined ? 0 : Number(fields.a),
    (v) => Number.isInteger(v) && (v as number) >= 0,
    0,
    problems,
  );
  const result = parseJson('result', fields.r, problems, null);
  const error = checked(
    'error',
    parseJson('error', fields.e, problems, null),
    isObject,
    null,
    problems,
  ) as TaskError | null;
  const errors = checked(
    'errors',
    parseJson('errors', fields.eh, problems, []),
    Array.isArray,
    [],
    problems,
  ) as TaskError[];
  const task: Task = {
    ...spec,
    payload,
    state: overrides.state ?? (stored === undefined ? 'failed' : state),
    attempts,
    result,
    error,
    errors,
    reason: fields.rs ?? null,
    worker: overrides.worker ?? fields.w ?? null,
    progress: num('progress', fields.pg, problems),
    startedAt: num('startedAt', fields.st, problems),
    finishedAt: num('finishedAt', fields.ft, problems),
    logs: readLogs(fields.lg, problems),
  };
  if (stored === undefined && !overrides.state) problems.add('state', 'the task has no stored state');
  const unreadable = problems.unreadable;
  if (unreadable) task.unreadable = unreadable;
  return task;
}

/**
 * A task whose stored data could not be read at all (its key is not a hash):
 * only its id, queue and, when the caller knows it, its state; `unreadable`
 * says why.
 */
export function unreadableTask(
  id: string,
  queue: string,
  field: string,
  reason: string,
  state?: TaskState,
): Task {
  const task = decodeTask(id, queue, {}, state ? { state } : {});
  task.unreadable = { field, reason };
  return task;
}

/**
 * The spec as written by encodeSpec, read without the careful path's
 * bookkeeping: the worker decodes one for every task it claims, and a stored
 * spec is well formed but for damaged data. Undefined when anything is off;
 * the careful path (readSpec) then says what.
 */
function wellFormedSpec(id: string, queue: string, json: string): TaskFields | undefined {
  const d = json === lastPlain.json ? lastPlain.spec : parseWellFormed(json);
  if (d === undefined) return undefined;
  return {
    id,
    queue,
    type: d.t,
    priority: d.p,
    maxRetries: d.r,
    backoff: d.b ?? DEFAULT_BACKOFF,
    timeoutMs: d.to ?? null,
    deadline: d.dl ?? null,
    dependsOn: d.dp ?? [],
    runAt: d.ra ?? null,
    idempotencyKey: d.ik ?? null,
    group: d.g ?? null,
    trace: d.tr ?? null,
    createdAt: d.c,
  };
}

/**
 * The last plain spec parsed (only scalars: nothing a task could share with another by
 * reference). Tasks submitted in the same millisecond with the same type and options store the
 * same JSON (see headOnly), and a claim hands them out together: the worker parses it once.
 */
const lastPlain: { json: string; spec: ShortSpec | undefined } = { json: '', spec: undefined };

/** The spec JSON parsed and checked, or undefined when anything is off (see wellFormedSpec). */
function parseWellFormed(json: string): ShortSpec | undefined {
  let d: ShortSpec;
  try {
    d = JSON.parse(json) as ShortSpec;
  } catch {
    return undefined;
  }
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.t !== 'string' ||
    d.t === '' ||
    !Number.isInteger(d.p) ||
    d.p < 1 ||
    d.p > 10 ||
    !Number.isInteger(d.r) ||
    d.r < 0 ||
    !isNum(d.c) ||
    (d.b !== undefined && !isObject(d.b)) ||
    (d.to !== undefined && !isNum(d.to)) ||
    (d.dl !== undefined && !isNum(d.dl)) ||
    (d.ra !== undefined && !isNum(d.ra)) ||
    (d.ik !== undefined && typeof d.ik !== 'string') ||
    (d.g !== undefined && typeof d.g !== 'string') ||
    (d.tr !== undefined && !isObject(d.tr)) ||
    (d.dp !== undefined && !(Array.isArray(d.dp) && d.dp.every((x) => typeof x === 'string')))
  )
    return undefined;
  if (d.b === undefined && d.dp === undefined && d.tr === undefined) {
    lastPlain.json = json;
    lastPlain.spec = d;
  }
  return d;
}

/** The stored log lines; none, with a problem noted, when the field is damaged. */
function readLogs(raw: string | undefined, problems: Problems): TaskLog[] {
  const logs = parseLogs(raw);
  if (logs !== null) return logs;
  problems.add('logs', `unexpected stored value ${preview(raw)}`);
  return [];
}
