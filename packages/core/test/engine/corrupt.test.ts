/**
 * Issue 16, points 2 and 3: damaged data in Redis. Reads show a task whose
 * stored value cannot be decoded with a clear `unreadable` reason instead of
 * failing the status or the page; a claim that meets a damaged task does not
 * throw away the rest of its batch: the damaged one is quarantined (ends
 * `failed` with reason `corrupt_task`), the others carry on.
 */
import test from 'ava';
import { CorruptTaskError, Inspector } from '../../src/index.js';
import { type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

/** Submits `n` tasks of type x, claims and completes them: n succeeded tasks. */
async function succeeded(e: Engine, n: number): Promise<string[]> {
  const ids = (
    await e.client.submitMany(Array.from({ length: n }, (_, i) => ({ type: 'x', payload: i })))
  ).map((s) => s.id);
  const ops = e.ops('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: n, start: n } })).claim;
  await ops.complete(
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: { r: x.payload } })),
  );
  return ids;
}

test('a stored result of "" (what a function result used to store) reads as unreadable; status and the page still work', async (t) => {
  const e = await engine.make();
  const ids = await succeeded(e, 3);
  const k = e.client.ctx.keys('default');
  await e.redis.hset(k.task(ids[1]!), 'r', '');
  await e.redis.hset(k.task(ids[2]!), 'e', '{not json', 'pg', 'lots');
  const bad = await e.client.get(ids[1]!);
  t.like(bad, {
    state: 'succeeded',
    result: null,
    unreadable: { field: 'result', reason: 'the stored value is empty' },
  });
  const worse = await e.client.get(ids[2]!);
  t.is(worse.unreadable?.field, 'error, progress');
  t.regex(worse.unreadable!.reason, /error: the stored value is not JSON/);
  const page = await e.client.list({ state: 'succeeded' });
  t.deepEqual(page.tasks.map((x) => x.id).sort(), [...ids].sort());
  t.deepEqual(page.tasks.find((x) => x.id === ids[0])?.result, { r: 0 });
  t.is(page.tasks.find((x) => x.id === ids[0])?.unreadable, undefined, 'a sound task has no `unreadable`');
  const detail = await new Inspector(e.client.ctx).task(ids[1]!);
  t.like(detail, { task: { unreadable: { field: 'result' } } });
});

test('a task key of the wrong type is listed as unreadable instead of failing the page; get shows it too', async (t) => {
  const e = await engine.make();
  const ids = await succeeded(e, 2);
  const k = e.client.ctx.keys('default');
  await e.redis.del(k.task(ids[0]!));
  await e.redis.set(k.task(ids[0]!), 'garbage');
  const page = await e.client.list({ state: 'succeeded' });
  t.is(page.tasks.length, 2);
  t.like(
    page.tasks.find((x) => x.id === ids[0]),
    { state: 'succeeded', unreadable: { field: 'task', reason: 'its key in Redis is not a hash' } },
  );
  t.like(await e.client.get(ids[0]!), { unreadable: { field: 'task' } });
});

test('garbage in every field of a hash reads without throwing, each named', async (t) => {
  const e = await engine.make();
  const [id] = await succeeded(e, 1);
  const k = e.client.ctx.keys('default');
  await e.redis.hset(
    k.task(id!),
    'd',
    '{"t":5,"p":"high","c":"x"}',
    'pl',
    'nope',
    's',
    'exploded',
    'a',
    '-2',
  );
  const task = await e.client.get(id!);
  t.like(task, { type: '', priority: 5, createdAt: 0, payload: null, attempts: 0 });
  for (const field of ['type', 'priority', 'createdAt', 'payload', 'state', 'attempts'])
    t.true(task.unreadable!.field.split(', ').includes(field), field);
});

test('WorkerOps.complete encodes each result on its own: a BigInt fails its task (unencodable_result), the batch completes', async (t) => {
  const e = await engine.make();
  await e.client.submitMany(Array.from({ length: 4 }, () => ({ type: 'x' })));
  const ops = e.ops('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 4, start: 4 } })).claim;
  const results: unknown[] = [1, { n: 10n }, () => 0, 'fine'];
  const accepted = await ops.complete(
    'default',
    tasks.map((x, i) => ({ id: x.id, attempt: x.attempt, result: results[i] })),
  );
  t.deepEqual(accepted, [true, true, true, true]);
  const read = await Promise.all(tasks.map((x) => e.client.get(x.id)));
  t.deepEqual(
    read.map((x) => [x.state, x.error?.reason ?? null]),
    [
      ['succeeded', null],
      ['failed', 'unencodable_result'],
      ['failed', 'unencodable_result'],
      ['succeeded', null],
    ],
  );
  t.regex(read[1]!.error!.message, /BigInt at \$\.n/);
  // The same through a cycle (the worker's round).
  await e.client.submitMany([{ type: 'x' }, { type: 'x' }]);
  const claimed = (await ops.cycle('default', { claim: { max: 2, start: 2 } })).claim;
  const r = await ops.cycle('default', {
    complete: claimed.tasks.map((x, i) => ({
      id: x.id,
      attempt: x.attempt,
      result: i === 0 ? { n: 1n } : 'ok',
    })),
  });
  t.deepEqual(r.completed, [true, true]);
  t.like(await e.client.get(claimed.tasks[0]!.id), {
    state: 'failed',
    error: { reason: 'unencodable_result' },
  });
  t.like(await e.client.get(claimed.tasks[1]!.id), { state: 'succeeded', result: 'ok' });
});

test('a claim that meets damaged tasks hands out the rest; the damaged ones are quarantined as failed/corrupt_task', async (t) => {
  const e = await engine.make();
  const ids = (
    await e.client.submitMany(Array.from({ length: 7 }, (_, i) => ({ type: 'x', payload: i })))
  ).map((s) => s.id);
  const [good1, badSpec, missing, wrongType, badDeadline, badPayload, good2] = ids as [string, ...string[]];
  const k = e.client.ctx.keys('default');
  await e.redis.hset(k.task(badSpec!), 'd', 'not json at all');
  await e.redis.del(k.task(missing!));
  await e.redis.del(k.task(wrongType!));
  await e.redis.rpush(k.task(wrongType!), 'a', 'b');
  await e.redis.hset(k.task(badDeadline!), 'dl', 'soon');
  await e.redis.hset(k.task(badPayload!), 'pl', '{{{');
  const ops = e.ops('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 10, start: 10 } })).claim;
  t.deepEqual(
    tasks.map((x) => [x.id, x.corrupt !== undefined]),
    [
      [good1, false],
      [badSpec, true],
      [badDeadline, false],
      [badPayload, true],
      [good2, false],
    ],
  );
  t.regex(tasks[1]!.corrupt!, new RegExp(`task ${badSpec}: stored spec is corrupt`));
  t.regex(tasks[3]!.corrupt!, /stored payload is corrupt/);
  for (const [id, says] of [
    [missing, /its hash was missing/],
    [wrongType, /its key held a list, not a hash/],
  ] as const) {
    const task = await e.client.get(id!);
    t.like(task, { state: 'failed', reason: 'corrupt_task', error: { reason: 'corrupt_task' } });
    t.regex(task.error!.message, says);
  }
  // The worker fails what it cannot decode through the normal fenced path; garbage in the spec does not break it.
  const states = await ops.fail(
    'default',
    [tasks[1]!, tasks[3]!].map((x) => ({
      id: x.id,
      attempt: x.attempt,
      message: x.corrupt!,
      reason: 'corrupt_task',
      permanent: true,
    })),
  );
  t.deepEqual(states, ['failed', 'failed']);
  t.deepEqual(
    await ops.complete(
      'default',
      [tasks[0]!, tasks[2]!, tasks[4]!].map((x) => ({ id: x.id, attempt: x.attempt, result: x.payload })),
    ),
    [true, true, true],
  );
  t.like(await e.client.counts(), { succeeded: 3, failed: 4, queued: 0, running: 0, reserved: 0 });
  const failed = await e.client.list({ state: 'failed' });
  t.is(failed.tasks.length, 4);
  t.true(failed.tasks.every((x) => x.error?.reason === 'corrupt_task'));
});

test('the inspector leaves out damaged series points and a damaged recommendation instead of throwing', async (t) => {
  const e = await engine.make();
  const ctx = e.client.ctx;
  const key = ctx.keys('default').series('1s');
  await e.redis.rpush(key, '{"t":2000,"succeeded":1}', 'garbage', '', '{"t":1000,"succeeded":2}');
  await e.redis.set(ctx.fleet.recommendation, '{not json');
  const inspector = new Inspector(ctx);
  t.deepEqual(
    (await inspector.series('default', '1s')).map((p) => p.t),
    [1000, 2000],
  );
  t.is(await inspector.recommendation(), null);
});

test('retry of a quarantined task whose spec is gone is refused with corrupt_task; one whose spec reads runs again', async (t) => {
  const e = await engine.make();
  const [gone, readable] = (await e.client.submitMany([{ type: 'x' }, { type: 'x' }])).map((s) => s.id);
  const k = e.client.ctx.keys('default');
  await e.redis.del(k.task(gone!));
  await e.redis.hset(k.task(readable!), 'a', 'nan');
  (await e.ops('w1').cycle('default', { claim: { max: 2, start: 2 } })).claim;
  t.like(await e.client.get(gone!), { state: 'failed', reason: 'corrupt_task' });
  t.like(await e.client.get(readable!), { state: 'failed', reason: 'corrupt_task' });
  const err = await t.throwsAsync(e.client.retry(gone!), { instanceOf: CorruptTaskError });
  t.like(err, { code: 'corrupt_task', field: 'spec' });
  t.like(await e.client.retry(readable!), { state: 'queued' });
  const { tasks } = (await e.ops('w1').cycle('default', { claim: { max: 1, start: 1 } })).claim;
  t.like(tasks, [{ id: readable, attempt: 1, corrupt: undefined }]);
});

test('raw newlines in stored values shift nothing: a claim and a handoff, sent as lines of text, hand out each task whole', async (t) => {
  const e = await engine.make();
  const ids = (
    await e.client.submitMany(Array.from({ length: 4 }, (_, i) => ({ type: 'x', payload: { n: i } })))
  ).map((s) => s.id);
  const [spaced, broken, dated, last] = ids as [string, string, string, string];
  const k = e.client.ctx.keys('default');
  // Valid JSON with newlines between tokens (dtps never writes it, a hand edit may): it means the same.
  const spec = (await e.redis.hget(k.task(spaced), 'd'))!;
  await e.redis.hset(k.task(spaced), 'd', spec.replace('{', '{\n').replace(',', ',\n'), 'pl', '{\n"n": 0\n}');
  // A raw newline inside a JSON string is no JSON: that task alone is damaged.
  await e.redis.hset(k.task(broken), 'pl', '{"n": "one\ntwo"}');
  await e.redis.hset(k.task(dated), 'dl', 'soon\nlater');
  const ops = e.ops('w1');
  const { tasks } = (await ops.cycle('default', { claim: { max: 10, start: 10 } })).claim;
  t.deepEqual(
    tasks.map((x) => [x.id, x.type, x.payload, x.corrupt !== undefined]),
    [
      [spaced, 'x', { n: 0 }, false],
      [broken, '', null, true],
      [dated, 'x', { n: 2 }, false],
      [last, 'x', { n: 3 }, false],
    ],
  );
  t.regex(tasks[1]!.corrupt!, /stored payload is corrupt/);
  t.true(tasks.every((x) => x.attempt === 1 && x.started));

  // The same through a handoff: a worker registered idle gets a lone task as an inbox message.
  await ops.complete(
    'default',
    tasks.map((x) => ({ id: x.id, attempt: x.attempt, result: null })),
  );
  t.true((await ops.cycle('default', { claim: { max: 1, start: 1 }, idle: { register: true } })).registered);
  const { id } = await e.client.submit({ type: 'x', payload: { lone: true } });
  await e.redis.hset(k.task(id), 'pl', '{"lone":\ntrue}');
  const round = await ops.cycle('default', { idle: { leave: true } });
  t.deepEqual(
    round.handedOff.map((x) => [x.id, x.payload]),
    [[id, { lone: true }]],
  );
});
