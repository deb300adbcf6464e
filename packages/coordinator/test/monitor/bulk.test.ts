/**
 * Bulk operations and search over HTTP: `POST /api/v1/bulk/:action` in
 * bounded steps (each looks at LIMITS.bulkScanMax tasks at most and returns
 * a cursor), the dry run, bad input (400 naming the field, nothing changed),
 * and `GET /api/v1/tasks` searched by type and by a payload field.
 */
import test from 'ava';
import { LIMITS } from '../../src/monitor/limits.js';
import { type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);

/** Submits `n` tasks of `type` (no retries) and fails them through the worker's real path. */
async function failTasks(m: Monitor, n: number, type: string): Promise<string[]> {
  const ids: string[] = [];
  const w = m.ops('w-fail');
  for (let i = 0; i < n; i += 1000) {
    const part = Array.from({ length: Math.min(1000, n - i) }, () => ({ type, maxRetries: 0 }));
    ids.push(...(await m.client.submitMany(part)).map((r) => r.id));
    const { claim } = await w.cycle('default', { claim: { max: part.length, start: part.length } });
    await w.fail(
      'default',
      claim.tasks.map((t) => ({
        id: t.id,
        attempt: t.attempt,
        message: 'x',
        reason: 'handler_error',
        permanent: true,
      })),
    );
  }
  return ids;
}

test('bulk retry over HTTP goes step by step with a cursor; each step is bounded', async (t) => {
  const m = await fx.make();
  const n = LIMITS.bulkScanMax + 700;
  await failTasks(m, n, 'resize');
  await failTasks(m, 3, 'email');
  const dry = await m.call('/api/v1/bulk/retry', { body: { state: 'failed', type: 'resize', dryRun: true } });
  t.is(dry.status, 200, JSON.stringify(dry.body));
  t.like(dry.body, { action: 'retry', queue: 'default', dryRun: true, done: 0, scanned: LIMITS.bulkScanMax });
  t.is(typeof dry.body.cursor, 'string');
  t.is((await m.client.counts()).failed, n + 3);

  let cursor: string | null = null;
  let [matched, done, steps] = [0, 0, 0];
  do {
    const r: {
      status: number;
      body: { matched: number; done: number; scanned: number; cursor: string | null };
    } = await m.call('/api/v1/bulk/retry', {
      body: { state: 'failed', type: 'resize', ...(cursor === null ? {} : { cursor }) },
    });
    t.is(r.status, 200, JSON.stringify(r.body));
    t.true(r.body.scanned <= LIMITS.bulkScanMax);
    matched += r.body.matched;
    done += r.body.done;
    cursor = r.body.cursor;
    steps += 1;
  } while (cursor !== null && steps < 20);
  t.deepEqual([matched, done], [n, n]);
  t.true(steps >= 2, 'more than one step');
  const counts = await m.client.counts();
  t.is(counts.failed, 3);
  t.is(counts.queued, n);
});

test('bulk cancel, delete and purge over HTTP; bad input is a 400 naming the field', async (t) => {
  const m = await fx.make();
  const a = await m.client.submitMany([{ type: 'a' }, { type: 'a' }, { type: 'b' }]);
  const cancel = await m.call('/api/v1/bulk/cancel', { body: { state: 'queued', type: 'a' } });
  t.like(cancel.body, { matched: 2, done: 2, cursor: null });
  const del = await m.call('/api/v1/bulk/delete', { body: { state: 'cancelled' } });
  t.like(del.body, { matched: 2, done: 2 });
  t.is(await m.client.find(a[0]!.id), null);
  const purge = await m.call('/api/v1/bulk/purge', { body: {} });
  t.like(purge.body, { matched: 0, done: 0, cursor: null });

  for (const [path, body, field] of [
    ['/api/v1/bulk/retry', {}, 'state'],
    ['/api/v1/bulk/retry', { state: 'queued' }, 'state'],
    ['/api/v1/bulk/retry', { state: 'failed', priority: 0 }, 'priority'],
    ['/api/v1/bulk/retry', { state: 'failed', before: 'soon' }, 'before'],
    ['/api/v1/bulk/retry', { state: 'failed', bogus: 1 }, 'bogus'],
    ['/api/v1/bulk/retry', { state: 'failed', cursor: '1:2' }, 'cursor'],
    ['/api/v1/bulk/archive', { state: 'failed' }, 'action'],
  ] as const) {
    const r = await m.call(path, { body });
    t.is(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    t.is(r.body.error.field, field, `${path} ${JSON.stringify(body)}: ${r.body.error.message}`);
  }
  t.is((await m.client.get(a[2]!.id)).state, 'queued');
});

test('GET /api/v1/tasks searches by type and by a payload field', async (t) => {
  const m = await fx.make();
  await m.client.submitMany([
    { type: 'resize', payload: { user: { id: 7 } } },
    { type: 'resize', payload: { user: { id: 8 } } },
    { type: 'email', payload: { user: { id: 7 } } },
  ]);
  const byType = await m.call('/api/v1/tasks?type=resize');
  t.is(byType.status, 200);
  t.deepEqual(
    byType.body.tasks.map((x: { type: string }) => x.type),
    ['resize', 'resize'],
  );
  const byField = await m.call('/api/v1/tasks?field=user.id&value=7');
  t.deepEqual(byField.body.tasks.map((x: { type: string }) => x.type).sort(), ['email', 'resize']);
  const both = await m.call('/api/v1/tasks?type=resize&field=user.id&value=7&state=queued');
  t.is(both.body.tasks.length, 1);
  const lone = await m.call('/api/v1/tasks?field=user.id');
  t.is(lone.status, 400);
  t.is(lone.body.error.field, 'value');
});

test('GET /api/v1/tasks searches by group and says how many ids it scanned', async (t) => {
  const m = await fx.make();
  await m.client.submitMany([
    { type: 'resize', group: 'tenant-a' },
    { type: 'resize', group: 'tenant-b' },
    { type: 'resize' },
  ]);
  const byGroup = await m.call('/api/v1/tasks?group=tenant-a');
  t.is(byGroup.status, 200, JSON.stringify(byGroup.body));
  t.deepEqual(
    byGroup.body.tasks.map((x: { group: string | null }) => x.group),
    ['tenant-a'],
  );
  t.is(byGroup.body.scanned, 3, 'every queued id was looked at');
  const plain = await m.call('/api/v1/tasks?state=queued&limit=2');
  t.is(plain.body.scanned, 2);
  t.is(plain.body.tasks[0].group === null || typeof plain.body.tasks[0].group === 'string', true);
});
