/**
 * Text helpers of the views: fixed-width cells, short durations and times,
 * JSON on one line. Pure.
 */
import type { TaskState } from '@dtps/core';

/** The colour of each task state, wherever a state is printed. */
export const STATE_COLORS: Record<TaskState, string> = {
  pending: 'gray',
  scheduled: 'magenta',
  queued: 'cyan',
  reserved: 'blue',
  running: 'yellow',
  succeeded: 'green',
  failed: 'red',
  expired: 'redBright',
  cancelled: 'gray',
};

/** `text` cut to `width` columns (with … when cut) and padded to exactly `width`. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = [...text];
  const fitted = chars.length > width ? `${chars.slice(0, Math.max(0, width - 1)).join('')}…` : text;
  return align === 'left' ? fitted.padEnd(width) : fitted.padStart(width);
}

/** `text` cut to at most `width` columns. */
export function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, Math.max(0, width - 1)).join('')}…` : text;
}

/** A duration as the largest sensible unit: 850ms, 12s, 4m, 3h, 2d. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.floor(ms / 86_400_000)}d`;
}

/** A time of day (UTC, like the logs): 12:03:04. */
export function clock(epochMs: number | null): string {
  return epochMs === null ? '—' : new Date(epochMs).toISOString().slice(11, 19);
}

/** A time with its date: 2030-01-02 12:03:04Z. */
export function dateTime(epochMs: number | null): string {
  return epochMs === null ? '—' : `${new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A JSON value on one line (undefined and null as `null`). */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null) ?? 'null';
}

/** A JSON value indented, as lines. */
export function jsonLines(value: unknown): string[] {
  return (JSON.stringify(value ?? null, null, 2) ?? 'null').split('\n');
}

/** Bytes as MiB. */
export function mib(bytes: number): string {
  return `${Math.round(bytes / 1_048_576)}M`;
}

/** A count with k/M for the narrow counter cells. */
export function count(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
