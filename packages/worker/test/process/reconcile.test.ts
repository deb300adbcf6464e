/**
 * After a connection loss the worker reconciles: tasks that Redis holds under
 * its name but that it does not know (a claim or start whose reply was lost,
 * then re-sent by ioredis) go back to the queue. Runs of the Redis-restart
 * test showed two ways this goes wrong: a stray task left in `running` for
 * ~55 s after Redis was back, and tasks that had just succeeded failed as
 * `worker_lost` and run again. This file reproduces both, deterministically,
 * with real processes:
 *
 * - A stray is made the way a lost claim reply makes it: a claim run under the
 *   worker's id whose result the worker never sees.
 * - The reconnect is a CLIENT KILL of the worker's main connection (its
 *   'ready' schedules the one post-reconnect reconcile, 1 s later).
 * - CLIENT PAUSE WRITE, CLIENT UNBLOCK, a busy Lua script and SIGSTOP/SIGCONT
 *   of the worker put its claims, replies and attempts in the order that shows
 *   each bug; each step says why.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerOps } from '@dtps/core';
import { RedisServer, uniquePrefix, waitFor, waitForValue } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import { type Scope, scope } from './fixture.js';
import { RECORDING_HANDLERS, startWorker, stopAll, type WorkerProcess } from './spawn-worker.js';

/** An ioredis connection, as the testing module makes them. */
type Redis = ReturnType<RedisServer['client']>;

let server: RedisServer;
const workers: WorkerProcess[] = [];
test.before(async () => {
  server = await RedisServer.start();
});
test.after.always(async () => {
  await stopAll(workers);
  await server?.stop();
});

/** `CLIENT LIST` as records. */
async function clientList(redis: Redis): Promise<Record<string, string>[]> {
  const text = (await redis.call('CLIENT', 'LIST')) as string;
  return text
    .trim()
    .split('\n')
    .map((line) =>
      Object.fromEntries(
        line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
    );
}

/** Starts a worker and leaves one stray task under its name, as a lost claim reply does. */
async function workerWithStray(t: ExecutionContext, s: Scope, id: string) {
  const w = await startWorker({
    redisUrl: server.url,
    prefix: s.prefix,
    id,
    args: ['--workers', '2', '--min', '2', '--max', '2'],
    env: { DTPS_WORKER_HEARTBEAT_MS: '200' },
  });
  workers.push(w);
  // The tests look the worker's connections up by name: one worker at a time.
  t.teardown(() => w.stop());
  // Paused, the worker does not claim; a claim under its id takes the task, and the worker
  // never hears of it.
  await s.client.control(id, { command: 'pause' });
  await waitForValue(
    () => s.heartbeat(id),
    (h) => h?.paused === true,
    { timeoutMs: 10_000, what: 'the worker to be paused' },
  );
  // The heartbeat says paused as soon as the pool is; the worker leaves the idle hash a moment
  // later (what a submit hands it meanwhile goes back to the ready set). Until then a submit
  // would be handed to it, and the claim below would find nothing.
  const idle = s.client.ctx.keys('default').idle;
  await waitFor(async () => (await s.client.ctx.redis.hexists(idle, id)) === 0, {
    timeoutMs: 10_000,
    what: 'the paused worker to leave the idle hash',
  });
  const { id: stray } = await s.client.submit({ type: 'noop' });
  const claimed = (await new WorkerOps(s.client.ctx, id).cycle('default', { claim: { max: 1, start: 1 } }))
    .claim;
  t.deepEqual(
    claimed.tasks.map((x) => [x.id, x.started]),
    [[stray, true]],
  );
  await s.client.control(id, { command: 'resume' });
  await waitForValue(
    () => s.heartbeat(id),
    (h) => h?.paused === false,
    { timeoutMs: 10_000, what: 'the worker to resume' },
  );
  return { w, stray };
}

/** The worker's connections, by CLIENT LIST: all are named `dtps-worker`. */
async function workerConnections(redis: Redis) {
  const all = (await clientList(redis)).filter((c) => c.name === 'dtps-worker');
  return {
    main: all.filter((c) => !['blpop', 'subscribe', 'ssubscribe'].includes(c.cmd ?? '')),
    blocked: all.find((c) => c.cmd === 'blpop' && (c.flags ?? '').includes('b')),
  };
}

test.serial(
  'a stray task left by a lost claim reply is reconciled 1 s after a reconnect (idle worker)',
  async (t) => {
    const s = scope(server, uniquePrefix());
    t.teardown(() => s.close());
    const redis = s.client.ctx.redis as Redis;
    const { w, stray } = await workerWithStray(t, s, 'w-idle');
    const { main } = await workerConnections(redis);
    t.is(main.length, 1, "the worker's main connection");
    await redis.call('CLIENT', 'KILL', 'ID', main[0]!.id!);
    await w.waitForLog('Redis is back; reconciling', 10_000);
    const line = await w.waitForLog('reconciled tasks this worker had lost track of', 10_000);
    t.like(line, { released: 0, failed: 1 });
    const task = await s.client.wait(stray, { timeoutMs: 20_000 });
    t.is(task.state, 'succeeded');
    t.is(task.attempts, 2);
    t.is(task.errors[0]?.reason, 'worker_lost');
  },
);

// Regression (was a bug) (packages/worker/src/worker.ts #onReconnect, packages/worker/src/queue-runner.ts
// QueueRunner#reconcile; now reconcileAll and OutageReconciler in packages/worker/src/queue/reconciler.ts): after a reconnect the worker reconciles once, 1 s after 'ready';
// QueueRunner.reconcile returns {released: 0, failed: 0} without doing anything when a claim or
// a start is in flight, which for a busy worker is most of the time, and nothing tries again:
// the stray waits for the 60 s reconcile loop. Seen in 2 of ~20 Redis-restart runs: one task
// stuck in `running` under the live worker, the 500 done 54-55 s after the restart instead of
// 3-5 s, until the 60 s loop released it. Suggested fix: when a runner skips, try again
// shortly (e.g. every 250 ms until one reconcile has actually run), or serialise reconcile with
// claim/start instead of skipping.
test.serial(
  'a stray task left by a lost claim reply is reconciled soon after a reconnect, even if a claim is in flight then',
  async (t) => {
    const s = scope(server, uniquePrefix());
    t.teardown(() => s.close());
    const redis = s.client.ctx.redis as Redis;
    const { w, stray: id } = await workerWithStray(t, s, 'w-busy');

    // The reconnect, with the worker's next claim held in flight for 4 s.
    let conns: Awaited<ReturnType<typeof workerConnections>> | undefined;
    await waitFor(
      async () => {
        conns = await workerConnections(redis);
        return conns.blocked !== undefined;
      },
      { timeoutMs: 10_000, what: 'the idle worker to block on its wake list' },
    );
    t.is(conns!.main.length, 1, "the worker's main connection");
    await redis.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    t.is(
      await redis.call('CLIENT', 'UNBLOCK', conns!.blocked!.id!, 'ERROR'),
      1,
      'its BLPOP ended; it claims again, into the pause',
    );
    await redis.call('CLIENT', 'KILL', 'ID', conns!.main[0]!.id!);
    const killedAt = Date.now();
    await w.waitForLog('Redis is back; reconciling', 10_000);

    // Redis answers writes again 4 s after the kill; a reconcile would find the stray at once.
    const reconciled = await waitFor(async () => (await s.client.get(id)).state !== 'running', {
      timeoutMs: 12_000,
    })
      .then(() => true)
      .catch(() => false);
    const task = await s.client.get(id);
    t.log(
      `${Math.round((Date.now() - killedAt) / 1000)} s after the reconnect the stray is ${task.state} (attempts ${task.attempts}); reconcile lines: ${JSON.stringify(w.logs.filter((l) => /reconcil/.test(l.msg)).map((l) => l.msg))}`,
    );
    t.true(reconciled, 'the stray task was still running under the worker 8 s after Redis took writes again');
    // Then it runs again, here, and succeeds.
    if (reconciled) t.is((await s.client.wait(id, { timeoutMs: 20_000 })).state, 'succeeded');
  },
);

/** What MONITOR showed: when Redis ran each command (scripts' own calls left out). */
interface Ran {
  at: number;
  cmd: string;
  key: string;
}

/**
 * Runs `redis-cli monitor` for the rest of the test (ioredis's own `monitor()` trips over a
 * command-queue state error now and then) and collects what it shows.
 */
function monitor(t: ExecutionContext): Ran[] {
  const ran: Ran[] = [];
  const child = spawn('redis-cli', ['-h', server.host, '-p', String(server.port), 'monitor'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^(\d+\.\d+) \[\d+ ([^\]]+)\] "([^"]*)"(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
    if (m && m[2] !== 'lua') ran.push({ at: Number(m[1]), cmd: m[3]!.toLowerCase(), key: m[4] ?? '' });
  });
  return ran;
}

/**
 * Keeps Redis busy (one Lua loop) for `ms`: commands sent meanwhile wait, then run in arrival
 * order. It looks at the clock rarely: MONITOR shows each call.
 */
const BUSY = `local t = redis.call('TIME')
local t0 = t[1] * 1000000 + t[2]
repeat
  for _ = 1, 1000000 do end
  t = redis.call('TIME')
until t[1] * 1000000 + t[2] - t0 >= tonumber(ARGV[1]) * 1000
return 1`;

// Regression (was a bug) (packages/worker/src/queue-runner.ts, QueueRunner#reconcile; now
// packages/worker/src/queue/reconciler.ts, whose view holds the outbox's and the reporter's ids): a task leaves `this.running`
// when its handler returns, but its completion reaches Redis only later (the Reporter sends on
// setImmediate, and waits between retries while Redis refuses it). reconcile() reads the running
// set from Redis, then counts as stray every id there that is not in `this.running`: a task that
// finished while the ZRANGE was in flight is such an id. reconcile then fails it (`worker_lost`,
// queued again) and the completion that follows is refused by the fence: a task that succeeded
// runs a second time. Found in a Redis-restart run (5 tasks at once); it can happen at every
// reconcile (after each reconnect, and every 60 s). Suggested fix: count as known also the ids
// whose outcome is queued or in flight in the Reporter (drop them once Redis has answered), and
// take the local snapshot before reading Redis.
test.serial(
  'reconcile does not fail tasks that just finished and whose completion is on its way',
  async (t) => {
    const s = scope(server, uniquePrefix());
    t.teardown(() => s.close());
    const redis = s.client.ctx.redis as Redis;
    const w = await startWorker({
      redisUrl: server.url,
      prefix: s.prefix,
      id: 'w-race',
      // Prefetch 0: with its 4 slots busy the worker claims nothing, so reconcile is not skipped.
      args: [
        '--handlers',
        RECORDING_HANDLERS,
        '--workers',
        '4',
        '--min',
        '4',
        '--max',
        '4',
        '--prefetch',
        '0',
      ],
      env: { DTPS_WORKER_HEARTBEAT_MS: '200' },
    });
    workers.push(w);
    t.teardown(() => {
      w.signal('SIGCONT');
      return w.stop();
    });
    const ran = monitor(t);
    const runKey = s.client.ctx.keys('default').running('w-race');
    const busyConn = server.client();
    t.teardown(() => busyConn.disconnect());
    const busySha = (await busyConn.script('LOAD', BUSY)) as string;
    const until = (at: number) => sleep(Math.max(0, at - Date.now()));

    // A round is a fault-injection timeline, in ms after the worker's 'ready' (R):
    //   R+1000  the worker's one reconcile sends its ZRANGEs; Redis is busy from R+300 to R+2300,
    //           so they wait, behind the worker's earlier commands (heartbeats)
    //   R+1200  the gate opens (RPUSH): it waits too, and runs after the ZRANGEs
    //   R+1500  the worker is stopped (SIGSTOP) until R+3000: when Redis is free it runs the
    //           ZRANGEs, then the RPUSH (which ends the 4 BLPOPs), and writes the replies of
    //           that pass last-served-first (Redis 7: clients_pending_write is a LIFO)
    //   R+3000  SIGCONT: the worker reads the 4 gate replies first (the attempts end, their
    //           completions are scheduled), then its ZRANGE reply in the same poll.
    // MONITOR shows whether Redis ran things in that order; a round where it did not (a starved
    // machine) proves nothing and is done again.
    let setUp = 0;
    for (let round = 1; round <= 5 && setUp < 2; round++) {
      const gate = `gate:${s.prefix}:${round}`;
      const ids = (
        await s.client.submitMany(Array.from({ length: 4 }, () => ({ type: 'gate', payload: { key: gate } })))
      ).map((r) => r.id);
      await waitFor(
        async () =>
          (await clientList(redis)).filter((c) => c.name === 'gate' && c.cmd === 'blpop').length === 4,
        { timeoutMs: 20_000, what: 'the 4 attempts to wait on the gate', details: () => w.tail() },
      );
      ran.length = 0;
      const { main } = await workerConnections(redis);
      t.is(main.length, 1, "the worker's main connection");
      await redis.call('CLIENT', 'KILL', 'ID', main[0]!.id!);
      await waitFor(() => w.logsWith('Redis is back; reconciling').length >= round, {
        timeoutMs: 10_000,
        what: 'the worker to reconnect',
      });
      const ready = w.logsWith('Redis is back; reconciling')[round - 1]!.time;
      await until(ready + 300);
      const busy = busyConn.evalsha(busySha, 0, 2000);
      await until(ready + 1200);
      const opened = redis.rpush(gate, '1', '1', '1', '1');
      await until(ready + 1500);
      const stoppedAt = Date.now();
      w.signal('SIGSTOP');
      await Promise.all([busy, opened]);
      const busyEnd = Date.now();
      await until(ready + 3000);
      const resumedAt = Date.now();
      w.signal('SIGCONT');
      await waitForValue(
        () => s.counts(),
        (c) => c.succeeded === 4 * round,
        { timeoutMs: 20_000, what: 'the 4 tasks to succeed', details: () => w.tail() },
      );

      const at = (cmd: string, key: string) => ran.find((r) => r.cmd === cmd && r.key === key)?.at;
      const [zrangeAt, gateAt] = [at('zrange', runKey), at('rpush', gate)];
      const busyAt = ran.find((r) => r.cmd === 'evalsha' && r.key === busySha)?.at;
      const ok =
        busyAt !== undefined &&
        zrangeAt !== undefined &&
        gateAt !== undefined &&
        zrangeAt - busyAt >= 1.9 && // the ZRANGE waited for the busy script
        zrangeAt < gateAt && // and ran before the gate opened
        stoppedAt < busyEnd - 100 &&
        resumedAt > busyEnd + 100; // while the worker was stopped
      if (!ok) {
        t.log(
          `round ${round}: not set up (busy ${busyAt}, ZRANGE ${zrangeAt}, RPUSH ${gateAt}; stopped ${stoppedAt}, busy over ${busyEnd}, resumed ${resumedAt}); again`,
        );
        continue;
      }
      setUp++;
      const tasks = await s.tasks(ids);
      const refused = w.logsWith('completion refused by the fence: this worker no longer owns the attempt');
      const reconciled = w.logsWith('reconciled tasks this worker had lost track of');
      t.log(
        `round ${round}: attempts ${tasks.map((x) => x.attempts).join(', ')}; errors ${JSON.stringify([...new Set(tasks.flatMap((x) => x.errors.map((e) => e.reason)))])}; ` +
          `completions refused ${refused.length}; reconcile: ${JSON.stringify(reconciled.map((l) => ({ released: l.released, failed: l.failed })))}`,
      );
      t.deepEqual(
        tasks.map((x) => x.attempts),
        [1, 1, 1, 1],
        'each task ran once',
      );
      t.is(refused.length, 0, 'no completion of this worker was refused');
      if (tasks.some((x) => x.attempts !== 1) || refused.length > 0) return;
    }
    if (setUp < 2)
      t.fail(`set the race up in ${setUp} of 5 rounds only (see the log): the machine is too busy`);
  },
);
