import type { Cluster, Redis } from 'ioredis';
import { connectRedis } from '../connection/connect-redis.js';
import type { RedisTlsOptions } from '../connection/create-redis.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';

/** Where a daemon's Redis is (config section `redis`). */
export interface DaemonRedisSettings {
  url: string;
  tls: RedisTlsOptions;
}

/**
 * The Redis connection of a daemon (`dtps-worker`, `dtps-coordinator`),
 * named `name`: resolves once Redis answers (else rejects, see
 * {@link connectRedis}); then commands wait through reconnects rather than
 * fail (`maxRetriesPerRequest: null`), so a daemon rides out a Redis
 * restart. ioredis reports every failed reconnect: they are logged as
 * warnings, one line per distinct error per interval.
 */
export async function connectDaemonRedis(
  name: string,
  settings: DaemonRedisSettings,
  log: Logger,
): Promise<Redis | Cluster> {
  const redis = await connectRedis(settings.url, { maxRetriesPerRequest: null, name, tls: settings.tls });
  const connectionTrouble = new LogThrottle(log);
  redis.on('error', (err: Error) =>
    connectionTrouble.warn({ err: err.message }, 'Redis connection trouble; retrying'),
  );
  return redis;
}
