/** GET /api/v1/tasks/:id carries the task's stored log lines; POST /api/v1/tasks takes the dedup fields. */
import test from 'ava';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('GET /api/v1/tasks/:id: task.logs, also when a body is left out', async (t) => {
  const m = await fx.make();
  const { id } = await m.client.submit({ type: 'echo' });
  const ops = m.ops('w1');
  await ops.cycle('default', { claim: { max: 1, start: 1 } });
  await ops.appendLogs('default', [{ id, attempt: 1, lines: [[1000, 'step 1 of 2']] }]);
  const logs = [{ at: 1000, attempt: 1, message: 'step 1 of 2' }];
  const d = await m.call(`/api/v1/tasks/${id}`);
  t.is(d.status, 200);
  t.deepEqual(d.body.task.logs, logs);
  // A result too large to send: the detail is read field by field, and still has the logs.
  const huge = JSON.stringify({ blob: 'z'.repeat(m.client.ctx.payloadMaxBytes + 10) });
  await m.redis.hset(m.client.ctx.keys('default').task(id), 'r', huge);
  const bounded = await m.call(`/api/v1/tasks/${id}`);
  t.deepEqual(bounded.body.omitted, ['result']);
  t.deepEqual(bounded.body.task.logs, logs);
  const quiet = await m.client.submit({ type: 'echo' });
  t.deepEqual((await m.call(`/api/v1/tasks/${quiet.id}`)).body.task.logs, []);
});

test('POST /api/v1/tasks: debounce replace is a 200 with replaced; bad dedup fields are 400s', async (t) => {
  const m = await fx.make();
  const spec = { type: 'echo', idempotencyKey: 'k', delayMs: 60_000 };
  const first = await m.call('/api/v1/tasks', { body: { ...spec, payload: 1, dedupTtlMs: 60_000 } });
  t.is(first.status, 201);
  const again = await m.call('/api/v1/tasks', { body: { ...spec, payload: 2, debounce: 'replace' } });
  t.is(again.status, 200);
  t.like(again.body, { id: first.body.id, duplicate: true, replaced: true });
  t.is((await m.client.get(first.body.id)).payload, 2);
  for (const [body, field] of [
    [{ type: 'echo', dedupTtlMs: 5 }, 'dedupTtlMs'],
    [{ type: 'echo', idempotencyKey: 'k', debounce: 'later' }, 'debounce'],
  ] as const) {
    const r = await m.call('/api/v1/tasks', { body });
    t.is(r.status, 400);
    t.is(r.body.error.field, field);
  }
});

test('POST /api/v1/tasks takes a group (the web form sends it); a bad group is a 400 naming it', async (t) => {
  const m = await fx.make();
  const ok = await m.call('/api/v1/tasks', { body: { type: 'echo', group: 'tenant-a' } });
  t.is(ok.status, 201, JSON.stringify(ok.body));
  t.is((await m.client.get(ok.body.id)).group, 'tenant-a');
  const bad = await m.call('/api/v1/tasks', { body: { type: 'echo', group: 'no spaces' } });
  t.is(bad.status, 400);
  t.is(bad.body.error.field, 'group');
});
