import type { RedisClient } from '../../connection/redis-client.js';
import { DtpsError } from '../../errors.js';
import type { QueueKeys } from '../../keys.js';
import { runScript, type ScriptName } from '../registry.js';

/**
 * A script's calling convention as its builder fills it in, written once per
 * script beside its builder: the names its header gives its KEYS and ARGV, in
 * order, and the groups of values repeated per item after them. A test reads
 * every script's header and checks it against this, so that the two cannot
 * drift apart.
 */
export interface ScriptShape {
  name: ScriptName;
  /** `KEYS[i] name`, in order. */
  keyNames: readonly string[];
  /** `ARGV[i] name` of the fixed arguments, in order. */
  argNames: readonly string[];
  /**
   * `ARGV[n..]`: the repeated groups, in order. `count` names the fixed
   * argument that holds how many items the group has; without it the group
   * runs to the end of ARGV.
   */
  perItem: readonly { per: string; names: readonly string[]; count?: string }[];
}

/** One call of a script: its KEYS and ARGV, in the order its header gives them. */
export interface ScriptCall {
  keys: string[];
  argv: string[];
}

/** Runs a built call of the script `shape` describes; the reply goes to that script's decoder. */
export function callScript(redis: RedisClient, shape: ScriptShape, call: ScriptCall): Promise<unknown> {
  return runScript(redis, shape.name, call.keys, call.argv);
}

/** What most scripts of a queue take: its keys (ARGV `base` is their prefix), the time, the event stream's length cap. */
export interface QueueCallBase {
  keys: QueueKeys;
  /** ms since the epoch. */
  now: number;
  /** Approximate length cap of the event stream. */
  maxLen: number;
}

/** A reply that is an array, as scripts that return tables reply; anything else is a bug of dtps. */
export function replyArray(script: ScriptName, reply: unknown): readonly unknown[] {
  if (!Array.isArray(reply)) throw new ScriptReplyError(script, `expected an array, got ${typeof reply}`);
  return reply;
}

/** A reply that is an integer, as scripts that return one number reply. */
export function replyInteger(script: ScriptName, reply: unknown): number {
  const n = Number(reply);
  if (!Number.isInteger(n)) throw new ScriptReplyError(script, `expected an integer, got ${String(reply)}`);
  return n;
}

/** A script replied in a shape its decoder does not know: dtps and its scripts disagree. */
export class ScriptReplyError extends DtpsError {
  override readonly name = 'ScriptReplyError';
  constructor(script: ScriptName, detail: string) {
    super('script_error', `script ${script} replied in an unknown shape: ${detail}`);
  }
}
