/**
 * Issue 16 point 4: a Redis that refuses writes (maxmemory reached with the
 * noeviction policy) must not send the worker into a tight retry loop. Before
 * the fix it retried its round about 4,000 times a second and wrote a log
 * line for each. With full-jitter backoff and the log throttle, its commands
 * and log lines per second stay small; once memory is freed it carries on
 * and every task completes, and its heartbeat is back.
 */
import { RedisServer, uniquePrefix, waitForValue } from '@dtps/core/testing';
import test from 'ava';
import { scope, total } from './fixture.js';
import { startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

const TASKS = 2000;
/** How long the refusal is watched (ms). */
const WATCH_MS = 4000;

type Redis = ReturnType<RedisServer['client']>;

const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

/** Every command the server ran or refused so far, but our own INFO calls. */
async function commandsSoFar(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  let n = 0;
  for (const line of info.split('\n')) {
    if (!line.startsWith('cmdstat_') || line.startsWith('cmdstat_info:')) continue;
    const field = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? 0);
    n += field('calls') + field('rejected_calls');
  }
  return n;
}

async function usedMemory(admin: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
}

/**
 * Fills Redis until it refuses a write with OOM, then sets maxmemory half a
 * megabyte below what it uses (so that the worker's small writes, and a query
 * buffer freed after the refusal, do not bring it back under); returns the
 * keys it wrote (4 MB: deleting them frees memory for good).
 */
async function fillUntilRefused(admin: Redis): Promise<string[]> {
  await admin.config('SET', 'maxmemory', String((await usedMemory(admin)) + 4 * 1024 * 1024));
  const chunk = 'x'.repeat(64 * 1024);
  const keys: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const key = `filler:${i}`;
    try {
      await admin.set(key, chunk);
      keys.push(key);
    } catch (err) {
      if (!/^OOM\b/.test((err as Error).message)) throw err;
      await admin.config('SET', 'maxmemory', String((await usedMemory(admin)) - 512 * 1024));
      return keys;
    }
  }
  throw new Error('Redis never refused a write');
}

test.serial(
  'Redis out of memory (noeviction): the worker backs off (few commands and log lines a second), then carries on once memory is freed',
  async (t) => {
    const server = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
    t.teardown(() => server.stop());
    const admin = server.client();
    const s = scope(server, uniquePrefix());
    t.teardown(() => s.close());
    const w = await startWorker({
      redisUrl: server.url,
      prefix: s.prefix,
      id: 'w-oom',
      args: ['--workers', '8', '--min', '8', '--max', '8'],
      env: { DTPS_WORKER_HEARTBEAT_MS: '500' },
    });
    workers.push(w);
    const ids: string[] = [];
    const specs = Array.from({ length: TASKS }, () => ({ type: 'sleep', payload: { ms: 20 } }));
    for (let i = 0; i < TASKS; i += 500) {
      ids.push(...(await s.client.submitMany(specs.slice(i, i + 500))).map((r) => r.id));
    }
    await waitForValue(
      () => s.counts(),
      (c) => c.succeeded >= 50,
      { timeoutMs: 30_000, what: 'the worker to be under way', details: () => w.tail() },
    );

    const fillers = await fillUntilRefused(admin);
    t.log(`filled with ${fillers.length} keys of 64 KB; counts ${JSON.stringify(await s.counts())}`);
    // The worker meets the refusal (its next round is a write).
    await w.waitForLog((l) => /round failed|did not take the report/.test(l.msg), 20_000);
    const before = { commands: await commandsSoFar(admin), lines: w.logs.length + w.rawLines.length };
    const startedAt = performance.now();
    await new Promise((r) => setTimeout(r, WATCH_MS));
    const seconds = (performance.now() - startedAt) / 1000;
    const commandsPerS = ((await commandsSoFar(admin)) - before.commands) / seconds;
    const linesPerS = (w.logs.length + w.rawLines.length - before.lines) / seconds;
    t.log(`while refused: ${commandsPerS.toFixed(1)} commands/s, ${linesPerS.toFixed(2)} log lines/s`);
    const stuck = await s.counts();
    t.true(stuck.succeeded < TASKS, 'Redis really refused: the work stopped');
    t.true(commandsPerS < 50, `commands a second while refused: ${commandsPerS.toFixed(1)}`);
    t.true(linesPerS < 5, `log lines a second while refused: ${linesPerS.toFixed(2)}\n${w.tail()}`);

    // Memory back: the worker carries on by itself, and every task completes once.
    await admin.del(...fillers);
    const freedAt = Date.now();
    const done = await waitForValue(
      () => s.counts(),
      (c) => c.succeeded === TASKS,
      {
        timeoutMs: 90_000,
        what: 'every task to succeed once Redis takes writes again',
        details: () => w.tail(),
      },
    );
    t.is(total(done), TASKS, 'nothing lost');
    const beat = await waitForValue(
      () => s.heartbeat('w-oom'),
      (h) => h !== undefined && h.lastHeartbeatAt >= freedAt,
      { timeoutMs: 10_000, what: 'a heartbeat after the refusal', details: () => w.tail() },
    );
    t.truthy(beat, 'the worker is in the registry again');
    t.true(w.alive, 'the worker is still running');
    const summary = w.logs.find((l) => / \(repeated [\d,]+ times in \d+ s\)$/.test(l.msg));
    if (summary) t.log(`a summary line: ${summary.msg}`);
    admin.disconnect();
  },
);
