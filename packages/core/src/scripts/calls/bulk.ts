/**
 * One chunk of an operator's bulk action: bulkTasks-1.lua. The filter is
 * checked again per task inside the script, so a chunk acts only on what
 * still matches when it runs.
 */
import { type QueueCallBase, replyArray, type ScriptCall, type ScriptShape } from './shape.js';

export const BULK_TASKS: ScriptShape = {
  name: 'bulkTasks',
  keyNames: ['events'],
  argNames: [
    'base',
    'now',
    'maxLen',
    'action',
    'state',
    'type',
    'group',
    'priority',
    'after',
    'before',
    'endedBy',
    'reason',
  ],
  perItem: [{ per: 'task', names: ['id'] }],
};

/** What a chunk does to each matching task; `count` changes nothing (a dry run). */
export type BulkScriptAction = 'retry' | 'cancel' | 'delete' | 'count';

/** The filter a task must match, as the script checks it; absent fields match anything. */
export interface BulkChunkFilter {
  state: string;
  type?: string | undefined;
  group?: string | undefined;
  priority?: number | undefined;
  /** Created after (ms, exclusive). */
  after?: number | undefined;
  /** Created before (ms, exclusive). */
  before?: number | undefined;
  /** An ended task must have ended at or before this (ms). */
  endedBy?: number | undefined;
}

const opt = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

export function buildBulkTasks(
  a: QueueCallBase & {
    action: BulkScriptAction;
    filter: BulkChunkFilter;
    reason: string;
    ids: readonly string[];
  },
): ScriptCall {
  const f = a.filter;
  return {
    keys: [a.keys.events],
    argv: [
      a.keys.base,
      String(a.now),
      String(a.maxLen),
      a.action,
      f.state,
      opt(f.type),
      opt(f.group),
      opt(f.priority),
      opt(f.after),
      opt(f.before),
      opt(f.endedBy),
      a.reason,
      ...a.ids,
    ],
  };
}

/** What one chunk did. */
export interface BulkChunkReply {
  /** Ids that matched the filter when the chunk ran. */
  matched: number;
  /** Matched tasks the action was done to (the rest were refused, e.g. a retry past its deadline). */
  done: number;
  /** Ids that left the state's index: the caller's offset moves on by the ids read minus these. */
  removed: number;
  /** Running tasks that were cancelled or deleted, and the worker to tell to abort each. */
  aborts: { worker: string; id: string }[];
}

export function decodeBulkTasks(reply: unknown): BulkChunkReply {
  const r = replyArray('bulkTasks', reply);
  const aborts: { worker: string; id: string }[] = [];
  const k = Number(r[3] ?? 0);
  for (let i = 0; i < k; i++) aborts.push({ worker: String(r[4 + 2 * i]), id: String(r[5 + 2 * i]) });
  return { matched: Number(r[0]), done: Number(r[1]), removed: Number(r[2]), aborts };
}
