/**
 * A throwaway Redis Cluster for tests: N masters, no replicas, on loopback.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { freeClusterPort } from './free-port.js';
import { RedisServer } from './redis-server.js';
import { redisCommand } from './resp.js';
import { pollUntil } from './wait.js';

/** Options of {@link RedisCluster.start}. */
export interface RedisClusterOptions {
  /** Number of master nodes (default 3, at least 3 for `redis-cli --cluster create`). */
  masters?: number;
}

/** Address of one node of a cluster or one sentinel. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** How long to wait for `cluster_state:ok` on every node. */
const CLUSTER_OK_TIMEOUT_MS = 20_000;

/** Runs a command, resolves with its stdout; rejects with stdout and stderr in the message. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * A Redis Cluster of `masters` redis-server processes (each a
 * {@link RedisServer} with `--cluster-enabled yes`, its own dir and a port
 * whose bus port `port + 10000` is free too), created with
 * `redis-cli --cluster create ... --cluster-replicas 0`.
 *
 * @example
 * ```ts
 * const cluster = await RedisCluster.start();
 * const redis = new Cluster(cluster.nodes);
 * ```
 */
export class RedisCluster {
  private stopPromise: Promise<void> | undefined;

  private constructor(
    /** The node servers, one per master, in slot order. */
    readonly servers: readonly RedisServer[],
  ) {}

  /**
   * Starts the nodes, creates the cluster and resolves once `CLUSTER INFO`
   * reports `cluster_state:ok` on every node (polled up to 20 s). On failure
   * every node is stopped before the error is thrown.
   */
  static async start(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = opts.masters ?? 3;
    if (!Number.isInteger(masters) || masters < 3) {
      throw new Error(`RedisCluster.start: masters must be an integer >= 3, got ${masters}`);
    }
    const started = await Promise.allSettled(
      Array.from({ length: masters }, () =>
        RedisServer.launch({}, freeClusterPort, (dir) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '5000',
        ]),
      ),
    );
    const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const cluster = new RedisCluster(servers);
    try {
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...servers.map((s) => `${s.host}:${s.port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        30_000,
      );
      const ok = await pollUntil(async () => {
        for (const s of servers) {
          const info = await redisCommand(s.host, s.port, ['CLUSTER', 'INFO'], 1000);
          if (typeof info !== 'string' || !info.includes('cluster_state:ok')) return false;
        }
        return true;
      }, CLUSTER_OK_TIMEOUT_MS);
      if (!ok)
        throw new Error(
          `RedisCluster: cluster_state not ok on every node within ${CLUSTER_OK_TIMEOUT_MS} ms`,
        );
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** Host and port of every node, e.g. for `new Cluster(cluster.nodes)` of ioredis. */
  get nodes(): RedisNodeAddress[] {
    return this.servers.map((s) => ({ host: s.host, port: s.port }));
  }

  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  get url(): string {
    return `redis+cluster://${this.servers.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }

  /** Stops every node and removes their dirs. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= Promise.all(this.servers.map((s) => s.stop())).then(() => undefined);
    return this.stopPromise;
  }
}
