/**
 * The Redis of `dtps up`: the configured one when it answers, or else a
 * redis-server started here, on a free port, with its data under
 * `.dtps/redis` (AOF on, fsync every second) and its log in `.dtps/logs`.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { connectRedis, DtpsError, type RedisClient, RedisUnavailableError, redactRedisUrl } from '@dtps/core';
import { ExitCode } from '../exit-codes.js';
import { shown, type UpLayout } from './paths.js';
import { freePortOn } from './ports.js';
import { Daemon, describeExit, indent, pause, tailFile, UpFailure } from './processes.js';

/** How long the configured Redis gets to answer PING before one is started here. */
export const PROBE_TIMEOUT_MS = 1000;

/** How long a started redis-server gets to answer (replaying a big AOF takes a while). */
const READY_TIMEOUT_MS = 30_000;

/** How often a port taken between probing and binding is retried with another. */
const BIND_ATTEMPTS = 5;

/** The port a system Redis usually has: never the one `dtps up` starts its own on. */
const DEFAULT_REDIS_PORT = 6379;

const AUTH_ERROR = /\b(WRONGPASS|NOAUTH|NOPERM)\b|invalid (username-)?password/i;

/** The options of up's own connection: a lost Redis fails its commands soon. */
const CONNECTION = { maxRetriesPerRequest: 2, name: 'dtps-up' } as const;

/**
 * A connection to `url` if Redis answers PING within `timeoutMs`, else
 * undefined. A Redis that answers but refuses the credentials is there:
 * that is an error (exit 3), not a reason to start another.
 */
export async function tryRedis(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<RedisClient | undefined> {
  try {
    const redis = await connectRedis(url, { ...CONNECTION, timeoutMs });
    redis.on('error', () => undefined);
    return redis;
  } catch (err) {
    const cause = err instanceof RedisUnavailableError ? err.cause : undefined;
    if (cause instanceof Error && AUTH_ERROR.test(cause.message)) throw err;
    if (err instanceof RedisUnavailableError) return undefined;
    throw err;
  }
}

/** The redis-server executable on the PATH, if there is one. */
export async function findRedisServer(path: string | undefined): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The error when no Redis answers and none can be started: exit 3, with the install command. */
export function noRedisServerError(url: string): DtpsError {
  return new DtpsError(
    'redis_unavailable',
    `no Redis answered at ${redactRedisUrl(url)} within ${PROBE_TIMEOUT_MS / 1000} s, and there is no ` +
      'redis-server on the PATH to start one. Install it (Debian/Ubuntu: sudo apt-get install redis-server; ' +
      'macOS: brew install redis) and run dtps up again, or point --redis or DTPS_REDIS_URL at a running Redis',
  );
}

/** A redis-server started by `dtps up`, and up's connection to it. */
export class LocalRedis {
  readonly daemon: Daemon;
  readonly port: number;
  readonly redis: RedisClient;

  private constructor(daemon: Daemon, port: number, redis: RedisClient) {
    this.daemon = daemon;
    this.port = port;
    this.redis = redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts `binary` on a free port with its data in `layout.redis` and
   * resolves once it answers PING (AOF loaded). `onSpawn` hears of each
   * process started, so that it can be recorded before it is ready. Gives up
   * early when `signal` aborts (Ctrl-C during the start).
   */
  static async start(
    binary: string,
    layout: UpLayout,
    onSpawn: (daemon: Daemon, port: number) => Promise<void>,
    signal: AbortSignal,
  ): Promise<LocalRedis> {
    await mkdir(layout.redis, { recursive: true });
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const port = await freePortOn('127.0.0.1', [DEFAULT_REDIS_PORT]);
      const daemon = Daemon.start({
        name: 'redis-server',
        command: binary,
        args: [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          layout.redis,
          '--appendonly',
          'yes',
          '--appendfsync',
          'everysec',
          '--save',
          '',
          '--daemonize',
          'no',
        ],
        env: process.env,
        cwd: layout.cwd,
        logFile: join(layout.logs, 'redis.log'),
      });
      await onSpawn(daemon, port);
      const redis = await waitReady(daemon, port, signal);
      if (redis !== undefined) return new LocalRedis(daemon, port, redis);
      await daemon.stop(5000);
      const log = await tailFile(daemon.logFile);
      if (signal.aborted) throw new Error('stopped while redis-server was starting');
      lastError = new UpFailure(
        'redis_unavailable',
        `could not start redis-server: on port ${port} it ` +
          `${daemon.status ? describeExit(daemon.status) : 'did not answer in time'}; ` +
          `the last lines of ${shown(layout, daemon.logFile)}:\n${indent(log)}`,
        ExitCode.unavailable,
      );
      if (!/address already in use/i.test(log)) break;
    }
    throw (
      lastError ?? new UpFailure('redis_unavailable', 'could not start redis-server', ExitCode.unavailable)
    );
  }

  /**
   * Stops the server: SHUTDOWN (which syncs the AOF), and if it has not
   * exited within 10 s, SIGTERM then SIGKILL. Then closes the connection.
   */
  async shutdown(): Promise<void> {
    if (this.daemon.alive) {
      this.redis.call('SHUTDOWN').catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        this.daemon.exited.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (!exited) await this.daemon.stop(5000);
    }
    this.redis.disconnect();
  }
}

/**
 * Polls until the server answers PING, has loaded its data and is our child
 * (INFO's process_id: another process may have taken the port first).
 * Undefined when it exited, did not become ready in time, or `signal` aborted.
 */
async function waitReady(
  daemon: Daemon,
  port: number,
  signal: AbortSignal,
): Promise<RedisClient | undefined> {
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && daemon.alive && !signal.aborted) {
    const redis = await tryRedis(url, 500).catch(() => undefined);
    if (redis !== undefined) {
      try {
        // The default sections hold both server (process_id) and persistence (loading).
        const info = await redis.info();
        const pid = /^process_id:(\d+)/m.exec(info)?.[1];
        const loading = /^loading:(\d)/m.exec(info)?.[1];
        if (pid === String(daemon.pid) && loading === '0') return redis;
      } catch {
        // LOADING: not yet
      }
      redis.disconnect();
    }
    await pause(100, signal);
  }
  return undefined;
}
