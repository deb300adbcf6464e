/**
 * A throwaway Sentinel setup for tests: one master, one replica, one or more sentinels.
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

/** Options of {@link RedisSentinelSetup.start}. */
export interface RedisSentinelOptions {
  /** How many sentinels (default 1); the quorum is a majority of them. */
  sentinels?: number;
}

/** The sentinel config; the sentinel rewrites this file, so it lives in its own dir. */
function sentinelConfig(
  dir: string,
  port: number,
  masterName: string,
  masterPort: number,
  quorum: number,
): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'daemonize no',
    `dir ${dir}`,
    `logfile ${join(dir, `sentinel-${port}.log`)}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${quorum}`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 3000`,
    '',
  ].join('\n');
}

/**
 * One master {@link RedisServer}, one replica (`--replicaof` the master) and
 * one sentinel (or `sentinels`, quorum a majority) monitoring the master as
 * `dtpsmaster` (quorum 1 for one sentinel),
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
    private readonly sentinelProcs: ManagedProcess[],
    private readonly sentinelPorts: number[],
    private readonly sentinelDir: string,
  ) {}

  /**
   * Starts master, replica and sentinel; resolves once the replica's link to
   * the master is up and the sentinel answers `SENTINEL get-master-addr-by-name`
   * with the master's port and knows the replica (each sentinel, and with
   * several, each knows the others). Stops everything and throws (with the
   * sentinels' log tails) when not ready within 15 s.
   */
  static async start(opts: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
    const count = opts.sentinels ?? 1;
    const quorum = Math.floor(count / 2) + 1;
    const masterName = 'dtpsmaster';
    // No 5 s diskless-sync delay before a replica's full sync: on the master, nor on the replica,
    // which serves one once promoted.
    const noSyncDelay = ['--repl-diskless-sync-delay', '0'];
    const master = await RedisServer.start({ args: noSyncDelay });
    let replica: RedisServer | undefined;
    let setup: RedisSentinelSetup | undefined;
    const sentinelDir = await mkdtemp(join(tmpdir(), 'dtps-sentinel-'));
    try {
      replica = await RedisServer.start({
        args: [...noSyncDelay, '--replicaof', master.host, String(master.port)],
      });
      const procs: ManagedProcess[] = [];
      const ports: number[] = [];
      setup = new RedisSentinelSetup(master, replica, procs, ports, sentinelDir);
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        const conf = join(sentinelDir, `sentinel-${port}.conf`);
        await writeFile(conf, sentinelConfig(sentinelDir, port, masterName, master.port, quorum));
        procs.push(
          await ManagedProcess.spawn(
            'redis-server',
            [conf, '--sentinel'],
            join(sentinelDir, `stdout-${port}.log`),
          ),
        );
        ports.push(port);
      }
      const knows = async (port: number): Promise<boolean> => {
        const addr = await redisCommand('127.0.0.1', port, [
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          masterName,
        ]);
        if (!Array.isArray(addr) || addr[1] !== String(master.port)) return false;
        const replicas = await redisCommand('127.0.0.1', port, ['SENTINEL', 'REPLICAS', masterName]);
        if (!Array.isArray(replicas) || replicas.length === 0) return false;
        if (count === 1) return true;
        const peers = await redisCommand('127.0.0.1', port, ['SENTINEL', 'SENTINELS', masterName]);
        return Array.isArray(peers) && peers.length === count - 1;
      };
      const ready = await pollUntil(
        async () => {
          const link = await redisCommand(replica!.host, replica!.port, ['INFO', 'replication'], 1000);
          if (infoField(link, 'master_link_status') !== 'up') return false;
          for (const port of ports) if (!(await knows(port))) return false;
          return true;
        },
        READY_TIMEOUT_MS,
        100,
        () => {
          const dead = procs.findIndex((p) => !p.alive);
          return dead === -1
            ? undefined
            : new Error(`sentinel on port ${ports[dead]} ${procs[dead]!.exitReason}`);
        },
      ).catch((err: Error) => err);
      if (ready !== true) {
        const why =
          ready instanceof Error ? ready.message : `sentinel setup not ready within ${READY_TIMEOUT_MS} ms`;
        const logs = await Promise.all(ports.map((p) => tailFile(join(sentinelDir, `sentinel-${p}.log`))));
        throw new Error(`${why}\n--- sentinel log tails (${sentinelDir}) ---\n${logs.join('\n---\n')}`);
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

  /** The sentinels' addresses. */
  get sentinels(): RedisNodeAddress[] {
    return this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** `redis+sentinel://127.0.0.1:<port>[,127.0.0.1:<port>…]/dtpsmaster`. */
  get url(): string {
    const hosts = this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
    return `redis+sentinel://${hosts}/${this.masterName}`;
  }

  /** The port of the master the first sentinel names now (after a failover, the promoted replica's). */
  async currentMasterPort(): Promise<number | undefined> {
    const addr = await redisCommand('127.0.0.1', this.sentinelPorts[0]!, [
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      this.masterName,
    ]).catch(() => undefined);
    return Array.isArray(addr) ? Number(addr[1]) : undefined;
  }

  /** Stops the sentinels first (so they start no failover), then replica and master. Idempotent. */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      await Promise.all(this.sentinelProcs.map((p) => p.terminate()));
      await rm(this.sentinelDir, { recursive: true, force: true });
      await Promise.all([this.replica.stop(), this.master.stop()]);
    })();
    return this.stopPromise;
  }
}
