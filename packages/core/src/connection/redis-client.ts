import type { Cluster, Redis } from 'ioredis';

/** A connection dtps works through: a single server (also behind Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;
