/**
 * cycleTasks: a busy worker's round in one call (complete, start, claim),
 * with the same rules as the three separate scripts and one stream entry per
 * transition kind.
 */
import test from 'ava';
import { rangeEvents } from '../../src/index.js';
import { claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

test('one call completes, starts from the window and claims; one stream entry per kind', async (t) => {
  const e = await engine.make();
  const [a, b, c, d, x] = await e.client.submitMany(
    Array.from({ length: 5 }, (_, i) => ({ type: 'x', payload: { i } })),
  );
  const w1 = e.ops('w1');
  const first = await claim(w1, 'default', { max: 3, start: 1 }); // a running; b, c reserved
  t.deepEqual(
    first.tasks.map((task) => [task.id, task.started]),
    [
      [a!.id, true],
      [b!.id, false],
      [c!.id, false],
    ],
  );
  const stream = e.client.ctx.keys('default').events;
  const cursor = (await e.redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]![0];
  const r = await w1.cycle('default', {
    complete: [{ id: a!.id, attempt: 1, result: { ok: 1 }, createdAt: e.clock.now() }],
    start: [{ id: b!.id, attempt: 1 }],
    claim: { max: 2, start: 1 },
  });
  t.deepEqual(r.completed, [true]);
  t.deepEqual(r.started, ['started']);
  t.deepEqual(
    r.claim.tasks.map((task) => [task.id, task.started, task.attempt]),
    [
      [d!.id, true, 1],
      [x!.id, false, 0],
    ],
  );
  t.deepEqual(r.claim.tasks[0]!.payload, { i: 3 });
  t.like(await e.client.get(a!.id), { state: 'succeeded', result: { ok: 1 } });
  t.like(await e.client.get(b!.id), { state: 'running', worker: 'w1', attempts: 1 });
  t.like(await e.client.get(c!.id), { state: 'reserved', worker: 'w1' });
  t.like(await e.client.get(d!.id), { state: 'running', worker: 'w1', attempts: 1 });
  t.like(await e.client.get(x!.id), { state: 'reserved', worker: 'w1' });
  t.like(await e.client.counts(), { succeeded: 1, running: 2, reserved: 2, queued: 0 });
  const events = (await rangeEvents(e.redis, stream, cursor, 100)).filter((ev) => ev.streamId !== cursor);
  t.deepEqual(
    events.map((ev) => [ev.state, ev.ids]).sort(),
    [
      ['reserved', [x!.id]],
      ['running', [b!.id, d!.id]],
      ['succeeded', [a!.id]],
    ],
    'the starts from the window and the claim share one running entry',
  );
  const totals = await e.redis.hgetall(e.client.ctx.keys('default').totals);
  t.like(totals, { started: '3', succeeded: '1', lat_le_1: '1' });
});

test('the fence holds in a cycle: a wrong attempt is refused and counted, the rest of the round goes on', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 3 }, () => ({ type: 'x' })));
  const w1 = e.ops('w1');
  const { tasks } = await claim(w1, 'default', { max: 1, start: 1 });
  const r = await w1.cycle('default', {
    complete: [{ id: tasks[0]!.id, attempt: 2, result: null }],
    claim: { max: 5, start: 5 },
  });
  t.deepEqual(r.completed, [false]);
  t.is(r.claim.tasks.length, 2);
  t.like(await e.client.get(tasks[0]!.id), { state: 'running' });
  t.is(await e.redis.hget(e.client.ctx.keys('default').totals, 'fenced'), '1');
  // Another worker cannot complete it either.
  const other = await e
    .ops('w2')
    .cycle('default', { complete: [{ id: tasks[0]!.id, attempt: 1, result: null }] });
  t.deepEqual(other.completed, [false]);
});

test('a cycle without a claim claims nothing; a start of a task no longer in the window is gone', async (t) => {
  const e = await engine.make();
  const [a, b] = await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  await claim(e.ops('w1'), 'default', { max: 2 });
  await claim(e.ops('w2'), 'default', { max: 1, steal: 1 }); // the queue is dry: b, from the back
  const r = await e.ops('w1').cycle('default', {
    start: [
      { id: a!.id, attempt: 1 },
      { id: b!.id, attempt: 1 },
    ],
  });
  t.deepEqual(r.started, ['started', 'gone']);
  t.deepEqual(r.claim, { tasks: [], nextDueAt: null, stolen: 0 });
  t.like(await e.client.get(b!.id), { state: 'reserved', worker: 'w2' });
});

test('a cycle claim on a dry queue steals from the busiest peer and reports the next due time', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 6 }, () => ({ type: 'x' })));
  await claim(e.ops('big'), 'default', { max: 6, start: 2 }); // 2 running, 4 reserved
  await e.client.submit({ type: 'later', delayMs: 5000 });
  const r = await e.ops('thief').cycle('default', { claim: { max: 4, start: 2, steal: 2 } });
  t.is(r.claim.stolen, 2);
  t.deepEqual(
    r.claim.tasks.map((task) => task.started),
    [true, true],
  );
  t.is(r.claim.nextDueAt, e.clock.now() + 5000);
});

test("a second's counter hash gets its hour-long TTL once, when a script creates it", async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 4 }, () => ({ type: 'x' })));
  const sec = e.client.ctx.keys('default').perSecond(Math.floor(e.clock.now() / 1000));
  await e.redis.del(sec); // as if this second had seen nothing yet
  const w1 = e.ops('w1');
  const r = await w1.cycle('default', { claim: { max: 2, start: 2 } });
  const ttl = await e.redis.ttl(sec);
  t.true(ttl > 3500 && ttl <= 3600, `TTL ${ttl}`);
  // Later scripts in the same second add fields (succeeded) and leave the TTL as it is.
  await w1.cycle('default', {
    complete: r.claim.tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: null })),
  });
  t.like(await e.redis.hgetall(sec), { started: '2', succeeded: '2' });
  t.true((await e.redis.ttl(sec)) > 3500);
});

// A round asks once whether the queue uses any optional structure (includes/plain.lua); when one
// is there, each is looked at as before. Each case here has exactly one of them.
test('a round in a queue with one optional structure still does what that structure asks', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  // A deadline: the task leaves the deadline index when it succeeds in a round.
  const [d] = await e.client.submitMany([{ type: 'x', deadline: e.clock.now() + 60_000 }]);
  const got = await e.ops('w1').cycle('default', { claim: { max: 1, start: 1 } });
  t.is(await e.redis.zcard(k.deadlines), 1);
  const done = await e.ops('w1').cycle('default', {
    complete: got.claim.tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: null })),
    claim: { max: 1, start: 1 },
    idle: { register: true },
  });
  t.deepEqual(done.completed, [true]);
  t.is(await e.redis.zcard(k.deadlines), 0);
  t.is((await e.client.get(d!.id))?.state, 'succeeded');
  t.true(done.registered, 'neither paused nor limited: the worker registers idle');
  // Scheduled: a dry claim reports when the next one is due.
  await e.client.submit({ type: 'later', delayMs: 5000 });
  const dry = await e.ops('w2').cycle('default', { claim: { max: 1, start: 1 } });
  t.is(dry.claim.nextDueAt, e.clock.now() + 5000);
  // Paused (the scheduled task is still there): no claim, and no idle registration either.
  await e.client.pauseQueue('default');
  await e.client.submit({ type: 'x' });
  const paused = await e
    .ops('w3')
    .cycle('default', { claim: { max: 1, start: 1 }, idle: { register: true } });
  t.deepEqual(paused.claim.tasks, []);
  t.false(paused.registered);
});

/**
 * One round of a worker at a low rate — one completion, a claim that finds the queue dry, an
 * idle registration — in a queue that uses no optional structure (its lean path, quietround.lua)
 * and in one that has a task scheduled far ahead (the general path). Returns what the round left.
 */
async function quietRoundIn(e: Engine, queue: string, attempt: number) {
  const k = e.client.ctx.keys(queue);
  const w = e.ops('w1');
  const task = await e.client.submit({ type: 'x', queue });
  await claim(w, queue, { max: 1, start: 1 });
  const before = await e.redis.hgetall(k.totals);
  const sec = k.perSecond(Math.floor(e.clock.now() / 1000));
  const secBefore = await e.redis.hgetall(sec);
  const cursor = (await e.redis.xrevrange(k.events, '+', '-', 'COUNT', 1))[0]![0];
  const r = await w.cycle(queue, {
    complete: [{ id: task.id, attempt, result: { ok: 1 }, createdAt: e.clock.now() - 7 }],
    claim: { max: 4, start: 4 },
    idle: { register: true, ttlMs: 5000 },
  });
  const added = increments(before, await e.redis.hgetall(k.totals));
  // The second's hash too: the lean path writes its key from the time's digits (timeArgs).
  const addedThisSecond = increments(secBefore, await e.redis.hgetall(sec));
  const events = (await rangeEvents(e.redis, k.events, cursor, 100)).filter((ev) => ev.streamId !== cursor);
  const hash = await e.redis.hgetall(k.task(task.id));
  delete hash.d;
  return {
    // The general path's queue has a task scheduled: its claim reports when that one is due.
    reply: { ...r, claim: { ...r.claim, nextDueAt: undefined }, handedOff: r.handedOff.length },
    nextDueAt: r.claim.nextDueAt,
    task: hash,
    succeeded: (await e.redis.zrange(k.done('succeeded'), '0', '-1', 'WITHSCORES')).filter(
      (_, i) => i % 2 === 1,
    ),
    running: await e.redis.zcard(k.running('w1')),
    idle: await e.redis.hgetall(k.idle),
    events: events.map((ev) => [ev.state, ev.ids.length, ev.reason, ev.worker]),
    added,
    addedThisSecond,
  };
}

/** The counters that changed from `before` to `after`, by how much. */
function increments(before: Record<string, string>, after: Record<string, string>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([name, v]) => [name, Number(v) - Number(before[name] ?? 0)] as const)
      .filter(([, d]) => d !== 0),
  );
}

for (const [what, attempt] of [
  ['accepted', 1],
  ['fenced', 2],
] as const) {
  test(`a quiet round (${what}) leaves what the general round leaves: fields, stream entries, counters, registration`, async (t) => {
    const e = await engine.make();
    await e.client.submit({ type: 'later', queue: 'busy', delayMs: 3_600_000 });
    const lean = await quietRoundIn(e, 'quiet', attempt);
    const general = await quietRoundIn(e, 'busy', attempt);
    t.deepEqual({ ...lean, nextDueAt: 0 }, { ...general, nextDueAt: 0 });
    t.is(lean.nextDueAt, null);
    t.is(general.nextDueAt, e.clock.now() + 3_600_000);
    t.like(lean.added, attempt === 1 ? { succeeded: 1, lat_le_10: 1, lat_sum_ms: 7 } : { fenced: 1 });
    t.deepEqual(lean.idle, { w1: `4 ${e.clock.now() + 5000}` });
  });
}

// A batch of 16 tasks or more enters a worker's running set or window with a long member that
// makes Redis store the set as a skiplist (keys.lua, addTasks); the member leaves in the same call.
test('a large claim and start leave the running set and window holding only their tasks, as a skiplist', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.submitMany(Array.from({ length: 64 }, (_, i) => ({ type: 'x', payload: { i } })));
  const w1 = e.ops('w1');
  const first = await claim(w1, 'default', { max: 40, start: 20 });
  const started = first.tasks.filter((x) => x.started);
  const reserved = first.tasks.filter((x) => !x.started);
  t.is(started.length, 20);
  t.deepEqual(await e.redis.zrange(k.running('w1'), '0', '-1', 'WITHSCORES'), startedAt(started, 1));
  t.deepEqual(
    await e.redis.zrange(k.window('w1'), '0', '-1', 'WITHSCORES'),
    reserved.flatMap((x) => [x.id, String(x.score)]),
  );
  const r = await w1.cycle('default', {
    complete: started.map((x) => ({ id: x.id, attempt: x.attempt, result: null })),
    start: reserved.map((x) => ({ id: x.id, attempt: 1 })),
    claim: { max: 20, start: 0 },
  });
  t.true(r.completed.every(Boolean));
  t.true(r.started.every((s) => s === 'started'));
  t.deepEqual(await e.redis.zrange(k.running('w1'), '0', '-1', 'WITHSCORES'), startedAt(reserved, 1));
  t.deepEqual(
    await e.redis.zrange(k.window('w1'), '0', '-1', 'WITHSCORES'),
    r.claim.tasks.flatMap((x) => [x.id, String(x.score)]),
  );
  for (const key of [k.running('w1'), k.window('w1')])
    t.is(await e.redis.object('ENCODING', key), 'skiplist');
  // A small batch keeps the compact encoding.
  await claim(e.ops('w2'), 'default', { max: 4, start: 2 });
  for (const key of [k.running('w2'), k.window('w2')])
    t.is(await e.redis.object('ENCODING', key), 'listpack');
});

/** A running set's entries (id, attempt) in its order: equal attempts sort by id. */
function startedAt(tasks: readonly { id: string }[], attempt: number): string[] {
  return tasks
    .map((x) => x.id)
    .sort()
    .flatMap((id) => [id, String(attempt)]);
}

// Starts are checked against the window's front in one read when they come in its order
// (start.lua); in any other order each one is looked up: the same tasks start either way.
test('starts from the window in any order start the same tasks', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  await e.client.submitMany(Array.from({ length: 8 }, () => ({ type: 'x' })));
  const w1 = e.ops('w1');
  const { tasks } = await claim(w1, 'default', { max: 8, start: 0 });
  const [a, b, c, d, ...rest] = tasks;
  const inOrder = await w1.cycle('default', { start: [a!, b!].map((x) => ({ id: x.id, attempt: 1 })) });
  t.deepEqual(inOrder.started, ['started', 'started']);
  const reversed = await w1.cycle('default', { start: [d!, c!].map((x) => ({ id: x.id, attempt: 1 })) });
  t.deepEqual(reversed.started, ['started', 'started']);
  // The front again, with a task started already: that one is gone, the other starts.
  const again = await w1.cycle('default', {
    start: [a!, rest[0]!].map((x) => ({ id: x.id, attempt: 1 })),
  });
  t.deepEqual(again.started, ['gone', 'started']);
  t.deepEqual(
    await e.redis.zrange(k.window('w1'), '0', '-1'),
    rest.slice(1).map((x) => x.id),
  );
  t.deepEqual(
    (await e.redis.zrange(k.running('w1'), '0', '-1')).sort(),
    [a, b, c, d, rest[0]].map((x) => x!.id).sort(),
  );
});

// A claim takes the tasks it starts off the ready set without their scores (pop.lua): Redis would
// format each one, and only the reserved ones, which enter the window, need theirs.
test('a claim starts the front of the ready set and reserves the next, in priority order; only the reserved carry scores', async (t) => {
  const e = await engine.make();
  const k = e.client.ctx.keys('default');
  const specs = [3, 9, 5, 9, 1, 5, 7].map((priority, i) => ({ type: 'x', payload: { i }, priority }));
  const submitted = await e.client.submitMany(specs);
  const byOrder = submitted
    .map((s, i) => ({ id: s.id, priority: specs[i]!.priority, i }))
    .sort((a, b) => b.priority - a.priority || a.i - b.i);
  const readyBefore = await e.redis.zrange(k.ready, '0', '-1', 'WITHSCORES');
  const scoreOf = new Map<string, string>();
  for (let i = 0; i < readyBefore.length; i += 2) scoreOf.set(readyBefore[i]!, readyBefore[i + 1]!);
  const r = await claim(e.ops('w1'), 'default', { max: 5, start: 3 });
  t.deepEqual(
    r.tasks.map((x) => [x.id, x.started]),
    byOrder.slice(0, 5).map((x, i) => [x.id, i < 3]),
  );
  t.deepEqual(
    r.tasks.map((x) => x.score),
    r.tasks.map((x) => (x.started ? 0 : Number(scoreOf.get(x.id)))),
  );
  t.deepEqual(
    await e.redis.zrange(k.window('w1'), '0', '-1', 'WITHSCORES'),
    byOrder.slice(3, 5).flatMap((x) => [x.id, scoreOf.get(x.id)!]),
  );
  t.deepEqual(
    await e.redis.zrange(k.ready, '0', '-1'),
    byOrder.slice(5).map((x) => x.id),
  );
  // A claim that starts more than the ready set holds takes what there is.
  const rest = await claim(e.ops('w2'), 'default', { max: 5, start: 5 });
  t.deepEqual(
    rest.tasks.map((x) => [x.id, x.started]),
    byOrder.slice(5).map((x) => [x.id, true]),
  );
  t.is(await e.redis.zcard(k.ready), 0);
});
