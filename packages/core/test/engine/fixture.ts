/**
 * Engine test fixture: one Redis per test file — a single redis-server, or a
 * 3-master Redis Cluster when DTPS_TEST_REDIS=cluster (the same tests then
 * prove there is no CROSSSLOT anywhere) — and, per test, a key prefix of its
 * own, a manual clock and a Client. Scripts run as functions of the library
 * (dtps's default); DTPS_TEST_SCRIPTS=eval runs them with EVALSHA instead
 * (config `redis.scripts: eval`).
 */
import type { TestFn } from 'ava';
import { Cluster, Redis } from 'ioredis';
import {
  type ClaimResult,
  Client,
  type EngineOptions,
  ManualClock,
  type ScriptMode,
  type StartOutcome,
  type StartRequest,
  WorkerOps,
} from '../../src/index.js';
import { RedisCluster, RedisServer, uniquePrefix } from '../../src/testing/index.js';

export const CLUSTER = process.env.DTPS_TEST_REDIS === 'cluster';
/** DTPS_TEST_SCRIPTS=eval runs the engine tests on EVALSHA instead of the function library. */
export const SCRIPTS: ScriptMode = process.env.DTPS_TEST_SCRIPTS === 'eval' ? 'eval' : 'functions';

export interface Engine {
  client: Client;
  clock: ManualClock;
  redis: Redis | Cluster;
  prefix: string;
  ops(workerId: string): WorkerOps;
  /** Every key of this test's prefix. */
  keys(): Promise<string[]>;
}

export function useEngine(test: TestFn) {
  let server: RedisServer | RedisCluster | undefined;
  const conns: (Redis | Cluster)[] = [];
  const clients: Client[] = [];
  test.before(async () => {
    server = CLUSTER ? await RedisCluster.start() : await RedisServer.start();
  });
  test.after.always(async () => {
    for (const c of clients) await c.close();
    for (const c of conns) c.disconnect();
    await server?.stop();
  });
  const connect = (): Redis | Cluster => {
    const s = server!;
    const conn =
      s instanceof RedisCluster
        ? new Cluster(s.nodes, { scaleReads: 'master' })
        : new Redis({ port: s.port, host: s.host });
    conns.push(conn);
    return conn;
  };
  return {
    get server() {
      return server!;
    },
    connect,
    async make(opts: Partial<EngineOptions> = {}): Promise<Engine> {
      const redis = connect();
      const clock = new ManualClock(Date.now());
      const prefix = uniquePrefix();
      const client = new Client({ redis, prefix, clock, scripts: SCRIPTS, ...opts });
      clients.push(client);
      return {
        client,
        clock,
        redis,
        prefix,
        ops: (id: string) => new WorkerOps(client.ctx, id),
        async keys() {
          const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
          const all = await Promise.all(nodes.map((n) => n.keys(`{${prefix}*`)));
          return all.flat().sort();
        },
      };
    },
  };
}

/**
 * A claim through the worker's real path: one `cycle` round that only claims
 * (no reports, no starts, no idle registration). With `steal`, a queue that
 * cannot fill the claim has the rest taken from the busiest peer's window.
 */
export async function claim(
  ops: WorkerOps,
  queue: string,
  opts: { max: number; start?: number; steal?: number; promoteLimit?: number },
): Promise<ClaimResult> {
  return (await ops.cycle(queue, { claim: opts })).claim;
}

/** Starts reserved tasks through the worker's real path: one `cycle` round that only starts. */
export async function start(
  ops: WorkerOps,
  queue: string,
  tasks: readonly StartRequest[],
): Promise<StartOutcome[]> {
  return (await ops.cycle(queue, { start: tasks })).started;
}
