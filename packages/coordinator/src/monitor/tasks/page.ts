import {
  type EngineContext,
  readIdChunk,
  type TaskState,
  TERMINAL_STATES,
  ValidationError,
} from '@dtps/core';
import { LIMITS, yieldToEventLoop } from '../limits.js';
import { type SearchQuery, searchFilter } from './search.js';
import { readSummaries, type TaskSummary } from './summaries.js';

/** The order of an unfiltered list: running first, then waiting, then ended. */
const LIST_ORDER: TaskState[] = ['running', 'reserved', 'queued', 'scheduled', 'pending', ...TERMINAL_STATES];

export interface SummaryQuery extends SearchQuery {
  queue: string;
  state?: TaskState;
  priority?: number;
  limit?: number;
  cursor?: string;
}

export interface SummaryPage {
  queue: string;
  tasks: TaskSummary[];
  /** Pass back as `cursor` for the next page; null at the end. */
  cursor: string | null;
  /**
   * Why the page holds fewer than `limit` rows though more follow: `bytes`
   * (it reached LIMITS.listMaxBytes) or `scan` (a priority filter or a search examined
   * LIMITS.listScanMax ids without filling it). Absent otherwise.
   */
  truncated?: 'bytes' | 'scan';
  /** Task ids this request looked at (a search's bounded scan: at most LIMITS.listScanMax). */
  scanned: number;
}

/**
 * One page of task summaries: ids a chunk at a time (one pipelined read per
 * chunk, the event loop yielded to between chunks), bounded in rows, in
 * JSON bytes and in ids examined. The priority filter applies before paging,
 * so a page is never empty while matching tasks follow. The cursor
 * `stateIndex:offset` counts ids examined, so it resumes exactly after the
 * last row given.
 */
export async function listSummaries(ctx: EngineContext, q: SummaryQuery): Promise<SummaryPage> {
  const limit = q.limit ?? LIMITS.listDefaultLimit;
  const search = searchFilter(ctx, q.queue, q);
  const states = q.state ? [q.state] : LIST_ORDER;
  let [stateIndex, offset] = [0, 0];
  if (q.cursor !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(q.cursor);
    if (!m || Number(m[1]) >= states.length) {
      throw new ValidationError('cursor', 'is not a cursor from a previous page of the same filters');
    }
    [stateIndex, offset] = [Number(m[1]), Number(m[2])];
  }
  const tasks: TaskSummary[] = [];
  let bytes = 0;
  let examined = 0;
  const page = (truncated?: 'bytes' | 'scan'): SummaryPage => ({
    queue: q.queue,
    tasks,
    cursor: stateIndex < states.length ? `${stateIndex}:${offset}` : null,
    ...(truncated ? { truncated } : {}),
    scanned: examined,
  });
  while (stateIndex < states.length) {
    const state = states[stateIndex]!;
    // Unfiltered, a chunk need not be larger than what the page still lacks.
    const filtering = (q.priority !== undefined && state !== 'queued') || search !== null;
    const want = filtering ? LIMITS.listChunk : Math.min(LIMITS.listChunk, limit - tasks.length);
    const chunk = await readIdChunk(ctx, q.queue, state, q.priority, offset, want);
    const rows = await readSummaries(ctx, q.queue, state, chunk.ids, chunk.owners);
    const found = search === null ? null : await search(rows);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const kept = (q.priority === undefined || row?.priority === q.priority) && (found === null || found[i]);
      if (row && kept) {
        const size = JSON.stringify(row).length + 1;
        if (tasks.length > 0 && bytes + size > LIMITS.listMaxBytes) return page('bytes');
        tasks.push(row);
        bytes += size;
      }
      offset += 1;
      examined += 1;
      if (tasks.length === limit) {
        if (i === rows.length - 1 && !chunk.more) [stateIndex, offset] = [stateIndex + 1, 0];
        return page();
      }
    }
    if (!chunk.more) [stateIndex, offset] = [stateIndex + 1, 0];
    if (examined >= LIMITS.listScanMax && stateIndex < states.length) return page('scan');
    await yieldToEventLoop();
  }
  return page();
}
