import { ValidationError } from '../errors.js';
import { TASK_ID_PATTERN } from './ids.js';
import {
  type BackoffPolicy,
  DEBOUNCE_MODES,
  type DebounceMode,
  type NormalizedSpec,
  type TaskSpec,
} from './types.js';

/**
 * The characters of a queue name. It sits inside a hash tag (`{dtps:<queue>}`),
 * so `{` and `}` would break cluster slot routing; whitespace would break
 * command lines. Allowed: letters, digits and `_ . : -`, 1-64 characters.
 */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** A task group: letters, digits and `_ . : @ -`; no quote, backslash or space (the Lua scripts rely on it). */
export const GROUP_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Checks a group name; throws a ValidationError naming `field`. */
export function checkGroup(field: string, value: unknown): string {
  if (typeof value !== 'string' || !GROUP_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      `must be 1–128 characters of letters, digits and _ . : @ -, got ${shown(value)}`,
    );
  }
  return value;
}

/** Defaults and limits that validation applies. */
export interface SpecLimits {
  payloadMaxBytes: number;
  defaultQueue: string;
  defaultBackoff: BackoffPolicy;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  type: 'exponential',
  baseMs: 1000,
  maxMs: 3_600_000,
  jitter: true,
};

/**
 * A spec that passed validation: already the NormalizedSpec it becomes once
 * prepare.ts gives it its id and trace context (in place, one object per task
 * on the submit path), and its `ref`.
 */
export type CheckedSpec = NormalizedSpec & { ref: string | null };

/** The fields a task spec may have; any other is refused, naming it. */
export const TASK_SPEC_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'payload',
  'queue',
  'priority',
  'maxRetries',
  'backoff',
  'timeoutMs',
  'deadline',
  'dependsOn',
  'runAt',
  'delayMs',
  'idempotencyKey',
  'dedupTtlMs',
  'debounce',
  'group',
  'ref',
]);

/**
 * A given value for an error message. Never throws: the value is the caller's
 * bad input (a BigInt, a cycle, a throwing getter) and must not turn a
 * ValidationError into another exception.
 */
function shown(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function' || typeof v === 'symbol') return `a ${typeof v}`;
  try {
    const json = JSON.stringify(v);
    if (json === undefined) return String(v);
    return json.length > 100 ? `${json.slice(0, 100)}…` : json;
  } catch {
    return `a ${typeof v} that cannot be shown`;
  }
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function intIn(field: string, v: unknown, min: number, max: number): number {
  if (!isInt(v) || v < min || v > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}, got ${shown(v)}`);
  }
  return v;
}

/** A point in time from an RFC 3339 string, a Date or ms since the epoch. */
export function parseTime(field: string, v: unknown): number {
  let ms: number;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === 'number') ms = v;
  else if (typeof v === 'string') {
    // RFC 3339 needs a date, a time and an offset; Date.parse alone would take "tomorrow-ish" strings.
    if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(v)) {
      throw new ValidationError(field, `must be an RFC 3339 time like 2030-01-22T15:04:05Z, got ${shown(v)}`);
    }
    ms = Date.parse(v);
  } else {
    throw new ValidationError(
      field,
      `must be an RFC 3339 string, a Date or ms since the epoch, got ${typeof v}`,
    );
  }
  if (!Number.isFinite(ms) || ms < 0) throw new ValidationError(field, 'is not a valid time');
  return Math.floor(ms);
}

function payloadJson(v: unknown, maxBytes: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(v === undefined ? null : v);
  } catch (err) {
    throw new ValidationError('payload', `must be JSON-serialisable: ${(err as Error).message}`);
  }
  if (json === undefined)
    throw new ValidationError('payload', 'must be a JSON value (got a function or symbol)');
  // Byte length only matters near the limit; the string length bounds it from below and by 3x from above.
  if (json.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes) {
      throw new ValidationError(
        'payload',
        `is ${bytes} bytes of JSON; the limit is ${maxBytes} (payloadMaxBytes)`,
      );
    }
  }
  return json;
}

function backoffOf(v: unknown, defaults: BackoffPolicy): BackoffPolicy {
  if (v === undefined) return defaults;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ValidationError('backoff', 'must be an object like {type, baseMs, maxMs, jitter}');
  }
  const b = v as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['type', 'baseMs', 'maxMs', 'jitter'].includes(k)) {
      throw new ValidationError(`backoff.${k}`, 'is not a backoff field (type, baseMs, maxMs, jitter)');
    }
  }
  const type = b.type ?? defaults.type;
  if (type !== 'exponential' && type !== 'fixed') {
    throw new ValidationError('backoff.type', `must be "exponential" or "fixed", got ${shown(type)}`);
  }
  const baseMs = b.baseMs === undefined ? defaults.baseMs : intIn('backoff.baseMs', b.baseMs, 0, 86_400_000);
  const maxMs =
    b.maxMs === undefined
      ? Math.max(defaults.maxMs, baseMs)
      : intIn('backoff.maxMs', b.maxMs, 0, 604_800_000);
  if (maxMs < baseMs)
    throw new ValidationError('backoff.maxMs', `must be at least backoff.baseMs (${baseMs})`);
  const jitter = b.jitter ?? defaults.jitter;
  if (typeof jitter !== 'boolean') throw new ValidationError('backoff.jitter', 'must be true or false');
  return { type, baseMs, maxMs, jitter };
}

function idList(field: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ValidationError(field, 'must be an array of task ids');
  if (v.length > 1000) throw new ValidationError(field, 'may list at most 1000 tasks');
  const out: string[] = [];
  for (const [i, id] of v.entries()) {
    if (typeof id !== 'string' || !TASK_ID_PATTERN.test(id)) {
      throw new ValidationError(`${field}[${i}]`, `must be a task id, got ${shown(id)}`);
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Checks one task spec and applies defaults. Throws a ValidationError naming
 * the first field at fault; nothing has been written at that point.
 */
export function checkSpec(input: unknown, limits: SpecLimits, now: number): CheckedSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('spec', 'a task spec must be an object with at least {type}');
  }
  const spec = ownFields(input);
  try {
    return checkFields(spec, limits, now);
  } catch (err) {
    // A field whose parts cannot be read (a throwing getter or Proxy inside backoff, dependsOn…).
    if (err instanceof ValidationError) throw err;
    throw new ValidationError('spec', `could not be read: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** The fields of a spec as ownFields copies them: every task field, so that every copy has one shape. */
type SpecFields = { [K in keyof Required<TaskSpec>]: TaskSpec[K] | undefined };

function noFields(): SpecFields {
  return {
    type: undefined,
    payload: undefined,
    queue: undefined,
    priority: undefined,
    maxRetries: undefined,
    backoff: undefined,
    timeoutMs: undefined,
    deadline: undefined,
    dependsOn: undefined,
    runAt: undefined,
    delayMs: undefined,
    idempotencyKey: undefined,
    dedupTtlMs: undefined,
    debounce: undefined,
    group: undefined,
    ref: undefined,
  };
}

/**
 * The spec's task fields, each read once: a field whose getter throws (or a
 * Proxy that refuses to be read) is refused by name instead of throwing
 * something untyped later. Then the first other field that holds a value is
 * refused as unknown. The copy is a plain object of one fixed shape, written
 * by assignment only for task fields (a `__proto__` field is never assigned,
 * so it cannot become a prototype): submit validates every task, and this is
 * its hot path.
 */
function ownFields(input: object): SpecFields {
  let keys: string[];
  try {
    keys = Object.keys(input);
  } catch {
    throw new ValidationError('spec', 'its fields cannot be listed');
  }
  const out = noFields();
  let unknown: string | undefined;
  for (const k of keys) {
    let v: unknown;
    try {
      v = (input as Record<string, unknown>)[k];
    } catch {
      throw new ValidationError(k, 'cannot be read (its getter threw)');
    }
    if (TASK_SPEC_FIELDS.has(k)) (out as Record<string, unknown>)[k] = v;
    else if (v !== undefined && unknown === undefined) unknown = k;
  }
  if (unknown !== undefined) {
    throw new ValidationError(unknown, `is not a task field (allowed: ${[...TASK_SPEC_FIELDS].join(', ')})`);
  }
  return out;
}

function checkFields(spec: SpecFields, limits: SpecLimits, now: number): CheckedSpec {
  if (typeof spec.type !== 'string' || spec.type.length === 0 || spec.type.length > 128) {
    throw new ValidationError('type', 'must be a non-empty string of at most 128 characters');
  }
  const queue = spec.queue ?? limits.defaultQueue;
  if (typeof queue !== 'string' || !QUEUE_NAME_PATTERN.test(queue)) {
    throw new ValidationError(
      'queue',
      `must be 1–64 characters of letters, digits and _ . : -, got ${shown(queue)}`,
    );
  }
  const priority = spec.priority === undefined ? 1 : intIn('priority', spec.priority, 1, 10);
  const maxRetries = spec.maxRetries === undefined ? 3 : intIn('maxRetries', spec.maxRetries, 0, 100);
  const timeoutMs =
    spec.timeoutMs === undefined ? null : intIn('timeoutMs', spec.timeoutMs, 1, 2_147_483_647);
  let deadline: number | null = null;
  if (spec.deadline !== undefined) {
    deadline = parseTime('deadline', spec.deadline);
    if (deadline <= now)
      throw new ValidationError('deadline', `is in the past (${new Date(deadline).toISOString()})`);
  }
  if (spec.runAt !== undefined && spec.delayMs !== undefined) {
    throw new ValidationError('delayMs', 'give either runAt or delayMs, not both');
  }
  let runAt: number | null = null;
  if (spec.runAt !== undefined) runAt = parseTime('runAt', spec.runAt);
  if (spec.delayMs !== undefined) runAt = now + intIn('delayMs', spec.delayMs, 0, 31_536_000_000);
  if (runAt !== null && deadline !== null && runAt >= deadline) {
    throw new ValidationError('runAt', 'is at or after the deadline: the task could never run');
  }
  if (runAt !== null && runAt <= now) runAt = null;
  let idempotencyKey: string | null = null;
  if (spec.idempotencyKey !== undefined) {
    if (
      typeof spec.idempotencyKey !== 'string' ||
      spec.idempotencyKey.length === 0 ||
      spec.idempotencyKey.length > 256
    ) {
      throw new ValidationError('idempotencyKey', 'must be a non-empty string of at most 256 characters');
    }
    idempotencyKey = spec.idempotencyKey;
  }
  const { dedupTtlMs, debounce } = dedupOf(spec, idempotencyKey);
  const group = spec.group === undefined ? null : checkGroup('group', spec.group);
  let ref: string | null = null;
  if (spec.ref !== undefined) {
    if (typeof spec.ref !== 'string' || !TASK_ID_PATTERN.test(spec.ref)) {
      throw new ValidationError('ref', 'must be 1–128 characters of letters, digits and _ . : -');
    }
    ref = spec.ref;
  }
  return {
    id: '',
    queue,
    type: spec.type,
    payloadJson: payloadJson(spec.payload, limits.payloadMaxBytes),
    priority,
    maxRetries,
    backoff: backoffOf(spec.backoff, limits.defaultBackoff),
    timeoutMs,
    deadline,
    dependsOn: idList('dependsOn', spec.dependsOn),
    runAt,
    idempotencyKey,
    dedupTtlMs,
    debounce,
    group,
    trace: null,
    createdAt: now,
    ref,
  };
}

/** The dedup window and debounce mode of a spec: both need an idempotency key. */
function dedupOf(
  spec: SpecFields,
  idempotencyKey: string | null,
): { dedupTtlMs: number | null; debounce: DebounceMode | null } {
  let dedupTtlMs: number | null = null;
  if (spec.dedupTtlMs !== undefined) {
    dedupTtlMs = intIn('dedupTtlMs', spec.dedupTtlMs, 1, 31_536_000_000);
    if (idempotencyKey === null) throw new ValidationError('dedupTtlMs', 'needs an idempotencyKey');
  }
  let debounce: DebounceMode | null = null;
  if (spec.debounce !== undefined) {
    if (!(DEBOUNCE_MODES as readonly unknown[]).includes(spec.debounce))
      throw new ValidationError('debounce', `must be replace or drop, got ${shown(spec.debounce)}`);
    if (idempotencyKey === null) throw new ValidationError('debounce', 'needs an idempotencyKey');
    debounce = spec.debounce;
  }
  return { dedupTtlMs, debounce };
}
