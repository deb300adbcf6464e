import test from 'ava';
import { recoverWorker } from '../../src/index.js';
import { claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

async function runOne(e: Engine, worker = 'w1', spec: Record<string, unknown> = {}) {
  const r = await e.client.submit({ type: 'x', ...spec });
  const { tasks } = await claim(e.ops(worker), 'default', { max: 1, start: 1 });
  return { id: r.id, task: tasks[0]! };
}

test('complete stores the result and ends succeeded', async (t) => {
  const e = await engine.make();
  const { id, task } = await runOne(e);
  e.clock.advance(25);
  t.deepEqual(await e.ops('w1').complete('default', [{ id, attempt: task.attempt, result: { rows: 3 } }]), [
    true,
  ]);
  t.like(await e.client.get(id), {
    state: 'succeeded',
    result: { rows: 3 },
    attempts: 1,
    finishedAt: e.clock.now(),
  });
  t.like(await e.client.counts(), { running: 0, succeeded: 1 });
});

test('fencing: a report by another worker or for another attempt is refused, counted, and changes nothing', async (t) => {
  const e = await engine.make();
  const { id, task } = await runOne(e);
  const before = await e.client.get(id);
  t.deepEqual(await e.ops('w2').complete('default', [{ id, attempt: task.attempt, result: 'hijack' }]), [
    false,
  ]);
  t.deepEqual(await e.ops('w1').complete('default', [{ id, attempt: task.attempt + 1, result: 'stale' }]), [
    false,
  ]);
  t.deepEqual(
    await e
      .ops('w2')
      .fail('default', [
        { id, attempt: task.attempt, message: 'x', reason: 'handler_error', permanent: true },
      ]),
    [null],
  );
  t.deepEqual(await e.client.get(id), before);
  const totals = await e.redis.hgetall(e.client.ctx.keys('default').totals);
  t.is(totals.fenced, '3');
  t.is(totals.lat_sum_ms, undefined); // refused reports add nothing to the latency histogram
  t.false(await e.ops('w2').progress('default', id, task.attempt, 50));
  t.true(await e.ops('w1').progress('default', id, task.attempt, 50));
  t.is((await e.client.get(id)).progress, 50);
});

test('a failed attempt retries after a backoff within [0, base], then succeeds', async (t) => {
  const e = await engine.make({
    backoff: { type: 'exponential', baseMs: 1000, maxMs: 60_000, jitter: true },
  });
  const { id, task } = await runOne(e);
  const [state] = await e
    .ops('w1')
    .fail('default', [{ id, attempt: 1, message: 'boom', reason: 'handler_error', permanent: false }]);
  const after = await e.client.get(id);
  t.true(state === 'scheduled' || state === 'queued');
  t.is(after.state as string, state!);
  t.like(after.error, { message: 'boom', reason: 'handler_error', attempt: 1 });
  t.is(after.errors.length, 1);
  e.clock.advance(1000);
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 1, start: 1 });
  t.is(tasks[0]!.id, id);
  t.is(tasks[0]!.attempt, task.attempt + 1);
  t.deepEqual(await e.ops('w1').complete('default', [{ id, attempt: 2, result: 'ok' }]), [true]);
  t.like(await e.client.get(id), { state: 'succeeded', attempts: 2 });
  const totals = await e.redis.hgetall(e.client.ctx.keys('default').totals);
  t.like(totals, { retried: '1', attempts_failed: '1', succeeded: '1' });
});

test('backoff grows exponentially and is capped (no jitter)', async (t) => {
  const e = await engine.make();
  const { id } = await runOne(e, 'w1', {
    maxRetries: 10,
    backoff: { baseMs: 100, maxMs: 350, jitter: false },
  });
  const delays: number[] = [];
  for (let attempt = 1; attempt <= 4; attempt++) {
    await e
      .ops('w1')
      .fail('default', [{ id, attempt, message: 'x', reason: 'handler_error', permanent: false }]);
    const score = Number(await e.redis.zscore(e.client.ctx.keys('default').scheduled, id));
    delays.push(score - e.clock.now());
    e.clock.advance(score - e.clock.now());
    const { tasks } = await claim(e.ops('w1'), 'default', { max: 1, start: 1 });
    t.is(tasks[0]!.attempt, attempt + 1);
  }
  t.deepEqual(delays, [100, 200, 350, 350]);
});

test('retries exhausted: the task fails and keeps every error', async (t) => {
  const e = await engine.make();
  const { id } = await runOne(e, 'w1', { maxRetries: 2, backoff: { baseMs: 0, maxMs: 0 } });
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await claim(e.ops('w1'), 'default', { max: 1, start: 1 });
    const [state] = await e
      .ops('w1')
      .fail('default', [
        { id, attempt, message: `fail ${attempt}`, reason: 'handler_error', permanent: false },
      ]);
    t.is(state, attempt < 3 ? 'queued' : 'failed');
  }
  const task = await e.client.get(id);
  t.like(task, { state: 'failed', attempts: 3, reason: 'handler_error' });
  t.deepEqual(
    task.errors.map((x) => x.message),
    ['fail 1', 'fail 2', 'fail 3'],
  );
  t.deepEqual(
    (await e.client.list({ state: 'failed' })).tasks.map((x) => x.id),
    [id],
  );
});

test('a permanent error fails at once, without using retries', async (t) => {
  const e = await engine.make();
  const { id } = await runOne(e, 'w1', { maxRetries: 5 });
  const [state] = await e
    .ops('w1')
    .fail('default', [
      { id, attempt: 1, message: 'bad input', reason: 'unknown_task_type', permanent: true },
    ]);
  t.is(state, 'failed');
  t.like(await e.client.get(id), { state: 'failed', attempts: 1, reason: 'unknown_task_type' });
});

test('no retry is scheduled at or past the deadline: the task expires', async (t) => {
  const e = await engine.make();
  const { id } = await runOne(e, 'w1', {
    deadline: e.clock.now() + 500,
    backoff: { baseMs: 1000, maxMs: 1000, jitter: false },
  });
  const [state] = await e
    .ops('w1')
    .fail('default', [{ id, attempt: 1, message: 'x', reason: 'timeout', permanent: false }]);
  t.is(state, 'expired');
  t.like(await e.client.get(id), { state: 'expired', reason: 'deadline' });
});

test('recover: a dead worker’s window is queued again in place, its running tasks count a lost attempt', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany([
    { type: 'x', maxRetries: 1, backoff: { baseMs: 0, maxMs: 0 } },
    { type: 'x', maxRetries: 0 },
    { type: 'x' },
    { type: 'x' },
  ]);
  await claim(e.ops('dead'), 'default', { max: 4, start: 2 });
  const result = await recoverWorker(e.client.ctx, 'dead');
  t.deepEqual(result, { requeued: 2, recovered: 2 });
  t.like(await e.client.get(rs[0]!.id), { state: 'queued', attempts: 1, error: { reason: 'worker_lost' } });
  t.like(await e.client.get(rs[1]!.id), { state: 'failed', reason: 'worker_lost' });
  t.is((await e.client.get(rs[2]!.id)).state, 'queued');
  // The window kept its place; the lost running task comes first: it had already waited its turn.
  const { tasks } = await claim(e.ops('alive'), 'default', { max: 3 });
  t.deepEqual(
    tasks.map((x) => x.id),
    [rs[0]!.id, rs[2]!.id, rs[3]!.id],
  );
  // The dead worker's late report is refused.
  t.deepEqual(await e.ops('dead').complete('default', [{ id: rs[0]!.id, attempt: 1, result: 'late' }]), [
    false,
  ]);
  t.deepEqual(await recoverWorker(e.client.ctx, 'dead'), { requeued: 0, recovered: 0 });
});

test('a batch of completions writes one stream entry', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 50 }, () => ({ type: 'x' })));
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 50, start: 50 });
  const stream = e.client.ctx.keys('default').events;
  const before = await e.redis.xlen(stream);
  const ok = await e.ops('w1').complete(
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: null, createdAt: x.createdAt })),
  );
  t.true(ok.every(Boolean));
  t.is(await e.redis.xlen(stream), before + 1);
  const second = await e.redis.hgetall(
    e.client.ctx.keys('default').perSecond(Math.floor(e.clock.now() / 1000)),
  );
  t.is(second.succeeded, '50');
  t.is(second.started, '50');
  t.is(second.lat_le_1, '50'); // the manual clock did not move: 0 ms each
  t.is(second.lat_sum_ms, '0');
});

test('an attempt that fails after its deadline ends expired, even without retries left', async (t) => {
  const e = await engine.make();
  const { id } = await runOne(e, 'w1', { deadline: e.clock.now() + 500, maxRetries: 0 });
  e.clock.advance(500);
  const [state] = await e
    .ops('w1')
    .fail('default', [{ id, attempt: 1, message: 'aborted', reason: 'deadline', permanent: false }]);
  t.is(state, 'expired');
  t.like(await e.client.get(id), { state: 'expired', reason: 'deadline', attempts: 1 });
});
