import { Cluster, type Redis } from 'ioredis';
import { quietReadyCheck } from './create-redis.js';

/**
 * Opens a second connection with the same settings as `client` (same target,
 * credentials, TLS and options). A blocking read (`BZPOPMIN`, `XREAD BLOCK`)
 * holds its connection until it returns, so it needs one of its own, or every
 * other command of the process would wait behind it.
 */
export function duplicateConnection(client: Redis): Redis;
export function duplicateConnection(client: Cluster): Cluster;
export function duplicateConnection(client: Redis | Cluster): Redis | Cluster;
export function duplicateConnection(client: Redis | Cluster): Redis | Cluster {
  // Narrowed per class: the two `duplicate` signatures differ, so TypeScript
  // cannot call it on the union directly.
  return client instanceof Cluster ? client.duplicate() : quietReadyCheck(client.duplicate());
}
