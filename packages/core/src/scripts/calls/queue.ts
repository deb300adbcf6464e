/**
 * An operator's scripts on a whole queue: pauseQueue-2.lua and
 * resumeQueue-2.lua.
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
