import test from 'ava';
import { Cluster, Redis } from 'ioredis';
import { Client, DependencyCycleError, UnknownDependencyError, ValidationError } from '../../src/index.js';
import { RedisCluster } from '../../src/testing/index.js';
import { claim, SCRIPTS, useEngine } from './fixture.js';

const engine = useEngine(test);

test('submit stores a queued task with every field of the spec', async (t) => {
  const e = await engine.make();
  const deadline = e.clock.now() + 60_000;
  const r = await e.client.submit({
    type: 'resize',
    payload: { w: 100 },
    priority: 7,
    maxRetries: 5,
    timeoutMs: 2000,
    deadline: new Date(deadline).toISOString(),
    backoff: { baseMs: 50, maxMs: 500 },
  });
  t.deepEqual(
    { state: r.state, queue: r.queue, duplicate: r.duplicate },
    { state: 'queued', queue: 'default', duplicate: false },
  );
  const task = await e.client.get(r.id);
  t.like(task, {
    id: r.id,
    type: 'resize',
    payload: { w: 100 },
    priority: 7,
    maxRetries: 5,
    timeoutMs: 2000,
    deadline,
    attempts: 0,
    state: 'queued',
    createdAt: e.clock.now(),
    startedAt: null,
    finishedAt: null,
  });
  t.deepEqual(task.backoff, { type: 'exponential', baseMs: 50, maxMs: 500, jitter: true });
});

test('a delayed task is scheduled; a task with unfinished dependencies is pending', async (t) => {
  const e = await engine.make();
  const later = await e.client.submit({ type: 'x', delayMs: 5000 });
  t.is(later.state, 'scheduled');
  t.is((await e.client.get(later.id)).runAt, e.clock.now() + 5000);
  const child = await e.client.submit({ type: 'x', dependsOn: [later.id] });
  t.is(child.state, 'pending');
  t.like(await e.client.counts(), { scheduled: 1, pending: 1, queued: 0 });
});

test('a runAt in the past means now', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'x', runAt: e.clock.now() - 1000 });
  t.is(r.state, 'queued');
});

test('an idempotency key returns the first task and writes nothing', async (t) => {
  const e = await engine.make();
  const first = await e.client.submit({ type: 'x', idempotencyKey: 'order-42' });
  const keysBefore = await e.keys();
  const before = await e.redis.xlen(e.client.ctx.keys('default').events);
  const again = await e.client.submit({ type: 'y', priority: 9, idempotencyKey: 'order-42' });
  t.deepEqual(again, { id: first.id, queue: 'default', state: 'queued', duplicate: true });
  t.deepEqual(await e.keys(), keysBefore);
  t.is(await e.redis.xlen(e.client.ctx.keys('default').events), before);
  t.is((await e.client.counts()).queued, 1);
  // The same key twice in one tick: one task.
  const [a, b] = await Promise.all([
    e.client.submit({ type: 'x', idempotencyKey: 'k2' }),
    e.client.submit({ type: 'x', idempotencyKey: 'k2' }),
  ]);
  t.is(a!.id, b!.id);
  t.true(b!.duplicate);
});

test('concurrent single submits all land, each with its own id', async (t) => {
  const e = await engine.make();
  const results = await Promise.all(
    Array.from({ length: 2500 }, (_, i) => e.client.submit({ type: 'x', payload: i })),
  );
  t.is(new Set(results.map((r) => r.id)).size, 2500);
  t.is((await e.client.counts()).queued, 2500);
});

test('a lone submit is sent at once; the submits made while it is on its way go together in one call', async (t) => {
  const e = await engine.make();
  await e.client.submit({ type: 'warm-up' }); // the scripts are loaded, the queue is known
  const redis = e.client.ctx.redis as unknown as {
    sendCommand(c: { name: string }, ...a: unknown[]): unknown;
  };
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (c, ...a) => {
    sent.push(c.name);
    return send(c, ...a);
  };
  const scriptCalls = () => sent.filter((n) => /^(fcall|evalsha|eval)$/.test(n)).length;
  const first = e.client.submit({ type: 'x', payload: 0 });
  t.is(scriptCalls(), 1, 'written before submit() returned, not a tick later');
  const others = Array.from({ length: 100 }, (_, i) => e.client.submit({ type: 'x', payload: i + 1 }));
  t.is(scriptCalls(), 1, 'the others wait for the end of the tick');
  const results = await Promise.all([first, ...others]);
  t.is(scriptCalls(), 2);
  t.is(new Set(results.map((r) => r.id)).size, 101);
  t.is((await e.client.counts()).queued, 102);
});

test('types and payloads beyond ASCII are stored as given, single and in bulk', async (t) => {
  const e = await engine.make();
  const text = 'é ü 漢字 😀 \u{10FFFF} "quoted" \\ back';
  const long = `${'x'.repeat(60)} ${text}`;
  const one = await e.client.submit({ type: 'übersetzen', payload: { text, long } });
  const many = await e.client.submitMany([
    { type: '処理', payload: [text] },
    { type: 'ascii', payload: long },
    { type: 'long-ascii', payload: 'y'.repeat(100) },
  ]);
  const read = await Promise.all([one, ...many].map((r) => e.client.get(r.id)));
  t.like(read[0], { type: 'übersetzen', payload: { text, long } });
  t.like(read[1], { type: '処理', payload: [text] });
  t.like(read[2], { type: 'ascii', payload: long });
  t.like(read[3], { type: 'long-ascii', payload: 'y'.repeat(100) });
});

test("a connection with auto-pipelining takes ioredis's own FCALL path, and submits land the same", async (t) => {
  const s = engine.server;
  const redis =
    s instanceof RedisCluster
      ? new Cluster(s.nodes, { scaleReads: 'master', enableAutoPipelining: true })
      : new Redis({ host: s.host, port: s.port, enableAutoPipelining: true });
  t.teardown(() => redis.disconnect());
  const client = new Client({ redis, prefix: `ap${Date.now()}`, scripts: SCRIPTS });
  t.teardown(() => client.close());
  const one = await client.submit({ type: 'x', payload: 'é' });
  const many = await client.submitMany(Array.from({ length: 300 }, (_, i) => ({ type: 'y', payload: i })));
  t.like(await client.get(one.id), { type: 'x', payload: 'é', state: 'queued' });
  t.like(await client.get(many[299]!.id), { type: 'y', payload: 299 });
  t.is((await client.counts()).queued, 301);
});

const invalid: [string, Record<string, unknown>, string][] = [
  ['missing type', {}, 'type'],
  ['empty type', { type: '' }, 'type'],
  ['type too long', { type: 'x'.repeat(129) }, 'type'],
  ['priority 0', { type: 'x', priority: 0 }, 'priority'],
  ['priority 11', { type: 'x', priority: 11 }, 'priority'],
  ['priority not an integer', { type: 'x', priority: 2.5 }, 'priority'],
  ['priority a string', { type: 'x', priority: '5' }, 'priority'],
  ['maxRetries negative', { type: 'x', maxRetries: -1 }, 'maxRetries'],
  ['maxRetries over 100', { type: 'x', maxRetries: 101 }, 'maxRetries'],
  ['timeoutMs 0', { type: 'x', timeoutMs: 0 }, 'timeoutMs'],
  ['deadline not RFC 3339', { type: 'x', deadline: 'tomorrow' }, 'deadline'],
  ['deadline in the past', { type: 'x', deadline: '2001-01-01T00:00:00Z' }, 'deadline'],
  ['delayMs negative', { type: 'x', delayMs: -5 }, 'delayMs'],
  ['runAt and delayMs', { type: 'x', delayMs: 5, runAt: Date.now() + 10 }, 'delayMs'],
  ['runAt garbage', { type: 'x', runAt: 'soon' }, 'runAt'],
  ['dependsOn not an array', { type: 'x', dependsOn: 'abc' }, 'dependsOn'],
  ['dependsOn with a bad id', { type: 'x', dependsOn: ['ok', 'has space'] }, 'dependsOn[1]'],
  ['queue with a brace', { type: 'x', queue: 'a{b}' }, 'queue'],
  ['empty idempotency key', { type: 'x', idempotencyKey: '' }, 'idempotencyKey'],
  ['backoff type', { type: 'x', backoff: { type: 'linear' } }, 'backoff.type'],
  ['backoff maxMs below baseMs', { type: 'x', backoff: { baseMs: 100, maxMs: 10 } }, 'backoff.maxMs'],
  ['unknown backoff field', { type: 'x', backoff: { factor: 3 } }, 'backoff.factor'],
  ['unknown field', { type: 'x', prio: 3 }, 'prio'],
  ['ref outside submitMany', { type: 'x', ref: 'a' }, 'ref'],
  ['payload not JSON', { type: 'x', payload: { n: 10n } }, 'payload'],
];

for (const [title, spec, field] of invalid) {
  test(`refused, nothing written: ${title}`, async (t) => {
    const e = await engine.make();
    const err = await t.throwsAsync(e.client.submit(spec as never), { instanceOf: ValidationError });
    t.is(err?.code, 'invalid_argument');
    t.is(err?.field, field);
    t.true(err!.message.startsWith(`${field}: `));
    t.deepEqual(await e.keys(), []);
  });
}

test('a payload over the limit is refused with its size', async (t) => {
  const e = await engine.make({ payloadMaxBytes: 1000 });
  const err = await t.throwsAsync(e.client.submit({ type: 'x', payload: 'é'.repeat(600) }), {
    instanceOf: ValidationError,
  });
  t.is(err?.field, 'payload');
  t.regex(err!.message, /1202 bytes.*limit is 1000/);
  t.deepEqual(await e.keys(), []);
  t.is((await e.client.submit({ type: 'x', payload: 'a'.repeat(900) })).state, 'queued');
});

test('an unknown dependency is refused and writes nothing; other submits of the tick still land', async (t) => {
  const e = await engine.make();
  const [bad, good] = await Promise.allSettled([
    e.client.submit({ type: 'x', dependsOn: ['nope'] }),
    e.client.submit({ type: 'x' }),
  ]);
  t.is(bad.status, 'rejected');
  const err = (bad as PromiseRejectedResult).reason as UnknownDependencyError;
  t.true(err instanceof UnknownDependencyError);
  t.is(err.code, 'unknown_dependency');
  t.is(err.field, 'dependsOn');
  t.is(err.dependencyId, 'nope');
  t.is(good.status, 'fulfilled');
  t.like(await e.client.counts(), { queued: 1, pending: 0 });
});

test('a dependency in another queue counts as unknown', async (t) => {
  const e = await engine.make();
  const other = await e.client.submit({ type: 'x', queue: 'other' });
  await t.throwsAsync(e.client.submit({ type: 'x', dependsOn: [other.id] }), {
    instanceOf: UnknownDependencyError,
  });
});

test('submitMany returns results in order and carries its own DAG by ref', async (t) => {
  const e = await engine.make();
  // Children listed before their parents: the batch is ordered for them.
  const rs = await e.client.submitMany([
    { type: 'report', ref: 'report', dependsOn: ['a', 'b'] },
    { type: 'fetch', ref: 'a' },
    { type: 'fetch', ref: 'b', dependsOn: ['a'] },
    { type: 'solo' },
  ]);
  t.deepEqual(
    rs.map((r) => r.state),
    ['pending', 'queued', 'pending', 'queued'],
  );
  const report = await e.client.get(rs[0]!.id);
  t.is(report.type, 'report');
  t.deepEqual([...report.dependsOn].sort(), [rs[1]!.id, rs[2]!.id].sort());
  t.deepEqual((await e.client.get(rs[2]!.id)).dependsOn, [rs[1]!.id]);
});

test('submitMany refuses a cycle and writes nothing', async (t) => {
  const e = await engine.make();
  const err = await t.throwsAsync(
    e.client.submitMany([
      { type: 'x', ref: 'a', dependsOn: ['c'] },
      { type: 'x', ref: 'b', dependsOn: ['a'] },
      { type: 'x', ref: 'c', dependsOn: ['b'] },
    ]),
    { instanceOf: DependencyCycleError },
  );
  t.is(err?.field, 'dependsOn');
  t.is(err?.code, 'dependency_cycle');
  t.is(err?.cycle.length, 4);
  t.deepEqual(await e.keys(), []);
  await t.throwsAsync(e.client.submitMany([{ type: 'x', ref: 'self', dependsOn: ['self'] }]), {
    instanceOf: DependencyCycleError,
  });
});

test('submitMany with one invalid spec writes nothing and names the spec', async (t) => {
  const e = await engine.make();
  const err = await t.throwsAsync(e.client.submitMany([{ type: 'ok' }, { type: 'ok', priority: 42 }]), {
    instanceOf: ValidationError,
  });
  t.is(err?.field, 'specs[1].priority');
  t.deepEqual(await e.keys(), []);
});

test('submitMany with dependencies is all or nothing when one dependency is unknown', async (t) => {
  const e = await engine.make();
  await t.throwsAsync(
    e.client.submitMany([
      { type: 'x', ref: 'a' },
      { type: 'x', dependsOn: ['a'] },
      { type: 'x', dependsOn: ['missing-id'] },
    ]),
    { instanceOf: UnknownDependencyError },
  );
  t.deepEqual(await e.keys(), []);
});

test('submitMany in bulk: 5,000 tasks in chunks', async (t) => {
  const e = await engine.make();
  const rs = await e.client.submitMany(
    Array.from({ length: 5000 }, (_, i) => ({ type: 'x', payload: { i } })),
  );
  t.is(rs.length, 5000);
  t.is((await e.client.counts()).queued, 5000);
  t.deepEqual((await e.client.get(rs[4321]!.id)).payload, { i: 4321 });
});

test('validate checks specs without touching Redis', async (t) => {
  const e = await engine.make();
  t.notThrows(() =>
    e.client.validate([
      { type: 'a', ref: 'a' },
      { type: 'b', dependsOn: ['a'] },
    ]),
  );
  const err = t.throws(() => e.client.validate([{ type: 'a' }, { type: 'b', priority: 0 }]), {
    instanceOf: ValidationError,
  });
  t.is(err?.field, 'specs[1].priority');
  t.throws(() => e.client.validate([{ type: 'a', ref: 'a', dependsOn: ['a'] }]), {
    instanceOf: DependencyCycleError,
  });
  t.deepEqual(await e.keys(), []);
});

test('plain and planned submits of one tick keep FIFO order within a priority', async (t) => {
  // Plain tasks take the fast script and the others submitTasks; the order of the calls keeps FIFO.
  const e = await engine.make();
  const specs = [
    { type: 'plain-1' },
    { type: 'keyed', idempotencyKey: 'k1' },
    { type: 'plain-2' },
    { type: 'timed', deadline: e.clock.now() + 60_000 },
    { type: 'plain-3' },
  ];
  const submitted = await Promise.all(specs.map((s) => e.client.submit(s)));
  t.deepEqual(
    submitted.map((r) => r.state),
    specs.map(() => 'queued'),
  );
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 10 });
  t.deepEqual(
    tasks.map((task) => task.type),
    specs.map((s) => s.type),
  );
});

test('a plain task is stored compactly: a listpack hash with a short spec', async (t) => {
  const e = await engine.make();
  const r = await e.client.submit({ type: 'thumbnail', payload: { w: 100 }, priority: 3 });
  const key = e.client.ctx.keys('default').task(r.id);
  t.is(await e.redis.call('OBJECT', 'ENCODING', key), 'listpack');
  const stored = await e.redis.hget(key, 'd');
  t.true(stored!.length <= 64, `d is ${stored!.length} bytes: ${stored}`);
  t.like(await e.client.get(r.id), {
    id: r.id,
    queue: 'default',
    type: 'thumbnail',
    priority: 3,
    maxRetries: 3,
    timeoutMs: null,
    deadline: null,
    dependsOn: [],
    idempotencyKey: null,
    trace: null,
  });
});

test('a task that never ran stores no attempt count: it reads as 0, and its first start is attempt 1', async (t) => {
  const e = await engine.make();
  const plain = await e.client.submit({ type: 'thumbnail', payload: { w: 1 } });
  // A deadline takes the planned path (submitTasks), which writes the same fields and the deadline.
  const [planned] = await e.client.submitMany([
    { type: 'thumbnail', payload: { w: 2 }, deadline: new Date(e.clock.now() + 60_000).toISOString() },
  ]);
  const keys = e.client.ctx.keys('default');
  t.deepEqual((await e.redis.hkeys(keys.task(plain.id))).sort(), ['d', 'p', 'pl', 's']);
  t.deepEqual((await e.redis.hkeys(keys.task(planned!.id))).sort(), ['d', 'dl', 'p', 'pl', 's']);
  for (const id of [plain.id, planned!.id]) t.is((await e.client.get(id)).attempts, 0);
  const { tasks } = await claim(e.ops('w1'), 'default', { max: 2, start: 2 });
  t.deepEqual(
    tasks.map((c) => [c.id, c.attempt]),
    [
      [plain.id, 1],
      [planned!.id, 1],
    ],
  );
  t.is(await e.redis.hget(keys.task(plain.id), 'a'), '1');
});
