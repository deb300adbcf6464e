import { type ControlCommand, DtpsError, ValidationError, type WorkerInfo } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test, { type ExecutionContext } from 'ava';
import type { HandlerMap } from '../../src/index.js';
import { type Embedded, embed, gate, until } from './harness.js';

const redis = useRedisServer(test);

/** Sends a command and waits until the heartbeat shows `check`; asserts that took under 1 s. */
async function commandShows(
  t: ExecutionContext,
  e: Embedded,
  cmd: ControlCommand,
  check: (w: WorkerInfo) => boolean,
): Promise<WorkerInfo> {
  const started = performance.now();
  await e.client.control(e.worker.id, cmd);
  const info = await until(
    `the heartbeat to show ${JSON.stringify(cmd)}`,
    async () => {
      const w = await e.info();
      return w && check(w) ? w : undefined;
    },
    5000,
    5,
  );
  const ms = performance.now() - started;
  t.log(`${JSON.stringify(cmd)}: shown by the heartbeat after ${ms.toFixed(1)} ms`);
  t.true(ms < 1000, `${cmd.command} took effect in ${ms} ms`);
  return info;
}

/** Handlers whose `block` tasks wait for the test to open `release`, recording starts. */
function blocking() {
  const release = gate();
  const started: string[] = [];
  const handlers: HandlerMap = {
    block: async (_p, ctx) => {
      started.push(ctx.task.id);
      await release.promise;
      return 'ok';
    },
    quick: (_p, ctx) => {
      started.push(ctx.task.id);
      return 'ok';
    },
  };
  return { release, started, handlers };
}

const still = { autoscale: { enabled: false } };

test.serial('scale sets size, min and max at run time', async (t) => {
  const e = await embed(t, redis.server, {
    handlers: { quick: () => 1 },
    pool: { size: 2, min: 1, max: 4 },
    ...still,
  });
  await commandShows(
    t,
    e,
    { command: 'scale', size: 6, min: 3, max: 9 },
    (w) => w.poolSize === 6 && w.min === 3 && w.max === 9,
  );
  t.deepEqual([e.worker.pool.size, e.worker.pool.min, e.worker.pool.max], [6, 3, 9]);
  // A size below min is clamped to min.
  await commandShows(t, e, { command: 'scale', size: 2 }, (w) => w.poolSize === 3);
  await commandShows(
    t,
    e,
    { command: 'scale', max: 5 },
    (w) => w.max === 5 && w.min === 3 && w.poolSize === 3,
  );
  await commandShows(t, e, { command: 'scale', size: 50 }, (w) => w.poolSize === 5);
});

test.serial('pause hands the window back and starts nothing new; resume carries on', async (t) => {
  const b = blocking();
  const e = await embed(t, redis.server, {
    handlers: b.handlers,
    pool: { size: 1, min: 1, max: 1 },
    prefetch: 5,
    heartbeatMs: 100,
    ...still,
  });
  const ids = (await e.client.submitMany(Array.from({ length: 6 }, () => ({ type: 'block' })))).map(
    (r) => r.id,
  );
  const before = await until('1 running and 5 reserved', async () => {
    const w = await e.info();
    return w?.busy === 1 && w.window === 5 ? w : undefined;
  });
  t.is(before.window, 5);
  const w = await commandShows(t, e, { command: 'pause' }, (w) => w.paused && w.window === 0);
  t.is(w.busy, 1, 'the running task keeps running');
  // The reserved tasks are queued again, for any worker to take.
  await until('the window back in the queue', async () => (await e.client.counts()).queued === 5);
  t.like(await e.client.counts(), { running: 1, reserved: 0, queued: 5 });
  // Let the running task finish: nothing new starts while paused, even with a new submit.
  const late = await e.client.submit({ type: 'quick' });
  b.release.open();
  await until('the running task to succeed', async () => (await e.client.counts()).succeeded === 1);
  const hb = await e.info();
  const next = await until('two more heartbeats', async () => {
    const w = await e.info();
    return w && w.lastHeartbeatAt >= hb!.lastHeartbeatAt + 200 ? w : undefined;
  });
  t.like(next, { paused: true, busy: 0, window: 0 });
  t.deepEqual(b.started, [ids[0]], 'only the task that was running before the pause ran');
  t.like(await e.client.counts(), { queued: 6, succeeded: 1 });
  await commandShows(t, e, { command: 'resume' }, (w) => !w.paused);
  await until('everything to succeed', async () => (await e.client.counts()).succeeded === 7);
  t.is(b.started.length, 7);
  t.true(b.started.includes(late.id));
});

test.serial('steal on and off', async (t) => {
  const e = await embed(t, redis.server, { handlers: { quick: () => 1 }, ...still });
  t.false((await e.info())?.steal);
  await commandShows(t, e, { command: 'steal', on: true }, (w) => w.steal);
  await commandShows(t, e, { command: 'steal', on: false }, (w) => !w.steal);
});

test.serial('drain hands the window back, lets running tasks finish, then calls onDrained', async (t) => {
  const b = blocking();
  const e = await embed(t, redis.server, {
    handlers: b.handlers,
    pool: { size: 2, min: 1, max: 2 },
    prefetch: 3,
    ...still,
  });
  let drainedAt = 0;
  e.worker.onDrained = () => {
    drainedAt = performance.now();
  };
  await e.client.submitMany(Array.from({ length: 8 }, () => ({ type: 'block' })));
  await until('2 running and 3 reserved', async () => {
    const w = await e.info();
    return w?.busy === 2 && w.window === 3;
  });
  await commandShows(
    t,
    e,
    { command: 'drain' },
    (w) => w.draining && w.paused && w.window === 0 && w.busy === 2,
  );
  await until('the window back in the queue', async () => (await e.client.counts()).queued === 6);
  t.is(drainedAt, 0, 'not drained while tasks run');
  const openedAt = performance.now();
  b.release.open();
  await until('onDrained', () => drainedAt > 0);
  t.true(drainedAt >= openedAt);
  t.like(await e.client.counts(), { succeeded: 2, running: 0, reserved: 0, queued: 6 });
  t.is(b.started.length, 2);
  t.like(
    await until('a heartbeat with no busy slot', async () =>
      (await e.info())?.busy === 0 ? e.info() : undefined,
    ),
    {
      draining: true,
      paused: true,
      window: 0,
    },
  );
});

test.serial("cancelling a running task fires its handler's signal and ends it cancelled", async (t) => {
  let abortedAt = 0;
  let reason: unknown;
  const running = gate();
  const e = await embed(t, redis.server, {
    handlers: {
      wait: (_p, ctx) =>
        new Promise((_res, rej) => {
          running.open();
          ctx.signal.addEventListener('abort', () => {
            abortedAt = performance.now();
            reason = ctx.signal.reason;
            rej(new Error('aborted'));
          });
        }),
      quick: () => 'ok',
    },
    pool: { size: 1, min: 1, max: 1 },
    ...still,
  });
  const { id } = await e.client.submit({ type: 'wait' });
  await running.promise;
  const cancelAt = performance.now();
  const r = await e.client.cancel(id);
  t.is(r.previousState, 'running');
  t.is(r.worker, e.worker.id);
  await until('the signal to fire', () => abortedAt > 0, 2000, 2);
  const ms = abortedAt - cancelAt;
  t.log(`signal fired ${ms.toFixed(1)} ms after cancel`);
  t.true(ms < 1000);
  t.is(reason, 'cancelled');
  t.like(await e.client.get(id), { state: 'cancelled' });
  // The slot is free again: the next task runs.
  const next = await e.client.submit({ type: 'quick' });
  t.like(await e.client.wait(next.id, { timeoutMs: 5000 }), { state: 'succeeded', result: 'ok' });
  t.like(await e.client.get(id), { state: 'cancelled', attempts: 1 });
});

test.serial(
  'bad values are refused with a ValidationError naming the field, and change nothing',
  async (t) => {
    const e = await embed(t, redis.server, {
      handlers: { quick: () => 1 },
      pool: { size: 2, min: 1, max: 4 },
      ...still,
    });
    const size = await t.throwsAsync(e.client.control(e.worker.id, { command: 'scale', size: -1 }), {
      instanceOf: ValidationError,
    });
    t.is(size?.field, 'size');
    const minMax = await t.throwsAsync(e.client.control(e.worker.id, { command: 'scale', min: 5, max: 2 }), {
      instanceOf: ValidationError,
    });
    t.is(minMax?.field, 'min');
    const frac = await t.throwsAsync(e.client.control(e.worker.id, { command: 'scale', max: 2.5 }), {
      instanceOf: ValidationError,
    });
    t.is(frac?.field, 'max');
    const none = await t.throwsAsync(e.client.control(e.worker.id, { command: 'scale' }), {
      instanceOf: ValidationError,
    });
    t.is(none?.field, 'size');
    t.like(await e.info(), { poolSize: 2, min: 1, max: 4 });
    t.deepEqual([e.worker.pool.size, e.worker.pool.min, e.worker.pool.max], [2, 1, 4]);
  },
);

test.serial('a command for an unknown worker is refused with not_found', async (t) => {
  const e = await embed(t, redis.server, { handlers: { quick: () => 1 }, ...still });
  const err = await t.throwsAsync(e.client.control('no-such-worker', { command: 'pause' }), {
    instanceOf: DtpsError,
  });
  t.is(err?.code, 'not_found');
  t.regex(err!.message, /no-such-worker/);
});

// Regression: sendControl (core fleet/registry.ts checkCommand) validates only `scale`.
// A `steal` without a boolean `on` is published; the worker sets its steal flag to
// undefined (heartbeats then omit `steal`). Invariant 10 asks for a
// ValidationError naming the field. Fix: check `on` is a boolean, and `abort`'s
// queue/id are strings, in checkCommand.
test.serial('steal without a boolean `on` is refused, naming on', async (t) => {
  const e = await embed(t, redis.server, { handlers: { quick: () => 1 }, ...still });
  const err = await t.throwsAsync(
    e.client.control(e.worker.id, { command: 'steal', on: 'yes' } as unknown as ControlCommand),
    {
      instanceOf: ValidationError,
    },
  );
  t.is(err?.field, 'on');
});

// Regression: likewise an unknown command is published, and the worker only logs a warning.
test.serial('an unknown command is refused, naming command', async (t) => {
  const e = await embed(t, redis.server, { handlers: { quick: () => 1 }, ...still });
  const err = await t.throwsAsync(
    e.client.control(e.worker.id, { command: 'explode' } as unknown as ControlCommand),
    {
      instanceOf: ValidationError,
    },
  );
  t.is(err?.field, 'command');
});

// Regression (was a bug in packages/worker/src/worker.ts apply('pause') / queue-runner.ts #block,
// now QueueRunner#woken):
// pausing leaves the runner's BLPOP on the queue's wake list in place. A submit
// pushes one wake token; Redis hands it to the longest-blocked client, which may
// be the paused worker: it wakes, cannot claim (paused) and does not pass the
// token on, so an idle peer sleeps on until its idleBlockMs (5 s by default).
// Fix: on pause, unblock the runner (disconnect its blocking connection, as
// stop() does) so it is not waiting for work; or, when woken while paused,
// push the wake token back (RPUSH wake) for the others.
test.serial('a paused worker does not swallow the wake-up meant for an idle peer', async (t) => {
  const a = await embed(t, redis.server, { handlers: { quick: () => 'a' }, ...still });
  const blockedInBlpop = async () =>
    ((await a.redis.client('LIST')) as string)
      .split('\n')
      .filter((l) => / flags=b /.test(l) && / cmd=blpop /.test(l)).length;
  await until('worker a to block', async () => (await blockedInBlpop()) >= 1);
  await embed(t, redis.server, { handlers: { quick: () => 'b' }, ...still }, true, a.prefix);
  await until('both workers to block', async () => (await blockedInBlpop()) >= 2);
  await commandShows(t, a, { command: 'pause' }, (w) => w.paused);
  const submitted = performance.now();
  const { id } = await a.client.submit({ type: 'quick' });
  const done = await a.client.wait(id, { timeoutMs: 10_000 });
  const ms = performance.now() - submitted;
  t.log(
    `ran on ${done.result === 'b' ? 'the idle peer' : 'the paused worker'} ${ms.toFixed(0)} ms after the submit`,
  );
  t.is(done.result, 'b');
  t.true(ms < 1000, `the idle peer started it ${ms.toFixed(0)} ms after the submit`);
});
