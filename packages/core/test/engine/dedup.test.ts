/**
 * Dedup windows (an idempotency key's time to live) and debounce modes
 * (docs/dedup.md), on the engine's real scripts.
 */
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { Client, ManualClock, ValidationError } from '../../src/index.js';
import { RedisServer } from '../../src/testing/index.js';
import { CLUSTER, claim, type Engine, useEngine } from './fixture.js';

const engine = useEngine(test);

test('a key with a time to live holds until it lapses, then the next submit creates a new task', async (t) => {
  const e = await engine.make();
  const first = await e.client.submit({ type: 'x', payload: 1, idempotencyKey: 'k', dedupTtlMs: 1000 });
  e.clock.advance(999);
  const again = await e.client.submit({ type: 'x', payload: 2, idempotencyKey: 'k', dedupTtlMs: 1000 });
  t.deepEqual(again, { id: first.id, queue: 'default', state: 'queued', duplicate: true });
  e.clock.advance(1);
  const later = await e.client.submit({ type: 'x', payload: 3, idempotencyKey: 'k' });
  t.false(later.duplicate);
  t.not(later.id, first.id);
  // The first task stays (retention deletes it); the key now names the new one, for good (no TTL).
  t.is((await e.client.get(first.id)).payload, 1);
  e.clock.advance(10 * 365 * 86_400_000);
  t.is((await e.client.submit({ type: 'x', idempotencyKey: 'k' })).id, later.id);
});

test('without a time to live or a debounce mode a key holds whatever the task went through', async (t) => {
  const e = await engine.make();
  const ops = e.ops('w1');
  const first = await e.client.submit({ type: 'x', idempotencyKey: 'k' });
  await claim(ops, 'default', { max: 1, start: 1 });
  await ops.complete('default', [{ id: first.id, attempt: 1, result: null }]);
  e.clock.advance(86_400_000);
  const again = await e.client.submit({ type: 'x', idempotencyKey: 'k', payload: 'new' });
  t.deepEqual(again, { id: first.id, queue: 'default', state: 'succeeded', duplicate: true });
});

test('debounce replace: a waiting task takes the later payload; drop keeps the first', async (t) => {
  const e = await engine.make();
  const first = await e.client.submit({ type: 'x', payload: 'a', idempotencyKey: 'k', delayMs: 5000 });
  const replaced = await e.client.submit({
    type: 'x',
    payload: 'b',
    idempotencyKey: 'k',
    debounce: 'replace',
  });
  t.deepEqual(replaced, {
    id: first.id,
    queue: 'default',
    state: 'scheduled',
    duplicate: true,
    replaced: true,
  });
  const dropped = await e.client.submit({ type: 'x', payload: 'c', idempotencyKey: 'k', debounce: 'drop' });
  t.deepEqual(dropped, { id: first.id, queue: 'default', state: 'scheduled', duplicate: true });
  const task = await e.client.get(first.id);
  t.is(task.payload, 'b');
  t.is((await e.client.counts()).scheduled, 1);
  // A queued one (in the ready set) is replaced too, and a worker claims the new payload.
  const q = await e.client.submit({ type: 'x', payload: 1, idempotencyKey: 'q' });
  await e.client.submit({ type: 'x', payload: 2, idempotencyKey: 'q', debounce: 'replace' });
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 5 });
  t.deepEqual(
    tasks.map((c) => [c.id, c.payload]),
    [[q.id, 2]],
  );
});

/** Takes the first task through `stage`: reserved (claimed, not started), running, or ended. */
async function bring(
  t: ExecutionContext,
  e: Engine,
  id: string,
  stage: 'reserved' | 'running' | 'succeeded',
): Promise<void> {
  const ops = e.ops('w1');
  await claim(ops, 'default', { max: 1, start: stage === 'reserved' ? 0 : 1 });
  if (stage === 'succeeded') await ops.complete('default', [{ id, attempt: 1, result: null }]);
  t.is((await e.client.get(id)).state, stage);
}

for (const mode of ['replace', 'drop'] as const) {
  for (const stage of ['reserved', 'running', 'succeeded'] as const) {
    test(`debounce ${mode}: once the task is ${stage}, a new task takes the key`, async (t) => {
      const e = await engine.make();
      const first = await e.client.submit({ type: 'x', payload: 'a', idempotencyKey: 'k' });
      await bring(t, e, first.id, stage);
      const second = await e.client.submit({ type: 'x', payload: 'b', idempotencyKey: 'k', debounce: mode });
      t.false(second.duplicate);
      t.not(second.id, first.id);
      t.is(second.state, 'queued');
      t.is((await e.client.get(first.id)).payload, 'a');
      // The new task holds the key now: a third submit meets it waiting.
      const third = await e.client.submit({ type: 'x', payload: 'c', idempotencyKey: 'k', debounce: mode });
      t.is(third.id, second.id);
      t.is((await e.client.get(second.id)).payload, mode === 'replace' ? 'c' : 'b');
    });
  }
}

test('debounce with a time to live: a waiting task past it no longer holds the key', async (t) => {
  const e = await engine.make();
  const first = await e.client.submit({
    type: 'x',
    payload: 'a',
    idempotencyKey: 'k',
    dedupTtlMs: 100,
    delayMs: 60_000,
  });
  e.clock.advance(100);
  const second = await e.client.submit({ type: 'x', payload: 'b', idempotencyKey: 'k', debounce: 'replace' });
  t.false(second.duplicate);
  t.is((await e.client.get(first.id)).payload, 'a');
});

test('debounce replace in one batch: one task, with the last payload', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany([
    { type: 'x', payload: 1, idempotencyKey: 'k', debounce: 'replace' },
    { type: 'x', payload: 2, idempotencyKey: 'k', debounce: 'replace' },
    { type: 'x', payload: 3, idempotencyKey: 'k', debounce: 'replace' },
  ]);
  t.is(new Set(rs.map((r) => r.id)).size, 1);
  t.deepEqual(
    rs.map((r) => r.replaced ?? false),
    [false, true, true],
  );
  t.is((await e.client.get(rs[0]!.id)).payload, 3);
  t.is((await e.client.counts()).queued, 1);
});

test('an atomic batch that is refused replaces nothing', async (t) => {
  const e = await engine.make();
  const first = await e.client.submit({ type: 'x', payload: 'a', idempotencyKey: 'k' });
  await t.throwsAsync(
    e.client.submitMany([
      { type: 'x', payload: 'b', idempotencyKey: 'k', debounce: 'replace' },
      { type: 'x', ref: 'child', dependsOn: ['no-such-task'] },
      { type: 'x', ref: 'parent', dependsOn: ['child'] },
    ]),
  );
  t.is((await e.client.get(first.id)).payload, 'a');
});

const invalid: [string, Record<string, unknown>, string][] = [
  ['a time to live without a key', { type: 'x', dedupTtlMs: 1000 }, 'dedupTtlMs'],
  ['a time to live of 0', { type: 'x', idempotencyKey: 'k', dedupTtlMs: 0 }, 'dedupTtlMs'],
  ['a time to live not an integer', { type: 'x', idempotencyKey: 'k', dedupTtlMs: '1s' }, 'dedupTtlMs'],
  ['debounce without a key', { type: 'x', debounce: 'drop' }, 'debounce'],
  ['an unknown debounce mode', { type: 'x', idempotencyKey: 'k', debounce: 'merge' }, 'debounce'],
];

for (const [title, spec, field] of invalid) {
  test(`refused, nothing written: ${title}`, async (t) => {
    const e = await engine.make();
    const err = await t.throwsAsync(e.client.submit(spec as never), { instanceOf: ValidationError });
    t.is(err?.field, field);
    t.deepEqual(await e.keys(), []);
  });
}

// A restart of a single node; the Cluster run covers routing, not restarts.
(CLUSTER ? test.skip : test)('a dedup window survives a Redis kill -9 and restart (AOF)', async (t) => {
  const server = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
  const redis = new Redis({ port: server.port, maxRetriesPerRequest: null });
  redis.on('error', () => {});
  const clock = new ManualClock(Date.now());
  const client = new Client({ redis, clock });
  try {
    const first = await client.submit({ type: 'x', payload: 'a', idempotencyKey: 'k', dedupTtlMs: 60_000 });
    const waiting = await client.submit({ type: 'x', payload: 1, idempotencyKey: 'w', delayMs: 60_000 });
    await server.kill9();
    await server.restart();
    clock.advance(59_999);
    t.like(await client.submit({ type: 'x', idempotencyKey: 'k', dedupTtlMs: 60_000 }), {
      id: first.id,
      duplicate: true,
    });
    t.like(await client.submit({ type: 'x', payload: 2, idempotencyKey: 'w', debounce: 'replace' }), {
      id: waiting.id,
      replaced: true,
    });
    await server.kill9();
    await server.restart();
    t.is((await client.get(waiting.id)).payload, 2);
    clock.advance(1);
    const after = await client.submit({ type: 'x', idempotencyKey: 'k', dedupTtlMs: 60_000 });
    t.false(after.duplicate);
    t.not(after.id, first.id);
  } finally {
    await client.close();
    redis.disconnect();
    await server.stop();
  }
});
