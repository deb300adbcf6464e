/**
 * Handoffs with a real Worker (lua/includes/handoff.lua): an idle worker
 * registers its free slots, a submit starts tasks for it and pushes them to
 * its inbox, and it runs them without a claim round trip. A paused or closed
 * worker takes itself off first, and nothing handed to it is lost.
 */
import { rangeEvents } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { callDeltas, commandCalls, type Embedded, embed, gate, until } from './harness.js';

const redis = useRedisServer(test);

function idleHash(e: Embedded): Promise<Record<string, string>> {
  return e.redis.hgetall(e.client.ctx.keys('default').idle);
}

async function registered(e: Embedded, slots: number): Promise<void> {
  await until(`the worker to register ${slots} idle slots`, async () => {
    const idle = await idleHash(e);
    // `<free slots> <held until>` (lua/includes/handoff.lua)
    return idle[e.worker.id]?.split(' ')[0] === String(slots);
  });
}

test.serial(
  'an idle worker registers its free slots; a submit runs on it with one script call of its own, and it registers again',
  async (t) => {
    const e = await embed(t, redis.server, {
      handlers: { noop: () => 'done' },
      pool: { size: 3, min: 3, max: 3 },
      autoscale: { enabled: false },
    });
    await registered(e, 3);
    const before = commandCalls(await e.redis.info('commandstats'));
    const { id } = await e.client.submit({ type: 'noop' });
    await until('the task to succeed', async () => (await e.client.get(id))?.state === 'succeeded');
    await registered(e, 3);
    const calls = callDeltas(before, commandCalls(await e.redis.info('commandstats')));
    // The submit, then one round that reports the task, finds the queue dry and registers again:
    // no wake-up token, no claim.
    // (FCALL: the function library; EVALSHA or EVAL where a connection runs scripts that way.)
    t.is((calls.fcall ?? 0) + (calls.evalsha ?? 0) + (calls.eval ?? 0), 2, JSON.stringify(calls));
    // A task alone on an empty queue goes straight to the worker (handOffNew): it never enters
    // the ready set. The one read of it is the round's claim, which finds the queue dry (a claim
    // takes what it starts with ZRANGE: no scores to format, see lua/includes/pop.lua).
    t.is(calls.zrange, 1, 'only the round read the ready set');
    t.is(calls.zpopmin ?? 0, 0, 'and popped nothing with scores');
    t.is(calls.incrby ?? 0, 0, 'no sequence number: the task never entered the ready set');
    t.like(await e.client.get(id), { state: 'succeeded', attempts: 1, worker: e.worker.id, result: 'done' });
    t.is(await e.redis.llen(e.client.ctx.keys('default').wake), 0, 'no wake-up was needed');
  },
);

test('a burst beyond the free slots: the rest waits in the queue and a wake-up brings the worker to claim it', async (t) => {
  const release = gate();
  const e = await embed(t, redis.server, {
    handlers: { hold: () => release.promise.then(() => 'ok') },
    pool: { size: 2, min: 2, max: 2 },
    autoscale: { enabled: false },
  });
  await registered(e, 2);
  const submitted = await e.client.submitMany(Array.from({ length: 5 }, () => ({ type: 'hold' })));
  // The submit's own script wrote both entries: queued (all five), then running (the handoff).
  const [queued, running] = await rangeEvents(e.redis, e.client.ctx.keys('default').events, '-', 2);
  t.deepEqual(
    queued?.ids,
    submitted.map((s) => s.id),
  );
  t.like(running, { state: 'running', worker: e.worker.id });
  t.deepEqual(
    running?.ids,
    submitted.slice(0, 2).map((s) => s.id),
    'as many as the worker had free slots',
  );
  release.open();
  await until('all five to succeed', async () => (await e.client.counts()).succeeded === 5);
});

test('paused, a worker takes no handoff; resumed, it registers again and runs what waited', async (t) => {
  const e = await embed(t, redis.server, {
    handlers: { noop: () => null },
    pool: { size: 2, min: 2, max: 2 },
    autoscale: { enabled: false },
  });
  await registered(e, 2);
  await e.client.control(e.worker.id, { command: 'pause' });
  await until(
    'the pause to take the worker off the idle hash',
    async () => !(e.worker.id in (await idleHash(e))),
  );
  const { id } = await e.client.submit({ type: 'noop' });
  t.like(await e.client.get(id), { state: 'queued' }, 'nothing was handed to the paused worker');
  await e.client.control(e.worker.id, { command: 'resume' });
  await until('the task to succeed', async () => (await e.client.get(id))?.state === 'succeeded');
  await registered(e, 2);
});

test('a closed worker leaves no registration and no inbox behind', async (t) => {
  const e = await embed(t, redis.server, {
    handlers: { noop: () => null },
    pool: { size: 2, min: 2, max: 2 },
    autoscale: { enabled: false },
  });
  await registered(e, 2);
  await e.worker.close();
  t.deepEqual(await idleHash(e), {});
  t.is(await e.redis.exists(e.client.ctx.keys('default').inbox(e.worker.id)), 0);
  // A submit now waits in the queue for a worker.
  const { id } = await e.client.submit({ type: 'noop' });
  t.like(await e.client.get(id), { state: 'queued', attempts: 0 });
});

test('a claim that lands after a pause starts nothing: its task goes back unstarted', async (t) => {
  const release = gate();
  const ran: string[] = [];
  const e = await embed(t, redis.server, {
    handlers: {
      hold: () => release.promise.then(() => 'held'),
      noop: (payload) => {
        ran.push(String((payload as { n: number }).n));
        return null;
      },
    },
    pool: { size: 1, min: 1, max: 1 },
    prefetch: 0,
    autoscale: { enabled: false },
  });
  await registered(e, 1);
  const { id: held } = await e.client.submit({ type: 'hold' });
  t.like(await e.client.get(held), { state: 'running' }, 'handed off to the idle worker');
  const { id: next } = await e.client.submit({ type: 'noop', payload: { n: 1 } });
  // Redis busy for 300 ms: the round that reports `held` and claims (and starts) `next` waits
  // in Redis's queue while the worker pauses.
  const busy = e.redis.eval(
    "local t0 = redis.call('TIME') repeat local t = redis.call('TIME') until (t[1] - t0[1]) * 1e6 + t[2] - t0[2] > 300000 return 1",
    0,
  );
  release.open();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r)); // the round went out on the pass after `held` ended
  e.worker.apply({ command: 'pause' });
  await busy;
  await until('`next` to be back in the queue', async () => (await e.client.get(next))?.state === 'queued');
  t.like(await e.client.get(next), { state: 'queued', attempts: 0 });
  t.like(await e.client.get(held), { state: 'succeeded', result: 'held' });
  t.deepEqual(ran, [], 'the paused worker ran nothing');
  const events = await rangeEvents(e.redis, e.client.ctx.keys('default').events, '-', 100);
  t.truthy(
    events.find((ev) => ev.state === 'queued' && ev.reason === 'handed_back' && ev.ids.includes(next)),
  );
  e.worker.apply({ command: 'resume' });
  await until(
    '`next` to succeed once resumed',
    async () => (await e.client.get(next))?.state === 'succeeded',
  );
  t.deepEqual(ran, ['1']);
});
