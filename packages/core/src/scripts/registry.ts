import { ReplyError } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { DtpsError } from '../errors.js';
import { classifyRedisError, explainRedisError } from '../redis-errors.js';
import { sendFcall } from './fcall-command.js';
import { loadLibrary, scriptLibrary, scriptModeOf, settleScriptMode } from './functions.js';
import { loadScripts, type ScriptSource } from './load.js';

export type { RedisClient };

/** The scripts of lua/, by name. */
export type ScriptName =
  | 'appendLogs'
  | 'submitTasks'
  | 'submitPlain'
  | 'completeTasks'
  | 'cycleTasks'
  | 'failTasks'
  | 'releaseTasks'
  | 'recoverWorker'
  | 'cancelTask'
  | 'retryTask'
  | 'bulkTasks'
  | 'expireDue'
  | 'promoteDue'
  | 'trimDone'
  | 'reportProgress'
  | 'acquireLease'
  | 'releaseLease'
  | 'leaveQueue'
  | 'leaveIdle'
  | 'noteOrigin'
  | 'pauseQueue'
  | 'resumeQueue'
  | 'setQueueLimit'
  | 'saveSchedule'
  | 'removeSchedule'
  | 'pauseSchedule'
  | 'recordFire';

let sources: Map<string, ScriptSource> | undefined;
function scriptSources(): Map<string, ScriptSource> {
  sources ??= new Map(loadScripts().map((s) => [s.name, s]));
  return sources;
}

const registered = new WeakSet<object>();
type ScriptFn = (...args: (string | number | readonly (string | number)[])[]) => Promise<unknown>;

/**
 * Registers every script on a connection, once (ioredis then calls EVALSHA
 * and falls back to EVAL after a Redis restart flushed the script cache).
 */
export function registerScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  for (const s of scriptSources().values()) {
    redis.defineCommand(s.name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  }
  registered.add(redis);
}

/**
 * The one way dtps calls a script: with EVALSHA, or as a function of the
 * library on a connection opted in to functions (functions.ts). `keys` must
 * have exactly the script's number of KEYS. Redis errors raised inside a
 * script become DtpsError `script_error` with the script's name.
 */
export async function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const expected = scriptSources().get(name)?.numberOfKeys;
  if (expected !== keys.length) {
    throw new DtpsError('script_error', `${name} takes ${expected} keys, was given ${keys.length}`);
  }
  const mode = scriptModeOf(redis) ?? (await settleScriptMode(redis)) ?? 'eval';
  try {
    return mode === 'functions'
      ? await callFunction(redis, name, keys, args)
      : await callEval(redis, name, keys, args);
  } catch (err) {
    // Redis's refusals (out of memory, busy with a script, loading, no permission…) become a
    // RedisRefusedError naming the refusal; connection errors pass through unchanged: callers
    // retry, or map them to redis_unavailable. Only the rest is a script's own failure.
    const kind = classifyRedisError(err);
    if (kind === 'refused' || kind === 'transient') throw explainRedisError(err);
    const msg = (err as Error).message ?? String(err);
    if (kind === 'other' && /ERR|WRONGTYPE|script/i.test(msg)) {
      throw new DtpsError('script_error', `script ${name} failed: ${msg}`, { cause: err });
    }
    throw err;
  }
}

function callEval(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  registerScripts(redis);
  const fn = (redis as unknown as Record<string, ScriptFn>)[name]!;
  // Arrays, not spread: ioredis flattens a command's arguments anyway, and a submit batch has
  // a thousand of them, which a spread would first push as arguments of the call.
  return fn.call(redis, keys, args);
}

function callFunction(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const fn = scriptLibrary().functions.get(name)!;
  // Not an async function: the reply reaches the caller through as many promise turns as
  // EVALSHA's does (ioredis's NOSCRIPT catch is one), so the two modes pace a worker alike.
  return sendFcall(redis, fn, keys, args).catch(async (err: unknown) => {
    // The server lost the library (restarted without persistence, a new Cluster node, FUNCTION
    // FLUSH): nothing ran. Load it again and call once more, as EVALSHA does after NOSCRIPT.
    if (!(err instanceof ReplyError) || !/function not found/i.test((err as Error).message)) throw err;
    await loadLibrary(redis);
    return sendFcall(redis, fn, keys, args);
  });
}
