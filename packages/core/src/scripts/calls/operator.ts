/**
 * An operator's scripts on one task: cancelTask-1.lua and retryTask-1.lua.
 * Both reply `{ 1, … }` when done, or a refusal code (error-codes.ts) and
 * what goes with it.
 */
import type { TaskState } from '../../task/types.js';
import { type Refusal, refusalName } from './error-codes.js';
import { type QueueCallBase, replyArray, type ScriptCall, type ScriptShape } from './shape.js';

export const CANCEL_TASK: ScriptShape = {
  name: 'cancelTask',
  keyNames: ['task'],
  argNames: ['base', 'now', 'maxLen', 'id', 'reason'],
  perItem: [],
};

export function buildCancelTask(a: QueueCallBase & { id: string; reason: string }): ScriptCall {
  return {
    keys: [a.keys.task(a.id)],
    argv: [a.keys.base, String(a.now), String(a.maxLen), a.id, a.reason],
  };
}

/** A cancel: done (with the state it left, and the worker to tell when it was running), or refused. */
export type CancelTaskReply =
  | { outcome: 'cancelled'; previousState: TaskState; worker: string | null }
  | { outcome: 'refused'; refusal: Refusal };

export function decodeCancelTask(reply: unknown): CancelTaskReply {
  const r = replyArray('cancelTask', reply);
  const code = Number(r[0]);
  if (code === 1) {
    const worker = r[2] ? String(r[2]) : null;
    return { outcome: 'cancelled', previousState: String(r[1]) as TaskState, worker };
  }
  return { outcome: 'refused', refusal: operatorRefusal('cancelTask', code, r) };
}

export const RETRY_TASK: ScriptShape = {
  name: 'retryTask',
  keyNames: ['task'],
  argNames: ['base', 'now', 'maxLen', 'id'],
  perItem: [],
};

export function buildRetryTask(a: QueueCallBase & { id: string }): ScriptCall {
  return { keys: [a.keys.task(a.id)], argv: [a.keys.base, String(a.now), String(a.maxLen), a.id] };
}

/** A retry: done (queued, or pending on a dependency), or refused. */
export type RetryTaskReply =
  | { outcome: 'retried'; state: TaskState }
  | { outcome: 'refused'; refusal: Refusal };

export function decodeRetryTask(reply: unknown): RetryTaskReply {
  const r = replyArray('retryTask', reply);
  const code = Number(r[0]);
  if (code === 1) return { outcome: 'retried', state: String(r[1]) as TaskState };
  return { outcome: 'refused', refusal: operatorRefusal('retryTask', code, r) };
}

/** `{ code, … }`: wrongState names the state; dependencyNotSatisfied the dependency and its state. */
function operatorRefusal(script: 'cancelTask' | 'retryTask', code: number, r: readonly unknown[]): Refusal {
  const name = refusalName(script, code);
  if (name === 'wrongState') return { code: name, state: String(r[1]) };
  if (name === 'dependencyNotSatisfied')
    return { code: name, dependency: String(r[1]), dependencyState: String(r[2] ?? '') };
  return { code: name };
}
