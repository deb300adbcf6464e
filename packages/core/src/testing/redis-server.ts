/**
 * A throwaway redis-server for tests: its own port, its own temp dir, no RDB
 * snapshots, killed with the test process at the latest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ManagedProcess, tailFile } from './child-process.js';
import { freePort } from './free-port.js';
import { infoField, redisCommand } from './resp.js';
import { pollUntil } from './wait.js';

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /** Turn on the append-only file (default false). */
  appendonly?: boolean;
  /** AOF fsync policy; Redis's default (`everysec`) when omitted. */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Extra redis-server arguments, appended last (e.g. `['--maxmemory', '10mb']`). */
  args?: string[];
}

/** How long to wait for a server to answer PING and finish loading. */
const READY_TIMEOUT_MS = 10_000;
/** How often a failed bind (port taken by another process) is retried with a new port. */
const BIND_ATTEMPTS = 5;

/**
 * One redis-server child process bound to 127.0.0.1 on a free port, with its
 * own temp dir (logfile `redis.log`, AOF files) and `--save ''`.
 *
 * @example
 * ```ts
 * const server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
 * const redis = server.client();
 * await redis.set('k', 'v');
 * await server.kill9();
 * await server.restart(); // AOF replayed: 'k' is back
 * await server.stop();
 * ```
 */
export class RedisServer {
  /** Always `127.0.0.1`. */
  readonly host = '127.0.0.1';
  private proc: ManagedProcess | undefined;
  private readonly clients = new Set<Redis>();
  private stopPromise: Promise<void> | undefined;

  private constructor(
    /** TCP port the server listens on; kept across {@link RedisServer.restart}. */
    readonly port: number,
    /** The server's own temp dir (working dir, logfile, AOF); removed by {@link RedisServer.stop}. */
    readonly dir: string,
    private readonly options: RedisServerOptions,
    private readonly extraArgs: readonly string[],
  ) {}

  /**
   * Starts a redis-server on a free port and resolves once it answers PING.
   * Throws (with the tail of the server's log) when it is not ready within 10 s.
   */
  static start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    return RedisServer.launch(opts, freePort, () => []);
  }

  /**
   * Starts a server with ports from `pickPort` and extra arguments placed
   * before `opts.args`, computed from the server's dir. Used by
   * {@link RedisCluster} and {@link RedisSentinelSetup}.
   * @internal
   */
  static async launch(
    opts: RedisServerOptions,
    pickPort: () => Promise<number>,
    extraArgs: (dir: string) => string[],
  ): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'dtps-redis-'));
    let lastError: unknown;
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const server = new RedisServer(await pickPort(), dir, { ...opts }, extraArgs(dir));
      try {
        await server.spawnAndWait();
        return server;
      } catch (err) {
        lastError = err;
        await server.proc?.kill9();
        if (!/address already in use/i.test((err as Error).message)) break;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** `redis://127.0.0.1:PORT`. */
  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  /** Path of the server's logfile. */
  get logFile(): string {
    return join(this.dir, 'redis.log');
  }

  /** True while the redis-server process runs. */
  get running(): boolean {
    return this.proc?.alive ?? false;
  }

  /**
   * A new ioredis connection to this server. The server closes it in
   * {@link RedisServer.stop}; closing it earlier yourself is fine too. It has
   * an 'error' listener that ignores connection errors (commands still reject).
   */
  client(): Redis {
    if (this.stopPromise) throw new Error(`RedisServer ${this.url} is stopped`);
    const client = new Redis({ host: this.host, port: this.port });
    this.clients.add(client);
    // Tests kill9 servers on purpose: failed commands still reject, but the
    // reconnect errors are not printed as "Unhandled error event".
    client.on('error', () => {});
    client.once('end', () => this.clients.delete(client));
    return client;
  }

  /** Kills the server with SIGKILL (no shutdown, no final fsync) and waits for it to exit. */
  async kill9(): Promise<void> {
    await this.proc?.kill9();
  }

  /**
   * Starts the server again on the same port, in the same dir, with the same
   * options, so an AOF is replayed. Stops a still-running server gracefully
   * first. Resolves once it answers PING and `INFO persistence` says `loading:0`.
   * @param args added to the command line of this start only (e.g.
   *   `['--replicaof', host, port]` to bring an old master back as a replica).
   */
  async restart(args: readonly string[] = []): Promise<void> {
    if (this.stopPromise) throw new Error(`RedisServer ${this.url} is stopped; start a new one`);
    await this.proc?.terminate();
    await this.spawnAndWait(args);
  }

  /**
   * Closes the clients made by {@link RedisServer.client}, stops the server
   * (SIGTERM, SIGKILL after 5 s), waits for it to exit and removes its dir.
   * Idempotent.
   */
  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      for (const client of this.clients) client.disconnect();
      this.clients.clear();
      await this.proc?.terminate();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.stopPromise;
  }

  /** The command line; every path absolute. */
  private argv(startArgs: readonly string[]): string[] {
    const o = this.options;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      this.host,
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      o.appendonly ? 'yes' : 'no',
      '--daemonize',
      'no',
      '--logfile',
      this.logFile,
    ];
    if (o.appendfsync) args.push('--appendfsync', o.appendfsync);
    return [...args, ...this.extraArgs, ...(o.args ?? []), ...startArgs];
  }

  /** Spawns the process and waits until it answers PING with loading done. */
  private async spawnAndWait(startArgs: readonly string[] = []): Promise<void> {
    const proc = await ManagedProcess.spawn(
      'redis-server',
      this.argv(startArgs),
      join(this.dir, 'stdout.log'),
    );
    this.proc = proc;
    const exitedError = (): Error | undefined =>
      proc.alive ? undefined : new Error(`redis-server on port ${this.port} ${proc.exitReason}`);
    let ready = false;
    let failure: Error | undefined;
    try {
      ready = await pollUntil(
        async () => {
          if ((await redisCommand(this.host, this.port, ['PING'], 1000)) !== 'PONG') return false;
          // INFO server's process_id proves the answer came from our child, not from
          // another process that took the port first.
          const info = await redisCommand(this.host, this.port, ['INFO', 'server', 'persistence'], 1000);
          return infoField(info, 'process_id') === String(proc.pid) && infoField(info, 'loading') === '0';
        },
        READY_TIMEOUT_MS,
        50,
        exitedError,
      );
    } catch (err) {
      failure = err as Error;
    }
    if (ready) return;
    await proc.kill9();
    const log = `${await tailFile(this.logFile)}\n${await tailFile(proc.outputFile, 10)}`;
    const why =
      failure?.message ?? `redis-server on port ${this.port} not ready within ${READY_TIMEOUT_MS} ms`;
    throw new Error(`${why}\n--- log tail (${this.dir}) ---\n${log}`);
  }
}
