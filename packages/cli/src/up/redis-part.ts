/**
 * The Redis part of `dtps up`: the configured Redis when it answers, or else
 * a redis-server started here (redis-local.ts); and its stop.
 */
import { type RedisClient, redactRedisUrl } from '@dtps/core';
import { shown, type UpLayout } from './paths.js';
import type { Daemon } from './processes.js';
import {
  findRedisServer,
  LocalRedis,
  noRedisServerError,
  PROBE_TIMEOUT_MS,
  tryRedis,
} from './redis-local.js';
import type { StateFile } from './state-file.js';

/** The Redis a `dtps up` uses, and up's own connection to it. */
export interface UpRedis {
  /** Where it answers (unredacted: the children get it in their environment). */
  url: string;
  redis: RedisClient;
  /** The redis-server this run started, when none answered at the configured URL. */
  local?: LocalRedis;
}

/** What {@link findOrStartRedis} needs besides the URL. */
export interface RedisStartOptions {
  layout: UpLayout;
  /** The PATH to look for redis-server on. */
  path: string | undefined;
  /** Records each redis-server started, before it is ready (a killed up leaves it there). */
  state: StateFile;
  /** Aborted when a stop is asked for during the start. */
  signal: AbortSignal;
  note: (text: string) => void;
}

/**
 * The Redis at `url` when it answers PING within a second; else a
 * redis-server started on a free port, with its data in `.dtps/redis`.
 * Throws (exit 3) when none answers and there is no redis-server to start.
 */
export async function findOrStartRedis(url: string, opts: RedisStartOptions): Promise<UpRedis> {
  const found = await tryRedis(url);
  if (found !== undefined) return { url, redis: found };
  const binary = await findRedisServer(opts.path);
  if (binary === undefined) throw noRedisServerError(url);
  const { layout, state } = opts;
  opts.note(
    `no Redis answered at ${redactRedisUrl(url)} within ${PROBE_TIMEOUT_MS / 1000} s: ` +
      `starting redis-server with its data in ${shown(layout, layout.redis)}`,
  );
  const local = await LocalRedis.start(
    binary,
    layout,
    async (daemon, port) => {
      await state.add({ name: 'redis-server', pid: daemon.pid ?? 0, marks: ['redis-server', `:${port}`] });
    },
    opts.signal,
  );
  return { url: local.url, redis: local.redis, local };
}

/**
 * Ends up's hold on Redis: shuts the redis-server down when this run started
 * it (its AOF synced), else only disconnects. Resolves with the server shut
 * down, if it was still running. Never throws.
 */
export async function stopRedis(part: UpRedis): Promise<Daemon | undefined> {
  if (part.local === undefined) {
    part.redis.disconnect();
    return undefined;
  }
  const { daemon } = part.local;
  const wasAlive = daemon.alive;
  await part.local.shutdown().catch(() => undefined);
  return wasAlive ? daemon : undefined;
}
