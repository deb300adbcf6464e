import { Cluster, ReplyError } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';
import { DtpsError } from '../errors.js';
import { isTransientRedisError } from '../redis-errors.js';
import { buildLibrary, type ScriptLibrary } from './library.js';

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
          // Unreachable, or a refusal that passes: try again on a later call (EVALSHA meanwhile).
          if (!(err instanceof ReplyError) || isTransientRedisError(err)) return null;
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
  await Promise.all((await serversOf(redis)).map(load));
}

/** The server, or every master of a Cluster (where functions live; replicas copy them). */
async function serversOf(redis: RedisClient): Promise<RedisClient[]> {
  if (!(redis instanceof Cluster)) return [redis];
  // A Cluster client knows its masters once it has read the slot map.
  if (redis.nodes('master').length === 0) await redis.ping();
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('the Cluster has no known master yet');
  return masters;
}

/** The function libraries of dtps on one server: this version's, and any others (older or newer dtps). */
export interface ServerLibraries {
  /** `host:port`. */
  server: string;
  /** Every `dtps_<hash>` library there, sorted. */
  libraries: string[];
}

/** What every dtps library is called (library.ts): anything else on the server is not ours. */
const DTPS_LIBRARY = /^dtps_[0-9a-f]{12}$/;

function serverName(node: RedisClient): string {
  const { host, port } = (node as { options: { host?: string; port?: number } }).options;
  return `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/** The dtps libraries on one server. */
async function librariesOn(node: RedisClient): Promise<string[]> {
  // FUNCTION LIST replies one entry a library: [library_name, NAME, engine, …].
  const entries = (await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'dtps_*')) as unknown[][];
  return entries
    .map((e) => String(e[1]))
    .filter((name) => DTPS_LIBRARY.test(name))
    .sort();
}

/** Lists the dtps libraries on the server (every master of a Cluster). */
export async function listLibraries(redis: RedisClient): Promise<ServerLibraries[]> {
  return Promise.all(
    (await serversOf(redis)).map(async (node) => ({
      server: serverName(node),
      libraries: await librariesOn(node),
    })),
  );
}

/**
 * Deletes the dtps libraries other than this version's (what upgrades leave
 * behind; library.ts). Safe while older processes still run: a process whose
 * library is gone loads it again at its next call (see registry.ts). Other
 * libraries on the server are not touched. Returns what it deleted, by server.
 */
export async function pruneLibraries(redis: RedisClient): Promise<ServerLibraries[]> {
  const current = scriptLibrary().name;
  return Promise.all(
    (await serversOf(redis)).map(async (node) => {
      const stale = (await librariesOn(node)).filter((name) => name !== current);
      for (const name of stale) {
        await node.call('FUNCTION', 'DELETE', name).catch((err: unknown) => {
          // Deleted meanwhile (another prune): gone either way.
          if (!(err instanceof ReplyError && /library not found/i.test((err as Error).message))) throw err;
        });
      }
      return { server: serverName(node), libraries: stale };
    }),
  );
}
