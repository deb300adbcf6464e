/**
 * An operator's scripts on a whole queue: pauseQueue-2.lua,
 * resumeQueue-2.lua and setQueueLimit-2.lua.
 */
import { type QueueCallBase, replyArray, replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const PAUSE_QUEUE: ScriptShape = {
  name: 'pauseQueue',
  keyNames: ['paused', 'workers'],
  argNames: ['base', 'now', 'maxLen'],
  perItem: [],
};

export function buildPauseQueue(a: QueueCallBase): ScriptCall {
  return {
    keys: [a.keys.paused, a.keys.workers],
    argv: [a.keys.base, String(a.now), String(a.maxLen)],
  };
}

/** Whether this call paused it (false: it was paused already), and the reserved tasks put back. */
export function decodePauseQueue(reply: unknown): { changed: boolean; released: number } {
  const r = replyArray('pauseQueue', reply);
  return { changed: Number(r[0]) === 1, released: Number(r[1]) };
}

export const RESUME_QUEUE: ScriptShape = {
  name: 'resumeQueue',
  keyNames: ['paused', 'ready'],
  argNames: ['base'],
  perItem: [],
};

export function buildResumeQueue(a: Pick<QueueCallBase, 'keys'>): ScriptCall {
  return { keys: [a.keys.paused, a.keys.ready], argv: [a.keys.base] };
}

/** Whether this call resumed it (false: it was not paused). */
export function decodeResumeQueue(reply: unknown): { changed: boolean } {
  return { changed: replyInteger('resumeQueue', reply) === 1 };
}

export const SET_QUEUE_LIMIT: ScriptShape = {
  name: 'setQueueLimit',
  keyNames: ['flow', 'workers'],
  argNames: ['base', 'now', 'maxLen', 'scope', 'rateN', 'perMs', 'concurrency', 'clear'],
  perItem: [],
};

/**
 * A limit change of one scope (`queue`, `type:<T>`, `group:<G>`, `each-group`): a rate and/or a
 * concurrency to set (undefined: keep as it is; 0: none), or `clear`.
 */
export interface LimitChange {
  scope: string;
  rate?: { n: number; perMs: number } | null;
  concurrency?: number | null;
  clear?: boolean;
}

export function buildSetQueueLimit(a: QueueCallBase & LimitChange): ScriptCall {
  const rate =
    a.rate === undefined ? ['', ''] : a.rate === null ? ['0', '0'] : [String(a.rate.n), String(a.rate.perMs)];
  const concurrency = a.concurrency === undefined ? '' : String(a.concurrency ?? 0);
  return {
    keys: [a.keys.flow, a.keys.workers],
    argv: [
      a.keys.base,
      String(a.now),
      String(a.maxLen),
      a.scope,
      rate[0]!,
      rate[1]!,
      concurrency,
      a.clear ? '1' : '0',
    ],
  };
}

/** The scope's stored value now (null: no limit), and the reserved and held tasks put back. */
export function decodeSetQueueLimit(reply: unknown): {
  value: string | null;
  unreserved: number;
  released: number;
} {
  const r = replyArray('setQueueLimit', reply);
  return { value: r[0] === '' ? null : String(r[0]), unreserved: Number(r[1]), released: Number(r[2]) };
}
