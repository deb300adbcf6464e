/**
 * `dtps up` as a user runs it: the built CLI as a child process in an empty
 * temp dir, with real daemons and a real Redis, stopped with SIGINT.
 * `--no-tui` (there is no terminal here) and mostly `--json`, whose "ready"
 * line names the pids to check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, connectRedis, type RedisClient, type TaskSpec } from '@dtps/core';
import { freePort, uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { demoBatch } from '../../src/up/demo-trickle.js';
import { binPath } from '../../src/up/paths.js';
import { BIN, dtps } from '../helpers/dtps.js';

const redis = useRedisServer(test);

interface Ready {
  event: 'ready';
  redis: { url: string; started: boolean; pid?: number; data?: string };
  monitor: { url: string };
  coordinator: { pid: number; log: string };
  worker: { pid: number; log: string };
  notes: string[];
  elsewhere: string;
}

/** Every pid a test saw: SIGKILLed after the tests, in case one failed half-way. */
const seen = new Set<number>();
const connections: RedisClient[] = [];
const clients: Client[] = [];
const dirs: string[] = [];
test.after.always(async () => {
  for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const c of clients) await c.close();
  for (const c of connections) c.disconnect();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dtps-up-test-'));
  dirs.push(dir);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A running `dtps up`: its output so far, its JSON events, its exit. */
class Up {
  readonly child: ChildProcess;
  readonly cwd: string;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: Record<string, string>, cwd = tempDir()) {
    this.cwd = cwd;
    this.child = spawn(process.execPath, [BIN, 'up', '--no-tui', ...args], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid !== undefined) seen.add(this.child.pid);
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  events<T = Record<string, unknown>>(name: string): T[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as T & { event?: string })
      .filter((e) => e.event === name);
  }

  async event<T = Record<string, unknown>>(name: string, timeoutMs = 60_000): Promise<T> {
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    const found = await until(
      `"${name}" from dtps up`,
      async () => {
        const [first] = this.events<T>(name);
        if (first === undefined && exited) throw new Error(`dtps up exited:\n${this.stdout}\n${this.stderr}`);
        return first;
      },
      timeoutMs,
    );
    return found;
  }

  async ready(): Promise<Ready> {
    const ready = await this.event<Ready>('ready');
    for (const pid of [ready.worker.pid, ready.coordinator.pid, ready.redis.pid]) if (pid) seen.add(pid);
    return ready;
  }

  /** Ctrl-C; resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

function clientOn(redisClient: RedisClient, prefix: string): Client {
  connections.push(redisClient);
  // Redis may go away under it (the one `dtps up` started): commands fail, nothing is printed.
  redisClient.on('error', () => undefined);
  const client = new Client({ redis: redisClient, prefix });
  clients.push(client);
  return client;
}

test('up brings up a stealing worker and a coordinator with the monitor, runs demo tasks, and stops on Ctrl-C', async (t) => {
  const prefix = uniquePrefix();
  const port = await freePort();
  const up = new Up(['--demo', '--port', String(port), '--json'], {
    DTPS_REDIS_URL: redis.server.url,
    DTPS_PREFIX: prefix,
  });
  const ready = await up.ready();
  t.false(ready.redis.started, 'uses the Redis that answers');
  t.is(ready.monitor.url, `http://127.0.0.1:${port}/`);
  t.deepEqual(ready.notes, []);
  t.true(existsSync(ready.worker.log) && ready.worker.log.startsWith(join(up.cwd, '.dtps', 'logs')));

  const client = clientOn(redis.server.client(), prefix);
  const workers = await client.workers();
  t.is(workers.length, 1);
  t.like(workers[0], { pid: ready.worker.pid, steal: true });

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.is(health.status, 200);
  t.truthy(await redis.server.client().get(`{${prefix}}:leader`), 'the coordinator leads');

  const first = await until('demo tasks to succeed', async () => {
    const n = (await client.counts()).succeeded;
    return n > 0 ? n : undefined;
  });
  await until('more demo tasks to succeed', async () => (await client.counts()).succeeded > first);
  await up.event('status');

  t.is(await up.interrupt(), 0, up.stderr);
  t.false(alive(ready.worker.pid), 'worker gone');
  t.false(alive(ready.coordinator.pid), 'coordinator gone');
  t.deepEqual(await client.workers(), [], 'the worker deregistered');
  t.deepEqual(up.events('stopped'), [{ event: 'stopped', exit: 0 }]);
  t.false(existsSync(join(up.cwd, '.dtps', 'up.json')));
  t.is(up.stderr, '');
});

test('up starts its own redis-server under .dtps/redis when none answers, and shuts it down', async (t) => {
  const prefix = uniquePrefix();
  const closed = await freePort();
  const up = new Up(['--port', String(await freePort()), '--json'], {
    DTPS_REDIS_URL: `redis://127.0.0.1:${closed}`,
    DTPS_PREFIX: prefix,
  });
  const ready = await up.ready();
  t.true(ready.redis.started);
  t.is(ready.redis.data, join(up.cwd, '.dtps', 'redis'));
  const redisPort = Number(new URL(ready.redis.url).port);
  t.not(redisPort, closed);
  t.not(redisPort, 6379);
  t.true(alive(ready.redis.pid!));
  t.true(existsSync(join(up.cwd, '.dtps', 'redis', 'appendonlydir')), 'AOF on, in .dtps/redis');
  t.regex(ready.notes.join('\n'), /no Redis answered .* starting redis-server/);

  const own = await connectRedis(ready.redis.url);
  const client = clientOn(own, prefix);
  t.is(await own.call('CONFIG', 'GET', 'appendfsync').then((r) => (r as string[])[1]), 'everysec');
  const workers = await client.workers();
  t.like(workers[0], { pid: ready.worker.pid, steal: true });
  const { id } = await client.submit({ type: 'echo', payload: { hi: 1 } });
  t.like(await client.wait(id, { timeoutMs: 20_000 }), { state: 'succeeded', result: { hi: 1 } });
  // Before that Redis goes: the wait's own connection would try to reconnect to it.
  await client.close();
  own.disconnect();

  t.is(await up.interrupt(), 0, up.stderr);
  for (const pid of [ready.redis.pid!, ready.worker.pid, ready.coordinator.pid])
    t.false(alive(pid), `${pid} gone`);
});

test('up without Redis and without redis-server says how to install it (exit 3)', async (t) => {
  const closed = await freePort();
  const r = await dtps(['up', '--no-tui'], {
    env: { DTPS_REDIS_URL: `redis://127.0.0.1:${closed}`, PATH: '/nonexistent-dtps-path' },
    cwd: tempDir(),
  });
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, /no Redis answered at redis:\/\/127\.0\.0\.1:\d+ within 1 s/);
  t.regex(r.stderr, /sudo apt-get install redis-server/);
  t.regex(r.stderr, /brew install redis/);
});

test('a daemon that dies is reported with its log tail, and the rest is stopped (exit 1)', async (t) => {
  const up = new Up(['--port', String(await freePort())], {
    DTPS_REDIS_URL: redis.server.url,
    DTPS_PREFIX: uniquePrefix(),
  });
  const [, worker, coordinator] = await until('the summary', async () => {
    const w = /worker\s+pid (\d+)/.exec(up.stdout)?.[1];
    const c = /coordinator\s+pid (\d+)/.exec(up.stdout)?.[1];
    return w && c ? ([0, Number(w), Number(c)] as const) : undefined;
  });
  seen.add(worker);
  seen.add(coordinator);
  t.regex(
    up.stdout,
    /dtps is up\.\n {2}Redis {8}redis:\/\/127\.0\.0\.1:\d+\n {2}monitor {6}http:\/\/127\.0\.0\.1:\d+\//,
  );
  t.regex(up.stdout, /log \.dtps\/logs\/worker\.log/);
  process.kill(worker, 'SIGKILL');
  t.is(await up.exited, 1);
  t.regex(up.stderr, new RegExp(`dtps-worker \\(pid ${worker}\\) was killed by SIGKILL unexpectedly`));
  t.regex(up.stderr, /the last lines of \.dtps\/logs\/worker\.log:\n {2}.*\[dtps-worker\]/);
  t.false(alive(coordinator), 'coordinator stopped');
  t.regex(up.stdout, /dtps-coordinator \(pid \d+\): stopped/);
});

test('bad flag values are refused before anything starts (exit 2)', async (t) => {
  for (const [args, message] of [
    [['--port', '0'], /--port: must be between 1 and 65535, got 0/],
    [['--port', 'x'], /--port: must be an integer/],
    [['--workers', '-1'], /--workers: must be between 0 and 10000/],
  ] as const) {
    const r = await dtps(['up', ...args], { env: { DTPS_REDIS_URL: redis.server.url } });
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
  const other = await dtps(['status', 'x', '--demo']);
  t.regex(other.stderr, /--demo does not apply to dtps status/);
});

test('demo batches: every demo handler, priorities 1-10, valid specs, pipelines with dependencies', async (t) => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const specs: TaskSpec[][] = Array.from({ length: 500 }, (_, i) => demoBatch(random, i));
  const flat = specs.flat();
  t.deepEqual([...new Set(flat.map((s) => s.type))].sort(), [
    'cpu',
    'echo',
    'fail',
    'flaky',
    'noop',
    'sleep',
  ]);
  t.true(flat.every((s) => s.priority! >= 1 && s.priority! <= 10));
  t.true(new Set(flat.map((s) => s.priority)).size >= 8, 'varied priorities');
  const pipelines = specs.filter((batch) => batch.some((s) => (s.dependsOn?.length ?? 0) > 0));
  t.true(pipelines.length > 20);
  const client = clientOn(redis.server.client(), uniquePrefix());
  for (const batch of specs) t.notThrows(() => client.validate(batch));
  // A few per second: about two tasks a batch.
  t.true(flat.length / specs.length > 1.5 && flat.length / specs.length < 3);
});

test('output that goes away (the reader closed) stops everything in order, like a hang-up', async (t) => {
  const prefix = uniquePrefix();
  const up = new Up(['--port', String(await freePort()), '--json'], {
    DTPS_REDIS_URL: redis.server.url,
    DTPS_PREFIX: prefix,
  });
  const ready = await up.ready();
  // The next status line meets a closed pipe (EPIPE) instead of a reader.
  up.child.stdout!.destroy();
  up.child.stderr!.destroy();
  const code = await up.exited;
  t.not(code, null, 'exited by itself, not killed by a signal');
  t.false(alive(ready.worker.pid), 'worker gone');
  t.false(alive(ready.coordinator.pid), 'coordinator gone');
  const client = clientOn(redis.server.client(), prefix);
  t.deepEqual(await client.workers(), [], 'the worker deregistered: it was stopped, not orphaned');
  t.false(existsSync(join(up.cwd, '.dtps', 'up.json')));
});

test('a second shell in the folder of `dtps up` finds the redis-server it started, without --redis', async (t) => {
  const prefix = uniquePrefix();
  const closed = await freePort();
  const cwd = tempDir();
  // The config names a Redis that does not answer: up starts its own on a free port.
  writeFileSync(join(cwd, '.dtpsrc.yaml'), `redis:\n  url: redis://127.0.0.1:${closed}\nprefix: ${prefix}\n`);
  const up = new Up(['--port', String(await freePort()), '--json'], {}, cwd);
  const ready = await up.ready();
  t.true(ready.redis.started);
  t.is(ready.elsewhere, `export DTPS_REDIS_URL=${ready.redis.url}`);

  const workers = await dtps(['workers', '--json'], { cwd });
  t.is(workers.code, 0, workers.stderr);
  t.deepEqual(
    workers.json<{ pid: number }[]>().map((w) => w.pid),
    [ready.worker.pid],
  );
  t.is(workers.stderr, `dtps: using dtps up's Redis at ${ready.redis.url} (from .dtps/up.json)\n`);

  // Flags and the environment still win over up's Redis; `dtps config` says where the URL came from.
  const config = await dtps(['config', '--json'], { cwd });
  t.is(
    config.json<{ settings: Record<string, { source: string }> }>().settings['redis.url']!.source,
    `dtps up ${join(cwd, '.dtps', 'up.json')}`,
  );
  const env = await dtps(['config', '--json'], { cwd, env: { DTPS_REDIS_URL: redis.server.url } });
  t.like(env.json<{ settings: Record<string, unknown> }>().settings['redis.url'], {
    value: redis.server.url,
    source: 'env DTPS_REDIS_URL',
  });

  t.is(await up.interrupt(), 0, up.stderr);
  t.false(existsSync(join(cwd, '.dtps', 'up.json')), 'removed when up stops');
  const after = await dtps(['config', '--json'], { cwd });
  t.regex(
    after.json<{ settings: Record<string, { source: string }> }>().settings['redis.url']!.source,
    /^file /,
  );
});

test('the state of a `dtps up` that is gone (its pid dead) is ignored', async (t) => {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.dtps'));
  // A pid that surely is not running: one of a child that has exited.
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.once('exit', resolve));
  writeFileSync(
    join(cwd, '.dtps', 'up.json'),
    JSON.stringify({ pid: dead.pid, startedAt: Date.now(), redisUrl: redis.server.url, processes: [] }),
  );
  const r = await dtps(['config', '--json'], { cwd });
  t.is(r.json<{ settings: Record<string, { source: string }> }>().settings['redis.url']!.source, 'default');
  t.is(r.stderr, '');
});

test('a worker drained under `dtps up` is reported, and the rest keeps running', async (t) => {
  const prefix = uniquePrefix();
  const port = await freePort();
  const up = new Up(['--port', String(port), '--json'], {
    DTPS_REDIS_URL: redis.server.url,
    DTPS_PREFIX: prefix,
  });
  const ready = await up.ready();
  const client = clientOn(redis.server.client(), prefix);
  const [worker] = await client.workers();
  t.is(worker?.pid, ready.worker.pid);

  const drained = await dtps(['drain', worker!.id], {
    env: { DTPS_REDIS_URL: redis.server.url, DTPS_PREFIX: prefix },
  });
  t.is(drained.code, 0, drained.stderr);
  const left = await up.event<{ worker: string; pid: number; code: number }>('worker_exited');
  t.deepEqual(left, { event: 'worker_exited', worker: worker!.id, pid: ready.worker.pid, code: 0 });
  t.false(alive(ready.worker.pid));

  // Still up: the coordinator and its monitor answer, and up goes on printing status lines.
  const before = up.events('status').length;
  await until('a status line after the drain', async () => up.events('status').length > before);
  t.true(alive(ready.coordinator.pid));
  t.is((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

  t.is(await up.interrupt(), 0, up.stderr);
  t.deepEqual(up.events('stopped'), [{ event: 'stopped', exit: 0 }]);
  t.false(alive(ready.coordinator.pid));
  t.notRegex(up.stderr, /unexpectedly/);
});

test('dtps-worker and dtps-coordinator started in the folder of a running up use its Redis, and say so', async (t) => {
  const prefix = uniquePrefix();
  const cwd = tempDir();
  // The config file names a Redis that does not answer (and keeps 6379 out of this test).
  writeFileSync(join(cwd, '.dtpsrc.yaml'), `redis:\n  url: redis://127.0.0.1:${await freePort()}\n`);
  mkdirSync(join(cwd, '.dtps'));
  // A stand-in for the running up: alive, and a dtps program by its command line.
  const standIn = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', 'dtps-up-stand-in'], {
    stdio: 'ignore',
  });
  seen.add(standIn.pid!);
  writeFileSync(
    join(cwd, '.dtps', 'up.json'),
    JSON.stringify({ pid: standIn.pid, startedAt: Date.now(), redisUrl: redis.server.url, processes: [] }),
  );
  const client = clientOn(redis.server.client(), prefix);
  for (const [name, args] of [
    ['worker', ['--workers', '1']],
    ['coordinator', ['--port', String(await freePort())]],
  ] as const) {
    const child = spawn(process.execPath, [binPath(name), ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DTPS_PREFIX: prefix },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    seen.add(child.pid!);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const notice = `dtps-${name}: using dtps up's Redis at ${redis.server.url} (from .dtps/up.json)`;
    await until(`dtps-${name} to say which Redis it uses`, async () => stderr.includes(notice));
    if (name === 'worker') {
      await until('the worker to register in that Redis', async () =>
        (await client.workers()).some((w) => w.pid === child.pid),
      );
    } else {
      await until('the coordinator to lead in that Redis', async () =>
        Boolean(await redis.server.client().get(`{${prefix}}:leader`)),
      );
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    t.pass(`dtps-${name}`);
  }
});
