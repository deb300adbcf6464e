import type { RedisClient } from './scripts/registry.js';

/**
 * One entry of a queue's event stream: one or more tasks that made the same
 * transition at once (docs/design.md §4, invariant 7: an entry may carry a batch).
 */
export interface TransitionEvent {
  /** The stream entry id, usable as a cursor. */
  streamId: string;
  /** Epoch ms of the entry (from its id). */
  at: number;
  /** The state the tasks moved to; `progress` for progress reports. */
  state: string;
  ids: string[];
  /** Why, when there is more to say: `retry`, `deadline`, `dependency_failed`, `stolen_from:<w>`, … */
  reason: string | null;
  /** The worker involved, if any. */
  worker: string | null;
  /** Progress 0–100, for `progress` entries. */
  progress: number | null;
}

/** Decodes a raw stream entry (`[id, [field, value, …]]`). */
export function parseEvent(streamId: string, fields: readonly string[]): TransitionEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    streamId,
    at: Number(streamId.slice(0, streamId.indexOf('-'))),
    state: f.s ?? '',
    ids: f.ids ? f.ids.split(' ') : [],
    reason: f.r ?? null,
    worker: f.w ?? null,
    progress: f.p === undefined ? null : Number(f.p),
  };
}

type RawEntries = [string, string[]][];

/** The id of the newest entry of a stream, or `0-0` when it is empty: a cursor for "from now on". */
export async function lastEventId(redis: RedisClient, streamKey: string): Promise<string> {
  const last = (await redis.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as RawEntries;
  return last[0]?.[0] ?? '0-0';
}

/**
 * Reads entries after `cursor`, blocking up to `blockMs` for new ones (use a
 * dedicated connection: a blocked connection serves nothing else).
 */
export async function readEvents(
  redis: RedisClient,
  streamKey: string,
  cursor: string,
  opts: { count: number; blockMs: number },
): Promise<TransitionEvent[]> {
  const reply = (await redis.xread(
    'COUNT',
    opts.count,
    'BLOCK',
    opts.blockMs,
    'STREAMS',
    streamKey,
    cursor,
  )) as [string, RawEntries][] | null;
  if (!reply) return [];
  return reply[0]![1].map(([id, fields]) => parseEvent(id, fields));
}

/** Entries of a stream in a range, oldest first (for catch-up and UIs). */
export async function rangeEvents(
  redis: RedisClient,
  streamKey: string,
  from: string,
  count: number,
): Promise<TransitionEvent[]> {
  const entries = (await redis.xrange(streamKey, from, '+', 'COUNT', count)) as RawEntries;
  return entries.map(([id, fields]) => parseEvent(id, fields));
}
