import type { EngineOptions } from '../context.js';
import type { RedisClient } from '../scripts/registry.js';
import type { DtpsConfig } from './schema.js';

/** The engine options a loaded config gives, on a connection the caller opened. */
export function engineOptionsFrom(config: DtpsConfig, redis: RedisClient): EngineOptions {
  return {
    redis,
    prefix: config.prefix,
    defaultQueue: config.queue,
    payloadMaxBytes: config.payloadMaxBytes,
    eventsMaxLen: config.events.maxLen,
    retention: config.retention,
    scripts: config.redis.scripts,
    durability: {
      mode: config.durability,
      replicas: config.durabilityReplicas,
      timeoutMs: config.durabilityTimeoutMs,
    },
    backoff: {
      type: 'exponential',
      baseMs: config.backoff.baseMs,
      maxMs: config.backoff.maxMs,
      jitter: true,
    },
  };
}
