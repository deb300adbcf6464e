/**
 * Bulk operations (client/bulk.ts, bulkTasks-1.lua) on a real Redis: each
 * action by filter across chunk boundaries, the dry run, a run interrupted
 * and started again, the group filter, and bad input refused with nothing
 * changed.
 */
import test from 'ava';
import { duplicateConnection, type TaskSpec, ValidationError } from '../../src/index.js';
import { claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

/** Submits the specs (maxRetries 0) and fails them all permanently, through the worker's real path. */
async function failed(e: Engine, specs: TaskSpec[]): Promise<string[]> {
  const ids = (await e.client.submitMany(specs.map((s) => ({ maxRetries: 0, ...s })))).map((r) => r.id);
  const w = e.ops('w-fail');
  const { tasks } = await claim(w, 'default', { max: ids.length, start: ids.length });
  await w.fail(
    'default',
    tasks.map((t) => ({
      id: t.id,
      attempt: t.attempt,
      message: 'boom',
      reason: 'handler_error',
      permanent: true,
    })),
  );
  return ids;
}

const states = async (e: Engine, ids: string[]) =>
  Promise.all(ids.map(async (id) => (await e.client.find(id))?.state ?? 'gone'));

test('bulk retry by type across many chunks: only the matching failed tasks, and a dry run changes nothing', async (t) => {
  const e = await engine.make();
  const resize = await failed(
    e,
    Array.from({ length: 23 }, () => ({ type: 'resize' })),
  );
  const other = await failed(
    e,
    Array.from({ length: 11 }, () => ({ type: 'email' })),
  );
  const dry = await e.client.bulk(
    'retry',
    { state: 'failed', type: 'resize' },
    { dryRun: true, chunkSize: 4 },
  );
  t.like(dry, { matched: 23, done: 0, scanned: 34, cursor: null });
  t.is((await e.client.counts()).failed, 34);

  const progress: number[] = [];
  const r = await e.client.bulk(
    'retry',
    { state: 'failed', type: 'resize' },
    { chunkSize: 4, onProgress: (p) => progress.push(p.done) },
  );
  t.like(r, { matched: 23, done: 23, cursor: null });
  t.true(progress.length > 5, 'progress after every chunk');
  t.deepEqual(new Set(await states(e, resize)), new Set(['queued']));
  t.deepEqual(new Set(await states(e, other)), new Set(['failed']));
  // Run again: nothing matches any more.
  t.like(await e.client.bulk('retry', { state: 'failed', type: 'resize' }), { matched: 0, done: 0 });
});

test('an interrupted bulk run can be run again and finishes the job, each task once', async (t) => {
  const e = await engine.make();
  const ids = await failed(
    e,
    Array.from({ length: 30 }, () => ({ type: 'x' })),
  );
  const stop = new AbortController();
  const first = await e.client.bulk(
    'retry',
    { state: 'failed' },
    { chunkSize: 5, signal: stop.signal, onProgress: (p) => p.done >= 10 && stop.abort() },
  );
  t.is(first.done, 10);
  t.not(first.cursor, null);
  // Run again from scratch (not from the cursor): what was retried no longer matches.
  const again = await e.client.bulk('retry', { state: 'failed' }, { chunkSize: 5 });
  t.like(again, { matched: 20, done: 20, cursor: null });
  t.deepEqual(new Set(await states(e, ids)), new Set(['queued']));
  const totals = await e.redis.hget(`${e.client.ctx.keys('default').base}totals`, 'operator_retries');
  t.is(Number(totals), 30);
});

test('bulk cancel of queued tasks by priority and creation time tells the running tasks worker', async (t) => {
  const e = await engine.make();
  const t0 = e.clock.now();
  const early = await e.client.submitMany(Array.from({ length: 6 }, () => ({ type: 'a', priority: 3 })));
  e.clock.advance(1000);
  const late = await e.client.submitMany(Array.from({ length: 6 }, () => ({ type: 'a', priority: 3 })));
  const high = await e.client.submit({ type: 'a', priority: 8 });
  const r = await e.client.bulk(
    'cancel',
    { state: 'queued', priority: 3, before: t0 + 500 },
    { chunkSize: 4 },
  );
  t.like(r, { matched: 6, done: 6 });
  t.deepEqual(
    new Set(
      await states(
        e,
        early.map((x) => x.id),
      ),
    ),
    new Set(['cancelled']),
  );
  t.deepEqual(new Set(await states(e, [...late.map((x) => x.id), high.id])), new Set(['queued']));
  t.like(await e.client.get(early[0]!.id), { reason: 'bulk_cancel' });
  const after = await e.client.bulk('cancel', { state: 'queued', after: t0 + 500 });
  t.like(after, { matched: 7, done: 7 });

  // A running task: cancelled and its worker told to abort.
  const run = await e.client.submit({ type: 'r' });
  const w = e.ops('w1');
  await claim(w, 'default', { max: 1, start: 1 });
  const sub = duplicateConnection(e.redis);
  const messages: string[] = [];
  await sub.subscribe(e.client.ctx.fleet.control('w1'));
  sub.on('message', (_c: string, m: string) => messages.push(m));
  t.like(await e.client.bulk('cancel', { state: 'running' }), { matched: 1, done: 1 });
  while (messages.length === 0) await new Promise((res) => setImmediate(res));
  t.deepEqual(JSON.parse(messages[0]!), { command: 'abort', queue: 'default', id: run.id });
  sub.disconnect();
});

test('bulk delete removes the records; purge deletes every ended state; group filters by the task group', async (t) => {
  const e = await engine.make();
  // Real grouped submits: four of tenant-a, one of tenant-b, four without a group.
  const groups = [
    'tenant-a',
    'tenant-a',
    'tenant-a',
    'tenant-a',
    'tenant-b',
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  const ids = await failed(
    e,
    groups.map((group) => ({ type: 'x', ...(group ? { group } : {}) })),
  );
  t.like(await e.client.bulk('delete', { state: 'failed', group: 'tenant-a' }, { chunkSize: 3 }), {
    matched: 4,
    done: 4,
  });
  t.deepEqual(await states(e, ids.slice(0, 4)), ['gone', 'gone', 'gone', 'gone']);
  t.deepEqual(new Set(await states(e, ids.slice(4))), new Set(['failed']));
  t.like(await e.client.bulk('delete', { state: 'failed', group: 'tenant-b' }), { matched: 1, done: 1 });
  t.deepEqual(new Set(await states(e, ids.slice(5))), new Set(['failed']));

  const queued = await e.client.submit({ type: 'q' });
  const cancelled = await e.client.submit({ type: 'c' });
  await e.client.cancel(cancelled.id);
  t.like(await e.client.bulk('purge', {}), { matched: 5, done: 5 });
  t.is((await e.client.counts()).failed, 0);
  t.is(await e.client.find(cancelled.id), null);
  t.is((await e.client.get(queued.id)).state, 'queued', 'purge leaves unfinished tasks alone');
  // delete of an unfinished task cancels it first (dependents hear of it), then removes it.
  const child = await e.client.submit({ type: 'child', dependsOn: [queued.id] });
  t.like(await e.client.bulk('delete', { state: 'queued' }), { matched: 1, done: 1 });
  t.is(await e.client.find(queued.id), null);
  t.like(await e.client.get(child.id), { state: 'cancelled', reason: 'dependency_failed' });
});

test('bad filters are refused naming the field, and nothing changes', async (t) => {
  const e = await engine.make();
  await failed(e, [{ type: 'x' }]);
  const bad: [Parameters<typeof e.client.bulk>, string][] = [
    [['retry', {}], 'state'],
    [['retry', { state: 'queued' }], 'state'],
    [['cancel', { state: 'failed' }], 'state'],
    [['delete', { state: 'nope' as never }], 'state'],
    [['retry', { state: 'failed', priority: 11 }], 'priority'],
    [['retry', { state: 'failed', before: -1 }], 'before'],
    [['retry', { state: 'failed', type: '' }], 'type'],
    [['retry', { state: 'failed', queue: 'no spaces' }], 'queue'],
    [['bogus' as never, { state: 'failed' }], 'action'],
    [['retry', { state: 'failed' }, { chunkSize: 0 }], 'chunkSize'],
  ];
  for (const [args, field] of bad) {
    const err = await t.throwsAsync(e.client.bulk(...args), { instanceOf: ValidationError });
    t.is(err?.field, field, JSON.stringify(args));
  }
  await t.throwsAsync(e.client.bulkStep('retry', { state: 'failed' }, { cursor: 'x' }), {
    instanceOf: ValidationError,
    message: /cursor/,
  });
  t.is((await e.client.counts()).failed, 1);
});

test('search: list by type and by a payload field, bounded, with a cursor to go on', async (t) => {
  const e = await engine.make();
  await e.client.submitMany([
    { type: 'resize', payload: { user: { id: 7 }, size: 'L' } },
    { type: 'resize', payload: { user: { id: 8 } } },
    { type: 'email', payload: { user: { id: 7 } } },
  ]);
  const byType = await e.client.list({ state: 'queued', type: 'resize' });
  t.is(byType.tasks.length, 2);
  const byField = await e.client.list({ where: { field: 'user.id', value: 7 } });
  t.deepEqual(byField.tasks.map((x) => x.type).sort(), ['email', 'resize']);
  const both = await e.client.list({ type: 'resize', where: { field: 'size', value: 'L' } });
  t.is(both.tasks.length, 1);
  await t.throwsAsync(e.client.list({ where: { field: 'a..b', value: 1 } }), { message: /where/ });
});
