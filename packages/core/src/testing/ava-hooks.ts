/**
 * ava helpers: one Redis server per test file, and key prefixes that keep
 * tests sharing that server apart.
 */
import { RedisServer, type RedisServerOptions } from './redis-server.js';

/**
 * The part of ava's `TestFn` these helpers use. Structural, so that
 * `@dtps/core` does not depend on ava at run time; pass ava's `test` as is.
 */
export interface HookRegistrar {
  /** Registers a hook that runs once before all tests of the file. */
  before(title: string, implementation: () => Promise<void>): void;
  /** `after.always`: registers a hook that runs once after all tests, even failed ones. */
  after: { always(title: string, implementation: () => Promise<void>): void };
}

/** What {@link useRedisServer} returns. */
export interface RedisServerHandle {
  /** The file's server; throws when read before the `before` hook has run. */
  readonly server: RedisServer;
}

/**
 * Registers `test.before` to start one {@link RedisServer} for the test file
 * and `test.after.always` to stop it.
 *
 * @example
 * ```ts
 * import test from 'ava';
 * const redis = useRedisServer(test);
 * test('x', async (t) => { const c = redis.server.client(); ... });
 * ```
 */
export function useRedisServer(test: HookRegistrar, opts?: RedisServerOptions): RedisServerHandle {
  let server: RedisServer | undefined;
  test.before('start redis-server', async () => {
    server = await RedisServer.start(opts);
  });
  test.after.always('stop redis-server', async () => {
    await server?.stop();
  });
  return {
    get server(): RedisServer {
      if (!server)
        throw new Error('useRedisServer: the server is not started yet (read .server inside a test)');
      return server;
    },
  };
}

let counter = 0;

/**
 * A short key prefix unique within the process and, with high probability,
 * across processes: `t` + 8 random base-36 chars + a counter (e.g. `tk3j9x0aa0`).
 * Give each test its own so tests sharing one server never touch each
 * other's keys.
 */
export function uniquePrefix(): string {
  const random = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `t${random}${(counter++).toString(36)}`;
}
