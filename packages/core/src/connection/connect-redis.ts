import type { Cluster, Redis } from 'ioredis';
import { RedisUnavailableError } from '../errors.js';
import { type CreateRedisOptions, createRedisForTarget } from './create-redis.js';
import { parseRedisUrl } from './parse-redis-url.js';
import { REDACTED, redactRedisUrl } from './redact-redis-url.js';

/** Options of `connectRedis`: those of `createRedis`, plus how long to try. */
export interface ConnectRedisOptions extends CreateRedisOptions {
  /** Give up after this many ms without a PING answer. Default 5000. */
  timeoutMs?: number;
}

/** How long `connectRedis` tries when the caller does not say. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

// A wrong password will not become right by retrying; failing at once saves
// the user the whole timeout.
const AUTH_ERROR = /\b(WRONGPASS|NOAUTH|NOPERM)\b|invalid (username-)?password/i;

/**
 * Creates a client for `url` (see `createRedis`) and resolves once Redis
 * answers PING, so that a program can report "Redis unreachable" up front
 * instead of hanging on its first command.
 *
 * ioredis retries a refused or dropped connection forever; this function
 * does not wait for it. When there is no answer within `timeoutMs`, or at
 * once on an authentication error, it disconnects the client (ending its
 * retry loop, so nothing keeps the process alive) and rejects.
 *
 * @throws ValidationError (field `redis.url`) when the URL is not acceptable.
 * @throws RedisUnavailableError with the redacted URL and the last error as
 *   cause when Redis does not answer in time.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis | Cluster> {
  const { timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, ...createOptions } = options;
  const target = parseRedisUrl(url);
  const client = createRedisForTarget(target, createOptions);
  const secrets = [target.password, target.kind === 'sentinel' ? target.sentinelPassword : undefined].filter(
    (s): s is string => s !== undefined && s !== '',
  );

  let lastError: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onError: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    // Also keeps ioredis from printing every failed attempt to the console.
    onError = (err: Error): void => {
      lastError = err;
      if (AUTH_ERROR.test(err.message)) reject(err);
    };
    timer = setTimeout(() => {
      const reason = lastError === undefined ? 'no answer' : lastError.message;
      reject(new Error(`${reason} (gave up after ${timeoutMs} ms)`, { cause: lastError }));
    }, timeoutMs);
  });
  // If PING wins the race, a later rejection has nobody left to hear it.
  failed.catch(() => undefined);
  client.on('error', onError);

  const pong = client.ping();
  // If the timer wins, disconnect() below rejects the queued PING; that
  // rejection is expected and must not surface as an unhandled one.
  pong.catch(() => undefined);

  try {
    await Promise.race([pong, failed]);
    // From here on, errors are the caller's to handle (or ioredis's to print).
    client.off('error', onError);
    return client;
  } catch (err) {
    // Ends ioredis's retry loop and its timers. Our listener stays on the
    // discarded client so that its last dying errors are not printed.
    client.disconnect();
    // ioredis's "max retries per request" says less than the error behind it.
    const cause =
      err instanceof Error && err.name === 'MaxRetriesPerRequestError' && lastError ? lastError : err;
    throw new RedisUnavailableError(redactRedisUrl(url), scrub(cause, secrets));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cause's message ends up in RedisUnavailableError's message. Redis does
 * not echo passwords, but this is the one place where a password and an
 * error message meet, so make sure.
 */
function scrub(cause: unknown, secrets: readonly string[]): unknown {
  if (!(cause instanceof Error) || !secrets.some((s) => cause.message.includes(s))) return cause;
  let message = cause.message;
  for (const secret of secrets) message = message.split(secret).join(REDACTED);
  const clean = new Error(message);
  clean.name = cause.name;
  return clean;
}
