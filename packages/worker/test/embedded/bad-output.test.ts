/**
 * Issue 16, points 1 and 2: a handler's output that cannot be stored fails
 * that task's attempt with a typed error (reason `unencodable_result`) where
 * it is made, inline and in pool threads; it never holds up the reports of
 * the other tasks finished alongside it.
 */
import type { Task } from '@dtps/core';
import { useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import handlers from './bad-output-handlers.js';
import { type Embedded, embed } from './harness.js';

const redis = useRedisServer(test);
const handlersModule = new URL('./bad-output-handlers.js', import.meta.url).href;

/** Waits for every task of `ids` to end (a generous bound: a jammed report never ends them). */
function settle(e: Embedded, ids: readonly string[]): Promise<Task[]> {
  return Promise.all(ids.map((id) => e.client.wait(id, { timeoutMs: 30_000 })));
}

test('the issue repro: 15 okay + 1 BigInt + 15 okay, three times, on 16 slots: every okay task succeeds, each big one fails with unencodable_result', async (t) => {
  const e = await embed(t, redis.server, {
    handlers,
    pool: { size: 16, min: 16, max: 16 },
    autoscale: { enabled: false },
  });
  const okay: string[] = [];
  const big: string[] = [];
  for (let round = 0; round < 3; round++) {
    const specs = [
      ...Array.from({ length: 15 }, (_, i) => ({ type: 'okay', payload: i })),
      { type: 'big' },
      ...Array.from({ length: 15 }, (_, i) => ({ type: 'okay', payload: 15 + i })),
    ];
    const submitted = await e.client.submitMany(specs);
    submitted.forEach((s, i) => {
      (specs[i]!.type === 'big' ? big : okay).push(s.id);
    });
  }
  const done = await settle(e, okay);
  t.true(
    done.every((x) => x.state === 'succeeded'),
    JSON.stringify(done.filter((x) => x.state !== 'succeeded').map((x) => [x.id, x.state])),
  );
  for (const task of await settle(e, big)) {
    t.is(task.state, 'failed');
    t.is(task.attempts, 1, 'not retried: no retry changes what the handler returns');
    t.is(task.error?.reason, 'unencodable_result');
    t.regex(task.error?.message ?? '', new RegExp(`task ${task.id} \\(type big\\).*BigInt at \\$\\.n`));
  }
});

/** Kinds of bad results and what the stored error must say. */
const BAD: [type: string, says: RegExp][] = [
  ['big', /BigInt/],
  ['circular', /cycle at \$\.self/],
  ['badJson', /toJSON.*toJSON refuses/],
  ['fn', /is a function/],
  ['sym', /is a symbol/],
  ['huge', /bytes of JSON; the limit is 16777216/],
];

for (const isolation of ['inline', 'thread'] as const) {
  test(`${isolation}: each result that cannot be stored fails its task with a reason naming it; good ones beside it succeed`, async (t) => {
    const e = await embed(t, redis.server, {
      ...(isolation === 'thread' ? { handlersModule, isolation } : { handlers }),
      pool: { size: 4, min: 4, max: 4 },
      autoscale: { enabled: false },
    });
    const specs = BAD.flatMap(([type]) => [{ type }, { type: 'okay', payload: type }]);
    const ids = (await e.client.submitMany([...specs, { type: 'nothing' }])).map((s) => s.id);
    const tasks = await settle(e, ids);
    BAD.forEach(([type, says], i) => {
      const bad = tasks[2 * i]!;
      t.like(bad, { state: 'failed', attempts: 1, error: { reason: 'unencodable_result' } }, type);
      t.regex(bad.error!.message, says, type);
      t.regex(bad.error!.message, new RegExp(`^task ${bad.id} \\(type ${type}\\)`), type);
      t.like(tasks[2 * i + 1], { state: 'succeeded', result: { ok: type } }, `the okay task beside ${type}`);
    });
    t.like(tasks.at(-1), { state: 'succeeded', result: null }, 'undefined is stored as null');
    t.is(tasks.filter((x) => x.unreadable !== undefined).length, 0, 'every stored value reads back');
  });
}

test('a function result fails its task, so its dependents are cancelled (dependency_failed), not run on a broken value', async (t) => {
  const e = await embed(t, redis.server, {
    handlers,
    pool: { size: 2, min: 2, max: 2 },
    autoscale: { enabled: false },
  });
  const parent = await e.client.submit({ type: 'fn' });
  const child = await e.client.submit({ type: 'okay', dependsOn: [parent.id] });
  t.like(await e.client.wait(parent.id, { timeoutMs: 30_000 }), {
    state: 'failed',
    error: { reason: 'unencodable_result' },
  });
  t.like(await e.client.wait(child.id, { timeoutMs: 30_000 }), {
    state: 'cancelled',
    reason: 'dependency_failed',
  });
  // The read paths that broke on the stored "": status and a page of the listing.
  t.is((await e.client.list({ state: 'failed' })).tasks.length, 1);
});

for (const isolation of ['inline', 'thread'] as const) {
  test(`${isolation}: progress is checked where the handler calls it (a typed error back to it); odd log lines are logged, not fatal`, async (t) => {
    const e = await embed(t, redis.server, {
      ...(isolation === 'thread' ? { handlersModule, isolation } : { handlers }),
      pool: { size: 1, min: 1, max: 1 },
      autoscale: { enabled: false },
    });
    const { id } = await e.client.submit({ type: 'hooks' });
    t.like(await e.client.wait(id, { timeoutMs: 30_000 }), { state: 'succeeded', result: 'checked' });
  });

  test(`${isolation}: a thrown value that throws on every look still fails the attempt (handler_error), not the worker`, async (t) => {
    const e = await embed(t, redis.server, {
      ...(isolation === 'thread' ? { handlersModule, isolation } : { handlers }),
      pool: { size: 1, min: 1, max: 1 },
      autoscale: { enabled: false },
    });
    const { id } = await e.client.submit({ type: 'nastyThrow', maxRetries: 0 });
    const ok = await e.client.submit({ type: 'okay', payload: 1 });
    t.like(await e.client.wait(id, { timeoutMs: 30_000 }), {
      state: 'failed',
      error: { reason: 'handler_error' },
    });
    t.like(await e.client.wait(ok.id, { timeoutMs: 30_000 }), { state: 'succeeded' });
  });
}
