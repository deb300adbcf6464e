/**
 * Bulk operations: retry, cancel, delete or purge every task of a queue that
 * a filter chooses, a bounded chunk at a time. Ids are read from one state's
 * index (readIdChunk, as every task list reads them); each chunk is one call
 * of bulkTasks-1.lua, which checks every task against the filter again and
 * changes it by the one-task rules (lua/includes/operator.lua). So Redis is
 * never busy with more than one chunk at a time, other clients' commands run
 * between chunks, and a run that was interrupted can be started again: what
 * was done no longer matches, what was not is done then.
 */
import type { EngineContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { publishControl } from '../fleet/registry.js';
import {
  BULK_TASKS,
  type BulkChunkFilter,
  type BulkScriptAction,
  buildBulkTasks,
  callScript,
  decodeBulkTasks,
} from '../scripts/calls/index.js';
import { TASK_STATES, type TaskState, TERMINAL_STATES } from '../task/types.js';
import { QUEUE_NAME_PATTERN } from '../task/validate.js';
import { readIdChunk } from './id-chunk.js';

/** What a bulk operation does to each matching task. */
export const BULK_ACTIONS = ['retry', 'cancel', 'delete', 'purge'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Which tasks: all fields but `state` are optional and narrow the choice. */
export interface BulkFilter {
  /** Default: the client's default queue. */
  queue?: string;
  /**
   * The state the tasks are in. Required for retry (an ended state), cancel
   * (a state that has not ended) and delete (any); purge takes every ended
   * state when absent.
   */
  state?: TaskState;
  type?: string;
  /** The task's group (spec `group`). */
  group?: string;
  priority?: number;
  /** Created before this time (ms since the epoch, exclusive). */
  before?: number;
  /** Created after this time (ms since the epoch, exclusive). */
  after?: number;
}

/** How one bounded step of a bulk operation runs. */
export interface BulkStepOptions {
  /** Count what matches; change nothing. */
  dryRun?: boolean;
  /** The `cursor` of the previous step of the same operation and filter. */
  cursor?: string;
  /** Ids one script call looks at, 1–1000 (default 100): the bound on how long Redis is busy with it. */
  chunkSize?: number;
  /**
   * The most of the wall time the operation spends on its chunks (reading the
   * ids and the script call), from 0 exclusive to 1 (default 0.5): after a
   * chunk that took d ms, it waits d·(1 − share)/share ms before the next, so
   * that the traffic beside it keeps Redis and the machine for the rest.
   */
  share?: number;
  /** Ids one step looks at before it returns with a cursor (default 5000, at least one chunk). */
  maxScan?: number;
  /** The reason a cancel (or the cancel before deleting an unfinished task) stores; default `bulk_cancel`. */
  reason?: string;
}

/** What one step (or, summed, a whole run) did. */
export interface BulkStep {
  /** Tasks that matched the filter. */
  matched: number;
  /** Matched tasks the action was done to (a retry is refused past a deadline or a failed dependency). */
  done: number;
  /** Task ids looked at. */
  scanned: number;
  /** Pass to the next step; null when the operation has looked at every task. */
  cursor: string | null;
}

const DEFAULT_CHUNK = 100;
const DEFAULT_SHARE = 0.5;
const DEFAULT_MAX_SCAN = 5000;
const ENDED = TERMINAL_STATES as readonly string[];

/** A validated filter: the queue, the states to walk in order, and the script's filter minus the state. */
interface Plan {
  queue: string;
  states: TaskState[];
  script: BulkScriptAction;
  filter: Omit<BulkChunkFilter, 'state' | 'endedBy'>;
}

/** Checks the action and filter; throws ValidationError naming the field. Touches nothing. */
export function planBulk(ctx: EngineContext, action: BulkAction, f: BulkFilter): Plan {
  if (!(BULK_ACTIONS as readonly string[]).includes(action))
    throw new ValidationError('action', `must be one of ${BULK_ACTIONS.join(', ')}`);
  const queue = f.queue ?? ctx.defaultQueue;
  if (!QUEUE_NAME_PATTERN.test(queue))
    throw new ValidationError('queue', 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
  if (f.state !== undefined && !(TASK_STATES as readonly string[]).includes(f.state))
    throw new ValidationError('state', `must be one of ${TASK_STATES.join(', ')}`);
  if (f.state === undefined && action !== 'purge')
    throw new ValidationError('state', `is required for ${action}`);
  if ((action === 'retry' || action === 'purge') && f.state !== undefined && !ENDED.includes(f.state))
    throw new ValidationError('state', `${action} takes an ended state (${ENDED.join(', ')})`);
  if (action === 'cancel' && ENDED.includes(f.state!))
    throw new ValidationError('state', 'cancel takes a state that has not ended');
  for (const field of ['type', 'group'] as const) {
    const v = f[field];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0))
      throw new ValidationError(field, 'must be a non-empty string');
  }
  if (f.priority !== undefined && (!Number.isInteger(f.priority) || f.priority < 1 || f.priority > 10))
    throw new ValidationError('priority', 'must be an integer from 1 to 10');
  for (const field of ['before', 'after'] as const) {
    const v = f[field];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0))
      throw new ValidationError(field, 'must be a time in ms since the epoch');
  }
  const states = f.state ? [f.state] : (TERMINAL_STATES as readonly TaskState[]).slice();
  return {
    queue,
    states,
    script: action === 'purge' ? 'delete' : action,
    filter: { type: f.type, group: f.group, priority: f.priority, before: f.before, after: f.after },
  };
}

/**
 * The cursor `stateIndex:offset:startedAt`. `startedAt`, the time of the
 * first step, bounds the whole run: tasks created after it, and ended tasks
 * that ended after it (a retried task that failed again), are left alone, so
 * that a run ends even while new tasks keep arriving.
 */
function parseCursor(cursor: string | undefined, states: number, now: number): [number, number, number] {
  if (cursor === undefined) return [0, 0, now];
  const m = /^(\d+):(\d+):(\d+)$/.exec(cursor);
  if (!m || Number(m[1]) >= states) throw new ValidationError('cursor', 'is not a cursor of this operation');
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * One bounded step of a bulk operation: at most `maxScan` ids, in chunks of
 * `chunkSize` per script call. Call again with the returned cursor until it
 * is null. Running tasks that are cancelled or deleted are told to abort.
 */
export async function bulkStep(
  ctx: EngineContext,
  action: BulkAction,
  f: BulkFilter,
  opts: BulkStepOptions = {},
): Promise<BulkStep> {
  const plan = planBulk(ctx, action, f);
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1000)
    throw new ValidationError('chunkSize', 'must be an integer from 1 to 1000');
  const maxScan = opts.maxScan ?? DEFAULT_MAX_SCAN;
  if (!Number.isInteger(maxScan) || maxScan < 1)
    throw new ValidationError('maxScan', 'must be a positive integer');
  const share = opts.share ?? DEFAULT_SHARE;
  if (!(share > 0 && share <= 1)) throw new ValidationError('share', 'must be a number above 0, at most 1');
  let [stateIndex, offset, startedAt] = parseCursor(opts.cursor, plan.states.length, ctx.clock.now());
  const keys = ctx.keys(plan.queue);
  const step: BulkStep = { matched: 0, done: 0, scanned: 0, cursor: null };
  let rest = 0;
  while (stateIndex < plan.states.length && step.scanned < maxScan) {
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const began = performance.now();
    const state = plan.states[stateIndex]!;
    const count = Math.min(chunkSize, maxScan - step.scanned);
    const priority = state === 'queued' ? plan.filter.priority : undefined;
    const { ids, more } = await readIdChunk(ctx, plan.queue, state, priority, offset, count);
    if (ids.length > 0) {
      const before = Math.min(plan.filter.before ?? Number.POSITIVE_INFINITY, startedAt + 1);
      const call = buildBulkTasks({
        keys,
        now: ctx.clock.now(),
        maxLen: ctx.eventsMaxLen,
        action: opts.dryRun ? 'count' : plan.script,
        filter: { ...plan.filter, state, before, endedBy: startedAt },
        reason: opts.reason ?? (action === 'cancel' ? 'bulk_cancel' : 'deleted'),
        ids,
      });
      const r = decodeBulkTasks(await callScript(ctx.redis, BULK_TASKS, call));
      for (const a of r.aborts) {
        await publishControl(ctx, a.worker, { command: 'abort', queue: plan.queue, id: a.id });
      }
      step.matched += r.matched;
      step.done += r.done;
      step.scanned += ids.length;
      // What the chunk took out of the index no longer holds a place in it.
      offset += ids.length - r.removed;
    }
    if (!more) [stateIndex, offset] = [stateIndex + 1, 0];
    rest = ((performance.now() - began) * (1 - share)) / share;
  }
  step.cursor = stateIndex < plan.states.length ? `${stateIndex}:${offset}:${startedAt}` : null;
  return step;
}

/** How a whole run goes: a step's options, plus progress and a way to stop. */
export interface BulkRunOptions extends Omit<BulkStepOptions, 'cursor' | 'maxScan'> {
  /** Called after every chunk with the totals so far. */
  onProgress?: (sofar: BulkStep) => void;
  /** Stops between chunks; the result then has the cursor to go on from. */
  signal?: AbortSignal;
  /** Go on from this cursor (of an interrupted run of the same action and filter). */
  cursor?: string;
}

/** Runs a bulk operation to its end (or until `signal` aborts), a chunk at a time. */
export async function bulkRun(
  ctx: EngineContext,
  action: BulkAction,
  f: BulkFilter,
  opts: BulkRunOptions = {},
): Promise<BulkStep> {
  planBulk(ctx, action, f); // bad input is refused before anything is read
  const total: BulkStep = { matched: 0, done: 0, scanned: 0, cursor: opts.cursor ?? null };
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const share = opts.share ?? DEFAULT_SHARE;
  let lastMs = 0;
  do {
    // Steps of one chunk each: progress and the signal are looked at between chunks.
    if (total.scanned > 0 && share < 1)
      await new Promise((r) => setTimeout(r, (lastMs * (1 - share)) / share));
    if (opts.signal?.aborted) break;
    const began = performance.now();
    const s = await bulkStep(ctx, action, f, {
      ...opts,
      ...(total.cursor === null ? {} : { cursor: total.cursor }),
      maxScan: chunkSize,
    });
    total.matched += s.matched;
    total.done += s.done;
    total.scanned += s.scanned;
    total.cursor = s.cursor;
    lastMs = performance.now() - began;
    opts.onProgress?.({ ...total });
  } while (total.cursor !== null);
  return total;
}
