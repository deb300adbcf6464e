/**
 * The coordinator's sweeps of a queue: expireDue-1.lua, promoteDue-1.lua and
 * trimDone-1.lua. Each replies with how many tasks it moved or deleted.
 */
import type { TerminalState } from '../../task/types.js';
import { type QueueCallBase, replyInteger, type ScriptCall, type ScriptShape } from './shape.js';

export const EXPIRE_DUE: ScriptShape = {
  name: 'expireDue',
  keyNames: ['deadlines'],
  argNames: ['base', 'now', 'maxLen', 'limit'],
  perItem: [],
};

export function buildExpireDue(a: QueueCallBase & { limit: number }): ScriptCall {
  return {
    keys: [a.keys.deadlines],
    argv: [a.keys.base, String(a.now), String(a.maxLen), String(a.limit)],
  };
}

export function decodeExpireDue(reply: unknown): { expired: number } {
  return { expired: replyInteger('expireDue', reply) };
}

export const PROMOTE_DUE: ScriptShape = {
  name: 'promoteDue',
  keyNames: ['scheduled'],
  argNames: ['base', 'now', 'maxLen', 'limit'],
  perItem: [],
};

export function buildPromoteDue(a: QueueCallBase & { limit: number }): ScriptCall {
  return {
    keys: [a.keys.scheduled],
    argv: [a.keys.base, String(a.now), String(a.maxLen), String(a.limit)],
  };
}

export function decodePromoteDue(reply: unknown): { promoted: number } {
  return { promoted: replyInteger('promoteDue', reply) };
}

/** In the order trimDone reads them. */
const TRIMMED: readonly TerminalState[] = ['succeeded', 'failed', 'expired', 'cancelled'];

export const TRIM_DONE: ScriptShape = {
  name: 'trimDone',
  keyNames: ['events'],
  argNames: ['base', 'now', 'maxLen', 'limit', ...TRIMMED.flatMap((s) => [`${s}AgeMs`, `${s}Max`])],
  perItem: [],
};

export function buildTrimDone(
  a: QueueCallBase & {
    limit: number;
    retention: Record<TerminalState, { ageMs: number; max: number }>;
  },
): ScriptCall {
  const argv = [a.keys.base, String(a.now), String(a.maxLen), String(a.limit)];
  for (const s of TRIMMED) argv.push(String(a.retention[s].ageMs), String(a.retention[s].max));
  return { keys: [a.keys.events], argv };
}

export function decodeTrimDone(reply: unknown): { deleted: number } {
  return { deleted: replyInteger('trimDone', reply) };
}
