import { ValidationError } from '../errors.js';
import { checkSpec, DEFAULT_BACKOFF, QUEUE_NAME_PATTERN } from '../task/validate.js';
import { compileCron } from './cron.js';
import type { MissedPolicy, OverlapPolicy, ScheduleDef, ScheduleInput, ScheduleTemplate } from './types.js';

/** The characters of a schedule id: it is part of a Redis key and of its runs' idempotency keys. */
export const SCHEDULE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The shortest fixed interval: the leader looks for due schedules a few times a second. */
export const MIN_EVERY_MS = 1000;

/** At most this many missed runs are caught up, whatever `catch-up:N` says. */
export const MAX_CATCH_UP = 1000;

const TEMPLATE_FIELDS = new Set([
  'type',
  'payload',
  'queue',
  'priority',
  'maxRetries',
  'timeoutMs',
  'deadlineOffsetMs',
  'group',
]);

/** `skip`, `once` or `catch-up:N` (1 ≤ N ≤ 1000); ValidationError naming `missed` otherwise. */
export function parseMissedPolicy(text: unknown): MissedPolicy {
  if (text === 'skip' || text === 'once') return { kind: text };
  const m = typeof text === 'string' ? /^catch-up:(\d{1,4})$/.exec(text) : null;
  const max = m ? Number(m[1]) : 0;
  if (!m || max < 1 || max > MAX_CATCH_UP) {
    throw new ValidationError(
      'missed',
      `must be skip, once or catch-up:N (N from 1 to ${MAX_CATCH_UP}), got ${JSON.stringify(text)}`,
    );
  }
  return { kind: 'catch-up', max };
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !SCHEDULE_ID_PATTERN.test(id)) {
    throw new ValidationError(
      'id',
      `must be 1-128 letters, digits, "_", ".", ":" or "-", got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

function optionalInt(field: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The template checked as the task it will submit (same rules, same field names), defaults left out. */
function checkTemplate(input: unknown, payloadMaxBytes: number): ScheduleTemplate {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('template', 'must be an object with at least {type}');
  }
  const t = input as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (!TEMPLATE_FIELDS.has(k) && t[k] !== undefined) {
      throw new ValidationError(k, `is not a template field (allowed: ${[...TEMPLATE_FIELDS].join(', ')})`);
    }
  }
  const { deadlineOffsetMs, group, ...task } = t;
  checkSpec(task, { payloadMaxBytes, defaultQueue: 'default', defaultBackoff: DEFAULT_BACKOFF }, 0);
  const offset = optionalInt('deadlineOffsetMs', deadlineOffsetMs, 1, 365 * 86_400_000);
  if (group !== undefined && (typeof group !== 'string' || !QUEUE_NAME_PATTERN.test(group))) {
    throw new ValidationError(
      'group',
      `must be 1-64 letters, digits, "_", ".", ":" or "-", got ${JSON.stringify(group)}`,
    );
  }
  const out: ScheduleTemplate = { type: t.type as string };
  if (t.payload !== undefined) out.payload = t.payload;
  if (t.queue !== undefined) out.queue = t.queue as string;
  if (t.priority !== undefined) out.priority = t.priority as number;
  if (t.maxRetries !== undefined) out.maxRetries = t.maxRetries as number;
  if (t.timeoutMs !== undefined) out.timeoutMs = t.timeoutMs as number;
  if (offset !== undefined) out.deadlineOffsetMs = offset;
  if (group !== undefined) out.group = group as string;
  return out;
}

/**
 * Checks a schedule as given and fills in its defaults. Throws a
 * ValidationError naming the first field at fault; nothing is written then.
 */
export function checkSchedule(
  input: ScheduleInput,
  origin: ScheduleDef['origin'],
  payloadMaxBytes = 1_048_576,
): ScheduleDef {
  if (input === null || typeof input !== 'object') throw new ValidationError('schedule', 'must be an object');
  const id = checkId(input.id);
  const hasCron = input.cron !== undefined;
  const hasEvery = input.everyMs !== undefined;
  if (hasCron === hasEvery) throw new ValidationError('cron', 'give exactly one of cron and everyMs');
  if (!hasCron && input.tz !== undefined)
    throw new ValidationError('tz', 'only a cron schedule has a time zone');
  const tz = input.tz === undefined ? null : input.tz;
  if (hasCron) compileCron(input.cron as string, tz);
  const everyMs = hasEvery ? optionalInt('everyMs', input.everyMs, MIN_EVERY_MS, 366 * 86_400_000)! : null;
  const overlap: OverlapPolicy = input.overlap ?? 'allow';
  if (overlap !== 'allow' && overlap !== 'skip') {
    throw new ValidationError('overlap', `must be allow or skip, got ${JSON.stringify(input.overlap)}`);
  }
  return {
    id,
    cron: hasCron ? (input.cron as string).trim() : null,
    tz,
    everyMs,
    template: checkTemplate(input.template, payloadMaxBytes),
    missed: parseMissedPolicy(input.missed ?? 'once'),
    overlap,
    jitterMs: optionalInt('jitterMs', input.jitterMs, 0, 86_400_000) ?? 0,
    origin,
  };
}
