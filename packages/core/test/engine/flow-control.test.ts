/**
 * Flow control in the claim (docs/flow-control.md): rate limits (sliding window), concurrency
 * caps per queue, type and group, each-group limits, fair lanes between groups, and the paths
 * that give a cap's slots back (completion, failure, recovery, cancel). Engine level: the
 * worker's real calls, a manual clock.
 */
import test from 'ava';
import { trimQueue } from '../../src/engine/sweeps.js';
import { recoverWorker } from '../../src/engine/worker-ops.js';
import { expireDue, ValidationError } from '../../src/index.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);

async function complete(
  e: Awaited<ReturnType<typeof engine.make>>,
  worker: string,
  tasks: { id: string; attempt: number }[],
) {
  return e.ops(worker).complete(
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: null })),
  );
}

test('a rate limit on a type: at most N starts in any window, the rest wait their turn in order', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'type', key: 'api', rate: { n: 3, perMs: 1000 } });
  await e.client.submitMany([
    ...Array.from({ length: 5 }, (_, i) => ({ type: 'api', payload: i })),
    { type: 'other' },
    { type: 'other' },
  ]);
  const w = e.ops('w1');
  const first = await claim(w, 'default', { max: 10, start: 10 });
  const types = first.tasks.map((x) => x.type);
  t.deepEqual(types.filter((x) => x === 'api').length, 3, 'three api tasks start');
  t.deepEqual(types.filter((x) => x === 'other').length, 2, 'the other type is not held back');
  t.true(
    first.tasks.every((x) => x.started),
    'a limited queue reserves nothing',
  );
  t.is(first.nextDueAt, e.clock.now() + 1000, 'the worker learns when the next token is due');

  e.clock.advance(999);
  t.is((await claim(w, 'default', { max: 10, start: 10 })).tasks.length, 0, 'still inside the window');
  e.clock.advance(1);
  const second = await claim(w, 'default', { max: 10, start: 10 });
  t.deepEqual(
    second.tasks.map((x) => x.payload),
    [3, 4],
    'the held tasks start in their order once the window moved',
  );
  const [limit] = (await e.client.queueState('default')).limits;
  t.like(limit, { scope: 'type', key: 'api', rate: { n: 3, perMs: 1000 }, concurrency: null, heldBack: 0 });
  t.is(limit!.tokensLeft, 1);
});

test('a concurrency cap per group holds across workers; an end gives the slot back and wakes a worker', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.setQueueLimit('default', { scope: 'group', key: 'acme', concurrency: 2 });
  await e.client.submitMany(Array.from({ length: 4 }, (_, i) => ({ type: 'x', group: 'acme', payload: i })));
  const a = await claim(e.ops('w1'), 'default', { max: 10, start: 1 });
  const b = await claim(e.ops('w2'), 'default', { max: 10, start: 10 });
  t.is(a.tasks.length + b.tasks.length, 2, 'two run at once, across two workers');
  t.is((await claim(e.ops('w3'), 'default', { max: 10, start: 10 })).tasks.length, 0);
  t.like((await e.client.queueState('default')).limits[0], { running: 2, heldBack: 2 });
  await e.redis.del(k.wake);
  t.deepEqual(await complete(e, 'w1', a.tasks), [true]);
  t.is(await e.redis.llen(k.wake), 1, 'a worker is woken for the freed slot');
  const c = await claim(e.ops('w3'), 'default', { max: 10, start: 10 });
  t.deepEqual(
    c.tasks.map((x) => x.payload),
    [2],
    'exactly one more starts',
  );
  // A late report of a completed task (fenced) frees nothing.
  t.deepEqual(await complete(e, 'w1', a.tasks), [false]);
  t.is((await claim(e.ops('w3'), 'default', { max: 10, start: 10 })).tasks.length, 0);
});

test('a dead worker’s slots are given back by recovery; its late reports cannot free them twice', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'queue', concurrency: 2 });
  await e.client.submitMany(Array.from({ length: 5 }, (_, i) => ({ type: 'x', payload: i })));
  const dead = await claim(e.ops('w1'), 'default', { max: 10, start: 10 });
  t.is(dead.tasks.length, 2);
  t.is((await claim(e.ops('w2'), 'default', { max: 10, start: 10 })).tasks.length, 0);
  await recoverWorker(e.client.ctx, 'w1');
  const w2 = await claim(e.ops('w2'), 'default', { max: 10, start: 10 });
  t.is(w2.tasks.length, 2, 'the recovered slots go to the next claim');
  t.deepEqual(await complete(e, 'w1', dead.tasks), [false, false], 'the stalled worker is fenced');
  t.is((await claim(e.ops('w3'), 'default', { max: 10, start: 10 })).tasks.length, 0, 'the cap still holds');
  t.like((await e.client.queueState('default')).limits[0], { scope: 'queue', running: 2 });
});

test('failures, retries and cancels give slots back; a retried task counts again when it restarts', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'type', key: 'x', concurrency: 1 });
  const [one, two] = await e.client.submitMany([
    { type: 'x', maxRetries: 1, backoff: { baseMs: 0 } },
    { type: 'x' },
  ]);
  const w = e.ops('w1');
  const a = await claim(w, 'default', { max: 10, start: 10 });
  t.deepEqual(
    a.tasks.map((x) => x.id),
    [one!.id],
  );
  await w.fail('default', [
    { id: one!.id, attempt: 1, message: 'boom', reason: 'handler_error', permanent: false },
  ]);
  const b = await claim(w, 'default', { max: 10, start: 10 });
  t.is(b.tasks.length, 1, 'the failed attempt’s slot went to one task');
  await e.client.cancel(b.tasks[0]!.id);
  const c = await claim(w, 'default', { max: 10, start: 10 });
  t.is(c.tasks.length, 1, 'the cancelled task’s slot went to the other');
  t.not(c.tasks[0]!.id, b.tasks[0]!.id);
  t.truthy([one!.id, two!.id].includes(c.tasks[0]!.id));
});

test('each-group: every group gets its own cap', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'each-group', concurrency: 1 });
  await e.client.submitMany([
    { type: 'x', group: 'a' },
    { type: 'x', group: 'a' },
    { type: 'x', group: 'b' },
    { type: 'x', group: 'b' },
    { type: 'x' },
  ]);
  const got = await claim(e.ops('w1'), 'default', { max: 10, start: 10 });
  t.is(got.tasks.length, 3, 'one of a, one of b, and the task without a group');
  const limits = (await e.client.queueState('default')).limits;
  t.like(limits[0], { scope: 'each-group', key: null, concurrency: 1, running: 2, heldBack: 2 });
});

test('clearing a limit puts what it held back in the queue, in order; the queue hands out as before', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.setQueueLimit('default', { scope: 'type', key: 'x', rate: { n: 1, perMs: 60_000 } });
  await e.client.submitMany(Array.from({ length: 4 }, (_, i) => ({ type: 'x', payload: i })));
  t.is((await claim(e.ops('w1'), 'default', { max: 10, start: 10 })).tasks.length, 1);
  const cleared = await e.client.clearQueueLimit('default', { scope: 'type', key: 'x' });
  t.like(cleared, { released: 3, limit: { scope: 'type', key: 'x', rate: null, concurrency: null } });
  t.is(await e.redis.exists(k.flow), 0);
  const rest = await claim(e.ops('w1'), 'default', { max: 10, start: 1 });
  t.deepEqual(
    rest.tasks.map((x) => x.payload),
    [1, 2, 3],
    'in their order, and reservations again (one started, two reserved)',
  );
  t.is(rest.tasks.filter((x) => x.started).length, 1);
});

test('setting a limit puts reserved tasks back and drops idle registrations', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }, { type: 'x' }]);
  await claim(e.ops('w1'), 'default', { max: 3, start: 1 });
  await e.redis.hset(k.idle, 'w2', `4 ${e.clock.now() + 60_000}`);
  const set = await e.client.setQueueLimit('default', { scope: 'queue', rate: { n: 100, perMs: 1000 } });
  t.is(set.unreserved, 2);
  t.is(await e.redis.hlen(k.idle), 0);
  const r = await e.ops('w3').cycle('default', {
    claim: { max: 5, start: 5 },
    idle: { register: true, leave: false, ttlMs: 10_000 },
  });
  t.is(r.claim.tasks.length, 2);
  t.false(r.registered, 'a limited queue takes no idle registration (no handoff bypasses the limit)');
});

test('fair groups: a group submitted later alternates with a big one instead of waiting behind it', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 50 }, (_, i) => ({ type: 'x', group: 'big', payload: i })));
  await e.client.submitMany(
    Array.from({ length: 3 }, (_, i) => ({ type: 'x', group: 'small', payload: 100 + i })),
  );
  await e.client.submit({ type: 'x', payload: 200 });
  const got = await claim(e.ops('w1'), 'default', { max: 8, start: 8 });
  const order = got.tasks.map((x) => x.payload as number);
  // Lanes take turns (tasks at the same turn go in id order): the three of `small` and the one
  // without a group within the first 8 of 54, not after the 50 of `big`.
  t.true(order.includes(0) && order.includes(100) && order.includes(101), `order ${order}`);
  t.true(order.includes(102) && order.includes(200), `order ${order}`);
  t.true(order.filter((p) => p < 100).length >= 3, `big keeps its share: ${order}`);
  // Priority stays strict across groups.
  await e.client.submit({ type: 'x', group: 'big', priority: 9, payload: 300 });
  t.deepEqual(
    (await claim(e.ops('w1'), 'default', { max: 1, start: 1 })).tasks.map((x) => x.payload),
    [300],
  );
});

test('invalid limits are refused naming the field, and nothing is written', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  const bad: [Parameters<typeof e.client.setQueueLimit>[1], RegExp][] = [
    [{ scope: 'queue', rate: { n: 0, perMs: 1000 } }, /^rate\.n:/],
    [{ scope: 'queue', rate: { n: 5, perMs: -1 } }, /^rate\.perMs:/],
    [{ scope: 'queue', concurrency: 1.5 }, /^concurrency:/],
    [{ scope: 'queue' }, /^rate:/],
    [{ scope: 'group', key: 'no spaces', concurrency: 1 }, /^group:/],
    [{ scope: 'type', key: '', concurrency: 1 }, /^type:/],
    [{ scope: 'tenant' as 'queue', concurrency: 1 }, /^scope:/],
    [{ scope: 'queue', key: 'x', concurrency: 1 }, /^key:/],
  ];
  for (const [settings, message] of bad) {
    await t.throwsAsync(() => e.client.setQueueLimit('default', settings), {
      instanceOf: ValidationError,
      message,
    });
  }
  await t.throwsAsync(() => e.client.submit({ type: 'x', group: 'a b' }), {
    instanceOf: ValidationError,
    message: /^group:/,
  });
  t.is(await e.redis.exists(k.flow), 0);
});

test('retention forgets lanes that hold nothing; the queue keeps taking turns', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  for (let g = 0; g < 30; g++) await e.client.submit({ type: 'x', group: `tenant-${g}` });
  t.is(await e.redis.hlen(k.lanes), 31, 'a lane per group, and the lane of tasks without one');
  t.is((await claim(e.ops('w1'), 'default', { max: 30, start: 30 })).tasks.length, 30);
  await trimQueue(e.client.ctx, 'default');
  t.deepEqual(await e.redis.hkeys(k.lanes), [''], 'empty lanes are gone; the lane of ungrouped tasks stays');
  await e.client.submitMany(Array.from({ length: 5 }, () => ({ type: 'x', group: 'big', payload: 'big' })));
  await e.client.submit({ type: 'x', group: 'tenant-3', payload: 'small' });
  const got = await claim(e.ops('w1'), 'default', { max: 3, start: 3 });
  t.true(
    got.tasks.some((x) => x.payload === 'small'),
    'a forgotten lane starts again at the front',
  );
});

test('a held task that is cancelled or expires leaves its held set: a later release cannot queue it again', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.setQueueLimit('default', { scope: 'type', key: 'x', concurrency: 1 });
  const now = e.clock.now();
  const [first, cancelled, expiring] = await e.client.submitMany([
    { type: 'x' },
    { type: 'x' },
    { type: 'x', deadline: now + 1000 },
  ]);
  const w = e.ops('w1');
  const a = await claim(w, 'default', { max: 10, start: 10 });
  t.deepEqual(
    a.tasks.map((x) => x.id),
    [first!.id],
  );
  t.deepEqual(await e.redis.zrange(k.flowHeld('type:x'), '0', '-1'), [cancelled!.id, expiring!.id]);
  await e.client.cancel(cancelled!.id);
  e.clock.advance(1000);
  t.is(await expireDue(e.client.ctx, 'default'), 1);
  t.deepEqual(await e.redis.zrange(k.flowHeld('type:x'), '0', '-1'), [], 'nothing ended stays held');
  await complete(e, 'w1', a.tasks);
  t.is((await claim(w, 'default', { max: 10, start: 10 })).tasks.length, 0, 'nothing ended starts');
  t.deepEqual(await e.redis.zrange(k.ready, '0', '-1'), []);
  t.is((await e.client.get(cancelled!.id)).state, 'cancelled');
  t.is((await e.client.get(expiring!.id)).state, 'expired');
});

test('tasks a limit holds back still count as queued', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'group', key: 'acme', concurrency: 1 });
  await e.client.submitMany(Array.from({ length: 3 }, () => ({ type: 'x', group: 'acme' })));
  t.is((await claim(e.ops('w1'), 'default', { max: 10, start: 10 })).tasks.length, 1);
  t.like(await e.client.counts('default'), { queued: 2, running: 1 });
});

test('a cap removed while its rate stays forgets what it counted: set again, it starts from nothing', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  for (const target of [{ scope: 'queue' as const }, { scope: 'type' as const, key: 'x' }]) {
    const inst = target.scope === 'queue' ? 'queue' : 'type:x';
    await e.client.setQueueLimit('default', { ...target, rate: { n: 100, perMs: 1000 }, concurrency: 1 });
    await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
    const a = await claim(e.ops('w1'), 'default', { max: 10, start: 10 });
    t.is(a.tasks.length, 1);
    await e.client.setQueueLimit('default', { ...target, concurrency: null });
    const b = await claim(e.ops('w1'), 'default', { max: 10, start: 10 });
    t.is(b.tasks.length, 1, 'no cap: the other starts');
    await complete(e, 'w1', [...a.tasks, ...b.tasks]);
    await e.client.setQueueLimit('default', { ...target, concurrency: 1 });
    t.deepEqual(await e.redis.smembers(k.flowRunning(inst)), [], `${inst}: nothing runs`);
    await e.client.submit({ type: 'x' });
    t.is(
      (await claim(e.ops('w1'), 'default', { max: 10, start: 10 })).tasks.length,
      1,
      `${inst}: a slot is free`,
    );
    await e.client.clearQueueLimit('default', target);
    await complete(
      e,
      'w1',
      (await e.client.list({ state: 'running' })).tasks.map((x) => ({ id: x.id, attempt: x.attempts })),
    );
  }
});

test('listing queued tasks shows those a limit holds back too, after the ready set, page by page', async (t) => {
  const e = await engine.make();
  await e.client.setQueueLimit('default', { scope: 'type', key: 'x', concurrency: 1 });
  const subs = await e.client.submitMany([
    { type: 'x' },
    { type: 'x' },
    { type: 'x' },
    { type: 'y' },
    { type: 'y' },
  ]);
  // One x starts, the other two are held; the claim stops at start=2, leaving one y ready.
  t.is((await claim(e.ops('w1'), 'default', { max: 10, start: 2 })).tasks.length, 2);
  t.like(await e.client.counts('default'), { queued: 3, running: 2 });
  const all = await e.client.list({ state: 'queued' });
  t.deepEqual(all.tasks.map((x) => x.id).sort(), [subs[1]!.id, subs[2]!.id, subs[4]!.id].sort());
  const seen: string[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await e.client.list({ state: 'queued', limit: 1, ...(cursor ? { cursor } : {}) });
    seen.push(...page.tasks.map((x) => x.id));
    cursor = page.cursor;
  } while (cursor);
  t.deepEqual(
    seen,
    all.tasks.map((x) => x.id),
    'pages of one see each once',
  );
});
