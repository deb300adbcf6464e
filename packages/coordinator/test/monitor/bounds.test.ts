/**
 * Issue 16, point 3: what one API request may cost is bounded — page size,
 * bytes of a page, bodies in lists (sizes only), the detail's bodies, heavy
 * requests at once — and reads survive a corrupt stored task.
 */
import test from 'ava';
import { toHttpError } from '../../src/monitor/errors.js';
import { HeavyGate } from '../../src/monitor/heavy.js';
import { LIMITS } from '../../src/monitor/limits.js';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('a list shows payload and result sizes, never the bodies; the detail fetches one, behind the token when one is set', async (t) => {
  const m = await fx.make({ token: 's3cret' });
  const payload = { blob: 'y'.repeat(200_000) };
  const { id } = await m.client.submit({ type: 'echo', payload });
  const list = await m.call('/api/v1/tasks', { auth: false });
  t.is(list.status, 200);
  const row = list.body.tasks[0];
  t.is(row.id, id);
  t.false('payload' in row);
  t.false('result' in row);
  t.is(row.payloadBytes, JSON.stringify(payload).length);
  t.is(row.resultBytes, 0);
  t.true(JSON.stringify(list.body).length < 2000);

  // One task's bodies may be private: with a token, even loopback reads of the detail need it.
  const anon = await m.call(`/api/v1/tasks/${id}`, { auth: false });
  t.is(anon.status, 401);
  t.is(anon.body.error.field, 'authorization');
  const detail = await m.call(`/api/v1/tasks/${id}`);
  t.is(detail.status, 200);
  t.deepEqual(detail.body.task.payload, payload);
  t.deepEqual(detail.body.omitted, []);
  t.is(detail.body.sizes.payload, JSON.stringify(payload).length);
});

test('a stored body larger than the monitor sends is left out of the detail and named', async (t) => {
  const m = await fx.make();
  const { id } = await m.client.submit({ type: 'echo', payload: { n: 1 } });
  // Only a foreign or corrupt write can store this: the engine refuses such a payload.
  const huge = JSON.stringify({ blob: 'z'.repeat(m.client.ctx.payloadMaxBytes + 10) });
  await m.redis.hset(m.client.ctx.keys('default').task(id), 'r', huge);
  const detail = await m.call(`/api/v1/tasks/${id}`);
  t.is(detail.status, 200);
  t.deepEqual(detail.body.omitted, ['result']);
  t.is(detail.body.task.result, null);
  t.is(detail.body.sizes.result, huge.length);
  t.deepEqual(detail.body.task.payload, { n: 1 });
});

test(`a page larger than ${LIMITS.listMaxLimit} is refused naming limit; the largest is served`, async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo' });
  const over = await m.call(`/api/v1/tasks?limit=${LIMITS.listMaxLimit + 1}`);
  t.is(over.status, 400);
  t.is(over.body.error.code, 'invalid_argument');
  t.is(over.body.error.field, 'limit');
  t.regex(over.body.error.message, new RegExp(`at most ${LIMITS.listMaxLimit}`));
  t.is((await m.call(`/api/v1/tasks?limit=${LIMITS.listMaxLimit}`)).status, 200);
});

test('a page stops at the byte budget with a cursor, and the pages together hold every task once', async (t) => {
  const m = await fx.make();
  const k = m.client.ctx.keys('default');
  const n = 400;
  const ids = (await m.client.submitMany(Array.from({ length: n }, () => ({ type: 'echo' })))).map(
    (r) => r.id,
  );
  // Last errors just under the size a row carries: 400 rows of them exceed the byte budget.
  const error = JSON.stringify({
    reason: 'handler_error',
    message: 'e'.repeat(LIMITS.listErrorMaxBytes - 100),
  });
  for (const id of ids) await m.redis.hset(k.task(id), 'e', error);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await m.call(
      `/api/v1/tasks?state=queued&limit=${LIMITS.listMaxLimit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.is(r.status, 200);
    t.true(JSON.stringify(r.body).length <= LIMITS.listMaxBytes + 1024);
    if (r.body.cursor) t.is(r.body.truncated, 'bytes');
    seen.push(...r.body.tasks.map((x: { id: string }) => x.id));
    cursor = r.body.cursor;
    pages += 1;
  } while (cursor && pages < 10);
  t.true(pages >= 2, `${pages} pages`);
  t.deepEqual([...seen].sort(), [...ids].sort());
});

test('a priority filter applies before paging: a page is not empty while matching tasks follow', async (t) => {
  const m = await fx.make();
  await m.client.submitMany(
    Array.from({ length: 150 }, () => ({ type: 'echo', priority: 1, delayMs: 60_000 })),
  );
  const nines = (
    await m.client.submitMany(
      Array.from({ length: 5 }, () => ({ type: 'echo', priority: 9, delayMs: 120_000 })),
    )
  ).map((r) => r.id);
  const first = await m.call('/api/v1/tasks?state=scheduled&priority=9&limit=3');
  t.is(first.status, 200);
  t.is(first.body.tasks.length, 3);
  t.truthy(first.body.cursor);
  const rest = await m.call(`/api/v1/tasks?state=scheduled&priority=9&limit=3&cursor=${first.body.cursor}`);
  t.is(rest.body.tasks.length, 2);
  t.deepEqual(
    [...first.body.tasks, ...rest.body.tasks].map((x: { id: string }) => x.id).sort(),
    [...nines].sort(),
  );
});

test('a corrupt stored task is listed as unreadable; the page is served', async (t) => {
  const m = await fx.make();
  const [a, b] = (await m.client.submitMany([{ type: 'echo' }, { type: 'echo' }])).map((r) => r.id);
  await m.redis.hset(m.client.ctx.keys('default').task(a!), 'd', '{not json');
  const r = await m.call('/api/v1/tasks');
  t.is(r.status, 200);
  const rows = new Map(r.body.tasks.map((x: { id: string }) => [x.id, x]));
  t.regex((rows.get(a) as { unreadable: string }).unreadable, /spec/);
  t.is((rows.get(b) as { type: string }).type, 'echo');
});

test('heavy requests beyond the gate get 429 with Retry-After, as a typed JSON error', async (t) => {
  const gate = new HeavyGate(1);
  let release!: () => void;
  const held = gate.run(() => new Promise<void>((r) => (release = r)));
  const err = await t.throwsAsync(gate.run(async () => 'never'));
  const http = toHttpError(err);
  t.is(http.status, 429);
  t.is(http.body.error.code, 'too_many_requests');
  t.is(http.headers['retry-after'], String(LIMITS.retryAfterS));
  release();
  await held;
  t.is(await gate.run(async () => 'served'), 'served');
  t.is(gate.active, 0);
});
