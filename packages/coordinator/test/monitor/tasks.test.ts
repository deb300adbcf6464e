/** Tasks over HTTP: submit, list with filters and paging, detail, cancel, retry, and their error paths. */
import test from 'ava';
import { type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);

async function expect400(
  t: import('ava').ExecutionContext,
  m: Monitor,
  path: string,
  field: string,
  body?: unknown,
) {
  const r = await m.call(path, body === undefined ? {} : { body });
  t.is(r.status, 400, `${path} ${JSON.stringify(body)}`);
  t.is(r.body.error.code, 'invalid_argument', `${path} ${JSON.stringify(body)}`);
  t.is(r.body.error.field, field, `${path} ${JSON.stringify(body)}: ${r.body.error.message}`);
  t.is(typeof r.body.error.message, 'string');
}

/** Claims and starts the next task of the default queue on worker `w`. */
async function runNext(m: Monitor, w = 'w1') {
  const { tasks } = (await m.ops(w).cycle('default', { claim: { max: 1, start: 1 } })).claim;
  return tasks[0]!;
}

test('POST /api/v1/tasks submits: 201 with id, state, queue; an idempotent repeat is 200', async (t) => {
  const m = await fx.make();
  const r = await m.call('/api/v1/tasks', {
    body: { type: 'echo', payload: { hello: 'world' }, priority: 7 },
  });
  t.is(r.status, 201);
  t.regex(r.body.id, /^[0-9a-z]{20}$/);
  t.is(r.body.state, 'queued');
  t.is(r.body.queue, 'default');
  const task = await m.client.get(r.body.id);
  t.deepEqual(task.payload, { hello: 'world' });
  t.is(task.priority, 7);

  const delayed = await m.call('/api/v1/tasks', { body: { type: 'echo', queue: 'later', delayMs: 60_000 } });
  t.is(delayed.status, 201);
  t.is(delayed.body.state, 'scheduled');
  t.is(delayed.body.queue, 'later');

  const first = await m.call('/api/v1/tasks', { body: { type: 'echo', idempotencyKey: 'k1' } });
  const again = await m.call('/api/v1/tasks', { body: { type: 'echo', idempotencyKey: 'k1' } });
  t.is(first.status, 201);
  t.is(again.status, 200);
  t.is(again.body.id, first.body.id);
  t.true(again.body.duplicate);
});

test('POST /api/v1/tasks: every bad spec is a 400 naming the field, and writes nothing', async (t) => {
  const m = await fx.make();
  const path = '/api/v1/tasks';
  await expect400(t, m, path, 'type', {});
  await expect400(t, m, path, 'type', { type: '' });
  await expect400(t, m, path, 'type', { type: ['a', 'b'] });
  await expect400(t, m, path, 'priority', { type: 'x', priority: 'high' });
  await expect400(t, m, path, 'priority', { type: 'x', priority: 11 });
  await expect400(t, m, path, 'priority', { type: 'x', priority: 1.5 });
  await expect400(t, m, path, 'maxRetries', { type: 'x', maxRetries: -1 });
  await expect400(t, m, path, 'bogus', { type: 'x', bogus: 1 });
  await expect400(t, m, path, 'backoff.baseMs', { type: 'x', backoff: { baseMs: 'soon' } });
  await expect400(t, m, path, 'backoff.type', { type: 'x', backoff: { type: 'linear' } });
  await expect400(t, m, path, 'deadline', { type: 'x', deadline: 'tomorrow' });
  await expect400(t, m, path, 'queue', { type: 'x', queue: 'has space' });
  await expect400(t, m, path, 'dependsOn', { type: 'x', dependsOn: 'abc' });
  // JSON types are not coerced: a string is no number, a number no string.
  await expect400(t, m, path, 'priority', { type: 'x', priority: '5' });
  await expect400(t, m, path, 'type', { type: 7 });
  await expect400(t, m, path, 'backoff.jitter', { type: 'x', backoff: { jitter: 'false' } });
  await expect400(t, m, path, 'body', '{"type": "x",');
  await expect400(t, m, path, 'body', '[1, 2]');
  const unknownDep = await m.call(path, { body: { type: 'x', dependsOn: ['nosuchtask'] } });
  t.is(unknownDep.status, 400);
  t.is(unknownDep.body.error.code, 'unknown_dependency');
  t.is(unknownDep.body.error.field, 'dependsOn');
  const big = await m.call(path, { body: { type: 'x', payload: 'x'.repeat(2 * 1024 * 1024) } });
  t.is(big.status, 413);
  t.is(big.body.error.code, 'payload_too_large');
  const text = await m.call(path, {
    body: 'type=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(text.status, 415);
  t.is(text.body.error.code, 'unsupported_media_type');
  t.deepEqual(await m.client.queues(), []);
});

test('GET /api/v1/tasks lists with state, priority, queue filters and pages with the cursor', async (t) => {
  const m = await fx.make();
  const ids: string[] = [];
  for (const priority of [1, 5, 5, 9]) ids.push((await m.client.submit({ type: 'echo', priority })).id);
  await m.client.submit({ type: 'echo', queue: 'other' });

  const all = await m.call('/api/v1/tasks');
  t.is(all.status, 200);
  t.is(all.body.queue, 'default');
  t.is(all.body.tasks.length, 4);
  t.is(all.body.cursor, null);
  t.deepEqual(
    all.body.tasks.map((x: { priority: number }) => x.priority),
    [9, 5, 5, 1],
  );

  const p1 = await m.call('/api/v1/tasks?limit=3&state=queued');
  t.is(p1.body.tasks.length, 3);
  t.truthy(p1.body.cursor);
  const p2 = await m.call(`/api/v1/tasks?limit=3&state=queued&cursor=${encodeURIComponent(p1.body.cursor)}`);
  t.is(p2.body.tasks.length, 1);
  t.is(p2.body.cursor, null);
  t.deepEqual([...p1.body.tasks, ...p2.body.tasks].map((x: { id: string }) => x.id).sort(), [...ids].sort());

  const five = await m.call('/api/v1/tasks?priority=5&state=queued');
  t.is(five.body.tasks.length, 2);
  const other = await m.call('/api/v1/tasks?queue=other');
  t.is(other.body.queue, 'other');
  t.is(other.body.tasks.length, 1);
  t.is((await m.call('/api/v1/tasks?state=succeeded')).body.tasks.length, 0);
});

test('GET /api/v1/tasks: bad filters are 400 naming the field', async (t) => {
  const m = await fx.make();
  await expect400(t, m, '/api/v1/tasks?state=nope', 'state');
  await expect400(t, m, '/api/v1/tasks?priority=11', 'priority');
  await expect400(t, m, '/api/v1/tasks?priority=high', 'priority');
  await expect400(t, m, '/api/v1/tasks?limit=0', 'limit');
  await expect400(t, m, '/api/v1/tasks?limit=1001', 'limit');
  await expect400(t, m, '/api/v1/tasks?cursor=zz', 'cursor');
  await expect400(t, m, '/api/v1/tasks?cursor=99:0', 'cursor');
  await expect400(t, m, '/api/v1/tasks?queue=a%20b', 'queue');
  await expect400(t, m, '/api/v1/tasks?sort=asc', 'sort');
  const r = await m.call('/api/v1/tasks?state=nope');
  t.regex(r.body.error.message, /queued/);
});

test('GET /api/v1/tasks/:id: the task with result, errors, parents and dependents; 404 when unknown', async (t) => {
  const m = await fx.make();
  const parent = (await m.client.submit({ type: 'echo', payload: { n: 1 } })).id;
  const child = (await m.client.submit({ type: 'echo', dependsOn: [parent] })).id;

  const c = await m.call(`/api/v1/tasks/${child}`);
  t.is(c.status, 200);
  t.is(c.body.task.id, child);
  t.is(c.body.task.state, 'pending');
  t.deepEqual(c.body.parents, [{ id: parent, state: 'queued' }]);
  t.deepEqual(c.body.dependents, []);
  t.deepEqual((await m.call(`/api/v1/tasks/${parent}`)).body.dependents, [child]);

  const run = await runNext(m);
  t.is(run.id, parent);
  await m
    .ops('w1')
    .complete('default', [
      { id: parent, attempt: run.attempt, result: { ok: 42 }, createdAt: run.createdAt },
    ]);
  const p = await m.call(`/api/v1/tasks/${parent}?queue=default`);
  t.is(p.body.task.state, 'succeeded');
  t.deepEqual(p.body.task.result, { ok: 42 });
  t.deepEqual(p.body.task.payload, { n: 1 });
  t.is(p.body.task.attempts, 1);
  t.is((await m.call(`/api/v1/tasks/${child}`)).body.parents[0].state, 'succeeded');

  const doomed = (await m.client.submit({ type: 'fail', maxRetries: 0 })).id;
  const d = await runNext(m);
  t.is(d.id, child); // released by its parent's success, it came first
  const e = await runNext(m);
  t.is(e.id, doomed);
  await m
    .ops('w1')
    .fail('default', [
      { id: doomed, attempt: e.attempt, message: 'boom', reason: 'handler_error', permanent: false },
    ]);
  const f = await m.call(`/api/v1/tasks/${doomed}`);
  t.is(f.body.task.state, 'failed');
  t.is(f.body.task.error.message, 'boom');
  t.is(f.body.task.errors.length, 1);

  const unknown = await m.call('/api/v1/tasks/nosuchtask');
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'not_found');
  t.is(unknown.body.error.field, 'id');
  t.is((await m.call(`/api/v1/tasks/${parent}?queue=other`)).status, 404);
  await expect400(t, m, '/api/v1/tasks/bad%7Bid%7D', 'id');
  await expect400(t, m, `/api/v1/tasks/${parent}?queue=a%20b`, 'queue');
});

test('POST /api/v1/tasks/:id/cancel: 200, then 409 once ended; 404 when unknown', async (t) => {
  const m = await fx.make();
  const id = (await m.client.submit({ type: 'echo' })).id;
  const r = await m.call(`/api/v1/tasks/${id}/cancel`, { body: { reason: 'operator said so' } });
  t.is(r.status, 200);
  t.is(r.body.id, id);
  t.is(r.body.previousState, 'queued');
  t.is(r.body.worker, null);
  const task = await m.client.get(id);
  t.is(task.state, 'cancelled');
  t.is(task.reason, 'operator said so');

  const again = await m.call(`/api/v1/tasks/${id}/cancel`, { method: 'POST' });
  t.is(again.status, 409);
  t.is(again.body.error.code, 'invalid_state');

  const unknown = await m.call('/api/v1/tasks/nosuchtask/cancel', { method: 'POST' });
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'not_found');
  await expect400(t, m, `/api/v1/tasks/${id}/cancel`, 'reason', { reason: 7 });
  await expect400(t, m, `/api/v1/tasks/${id}/cancel`, 'force', { force: true });
});

test('POST /api/v1/tasks/:id/retry: 409 while running, 200 once failed, 404 when unknown', async (t) => {
  const m = await fx.make();
  const id = (await m.client.submit({ type: 'fail', maxRetries: 0 })).id;
  const run = await runNext(m);
  t.is(run.id, id);

  const running = await m.call(`/api/v1/tasks/${id}/retry`, { method: 'POST' });
  t.is(running.status, 409);
  t.is(running.body.error.code, 'invalid_state');
  t.is(running.body.error.field, 'id');
  t.regex(running.body.error.message, /running/);

  await m
    .ops('w1')
    .fail('default', [{ id, attempt: run.attempt, message: 'no', reason: 'handler_error', permanent: true }]);
  t.is((await m.client.get(id)).state, 'failed');
  const ok = await m.call(`/api/v1/tasks/${id}/retry?queue=default`, { method: 'POST' });
  t.is(ok.status, 200);
  t.is(ok.body.id, id);
  t.is(ok.body.state, 'queued');
  t.is((await m.client.get(id)).state, 'queued');

  const unknown = await m.call('/api/v1/tasks/nosuchtask/retry', { method: 'POST' });
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'not_found');
  await expect400(t, m, '/api/v1/tasks/bad%7Bid%7D/retry', 'id', {});
});
