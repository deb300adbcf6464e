/**
 * What a handler hands back to dtps — its result, its error, its progress
 * values and its log lines — checked and encoded where it is made, in the
 * attempt that made it. Whatever cannot be stored fails that attempt with a
 * typed error (code `unencodable_result`); it never reaches a batch of
 * reports, so one task's bad output cannot hold up another's.
 *
 * This module imports nothing heavier than the error classes: worker threads
 * load it (as `@dtps/core/output`) to encode their results where they are made.
 */
import { UnencodableValueError, ValidationError } from '../errors.js';

/**
 * The largest result stored, in bytes of JSON (16 MiB). A result is a value to
 * read back with `dtps status`, pass to dependents and keep in Redis until
 * retention removes it; a bigger one belongs in a blob store, with its address
 * as the result.
 */
export const RESULT_MAX_BYTES = 16 * 1024 * 1024;

/** The longest error message stored, in characters; the rest is cut with a note. */
export const ERROR_MESSAGE_MAX_CHARS = 8192;

/** The longest log line a handler may write, in characters; the rest is cut with a note. */
export const LOG_LINE_MAX_CHARS = 8192;

/** How many values the diagnosis of a failed encoding looks at before it stops looking. */
const DIAGNOSIS_BUDGET = 10_000;

/**
 * The JSON to store for a handler's result. `undefined` (a handler that
 * returns nothing) is stored as `null`. Throws {@link UnencodableValueError}
 * naming the reason when the value cannot be stored: a BigInt, a cycle, a
 * function or symbol (at the top; nested ones are left out as JSON does), a
 * `toJSON` method or getter that throws, or more than `maxBytes` of JSON.
 */
export function encodeResult(value: unknown, maxBytes: number = RESULT_MAX_BYTES): string {
  if (value === undefined || value === null) return 'null';
  const kind = typeof value;
  if (kind === 'function' || kind === 'symbol')
    throw new UnencodableValueError('result', `is a ${kind}, which JSON cannot hold`);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new UnencodableValueError('result', whyNotEncodable(value, err));
  }
  // A toJSON that returns undefined (or a function) leaves nothing to store.
  if (json === undefined)
    throw new UnencodableValueError('result', 'encodes to nothing (toJSON returned undefined)');
  checkBytes(json, maxBytes);
  return json;
}

/** Throws when `json` is over `maxBytes` (the string length bounds the byte length by 3x). */
function checkBytes(json: string, maxBytes: number): void {
  if (json.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes)
    throw new UnencodableValueError(
      'result',
      `is ${bytes} bytes of JSON; the limit is ${maxBytes} (store big outputs elsewhere and return their address)`,
    );
}

/** The reason JSON.stringify gave up on `value`, with the path to the culprit when one can be found. */
function whyNotEncodable(value: unknown, err: unknown): string {
  const message = safeMessage(err);
  if (err instanceof RangeError && /call stack/i.test(message)) return 'is nested too deeply to encode';
  if (err instanceof RangeError && /string length/i.test(message)) return 'is too large to encode';
  const found = findCulprit(value);
  if (err instanceof TypeError && /bigint/i.test(message))
    return `contains a BigInt${found?.what === 'bigint' ? ` at ${found.path}` : ''}, which JSON cannot hold (convert it to a string or number)`;
  if (err instanceof TypeError && /circular/i.test(message))
    return `contains a cycle${found?.what === 'cycle' ? ` at ${found.path}` : ''}, which JSON cannot hold`;
  return `encoding it threw (a toJSON method or a getter failed): ${message}`;
}

/** The first BigInt or cycle in `value`, by a bounded walk that never lets a getter's throw out. */
function findCulprit(value: unknown): { what: 'bigint' | 'cycle'; path: string } | null {
  let budget = DIAGNOSIS_BUDGET;
  const ancestors = new Set<object>();
  const walk = (v: unknown, path: string): { what: 'bigint' | 'cycle'; path: string } | null => {
    if (--budget < 0) return null;
    if (typeof v === 'bigint') return { what: 'bigint', path };
    if (v === null || typeof v !== 'object') return null;
    if (ancestors.has(v)) return { what: 'cycle', path };
    ancestors.add(v);
    try {
      for (const key of Object.keys(v)) {
        const hit = walk(
          (v as Record<string, unknown>)[key],
          Array.isArray(v) ? `${path}[${key}]` : `${path}.${key}`,
        );
        if (hit) return hit;
      }
    } catch {
      return null;
    } finally {
      ancestors.delete(v);
    }
    return null;
  };
  return walk(value, '$');
}

/** `err.message` (or `String(err)`), whatever `err` is; never throws. */
function safeMessage(err: unknown): string {
  try {
    if (err instanceof Error) return String(err.message || err.name);
    if (typeof err === 'string') return err;
    const json = JSON.stringify(err);
    return json === undefined ? String(err) : json;
  } catch {
    try {
      return String(err);
    } catch {
      return 'a value that cannot be shown';
    }
  }
}

/** `text` cut to `max` characters, saying how much was cut. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

/**
 * The message to store for what a handler threw: its `message` for an Error,
 * the value itself for a string, else its JSON or `String()`; cut to
 * {@link ERROR_MESSAGE_MAX_CHARS}. Never throws, whatever was thrown (a
 * throwing getter, a Proxy, a symbol…).
 */
export function errorText(err: unknown): string {
  return cut(safeMessage(err), ERROR_MESSAGE_MAX_CHARS);
}

/** The longest wait a handler's RateLimitedError may ask for (a day); longer asks are cut to it. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * The wait a handler asked for by throwing a RateLimitedError (or anything with `rateLimited:
 * true` and a `retryAfterMs`), in whole ms from 0 to a day, or null; never throws.
 */
export function retryAfterOf(err: unknown): number | null {
  try {
    const e = err as { rateLimited?: unknown; name?: unknown; retryAfterMs?: unknown };
    if (e?.rateLimited !== true && e?.name !== 'RateLimitedError') return null;
    const ms = Number(e.retryAfterMs);
    if (!Number.isFinite(ms)) return 0;
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
  } catch {
    return null;
  }
}

/** Whether a handler marked what it threw as permanent (PermanentError, or `permanent: true`); never throws. */
export function isPermanent(err: unknown): boolean {
  try {
    return (
      (err as { permanent?: unknown })?.permanent === true ||
      (err as { name?: unknown })?.name === 'PermanentError'
    );
  } catch {
    return false;
  }
}

/**
 * A log line from a handler: a string as it is, anything else as its JSON
 * (or `String()`), cut to {@link LOG_LINE_MAX_CHARS}. Never throws.
 */
export function logLine(message: unknown): string {
  return cut(typeof message === 'string' ? message : safeMessage(message), LOG_LINE_MAX_CHARS);
}

/**
 * A progress value from a handler: a finite number from 0 to 100, rounded.
 * Anything else throws a ValidationError (field `progress`) back to the
 * handler that passed it, so the mistake shows where it was made.
 */
export function checkProgress(percent: unknown): number {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new ValidationError('progress', `must be a number from 0 to 100, got ${describe(percent)}`);
  }
  return Math.round(percent);
}

/** A short, safe description of a value for an error message. */
function describe(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `the BigInt ${v}n`;
  if (typeof v === 'string') return JSON.stringify(cut(v, 40));
  return `a ${typeof v}`;
}
