import { type EngineContext, parseWhereValue, payloadMatcher, ValidationError } from '@dtps/core';
import { LIMITS } from '../limits.js';
import type { TaskSummary } from './summaries.js';

/** The search fields of a task list: by type, by group, and by one payload field's value. */
export interface SearchQuery {
  type?: string;
  /** The task's group (as bulk operations filter it). */
  group?: string;
  /** A dot path into the payload (`user.id`); with `value`. */
  field?: string;
  /** The value `field` must have: JSON when it parses, else the text. */
  value?: string;
}

/** Which rows of a chunk a search keeps (true), in order; null rows (deleted tasks) are never kept. */
export type RowFilter = (rows: readonly (TaskSummary | null)[]) => Promise<boolean[]>;

/**
 * The row filter of a search, or null when the query searches nothing. The
 * type and group are in the row; a payload is read (one pipelined round trip a chunk)
 * only for the rows of the right type whose payload is at most
 * LIMITS.searchPayloadMaxBytes: a larger payload never matches, so that a
 * search cannot make the monitor parse megabytes per row.
 */
export function searchFilter(ctx: EngineContext, queue: string, q: SearchQuery): RowFilter | null {
  if (q.type === undefined && q.group === undefined && q.field === undefined && q.value === undefined)
    return null;
  if ((q.field === undefined) !== (q.value === undefined))
    throw new ValidationError(q.field === undefined ? 'field' : 'value', 'field and value go together');
  let match: ((payload: unknown) => boolean) | null = null;
  try {
    match =
      q.field === undefined ? null : payloadMatcher({ field: q.field, value: parseWhereValue(q.value!) });
  } catch {
    throw new ValidationError('field', 'must be a dot path such as user.id');
  }
  const k = ctx.keys(queue);
  return async (rows) => {
    const typed = rows.map(
      (r) =>
        r !== null &&
        (q.type === undefined || r.type === q.type) &&
        (q.group === undefined || r.group === q.group),
    );
    if (match === null) return typed;
    const read = rows.map(
      (r, i) => typed[i] && r!.payloadBytes > 0 && r!.payloadBytes <= LIMITS.searchPayloadMaxBytes,
    );
    const p = ctx.redis.pipeline();
    rows.forEach((r, i) => {
      if (read[i]) p.hget(k.task(r!.id), 'pl');
    });
    const got = read.some(Boolean) ? ((await p.exec()) ?? []) : [];
    let j = 0;
    return rows.map((_, i) => {
      if (!read[i]) return false;
      const raw = got[j++]?.[1] as string | null;
      try {
        return raw !== null && match(JSON.parse(raw));
      } catch {
        return false; // a payload that is not JSON matches nothing
      }
    });
  };
}
