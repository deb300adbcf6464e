/**
 * The shapes a Redis URL resolves to. One type per deployment kind, so that
 * code building a client has to handle each kind explicitly.
 */

/** One `host:port` pair of a Sentinel or Cluster seed list. */
export interface RedisAddress {
  /** Host name or IP address; IPv6 without brackets (`::1`). */
  host: string;
  port: number;
}

/** A single Redis server (`redis://`, `rediss://`, bare `host:port`). */
export interface SingleRedisTarget {
  kind: 'single';
  host: string;
  port: number;
  /** Logical database number (`/db` in the URL), 0 when absent. */
  db: number;
  username?: string;
  password?: string;
  /** True for `rediss://`: connect over TLS. */
  tls: boolean;
}

/** A master found through Sentinel (`redis+sentinel://`, `rediss+sentinel://`). */
export interface SentinelRedisTarget {
  kind: 'sentinel';
  /** The Sentinel processes to ask for the current master. */
  sentinels: RedisAddress[];
  /** The master group name that Sentinel monitors. */
  name: string;
  db: number;
  /** Credentials of the master (the userinfo of the URL). */
  username?: string;
  password?: string;
  /** Password of the Sentinel processes themselves (`?sentinelPassword=` in the URL). */
  sentinelPassword?: string;
  tls: boolean;
}

/** A Redis Cluster reached through seed nodes (`redis+cluster://`, `rediss+cluster://`). */
export interface ClusterRedisTarget {
  kind: 'cluster';
  /** Seed nodes; the client discovers the rest of the cluster from them. */
  nodes: RedisAddress[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** Where and how to reach Redis, as parsed from a URL by `parseRedisUrl`. */
export type RedisTarget = SingleRedisTarget | SentinelRedisTarget | ClusterRedisTarget;
