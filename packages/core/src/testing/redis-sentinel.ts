/**
 * A throwaway Sentinel setup for tests: one master, one replica, one sentinel.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, tailFile } from './child-process.js';
import { freePort } from './free-port.js';
import type { RedisNodeAddress } from './redis-cluster.js';
import { RedisServer } from './redis-server.js';
import { infoField, redisCommand } from './resp.js';
import { pollUntil } from './wait.js';

/** How long to wait for the replica link and the sentinel to know the master. */
const READY_TIMEOUT_MS = 15_000;

/** The sentinel config; the sentinel rewrites this file, so it lives in its own dir. */
function sentinelConfig(dir: string, port: number, masterName: string, masterPort: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'daemonize no',
    `dir ${dir}`,
    `logfile ${join(dir, 'sentinel.log')}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 3000`,
    '',
  ].join('\n');
}

/**
 * One master {@link RedisServer}, one replica (`--replicaof` the master) and
 * one sentinel monitoring the master as `dtpsmaster` with quorum 1,
 * `down-after-milliseconds 1000` and `failover-timeout 3000`, so that a test
 * can `kill9()` the master and see a failover within seconds.
 *
 * The sentinel runs as `redis-server <conf> --sentinel` (the same program as
 * `redis-sentinel`, which is only a link to it).
 */
export class RedisSentinelSetup {
  /** Name of the monitored master: `dtpsmaster`. */
  readonly masterName = 'dtpsmaster';
  private stopPromise: Promise<void> | undefined;

  private constructor(
    /** The master at start (after a failover the replica may be master). */
    readonly master: RedisServer,
    /** The replica at start. */
    readonly replica: RedisServer,
    private readonly sentinel: ManagedProcess,
    private readonly sentinelPort: number,
    private readonly sentinelDir: string,
  ) {}

  /**
   * Starts master, replica and sentinel; resolves once the replica's link to
   * the master is up and the sentinel answers `SENTINEL get-master-addr-by-name`
   * with the master's port and knows the replica. Stops everything and throws
   * (with the sentinel's log tail) when not ready within 15 s.
   */
  static async start(): Promise<RedisSentinelSetup> {
    const masterName = 'dtpsmaster';
    // No 5 s diskless-sync delay before the replica's first full sync.
    const master = await RedisServer.start({ args: ['--repl-diskless-sync-delay', '0'] });
    let replica: RedisServer | undefined;
    let setup: RedisSentinelSetup | undefined;
    const sentinelDir = await mkdtemp(join(tmpdir(), 'dtps-sentinel-'));
    try {
      replica = await RedisServer.start({ args: ['--replicaof', master.host, String(master.port)] });
      const port = await freePort();
      const conf = join(sentinelDir, 'sentinel.conf');
      await writeFile(conf, sentinelConfig(sentinelDir, port, masterName, master.port));
      const proc = await ManagedProcess.spawn(
        'redis-server',
        [conf, '--sentinel'],
        join(sentinelDir, 'stdout.log'),
      );
      setup = new RedisSentinelSetup(master, replica, proc, port, sentinelDir);
      const ready = await pollUntil(
        async () => {
          const link = await redisCommand(replica!.host, replica!.port, ['INFO', 'replication'], 1000);
          if (infoField(link, 'master_link_status') !== 'up') return false;
          const addr = await redisCommand('127.0.0.1', port, [
            'SENTINEL',
            'GET-MASTER-ADDR-BY-NAME',
            masterName,
          ]);
          if (!Array.isArray(addr) || addr[1] !== String(master.port)) return false;
          const replicas = await redisCommand('127.0.0.1', port, ['SENTINEL', 'REPLICAS', masterName]);
          return Array.isArray(replicas) && replicas.length > 0;
        },
        READY_TIMEOUT_MS,
        100,
        () => (proc.alive ? undefined : new Error(`sentinel on port ${port} ${proc.exitReason}`)),
      ).catch((err: Error) => err);
      if (ready !== true) {
        const why =
          ready instanceof Error ? ready.message : `sentinel setup not ready within ${READY_TIMEOUT_MS} ms`;
        const log = await tailFile(join(sentinelDir, 'sentinel.log'));
        throw new Error(`${why}\n--- sentinel log tail (${sentinelDir}) ---\n${log}`);
      }
      return setup;
    } catch (err) {
      if (setup) await setup.stop();
      else {
        await Promise.all([master.stop(), replica?.stop()]);
        await rm(sentinelDir, { recursive: true, force: true });
      }
      throw err;
    }
  }

  /** The one sentinel's address. */
  get sentinels(): RedisNodeAddress[] {
    return [{ host: '127.0.0.1', port: this.sentinelPort }];
  }

  /** `redis+sentinel://127.0.0.1:<sentinelPort>/dtpsmaster`. */
  get url(): string {
    return `redis+sentinel://127.0.0.1:${this.sentinelPort}/${this.masterName}`;
  }

  /** Stops the sentinel first (so it starts no failover), then replica and master. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      await this.sentinel.terminate();
      await rm(this.sentinelDir, { recursive: true, force: true });
      await Promise.all([this.replica.stop(), this.master.stop()]);
    })();
    return this.stopPromise;
  }
}
