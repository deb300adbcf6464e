import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ValidationError } from '../errors.js';
import { parseRedisUrl } from './parse-redis-url.js';
import type { RedisTarget } from './redis-target.js';

/** Options of `createRedis`; every one is optional. */
export interface CreateRedisOptions {
  /** Time allowed for the TCP (and TLS) connect, in ms (ioredis `connectTimeout`). */
  connectTimeoutMs?: number;
  /** Do not connect until the first command (ioredis `lazyConnect`). */
  lazyConnect?: boolean;
  /**
   * How often a command is retried over reconnects before it fails
   * (ioredis default 20); `null` waits forever, which blocking reads want.
   */
  maxRetriesPerRequest?: number | null;
  /** Connection name shown by `CLIENT LIST`, to tell dtps processes apart. */
  name?: string;
  /** TLS settings for `rediss://` URLs (config `redis.tls`); ignored without TLS. */
  tls?: RedisTlsOptions;
}

/** TLS settings of the Redis connection (config section `redis.tls`). */
export interface RedisTlsOptions {
  /**
   * Path of a PEM file of the CA certificate(s) that signed the server's
   * certificate (config `redis.tls.ca`, `DTPS_REDIS_TLS_CA`), for a server whose
   * certificate is not signed by a CA the system trusts. Without it, Node's
   * trusted CAs are used (`NODE_EXTRA_CA_CERTS` adds to them).
   */
  ca?: string;
}

/**
 * Node TLS options from dtps's TLS settings: the CA file read now, so that a
 * wrong path fails at start-up with the key that names it, not at each reconnect.
 */
function tlsConnectionOptions(tls: RedisTlsOptions | undefined): ConnectionOptions {
  if (tls?.ca === undefined) return {};
  try {
    return { ca: readFileSync(tls.ca, 'utf8') };
  } catch (err) {
    throw new ValidationError('redis.tls.ca', `cannot read the CA file ${tls.ca}: ${(err as Error).message}`);
  }
}

/**
 * Decides whether ioredis should reconnect after a command error. After a
 * Sentinel failover the old connection may still point at the demoted master,
 * which answers writes with `READONLY`; 2 means "reconnect (so Sentinel is
 * asked for the new master) and resend the command". Without this, ioredis
 * keeps writing to the replica (seen with ioredis 6). A write refused with
 * READONLY was not executed, so resending it is safe.
 */
export function reconnectOnReadonly(err: Error): boolean | 2 {
  return /\bREADONLY\b/.test(err.message) ? 2 : false;
}

/**
 * Builds an ioredis client for `url` (any form `parseRedisUrl` accepts): a
 * `Redis` for a single server or a Sentinel-managed master, a `Cluster` for a
 * Redis Cluster. The client starts connecting at once unless `lazyConnect`.
 * It does not wait for the connection; use `connectRedis` for that.
 *
 * @throws ValidationError (field `redis.url`) when the URL is not acceptable.
 */
export function createRedis(url: string, options: CreateRedisOptions = {}): Redis | Cluster {
  return createRedisForTarget(parseRedisUrl(url), options);
}

/** Like `createRedis`, for an already parsed target. */
export function createRedisForTarget(target: RedisTarget, options: CreateRedisOptions = {}): Redis | Cluster {
  const tls = target.tls ? tlsConnectionOptions(options.tls) : {};
  // Only options the caller set are passed, so ioredis keeps its own defaults
  // for the rest (an explicit `undefined` would override some of them).
  const common: RedisOptions = {
    // After disconnect(), ioredis waits this long for the socket to close before it
    // destroys it; its default 2 s timer kept short-lived programs (the CLI) alive.
    disconnectTimeout: 200,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeout: options.connectTimeoutMs }),
    ...(options.maxRetriesPerRequest === undefined
      ? {}
      : { maxRetriesPerRequest: options.maxRetriesPerRequest }),
    ...(options.name === undefined ? {} : { connectionName: options.name }),
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls } : {}),
  };
  const lazy = options.lazyConnect === undefined ? {} : { lazyConnect: options.lazyConnect };

  switch (target.kind) {
    case 'single':
      return quietReadyCheck(
        new Redis({ ...common, ...lazy, host: target.host, port: target.port, db: target.db }),
      );
    case 'sentinel':
      return quietReadyCheck(
        new Redis({
          ...common,
          ...lazy,
          sentinels: target.sentinels,
          name: target.name,
          db: target.db,
          ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
          // rediss+sentinel: TLS both to the Sentinels and to the master they name.
          ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
          failoverDetector: true,
          reconnectOnError: reconnectOnReadonly,
        }),
      );
    case 'cluster':
      return new Cluster(target.nodes, {
        ...lazy,
        redisOptions: common,
        // Reads from replicas could see stale task state; dtps reads its own writes.
        scaleReads: 'master',
      });
  }
}

type ReadyCallback = (err: Error | null, info?: unknown) => void;
type InfoCallback = (err: Error | null, res?: unknown) => void;
interface ReadyChecking {
  _readyCheck?: (this: unknown, callback: ReadyCallback) => void;
}

/**
 * ioredis checks that a new connection's server has loaded its data (INFO)
 * before it sends commands; when the user may not run INFO (a least-privilege
 * ACL) it goes ahead anyway, but prints "Skipping the ready check…" on the
 * console first — on every CLI call. Same behaviour here, without the print:
 * a NOPERM on INFO reads as an INFO without a `loading` field (ready). Other
 * errors and the wait while loading are ioredis's own.
 */
export function quietReadyCheck(client: Redis): Redis {
  const own = client as unknown as ReadyChecking;
  const check = own._readyCheck;
  if (typeof check !== 'function') return client;
  own._readyCheck = (callback: ReadyCallback) => {
    const info = (cb: InfoCallback): Promise<void> =>
      client.info().then(
        (res) => cb(null, res),
        (err: Error) => (/\bNOPERM\b/.test(err.message) ? cb(null, '') : cb(err)),
      );
    // ioredis's check calls this.info(cb) (and itself again while loading): give it ours.
    check.call(Object.create(client, { info: { value: info } }), callback);
  };
  return client;
}
