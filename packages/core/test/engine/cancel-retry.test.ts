import test from 'ava';
import { DtpsError, duplicateConnection, InvalidStateError, TaskNotFoundError } from '../../src/index.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);

test('cancel works in every state that has not ended, and takes the task out of its structure', async (t) => {
  const e = await engine.make();
  const [running, reserved, queued, scheduled, pending] = await e.client.submitMany([
    { type: 'running', priority: 10 },
    { type: 'reserved', priority: 9, ref: 'r' },
    { type: 'queued' },
    { type: 'scheduled', delayMs: 60_000 },
    { type: 'pending', dependsOn: ['r'] },
  ]);
  const w = e.ops('w1');
  await claim(w, 'default', { max: 2, start: 1 });
  const sub = duplicateConnection(e.redis);
  const messages: string[] = [];
  await sub.subscribe(e.client.ctx.fleet.control('w1'));
  sub.on('message', (_channel: string, message: string) => messages.push(message));

  const expected: [string, string, string | null][] = [
    [pending!.id, 'pending', null],
    [scheduled!.id, 'scheduled', null],
    [queued!.id, 'queued', null],
    [reserved!.id, 'reserved', null],
    [running!.id, 'running', 'w1'],
  ];
  for (const [id, previousState, worker] of expected) {
    const r = await e.client.cancel(id);
    t.deepEqual(r, { id, queue: 'default', previousState: previousState as never, worker });
    t.like(await e.client.get(id), { state: 'cancelled', reason: 'cancelled', finishedAt: e.clock.now() });
  }
  t.deepEqual(await e.client.counts(), {
    pending: 0,
    scheduled: 0,
    queued: 0,
    reserved: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    expired: 0,
    cancelled: 5,
  });
  // The worker was told to abort the running task; its late report is refused.
  while (messages.length === 0) await new Promise((r) => setImmediate(r));
  t.deepEqual(JSON.parse(messages[0]!), { command: 'abort', queue: 'default', id: running!.id });
  t.deepEqual(await w.complete('default', [{ id: running!.id, attempt: 1, result: 'late' }]), [false]);
  t.is((await e.client.get(running!.id)).state, 'cancelled');
  sub.disconnect();
});

test('cancelling a task that has ended is refused', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x' });
  await e.client.cancel(r.id);
  const err = await t.throwsAsync(e.client.cancel(r.id), { instanceOf: InvalidStateError });
  t.is(err?.code, 'invalid_state');
  t.is(err?.state, 'cancelled');
  await t.throwsAsync(e.client.cancel('no-such-task'), { instanceOf: TaskNotFoundError });
});

test('retry of an ended task starts a new attempt series', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x', maxRetries: 0 });
  const w = e.ops('w1');
  await claim(w, 'default', { max: 1, start: 1 });
  await w.fail('default', [
    { id: r.id, attempt: 1, message: 'boom', reason: 'handler_error', permanent: false },
  ]);
  t.is((await e.client.get(r.id)).state, 'failed');
  t.deepEqual(await e.client.retry(r.id), { id: r.id, queue: 'default', state: 'queued', duplicate: false });
  const again = await e.client.get(r.id);
  t.like(again, { state: 'queued', attempts: 0, error: null, finishedAt: null, reason: null });
  t.is(again.errors.length, 1); // history kept
  t.is((await e.client.counts()).failed, 0);
  const { tasks } = await claim(w, 'default', { max: 1, start: 1 });
  t.is(tasks[0]!.attempt, 1);
  await w.complete('default', [{ id: r.id, attempt: 1, result: 'second time lucky' }]);
  t.like(await e.client.get(r.id), { state: 'succeeded', result: 'second time lucky' });
});

test('retry is refused while a task has not ended, past its deadline, and when a dependency failed', async (t) => {
  const e = await engine.make();
  const live = await e.client.submit({ type: 'x' });
  const notEnded = await t.throwsAsync(e.client.retry(live.id), { instanceOf: InvalidStateError });
  t.is(notEnded?.state, 'queued');

  const timed = await e.client.submit({ type: 'x', deadline: e.clock.now() + 1000 });
  await e.client.cancel(timed.id);
  e.clock.advance(2000);
  const late = await t.throwsAsync(e.client.retry(timed.id), { instanceOf: DtpsError });
  t.is(late?.code, 'deadline_passed');

  const [parent, child] = await e.client.submitMany([
    { type: 'p', ref: 'p' },
    { type: 'c', dependsOn: ['p'] },
  ]);
  await e.client.cancel(parent!.id);
  t.is((await e.client.get(child!.id)).reason, 'dependency_failed');
  const blocked = await t.throwsAsync(e.client.retry(child!.id), { instanceOf: DtpsError });
  t.is(blocked?.code, 'dependency_not_satisfied');
  t.is(blocked?.field, 'dependsOn');
  // Retry the parent first, then the child waits for it again.
  await e.client.retry(parent!.id);
  t.like(await e.client.retry(child!.id), { state: 'pending' });
  await t.throwsAsync(e.client.retry('missing'), { instanceOf: TaskNotFoundError });
});
