/**
 * A worker's scripts besides its rounds (cycle.ts): failTasks-1.lua,
 * releaseTasks-2.lua, leaveIdle-3.lua, leaveQueue-3.lua, reportProgress-1.lua;
 * and recoverWorker-3.lua, which the coordinator runs for a dead worker.
 */
import type { TaskState } from '../../task/types.js';
import { type QueueCallBase, replyArray, replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const FAIL_TASKS: ScriptShape = {
  name: 'failTasks',
  keyNames: ['running'],
  argNames: ['base', 'now', 'maxLen', 'worker', 'seed'],
  perItem: [
    { per: 'task', names: ['id', 'attempt', 'message', 'reason', 'permanent', 'retryAfter', 'traceparent'] },
  ],
};

/** A failed attempt to report. */
export interface FailureArg {
  id: string;
  attempt: number;
  message: string;
  reason: string;
  permanent: boolean;
  /** A handler's RateLimitedError: back to wait this long, the attempt not counted. */
  retryAfterMs?: number | null;
  /** A task stored without a trace context: its stand-in root's traceparent, to store as its context. */
  traceparent?: string | null;
}

export function buildFailTasks(
  a: QueueCallBase & { worker: string; seed: number; failures: readonly FailureArg[] },
): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.now), String(a.maxLen), a.worker, String(a.seed)];
  for (const f of a.failures)
    argv.push(
      f.id,
      String(f.attempt),
      f.message,
      f.reason,
      f.permanent ? '1' : '0',
      f.retryAfterMs === undefined || f.retryAfterMs === null ? '' : String(f.retryAfterMs),
      f.traceparent ?? '',
    );
  return { keys: [k.running(a.worker)], argv };
}

/** Per failure, in order: the state the task moved to, or null when the fence refused the report. */
export function decodeFailTasks(reply: unknown): { states: (TaskState | null)[] } {
  return {
    states: replyArray('failTasks', reply).map((s) => (s === '' ? null : (String(s) as TaskState))),
  };
}

export const RELEASE_TASKS: ScriptShape = {
  name: 'releaseTasks',
  keyNames: ['window', 'ready'],
  argNames: ['base', 'now', 'maxLen', 'worker'],
  perItem: [{ per: 'task', names: ['id'] }],
};

/** `ids` absent: the whole window. */
export function buildReleaseTasks(
  a: QueueCallBase & { worker: string; ids?: readonly string[] | undefined },
): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.now), String(a.maxLen), a.worker];
  if (a.ids) argv.push(...a.ids);
  return { keys: [k.window(a.worker), k.ready], argv };
}

export function decodeReleaseTasks(reply: unknown): { released: number } {
  return { released: replyInteger('releaseTasks', reply) };
}

export const LEAVE_IDLE: ScriptShape = {
  name: 'leaveIdle',
  keyNames: ['idle', 'inbox', 'running'],
  argNames: ['base', 'now', 'maxLen', 'worker'],
  perItem: [{ per: 'task', names: ['id', 'attempt'] }],
};

/** `received`: handoffs the worker's blocking read brought in that it will not run. */
export function buildLeaveIdle(
  a: QueueCallBase & { worker: string; received: readonly { id: string; attempt: number }[] },
): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.now), String(a.maxLen), a.worker];
  for (const t of a.received) argv.push(t.id, String(t.attempt));
  return { keys: [k.idle, k.inbox(a.worker), k.running(a.worker)], argv };
}

export function decodeLeaveIdle(reply: unknown): { putBack: number } {
  return { putBack: replyInteger('leaveIdle', reply) };
}

export const LEAVE_QUEUE: ScriptShape = {
  name: 'leaveQueue',
  keyNames: ['window', 'running', 'workers'],
  argNames: ['worker', 'base'],
  perItem: [],
};

export function buildLeaveQueue(a: Pick<QueueCallBase, 'keys'> & { worker: string }): ScriptCall {
  const k = a.keys;
  return { keys: [k.window(a.worker), k.running(a.worker), k.workers], argv: [a.worker, k.base] };
}

export function decodeLeaveQueue(reply: unknown): { left: boolean } {
  return { left: replyInteger('leaveQueue', reply) === 1 };
}

export const REPORT_PROGRESS: ScriptShape = {
  name: 'reportProgress',
  keyNames: ['running'],
  argNames: ['base', 'now', 'maxLen', 'worker', 'id', 'attempt', 'progress'],
  perItem: [],
};

export function buildReportProgress(
  a: QueueCallBase & { worker: string; id: string; attempt: number; percent: number },
): ScriptCall {
  const k = a.keys;
  return {
    keys: [k.running(a.worker)],
    argv: [k.base, String(a.now), String(a.maxLen), a.worker, a.id, String(a.attempt), String(a.percent)],
  };
}

export function decodeReportProgress(reply: unknown): { recorded: boolean } {
  return { recorded: replyInteger('reportProgress', reply) === 1 };
}

export const RECOVER_WORKER: ScriptShape = {
  name: 'recoverWorker',
  keyNames: ['window', 'running', 'workers'],
  argNames: ['base', 'now', 'maxLen', 'worker', 'seed'],
  perItem: [],
};

export function buildRecoverWorker(a: QueueCallBase & { worker: string; seed: number }): ScriptCall {
  const k = a.keys;
  return {
    keys: [k.window(a.worker), k.running(a.worker), k.workers],
    argv: [k.base, String(a.now), String(a.maxLen), a.worker, String(a.seed)],
  };
}

/** Tasks put back in the ready set (from the window or the inbox), and running tasks recovered. */
export function decodeRecoverWorker(reply: unknown): { requeued: number; recovered: number } {
  const r = replyArray('recoverWorker', reply);
  return { requeued: Number(r[0]), recovered: Number(r[1]) };
}
