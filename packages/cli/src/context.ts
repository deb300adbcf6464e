import type { Readable } from 'node:stream';
import {
  Client,
  connectRedis,
  engineOptionsFrom,
  type LoadedConfig,
  loadConfig,
  type RedisClient,
  startTelemetry,
  telemetryOptionsOf,
  upRedisNotice,
} from '@dtps/core';
import type { CliFlags } from './flags.js';
import type { Output } from './output.js';

/**
 * How long after the process started to give up reaching Redis (exit 3):
 * below the 5 s a user or a health check should ever wait for "Redis is
 * down". Counted from process start, not from the connect, so that a slow
 * start on a busy machine does not push the exit past 5 s.
 */
export const CONNECT_TIMEOUT_MS = 4000;

/** The least time a connect gets, however slow the start was. */
const MIN_CONNECT_TIMEOUT_MS = 3000;

function connectTimeoutMs(): number {
  const elapsed = Math.round(process.uptime() * 1000);
  return Math.min(CONNECT_TIMEOUT_MS, Math.max(MIN_CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS - elapsed));
}

/**
 * How often a command is resent over reconnects before it fails. Low, so that
 * a refused connection (nothing listening) is reported at once rather than
 * after the whole connect budget, and Redis going away mid-command ends the
 * CLI (exit 3) instead of hanging. A host that does not answer at all still
 * gets the whole budget. (Waits are not affected: their reader retries.)
 */
const MAX_RETRIES_PER_REQUEST = 2;

/** How long `close` lets QUIT take before it cuts the connection. */
const QUIT_GRACE_MS = 1000;

/**
 * How long `close` waits for the last spans to reach the collector: the
 * spans of a short-lived command are exported at its exit, and an
 * unreachable collector must not hold the exit for the exporter's own 30 s.
 */
const TELEMETRY_FLUSH_MS = 3000;

/** What the process gives a command besides its arguments. */
export interface Environment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: Readable;
}

/**
 * What a command runs with: its arguments and flags, the output, and, on
 * first use, the loaded config and a connected Client. Config first, then
 * connect, then Client: each step only when the command needs it (`dtps
 * config` never connects).
 */
export class CommandContext {
  readonly args: readonly string[];
  readonly flags: CliFlags;
  readonly out: Output;
  readonly environment: Environment;
  readonly #upState: boolean;
  #config: Promise<LoadedConfig> | undefined;
  #redis: RedisClient | undefined;
  #client: Client | undefined;
  #telemetry: Promise<() => Promise<void>> | undefined;

  /**
   * `upState: false` for `dtps up` itself: it must not take the Redis of the
   * up it is about to replace (or refuse) for its own.
   */
  constructor(
    args: readonly string[],
    flags: CliFlags,
    out: Output,
    environment: Environment,
    options: { upState?: boolean } = {},
  ) {
    this.args = args;
    this.flags = flags;
    this.out = out;
    this.environment = environment;
    this.#upState = options.upState ?? true;
  }

  /**
   * The effective config: defaults < file < the Redis of a `dtps up` running
   * here (`.dtps/up.json`) < DTPS_* environment < flags. `--redis`,
   * `--prefix` and `--queue` are the flag layer.
   */
  config(): Promise<LoadedConfig> {
    this.#config ??= loadConfig({
      cwd: this.environment.cwd,
      env: this.environment.env,
      upState: this.#upState,
      ...(this.flags.config === undefined ? {} : { configFile: this.flags.config }),
      flags: { 'redis.url': this.flags.redis, prefix: this.flags.prefix, queue: this.flags.queue },
      flagNames: { 'redis.url': '--redis', prefix: '--prefix', queue: '--queue' },
    });
    return this.#config;
  }

  /**
   * A Client on a connection that answered PING. Throws
   * RedisUnavailableError (exit 3) when Redis cannot be reached within
   * CONNECT_TIMEOUT_MS of process start.
   */
  async client(): Promise<Client> {
    if (this.#client) return this.#client;
    const loaded = await this.config();
    const { config } = loaded;
    await this.telemetry();
    // Said on stderr, also under --json: which Redis answers is not the result.
    if (loaded.up !== undefined) this.out.rawError(`dtps: ${upRedisNotice(loaded.up, this.environment.cwd)}`);
    const redis = await connectRedis(config.redis.url, {
      timeoutMs: connectTimeoutMs(),
      maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
      name: 'dtps-cli',
      tls: config.redis.tls,
    });
    // A lost connection shows as rejected commands, reported as exit 3;
    // without a listener ioredis would also print each reconnect attempt.
    redis.on('error', () => undefined);
    this.#redis = redis;
    this.#client = new Client(engineOptionsFrom(config, redis));
    return this.#client;
  }

  /**
   * Starts OpenTelemetry (service.name `dtps-cli`) when the config turns
   * traces on, once; every command that connects does, through `client`.
   * With traces off the SDK is never loaded.
   */
  async telemetry(): Promise<void> {
    const { config } = await this.config();
    this.#telemetry ??= startTelemetry('dtps-cli', {
      ...telemetryOptionsOf(config.telemetry),
      flushTimeoutMs: TELEMETRY_FLUSH_MS,
    });
    await this.#telemetry;
  }

  /** The Redis URL in use, once connected (for naming it, redacted, in errors). */
  async redisUrl(): Promise<string | undefined> {
    if (this.#config === undefined) return undefined;
    try {
      return (await this.#config).config.redis.url;
    } catch {
      return undefined;
    }
  }

  /** Stops waits, flushes the spans, and closes the connection, so that the process can exit at once. */
  async close(): Promise<void> {
    await this.#client?.close();
    const stopTelemetry = await this.#telemetry?.catch(() => undefined);
    await stopTelemetry?.();
    const redis = this.#redis;
    if (!redis) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.quit(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, QUIT_GRACE_MS);
        }),
      ]);
    } catch {
      // Redis already gone: nothing to say goodbye to.
    } finally {
      clearTimeout(timer);
      redis.disconnect();
    }
  }
}
