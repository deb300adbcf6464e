/**
 * Per test file: one throwaway redis-server; per test: a key prefix of its
 * own, and a `run` that points the CLI at both.
 */

import { Client, WorkerOps } from '@dtps/core';
import { type RedisServer, uniquePrefix, useRedisServer } from '@dtps/core/testing';
import type { TestFn } from 'ava';
import { dtps, type RunOptions, type RunResult } from './dtps.js';

export interface Scope {
  prefix: string;
  server: RedisServer;
  /** `dtps ...args` with DTPS_REDIS_URL and DTPS_PREFIX of this scope. */
  run(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** A Client on this scope's prefix (closed with the server). */
  client(): Client;
  /** The worker side, to move tasks along without a worker process. */
  worker(id: string): WorkerOps;
}

export function useCli(test: TestFn) {
  const redis = useRedisServer(test);
  const clients: Client[] = [];
  test.after.always(async () => {
    for (const c of clients) await c.close();
  });
  return {
    get server(): RedisServer {
      return redis.server;
    },
    scope(): Scope {
      const server = redis.server;
      const prefix = uniquePrefix();
      let client: Client | undefined;
      const scope: Scope = {
        prefix,
        server,
        run: (args, opts = {}) =>
          dtps(args, {
            ...opts,
            env: { DTPS_REDIS_URL: server.url, DTPS_PREFIX: prefix, ...opts.env },
          }),
        client() {
          if (!client) {
            client = new Client({ redis: server.client(), prefix });
            clients.push(client);
          }
          return client;
        },
        worker: (id) => new WorkerOps(scope.client().ctx, id),
      };
      return scope;
    },
  };
}
