/** Helpers for tests that embed a Worker in the test process, on a real Redis. */
import { Client, registerScripts, type WorkerInfo } from '@dtps/core';
import { type RedisServer, uniquePrefix } from '@dtps/core/testing';
import type { ExecutionContext } from 'ava';
import { Worker, type WorkerOptions } from '../../src/index.js';

export interface Embedded {
  worker: Worker;
  client: Client;
  prefix: string;
  /** The client's connection (the worker has its own). */
  redis: ReturnType<RedisServer['client']>;
  /** The worker's latest heartbeat as the registry shows it. */
  info(): Promise<WorkerInfo | undefined>;
}

/**
 * Starts a Worker embedded in this process with its own key prefix (or the
 * one given, to share queues with another), and a Client on another
 * connection; both are closed when the test ends.
 */
export async function embed(
  t: ExecutionContext,
  server: RedisServer,
  opts: Omit<WorkerOptions, 'redis' | 'engine'>,
  start = true,
  prefix = uniquePrefix(),
): Promise<Embedded> {
  const workerRedis = server.client();
  const redis = server.client();
  const client = new Client({ redis, prefix });
  const worker = new Worker({ redis: workerRedis, engine: { prefix }, ...opts });
  t.teardown(async () => {
    await worker.close({ graceMs: 0 }).catch(() => {});
    await client.close();
    workerRedis.disconnect();
    redis.disconnect();
  });
  if (start) await worker.start();
  return {
    worker,
    client,
    prefix,
    redis,
    info: async () => (await client.workers()).find((w) => w.id === worker.id),
  };
}

/**
 * Puts `around` between the worker and each of its rounds (one cycleTasks call: FCALL of the
 * library's function, which dtps hands to the connection's sendCommand as a command of its own,
 * or EVALSHA through ioredis's defined command with redis.scripts: eval).
 * `around` gets the round's send and returns its reply, so it can watch, delay or hold it.
 */
export function aroundRounds(
  worker: Worker,
  around: (send: () => Promise<unknown>) => Promise<unknown>,
): void {
  const conn = worker.ctx.redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  registerScripts(worker.ctx.redis);
  const wrap = (method: string, isRound: (args: unknown[]) => boolean) => {
    const original = conn[method]!;
    conn[method] = function (this: unknown, ...args: unknown[]) {
      const send = () => original.apply(this, args);
      return isRound(args) ? around(send) : send();
    };
  };
  wrap('cycleTasks', () => true);
  wrap('sendCommand', (args) => {
    const command = args[0] as { name: string; args: unknown[] };
    return command.name === 'fcall' && String(command.args[0]).endsWith('_cycleTasks');
  });
}

/**
 * Polls `check` until it returns something truthy; throws, naming `what`,
 * after `timeoutMs` (also when one call of `check` hangs past it).
 */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  const fail = () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail()), Math.max(0, deadline - performance.now()) + 1000);
    });
    try {
      const v = await Promise.race([check(), expired]);
      if (v) return v as NonNullable<T>;
    } finally {
      clearTimeout(timer);
    }
    if (performance.now() > deadline) throw fail();
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A promise with its resolve function, for handlers that wait on the test. */
export function gate<T = void>(): { promise: Promise<T>; open(v: T): void; opened: boolean } {
  let open!: (v: T) => void;
  const g = {
    opened: false,
    promise: new Promise<T>((r) => {
      open = r;
    }),
    open(v: T) {
      g.opened = true;
      open(v);
    },
  };
  return g;
}

/** Parses `INFO commandstats` into command → calls. */
export function commandCalls(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** `after - before`, per command, without zeros. */
export function callDeltas(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cmd, n] of after) {
    const d = n - (before.get(cmd) ?? 0);
    if (d > 0) out[cmd] = d;
  }
  return out;
}
