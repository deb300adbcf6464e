/**
 * completeTasks-2.lua, and the completions that it and cycleTasks-6.lua take
 * (4 values per task).
 */
import { type QueueCallBase, replyArray, type ScriptCall, type ScriptShape } from './shape.js';

/** A success to report, its result already JSON. */
export interface CompletionArg {
  id: string;
  attempt: number;
  /** The result's JSON. */
  json: string;
  /** The task's createdAt, for the latency histogram; unknown when absent. */
  createdAt?: number;
}

/** The names of the 4 values per completion. */
export const COMPLETION_VALUES = ['id', 'attempt', 'result', 'latency'] as const;

/** Appends the 4 values per completion: id, attempt, result JSON, end-to-end latency in ms ('' unknown). */
export function pushCompletions(argv: string[], done: readonly CompletionArg[], now: number): void {
  for (const d of done) {
    const latency = d.createdAt === undefined ? '' : String(Math.max(0, now - d.createdAt));
    argv.push(d.id, String(d.attempt), d.json, latency);
  }
}

export const COMPLETE_TASKS: ScriptShape = {
  name: 'completeTasks',
  keyNames: ['running', 'succeeded'],
  argNames: ['base', 'now', 'maxLen', 'worker', 'keep'],
  perItem: [{ per: 'task', names: COMPLETION_VALUES }],
};

export function buildCompleteTasks(
  a: QueueCallBase & { worker: string; keep: number; completions: readonly CompletionArg[] },
): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.now), String(a.maxLen), a.worker, String(a.keep)];
  pushCompletions(argv, a.completions, a.now);
  return { keys: [k.running(a.worker), k.done('succeeded')], argv };
}

/** Per completion, in order: whether the fence accepted it. */
export function decodeCompleteTasks(reply: unknown): { accepted: boolean[] } {
  return { accepted: replyArray('completeTasks', reply).map((c) => Number(c) === 1) };
}
