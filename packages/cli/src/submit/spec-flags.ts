import type { DebounceMode, TaskSpec } from '@dtps/core';
import { usageError } from '../errors.js';
import { type CliFlags, intFlag } from '../flags.js';

/** The handler `dtps submit` uses without `--type`: the demo handler, like the Go original's plain submit. */
export const DEFAULT_TYPE = 'noop';

/** The flag that sets each task field, for messages about that field. */
export const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  type: '--type',
  payload: '--payload',
  priority: '--priority',
  deadline: '--deadline',
  maxRetries: '--retries',
  timeoutMs: '--timeout',
  delayMs: '--delay',
  dependsOn: '--depends-on',
  idempotencyKey: '--idempotency-key',
  dedupTtlMs: '--dedup-ttl',
  debounce: '--debounce',
  group: '--group',
  queue: '--queue',
};

/**
 * The task fields set by flags, and only those (so that with `--file` they
 * are defaults that a line can override). Throws a usage error naming the
 * flag for a value that cannot even be parsed; the core checks the rest.
 */
export function specFromFlags(flags: CliFlags): Partial<TaskSpec> {
  const spec: Partial<TaskSpec> = {};
  if (flags.type !== undefined) spec.type = flags.type;
  if (flags.payload !== undefined) spec.payload = parsePayload(flags.payload);
  const priority = intFlag(flags.priority, 'priority');
  if (priority !== undefined) spec.priority = priority;
  if (flags.deadline !== undefined) spec.deadline = parseTimeFlag(flags.deadline);
  const maxRetries = intFlag(flags.retries, 'retries', 'maxRetries');
  if (maxRetries !== undefined) spec.maxRetries = maxRetries;
  const timeoutMs = intFlag(flags.timeout, 'timeout', 'timeoutMs');
  if (timeoutMs !== undefined) spec.timeoutMs = timeoutMs;
  const delayMs = intFlag(flags.delay, 'delay', 'delayMs');
  if (delayMs !== undefined) spec.delayMs = delayMs;
  const dependsOn = splitIds(flags.dependsOn ?? []);
  if (dependsOn.length > 0) spec.dependsOn = dependsOn;
  if (flags.idempotencyKey !== undefined) spec.idempotencyKey = flags.idempotencyKey;
  const dedupTtlMs = intFlag(flags.dedupTtl, 'dedupTtl', 'dedupTtlMs');
  if (dedupTtlMs !== undefined) spec.dedupTtlMs = dedupTtlMs;
  // The mode as given: the core names it (`debounce`) when it is neither replace nor drop.
  if (flags.debounce !== undefined) spec.debounce = flags.debounce as DebounceMode;
  if (flags.group !== undefined) spec.group = flags.group;
  return spec;
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(
      `--payload: must be JSON, like '{"ms":500}' or '"text"' (${(err as Error).message})`,
      'payload',
    );
  }
}

/** RFC 3339 as given (the core checks it); digits alone are ms since the epoch. */
function parseTimeFlag(text: string): string | number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

/** `--depends-on a,b --depends-on c` → `[a, b, c]`. */
export function splitIds(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '');
}
