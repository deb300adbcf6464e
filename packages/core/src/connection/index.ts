/**
 * Reaching Redis: URL parsing and redaction, client construction for single
 * server, Sentinel and Cluster, and a connect that fails fast and typed.
 */
export { type ConnectRedisOptions, connectRedis, DEFAULT_CONNECT_TIMEOUT_MS } from './connect-redis.js';
export {
  type CreateRedisOptions,
  createRedis,
  createRedisForTarget,
  type RedisTlsOptions,
  reconnectOnReadonly,
} from './create-redis.js';
export { duplicateConnection } from './duplicate-connection.js';
export { ACCEPTED_REDIS_URL_FORMS, parseRedisUrl } from './parse-redis-url.js';
export { REDACTED, redactRedisUrl } from './redact-redis-url.js';
export type {
  ClusterRedisTarget,
  RedisAddress,
  RedisTarget,
  SentinelRedisTarget,
  SingleRedisTarget,
} from './redis-target.js';
