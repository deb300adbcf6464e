import test from 'ava';
import { ValidationError } from '../../src/index.js';
import { claim, useEngine } from './fixture.js';

const engine = useEngine(test);

test('list pages through a state with a cursor', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany(Array.from({ length: 25 }, (_, i) => ({ type: 'x', payload: i })));
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await e.client.list({ state: 'queued', limit: 10, ...(cursor ? { cursor } : {}) });
    seen.push(...page.tasks.map((x) => x.id));
    cursor = page.cursor ?? undefined;
    pages++;
  } while (cursor);
  t.is(pages, 3);
  t.deepEqual(
    seen,
    rs.map((r) => r.id),
  );
});

test('list filters by priority and walks all states without a state filter', async (t) => {
  const e = await engine.make();
  await e.client.submitMany([
    { type: 'a', priority: 3 },
    { type: 'b', priority: 7 },
    { type: 'c', priority: 7, delayMs: 1000 },
    { type: 'd', priority: 7 },
  ]);
  const seven = await e.client.list({ state: 'queued', priority: 7 });
  t.deepEqual(
    seven.tasks.map((x) => x.type),
    ['b', 'd'],
  );
  await claim(e.ops('w1'), 'default', { max: 2, start: 1 });
  const all = await e.client.list({ limit: 2 });
  t.deepEqual(
    all.tasks.map((x) => [x.type, x.state]),
    [
      ['b', 'running'],
      ['d', 'reserved'],
    ],
  );
  const rest = await e.client.list({ limit: 10, cursor: all.cursor! });
  t.deepEqual(
    rest.tasks.map((x) => [x.type, x.state]),
    [
      ['a', 'queued'],
      ['c', 'scheduled'],
    ],
  );
  t.is(rest.cursor, null);
  const onlySeven = await e.client.list({ priority: 7, limit: 10 });
  t.deepEqual(onlySeven.tasks.map((x) => x.type).sort(), ['b', 'c', 'd']);
});

test('list refuses bad options with the field named', async (t) => {
  const e = await engine.make();
  for (const [opts, field] of [
    [{ limit: 0 }, 'limit'],
    [{ state: 'done' }, 'state'],
    [{ priority: 11 }, 'priority'],
    [{ cursor: 'x' }, 'cursor'],
  ] as const) {
    const err = await t.throwsAsync(e.client.list(opts as never), { instanceOf: ValidationError });
    t.is(err?.field, field);
  }
});

test('counts and queues cover every queue used', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'x', queue: 'emails' });
  await e.client.submit({ type: 'x' });
  t.deepEqual(await e.client.queues(), ['default', 'emails']);
  t.like(await e.client.counts('emails'), { queued: 1 });
  const found = await e.client.list({ queue: 'emails' });
  t.is(found.tasks.length, 1);
  // get finds a task in any known queue.
  t.is((await e.client.get(found.tasks[0]!.id)).queue, 'emails');
});
