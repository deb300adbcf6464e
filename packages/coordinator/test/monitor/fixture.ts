/**
 * Monitor test fixture: one redis-server per test file, and per test a key
 * prefix of its own, a Client and Inspector on it, and a monitor on a free
 * port (port 0), all closed after the file.
 */
import { Client, Inspector, silentLogger, type WorkerInfo, WorkerOps, writeHeartbeat } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import type { TestFn } from 'ava';
import { createMonitorServer } from '../../src/monitor/server.js';
import type { CoordinatorStatus, MonitorDeps, MonitorServer } from '../../src/monitor/types.js';

export type Redis = ReturnType<RedisServer['client']>;

export interface Monitor {
  url: string;
  server: MonitorServer;
  client: Client;
  inspector: Inspector;
  redis: Redis;
  prefix: string;
  token: string | undefined;
  /** What status() answers; tests may change it. */
  status: CoordinatorStatus;
  ops(workerId: string): WorkerOps;
  /** fetch against the monitor; JSON bodies are sent with Content-Type and the token unless `auth: false`. */
  call(path: string, init?: CallInit): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  /** Registers a worker with a heartbeat `ageMs` old. */
  heartbeat(id: string, over?: Partial<WorkerInfo> & { ageMs?: number }): Promise<WorkerInfo>;
}

export interface CallInit {
  method?: string;
  body?: unknown;
  /** Send the monitor's token (default true when it has one); a string sends that one. */
  auth?: boolean | string;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field in the tests
export type JsonBody = any;

export function useMonitor(test: TestFn) {
  let redisServer: RedisServer | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  test.before(async () => {
    redisServer = await RedisServer.start();
  });
  test.after.always(async () => {
    for (const c of cleanups.reverse()) await c();
    await redisServer?.stop();
  });
  const connect = (): Redis => redisServer!.client();
  return {
    get redisServer(): RedisServer {
      return redisServer!;
    },
    connect,
    async make(opts: Partial<Omit<MonitorDeps, 'ctx' | 'client' | 'inspector'>> = {}): Promise<Monitor> {
      const redis = connect();
      const prefix = uniquePrefix();
      const client = new Client({ redis, prefix });
      const inspector = new Inspector(client.ctx);
      const status: CoordinatorStatus = { id: 'coord-test', leading: true, epoch: 1, startedAt: Date.now() };
      const server = await createMonitorServer({
        ctx: client.ctx,
        client,
        inspector,
        status: () => ({ ...status }),
        log: silentLogger(),
        host: '127.0.0.1',
        port: 0,
        ...opts,
      });
      cleanups.push(
        () => server.close(),
        () => client.close(),
      );
      const token = opts.token;
      return {
        url: server.url,
        server,
        client,
        inspector,
        redis,
        prefix,
        token,
        status,
        ops: (id) => new WorkerOps(client.ctx, id),
        async call(path, init = {}) {
          const headers: Record<string, string> = { ...init.headers };
          if (init.body !== undefined) headers['content-type'] ??= 'application/json';
          const auth = init.auth ?? true;
          if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`;
          else if (auth && token) headers.authorization = `Bearer ${token}`;
          const res = await fetch(server.url + path, {
            method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
            headers,
            ...(init.body === undefined
              ? {}
              : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
          });
          const text = await res.text();
          let body: JsonBody = text;
          if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
          return { status: res.status, body, headers: res.headers };
        },
        async heartbeat(id, over = {}) {
          const { ageMs = 0, ...rest } = over;
          const now = Date.now();
          const info: WorkerInfo = {
            id,
            host: 'test-host',
            pid: 4242,
            version: '0.1.0',
            queues: ['default'],
            handlers: ['echo', 'noop'],
            poolSize: 4,
            min: 1,
            max: 8,
            busy: 1,
            window: 2,
            processed: 10,
            failed: 1,
            steals: 0,
            steal: false,
            paused: false,
            draining: false,
            isolation: 'inline',
            memoryRss: 1,
            eventLoopLagMs: 0,
            startedAt: now - 60_000,
            lastHeartbeatAt: now - ageMs,
            ...rest,
          };
          await writeHeartbeat(client.ctx, info);
          return info;
        },
      };
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 3000, stepMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
