/** appendLogs-1.lua: the log lines of ended attempts, stored with their tasks. */
import type { QueueKeys } from '../../keys.js';
import { replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const APPEND_LOGS: ScriptShape = {
  name: 'appendLogs',
  keyNames: ['events'],
  argNames: ['base', 'maxLines', 'maxBytes'],
  perItem: [{ per: 'attempt', names: ['id', 'attempt', 'lines'] }],
};

/** The lines one attempt wrote, oldest first: `[at ms, message]`. */
export interface AttemptLogs {
  id: string;
  attempt: number;
  lines: readonly (readonly [number, string])[];
}

export function buildAppendLogs(a: {
  keys: QueueKeys;
  maxLines: number;
  maxBytes: number;
  attempts: readonly AttemptLogs[];
}): ScriptCall {
  const k = a.keys;
  const argv = [k.base, String(a.maxLines), String(a.maxBytes)];
  for (const l of a.attempts) argv.push(l.id, String(l.attempt), JSON.stringify(l.lines));
  return { keys: [k.events], argv };
}

/** How many attempts' lines were stored (the others' tasks are gone). */
export function decodeAppendLogs(reply: unknown): { stored: number } {
  return { stored: replyInteger('appendLogs', reply) };
}
