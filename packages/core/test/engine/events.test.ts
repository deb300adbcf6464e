import test from 'ava';
import { rangeEvents, recoverWorker, WaitTimeoutError } from '../../src/index.js';
import { claim, start, useEngine } from './fixture.js';

const engine = useEngine(test);

test('every transition is recorded in the queue stream', async (t) => {
  const e = await engine.make({ backoff: { type: 'fixed', baseMs: 100, maxMs: 100, jitter: false } });
  const stream = e.client.ctx.keys('default').events;
  const [a, b, c] = await e.client.submitMany([
    { type: 'a', maxRetries: 1 },
    { type: 'b' },
    { type: 'c', ref: 'c' },
  ]);
  const d = await e.client.submit({ type: 'd', dependsOn: [c!.id] });
  const w = e.ops('w1');
  await claim(w, 'default', { max: 3, start: 1 }); // a runs, b and c reserved
  await w.fail('default', [
    { id: a!.id, attempt: 1, message: 'x', reason: 'handler_error', permanent: false },
  ]);
  await claim(e.ops('w2'), 'default', { max: 1, steal: 1 }); // the queue is dry: c, from the back of w1's window
  await start(w, 'default', [{ id: b!.id, attempt: 1 }]);
  await w.complete('default', [{ id: b!.id, attempt: 1, result: 1 }]);
  await e.client.cancel(c!.id);
  e.clock.advance(100);
  await claim(e.ops('w3'), 'default', { max: 1 });
  await recoverWorker(e.client.ctx, 'w3');

  const events = await rangeEvents(e.redis, stream, '-', 1000);
  const seen = events.flatMap((ev) => ev.ids.map((id) => [id, ev.state, ev.reason, ev.worker]));
  t.deepEqual(seen, [
    [a!.id, 'queued', null, null],
    [b!.id, 'queued', null, null],
    [c!.id, 'queued', null, null],
    [d.id, 'pending', null, null],
    [a!.id, 'running', null, 'w1'],
    [b!.id, 'reserved', null, 'w1'],
    [c!.id, 'reserved', null, 'w1'],
    [a!.id, 'scheduled', 'retry', 'w1'],
    [c!.id, 'stolen', 'stolen_from:w1', 'w2'],
    [c!.id, 'reserved', null, 'w2'],
    [b!.id, 'running', null, 'w1'],
    [b!.id, 'succeeded', null, 'w1'],
    [c!.id, 'cancelled', 'cancelled', null],
    [d.id, 'cancelled', 'dependency_failed', null],
    [a!.id, 'queued', 'due', null],
    [a!.id, 'reserved', null, 'w3'],
    [a!.id, 'queued', 'worker_lost', 'w3'],
  ]);
});

test('the stream is trimmed to about its maximum length', async (t) => {
  const e = await engine.make({ eventsMaxLen: 100 });
  for (let i = 0; i < 30; i++) await e.client.submitMany(Array.from({ length: 10 }, () => ({ type: 'x' })));
  for (let i = 0; i < 300; i++) await e.client.submit({ type: 'x' });
  const len = await e.redis.xlen(e.client.ctx.keys('default').events);
  t.true(len >= 100 && len < 300, `XLEN ${len}`);
});

test('wait resolves when the task ends, from the stream, without polling the task', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x' });
  const w = e.ops('w1');
  const waiting = e.client.wait(r.id, { timeoutMs: 10_000 });
  const alsoWaiting = e.client.wait(r.id);
  const { tasks } = await claim(w, 'default', { max: 1, start: 1 });
  // Other tasks come and go meanwhile; the waiter only reads this one when it ends.
  for (let i = 0; i < 20; i++) {
    const other = await e.client.submit({ type: 'noise' });
    await e.client.cancel(other.id);
  }
  await w.complete('default', [{ id: r.id, attempt: tasks[0]!.attempt, result: 'done' }]);
  const [one, two] = await Promise.all([waiting, alsoWaiting]);
  t.like(one, { id: r.id, state: 'succeeded', result: 'done' });
  t.deepEqual(one, two);
});

test('wait on a task that has already ended returns it at once', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x' });
  await e.client.cancel(r.id);
  t.like(await e.client.wait(r.id), { state: 'cancelled' });
});

test('wait times out with a typed error', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x' });
  const err = await t.throwsAsync(e.client.wait(r.id, { timeoutMs: 50 }), { instanceOf: WaitTimeoutError });
  t.is(err?.code, 'timeout');
});

test('many waits share one reader and all resolve', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany(Array.from({ length: 200 }, () => ({ type: 'x' })));
  const waits = rs.map((r) => e.client.wait(r.id, { timeoutMs: 20_000 }));
  const w = e.ops('w1');
  for (;;) {
    const { tasks } = await claim(w, 'default', { max: 50, start: 50 });
    if (tasks.length === 0) break;
    await w.complete(
      'default',
      tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: x.id })),
    );
  }
  const done = await Promise.all(waits);
  t.true(done.every((d, i) => d.state === 'succeeded' && d.result === rs[i]!.id));
});
