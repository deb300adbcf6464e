import { Cluster, ReplyError } from 'ioredis';
import { DtpsError } from '../errors.js';
import { buildLibrary, type ScriptLibrary } from './library.js';
import type { RedisClient } from './registry.js';

/**
 * How a connection runs dtps's scripts: `functions` calls the function library
 * (library.ts) with FCALL; `eval` sends each script with EVALSHA. An engine
 * context opts its connection in to functions unless configured `eval`; a
 * connection opted in settles at its first script call, which loads the
 * library (or finds the server without functions, and stays with EVALSHA). A
 * bare connection that no context opted in runs EVALSHA.
 */
export type ScriptMode = 'functions' | 'eval';

let library: ScriptLibrary | undefined;
export function scriptLibrary(): ScriptLibrary {
  library ??= buildLibrary();
  return library;
}

const modes = new WeakMap<object, ScriptMode>();
const optedIn = new WeakSet<object>();
const settling = new WeakMap<object, Promise<ScriptMode | null>>();

/**
 * The mode a script call on this connection uses now: `eval` unless the
 * connection was opted in to functions, and undefined while an opted-in one
 * has not settled yet.
 */
export function scriptModeOf(redis: RedisClient): ScriptMode | undefined {
  return modes.get(redis) ?? (optedIn.has(redis) ? undefined : 'eval');
}

/** Opts a connection in to the function library (config `redis.scripts: functions`, the default). */
export function useFunctionScripts(redis: RedisClient): void {
  if (!modes.has(redis)) optedIn.add(redis);
}

// A server without functions (Redis 6), a user whose ACL denies FUNCTION, a proxy that
// does not pass it: EVALSHA then, for good.
const UNSUPPORTED =
  /unknown command|unknown subcommand|NOPERM|not supported|unsupported|not allowed|disabled/i;
// Refusals that pass: try again on a later call (EVALSHA meanwhile).
const PASSING = /^(OOM|BUSY|LOADING|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|MISCONF)\b/;

/**
 * Settles the connection's mode: loads the library on its server (on every
 * master of a Cluster; replicas get it by replication). Resolves null when it
 * could not tell (Redis unreachable, failing over): the caller uses EVALSHA
 * this time and the next call tries again. A library that does not compile is
 * a bug of dtps and throws.
 */
export function settleScriptMode(redis: RedisClient): Promise<ScriptMode | null> {
  let pending = settling.get(redis);
  if (!pending) {
    pending = loadLibrary(redis)
      .then(
        (): ScriptMode => 'functions',
        (err: unknown): ScriptMode | null => {
          const msg = (err as Error).message ?? String(err);
          if (!(err instanceof ReplyError) || PASSING.test(msg)) return null;
          if (UNSUPPORTED.test(msg)) return 'eval';
          throw new DtpsError('script_error', `loading the function library failed: ${msg}`, { cause: err });
        },
      )
      .then((mode) => {
        if (mode) modes.set(redis, mode);
        return mode;
      })
      .finally(() => settling.delete(redis));
    settling.set(redis, pending);
  }
  return pending;
}

/**
 * Loads the library on the connection's server (every master of a Cluster):
 * at first use, and again after a server lost it (restarted without
 * persistence, a new node).
 */
export async function loadLibrary(redis: RedisClient): Promise<void> {
  const { code } = scriptLibrary();
  const load = (node: RedisClient) =>
    node.call('FUNCTION', 'LOAD', code).catch((err: unknown) => {
      // Its name is a hash of its code: the same library is there already.
      if (err instanceof ReplyError && /already exists/i.test((err as Error).message)) return;
      throw err;
    });
  if (!(redis instanceof Cluster)) {
    await load(redis);
    return;
  }
  // A Cluster client knows its masters once it has read the slot map.
  if (redis.nodes('master').length === 0) await redis.ping();
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('the Cluster has no known master yet');
  await Promise.all(masters.map(load));
}
