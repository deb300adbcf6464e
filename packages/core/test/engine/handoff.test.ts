/**
 * Handoffs (lua/includes/handoff.lua): a worker whose claim found the queue
 * dry registers idle; a submit then starts tasks for it at once and pushes
 * them onto its inbox. What it will not run goes back unstarted.
 */
import test from 'ava';
import { decodeInboxMessage, rangeEvents, recoverWorker } from '../../src/index.js';
import { claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

/** w1 claims on the empty queue with `slots` free slots and registers idle. */
async function registerIdle(e: Engine, slots: number): Promise<void> {
  const r = await e
    .ops('w1')
    .cycle('default', { claim: { max: slots, start: slots }, idle: { register: true } });
  if (!r.registered || r.claim.tasks.length > 0) throw new Error('expected a dry claim that registers');
}

async function inbox(e: Engine, worker = 'w1'): Promise<string[]> {
  return e.redis.lrange(e.client.ctx.keys('default').inbox(worker), '0', '-1');
}

test('a claim registers only when it cannot fill its free slots, and only when asked', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  const full = await e.ops('w1').cycle('default', { claim: { max: 2, start: 2 }, idle: { register: true } });
  t.false(full.registered);
  const unasked = await e.ops('w2').cycle('default', { claim: { max: 2, start: 2 } });
  t.false(unasked.registered);
  t.deepEqual(await e.redis.hgetall(k.idle), {});
  const dry = await e.ops('w3').cycle('default', {
    claim: { max: 3, start: 3 },
    idle: { register: true, ttlMs: 7000 },
  });
  t.true(dry.registered);
  t.deepEqual(await e.redis.hgetall(k.idle), { w3: `3 ${e.clock.now() + 7000}` }, 'free slots, held until');
});

test('a submit starts tasks for an idle worker, highest priority first, and pushes them to its inbox in one message', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await registerIdle(e, 2);
  const [low, high, mid] = await e.client.submitMany([
    { type: 'x', priority: 1, payload: { n: 1 } },
    { type: 'x', priority: 9, payload: { n: 2 } },
    { type: 'x', priority: 5, payload: { n: 3 } },
  ]);
  const messages = await inbox(e);
  t.is(messages.length, 1);
  const tasks = decodeInboxMessage('default', messages[0]!);
  t.deepEqual(
    tasks.map((task) => [task.id, task.started, task.attempt, task.priority]),
    [
      [high!.id, true, 1, 9],
      [mid!.id, true, 1, 5],
    ],
  );
  t.deepEqual(tasks[0]!.payload, { n: 2 });
  t.like(await e.client.get(high!.id), { state: 'running', worker: 'w1', attempts: 1 });
  t.like(await e.client.get(low!.id), { state: 'queued' });
  t.deepEqual(await e.redis.zrange(k.running('w1'), '0', '-1'), [high!.id, mid!.id].sort());
  t.deepEqual(await e.redis.hgetall(k.idle), {}, 'a registration is used once');
  t.is(await e.redis.llen(k.wake), 1, 'the task left over wakes a worker to claim it');
  const events = await rangeEvents(e.redis, k.events, '-', 100);
  t.deepEqual(
    events.map((ev) => [ev.state, ev.ids.length, ev.worker]),
    [
      ['queued', 3, null],
      ['running', 2, 'w1'],
    ],
  );
  // The next submit finds nobody idle: it goes to the ready set.
  const [later] = await e.client.submitMany([{ type: 'x' }]);
  t.like(await e.client.get(later!.id), { state: 'queued' });
  t.is((await inbox(e)).length, 1);
});

test('a task submitted alone while nothing waits goes straight to the idle worker, with the records of the route through the ready set', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  // The route through the ready set, for comparison: a batch of two, one slot idle.
  await registerIdle(e, 1);
  const [routed] = await e.client.submitMany([
    { type: 'x', priority: 7, payload: { n: 1 } },
    { type: 'x', priority: 1 },
  ]);
  const leftOver = await claim(e.ops('w9'), 'default', { max: 1, start: 1 }); // out of the way
  t.is(leftOver.tasks.length, 1);
  const seq = await e.redis.get(k.seq);
  const totals = await e.redis.hgetall(k.totals);
  const eventsBefore = (await rangeEvents(e.redis, k.events, '-', 100)).length;
  // The direct route: one task, alone, nothing waiting.
  await e.ops('w2').cycle('default', { claim: { max: 1, start: 1 }, idle: { register: true } });
  const direct = await e.client.submit({ type: 'x', priority: 7, payload: { n: 2 } });
  t.is(await e.redis.get(k.seq), seq, 'it did not pass through the ready set');
  const [a, b] = await Promise.all([e.redis.hgetall(k.task(routed!.id)), e.redis.hgetall(k.task(direct.id))]);
  t.deepEqual(Object.keys(b).sort(), Object.keys(a).sort(), 'the same task fields');
  t.like(b, { s: 'running', a: '1', p: '7', w: 'w2', pl: '{"n":2}' });
  t.like(await e.client.get(direct.id), { state: 'running', worker: 'w2', attempts: 1, payload: { n: 2 } });
  t.deepEqual(await e.redis.zrange(k.running('w2'), '0', '-1', 'WITHSCORES'), [direct.id, '1']);
  t.true(await e.redis.sismember(k.workers, 'w2').then(Boolean));
  t.deepEqual(await e.redis.hgetall(k.idle), {}, 'the registration is used');
  const [handed] = decodeInboxMessage('default', (await inbox(e, 'w2'))[0]!);
  t.like(handed, { id: direct.id, started: true, attempt: 1, priority: 7, payload: { n: 2 } });
  const after = await e.redis.hgetall(k.totals);
  t.is(Number(after.submitted) - Number(totals.submitted), 1);
  t.is(Number(after.started) - Number(totals.started), 1);
  const events = (await rangeEvents(e.redis, k.events, '-', 100)).slice(eventsBefore);
  t.deepEqual(
    events.map((ev) => [ev.state, ev.ids, ev.worker]),
    [
      ['queued', [direct.id], null],
      ['running', [direct.id], 'w2'],
    ],
  );
  // And it completes under the fence like any handed task.
  const r = await e.ops('w2').cycle('default', { complete: [{ id: direct.id, attempt: 1, result: 'ok' }] });
  t.deepEqual(r.completed, [true]);
});

test('a task submitted alone while older ones wait goes behind them: the idle worker gets the oldest', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  const older = await e.client.submit({ type: 'x' });
  // A registration made while a task waits: a claim that found the queue dry just before the
  // older task came in, as seen from here.
  await e.redis.hset(k.idle, 'w1', `1 ${e.clock.now() + 10_000}`);
  const newer = await e.client.submit({ type: 'x' });
  const [handed] = decodeInboxMessage('default', (await inbox(e))[0]!);
  t.is(handed!.id, older.id);
  t.like(await e.client.get(newer.id), { state: 'queued' });
});

test('the planned submit path hands off too; a handed task completes under the fence', async (t) => {
  const e = await engine.make();
  await registerIdle(e, 1);
  const [a] = await e.client.submitMany([{ type: 'x', idempotencyKey: 'k1' }]);
  const [task] = decodeInboxMessage('default', (await inbox(e))[0]!);
  t.is(task!.id, a!.id);
  const r = await e.ops('w1').cycle('default', { complete: [{ id: a!.id, attempt: 1, result: 'ok' }] });
  t.deepEqual(r.completed, [true]);
  t.like(await e.client.get(a!.id), { state: 'succeeded', result: 'ok' });
});

test('no worker registered idle: a submit wakes one and hands off nothing', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  const [a] = await e.client.submitMany([{ type: 'x' }]);
  t.like(await e.client.get(a!.id), { state: 'queued' });
  t.is(await e.redis.llen(k.wake), 1);
  t.is(await e.redis.exists(k.inbox('w1')), 0);
});

test('a round that leaves the idle hash returns what was handed meanwhile', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await registerIdle(e, 2);
  const [a, b] = await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  const r = await e.ops('w1').cycle('default', { claim: { max: 2, start: 2 }, idle: { leave: true } });
  t.deepEqual(r.handedOff.map((task) => task.id).sort(), [a!.id, b!.id].sort());
  t.true(r.handedOff.every((task) => task.started && task.attempt === 1));
  t.false(r.registered);
  t.is(await e.redis.exists(k.inbox('w1')), 0);
  t.deepEqual(await e.redis.hgetall(k.idle), {});
});

test('leaveIdle puts handed tasks back unstarted, at the front of their priority, without counting an attempt', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  const [first] = await e.client.submitMany([{ type: 'x', priority: 5 }]);
  await claim(e.ops('w2'), 'default', { max: 1, start: 0 }); // reserved by w2, out of the way
  await registerIdle(e, 2);
  const [a, b] = await e.client.submitMany([
    { type: 'x', priority: 5 },
    { type: 'x', priority: 5 },
  ]);
  // a arrived by the blocking read (the worker names it); b is still in the inbox.
  const back = await e.ops('w1').leaveIdle('default', [{ id: a!.id, attempt: 1 }]);
  t.is(back, 2);
  t.is(await e.redis.zcard(k.running('w1')), 0);
  t.is(await e.redis.exists(k.inbox('w1')), 0);
  for (const id of [a!.id, b!.id]) {
    const task = await e.client.get(id);
    t.like(task, { state: 'queued', attempts: 0 });
    t.is(task?.worker, null);
  }
  const events = await rangeEvents(e.redis, k.events, '-', 100);
  t.like(events.at(-1), { state: 'queued', reason: 'handed_back', worker: 'w1' });
  // Ahead of every other task of their priority; their first real attempt is attempt 1.
  await e.ops('w2').release('default', [first!.id]);
  const claimed = await claim(e.ops('w3'), 'default', { max: 3, start: 3 });
  t.deepEqual(
    claimed.tasks
      .slice(0, 2)
      .map((task) => task.id)
      .sort(),
    [a!.id, b!.id].sort(),
  );
  t.is(claimed.tasks[2]!.id, first!.id);
  t.true(claimed.tasks.every((task) => task.attempt === 1));
  // A name it no longer holds (another attempt, or gone) is not touched.
  t.is(await e.ops('w1').leaveIdle('default', [{ id: a!.id, attempt: 1 }]), 0);
});

test('recovering a dead worker gives back its undelivered handoffs unstarted', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await registerIdle(e, 3);
  const handed = await e.client.submitMany([
    { type: 'x', maxRetries: 0 },
    { type: 'x', maxRetries: 0 },
  ]);
  const r = await recoverWorker(e.client.ctx, 'w1');
  t.deepEqual(r, { requeued: 2, recovered: 0 });
  for (const h of handed) t.like(await e.client.get(h.id), { state: 'queued', attempts: 0 });
  t.deepEqual(await e.redis.hgetall(k.idle), {});
  t.is(await e.redis.exists(k.inbox('w1')), 0);
});

test("a registration past its time is a dead worker's: the submit drops it and hands it nothing", async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.ops('w1').cycle('default', { claim: { max: 2, start: 2 }, idle: { register: true, ttlMs: 1000 } });
  await e.ops('w2').cycle('default', { claim: { max: 2, start: 2 }, idle: { register: true, ttlMs: 5000 } });
  e.clock.advance(2000);
  const [a] = await e.client.submitMany([{ type: 'x' }]);
  t.like(await e.client.get(a!.id), { state: 'running', worker: 'w2' }, 'the live registration got it');
  t.deepEqual(Object.keys(await e.redis.hgetall(k.idle)), [], 'the stale one dropped, the used one gone');
  t.is(await e.redis.exists(k.inbox('w1')), 0);
});
