import test from 'ava';
import { claim, start, useEngine } from './fixture.js';

const engine = useEngine(test);

test('claim hands out by priority, FIFO within a priority', async (t) => {
  const e = await engine.make();
  const submitted: { id: string; priority: number }[] = [];
  for (const priority of [1, 5, 10, 5, 1, 10, 3]) {
    const r = await e.client.submit({ type: 'x', priority });
    submitted.push({ id: r.id, priority });
  }
  const expected = [...submitted].sort((a, b) => b.priority - a.priority).map((s) => s.id); // stable sort keeps FIFO
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 3 });
  const { tasks: rest } = await claim(e.ops('w1'), 'default', { max: 10 });
  t.deepEqual(
    [...tasks, ...rest].map((x) => x.id),
    expected,
  );
});

test('claim starts the first `start` tasks and reserves the rest in the window', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 5 }, () => ({ type: 'x', payload: { a: 1 } })));
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 4, start: 2 });
  t.deepEqual(
    tasks.map((x) => [x.started, x.attempt]),
    [
      [true, 1],
      [true, 1],
      [false, 0],
      [false, 0],
    ],
  );
  t.deepEqual(tasks[0]!.payload, { a: 1 });
  t.like(await e.client.counts(), { queued: 1, reserved: 2, running: 2 });
  const running = await e.client.get(tasks[0]!.id);
  t.like(running, { state: 'running', worker: 'w1', attempts: 1, startedAt: e.clock.now() });
  const reserved = await e.client.get(tasks[2]!.id);
  t.like(reserved, { state: 'reserved', worker: 'w1', attempts: 0 });
});

test('claim on an empty queue returns nothing, and the next due time of scheduled work', async (t) => {
  const e = await engine.make();
  const none = await claim(e.ops('w1'), 'default', { max: 5 });
  t.deepEqual(none, { tasks: [], nextDueAt: null, stolen: 0 });
  await e.client.submit({ type: 'x', delayMs: 3000 });
  const later = await claim(e.ops('w1'), 'default', { max: 5 });
  t.deepEqual(later, { tasks: [], nextDueAt: e.clock.now() + 3000, stolen: 0 });
  e.clock.advance(3000);
  const due = await claim(e.ops('w1'), 'default', { max: 5, start: 1 });
  t.is(due.tasks.length, 1);
  t.true(due.tasks[0]!.started);
});

test('claim expires a task past its deadline instead of handing it out', async (t) => {
  const e = await engine.make();
  const doomed = await e.client.submit({ type: 'x', deadline: e.clock.now() + 1000, priority: 9 });
  const fine = await e.client.submit({ type: 'x' });
  e.clock.advance(1000);
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 5, start: 5 });
  t.deepEqual(
    tasks.map((x) => x.id),
    [fine.id],
  );
  t.like(await e.client.get(doomed.id), { state: 'expired', reason: 'deadline', startedAt: null });
});

test('start moves window tasks to running; a task no longer in the window is not started', async (t) => {
  const e = await engine.make();
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }, { type: 'x', deadline: e.clock.now() + 500 }]);
  const w1 = e.ops('w1');
  const { tasks } = await claim(w1, 'default', { max: 3 });
  // The queue is dry: a claim that steals takes the back of w1's window, the third task.
  const { tasks: stolen } = await claim(e.ops('w2'), 'default', { max: 1, steal: 1 });
  t.deepEqual(
    stolen.map((x) => x.id),
    [tasks[2]!.id],
  );
  e.clock.advance(100);
  const outcomes = await start(
    w1,
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt + 1 })),
  );
  t.deepEqual(outcomes, ['started', 'started', 'gone']);
  t.like(await e.client.get(tasks[0]!.id), { state: 'running', attempts: 1, worker: 'w1' });
  // Past its deadline, a reserved task expires at start instead of running.
  e.clock.advance(1000);
  const [late] = await start(e.ops('w2'), 'default', [{ id: stolen[0]!.id, attempt: 1 }]);
  t.is(late, 'expired');
  t.like(await e.client.get(stolen[0]!.id), { state: 'expired', reason: 'deadline' });
});

test('steal takes from the back of the busiest window and never a started task', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany([1, 2, 3, 4, 5].map((p) => ({ type: 'x', priority: p })));
  const { tasks } = await claim(e.ops('victim'), 'default', { max: 5, start: 2 }); // priorities 5, 4 start
  t.deepEqual(
    tasks.map((x) => x.priority),
    [5, 4, 3, 2, 1],
  );
  // A claim on the dry queue that may steal 10 takes half the victim's window (rounded up), from the back.
  const steal = () => claim(e.ops('thief'), 'default', { max: 10, steal: 10 });
  const first = await steal();
  t.deepEqual(
    first.tasks.map((x) => x.priority),
    [1, 2],
  );
  t.is(first.stolen, 2);
  t.true(first.tasks.every((x) => !x.started));
  t.like(await e.client.get(rs[0]!.id), { state: 'reserved', worker: 'thief' });
  t.like(await e.client.counts(), { running: 2, reserved: 3 });
  t.deepEqual(
    (await steal()).tasks.map((x) => x.priority),
    [3],
  );
  const totals = await e.redis.hgetall(e.client.ctx.keys('default').totals);
  t.is(totals.steals, '3');
  // Only started tasks are left with the victim: nothing to steal.
  t.deepEqual((await steal()).tasks, []);
});

test('release hands the window back: the tasks keep their place in the queue', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany([{ type: 'x' }, { type: 'x' }, { type: 'x' }]);
  const w1 = e.ops('w1');
  await claim(w1, 'default', { max: 2 });
  t.is(await w1.release('default'), 2);
  t.like(await e.client.counts(), { queued: 3, reserved: 0 });
  const { tasks } = await claim(e.ops('w2'), 'default', { max: 3 });
  t.deepEqual(
    tasks.map((x) => x.id),
    rs.map((r) => r.id),
  );
  // Releasing named tasks hands back only those that are still in the window.
  t.is(await e.ops('w2').release('default', [tasks[1]!.id, 'not-mine']), 1);
});

test('a higher-priority task submitted later is claimed before older lower-priority ones', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 20 }, () => ({ type: 'low', priority: 2 })));
  const w = e.ops('w1');
  await claim(w, 'default', { max: 5, start: 5 });
  const urgent = await e.client.submit({ type: 'urgent', priority: 8 });
  const { tasks } = await claim(w, 'default', { max: 1, start: 1 });
  t.is(tasks[0]!.id, urgent.id);
});

test('claim with steal: when the queue is dry, takes half of the busiest peer window from its back', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany(
    Array.from({ length: 9 }, (_, i) => ({ type: 'x', priority: 10 - i })),
  );
  await claim(e.ops('small'), 'default', { max: 1 });
  await claim(e.ops('big'), 'default', { max: 8, start: 2 }); // 2 running, 6 reserved
  const { tasks, stolen } = await claim(e.ops('thief'), 'default', { max: 5, start: 1, steal: 5 });
  t.is(stolen, 3);
  // Half of big's 6 reserved tasks, from the back (lowest priority first); the first starts at once.
  t.deepEqual(
    tasks.map((x) => [x.id, x.started]),
    [
      [rs[8]!.id, true],
      [rs[7]!.id, false],
      [rs[6]!.id, false],
    ],
  );
  t.like(await e.client.get(rs[8]!.id), { state: 'running', worker: 'thief' });
  t.like(await e.client.get(rs[6]!.id), { state: 'reserved', worker: 'thief' });
  const totals = await e.redis.hgetall(e.client.ctx.keys('default').totals);
  t.is(totals.steals, '3');
  // Without steal, a dry queue gives nothing.
  t.deepEqual((await claim(e.ops('idle'), 'default', { max: 5 })).tasks, []);
});
