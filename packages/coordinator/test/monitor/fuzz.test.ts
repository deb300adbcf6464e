/**
 * Issue 16, "Fuzzing (fast-check) of … HTTP bodies": bad bodies and query
 * strings against the real server always get a typed 4xx JSON error naming
 * the field, never a 5xx, and change nothing in Redis.
 */
import { TASK_SPEC_FIELDS } from '@dtps/core';
import test from 'ava';
import fc from 'fast-check';
import { LIMITS } from '../../src/monitor/limits.js';
import { type JsonBody, type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);
const RUNS = 150;

/** Every key of this monitor's prefix: what "nothing changed" compares. */
const keysOf = async (m: Monitor) => (await m.redis.keys(`*${m.prefix}*`)).sort();

/** A typed 4xx error body: `{error: {code, message, field?}}`. */
function assertTyped(status: number, body: JsonBody, what: string): void {
  if (status < 400 || status >= 500) throw new Error(`${what}: status ${status} ${JSON.stringify(body)}`);
  const e = body?.error;
  if (typeof e?.code !== 'string' || typeof e?.message !== 'string')
    throw new Error(`${what}: not a typed error body: ${JSON.stringify(body)}`);
}

const notInteger = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

type Case = [Record<string, unknown>, string];
const pair = (spec: Record<string, unknown>, field: string): Case => [spec, field];

/** A spec made invalid in one known field: [spec, the field the error must name]. */
const badSpec: fc.Arbitrary<Case> = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((k) => !TASK_SPEC_FIELDS.has(k) && !['__proto__', 'constructor', 'prototype'].includes(k))
    .map((k) => pair({ type: 'echo', [k]: 1 }, k)),
  notInteger.map((v) => pair({ type: 'echo', priority: v }, 'priority')),
  fc
    .integer()
    .filter((p) => p < 1 || p > 10)
    .map((p) => pair({ type: 'echo', priority: p }, 'priority')),
  notInteger.map((v) => pair({ type: 'echo', maxRetries: v }, 'maxRetries')),
  fc.integer({ max: -1 }).map((r) => pair({ type: 'echo', maxRetries: r }, 'maxRetries')),
  fc
    .oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(''),
      fc.array(fc.string(), { maxLength: 2 }),
    )
    .map((v) => pair({ type: v }, 'type')),
  fc.constant(pair({ payload: 1 }, 'type')),
  notInteger.map((v) => pair({ type: 'echo', delayMs: v }, 'delayMs')),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((q) => !/^[A-Za-z0-9_.:-]{1,64}$/.test(q))
    .map((q) => pair({ type: 'echo', queue: q }, 'queue')),
  notInteger.map((b) =>
    pair({ type: 'echo', backoff: { type: 'exponential', baseMs: b } }, 'backoff.baseMs'),
  ),
);

test('POST /api/v1/tasks: a spec wrong in one field is a 400 naming that field, and writes nothing', async (t) => {
  const m = await fx.make();
  const before = await keysOf(m);
  await fc.assert(
    fc.asyncProperty(badSpec, async ([spec, field]) => {
      const r = await m.call('/api/v1/tasks', { body: spec });
      assertTyped(r.status, r.body, JSON.stringify(spec));
      if (r.status !== 400 || r.body.error.field !== field) {
        throw new Error(
          `${JSON.stringify(spec)}: ${r.status} ${JSON.stringify(r.body)}, wanted 400 on ${field}`,
        );
      }
    }),
    { numRuns: RUNS },
  );
  t.deepEqual(await keysOf(m), before);
});

test('POST bodies that are not a spec (any JSON, any text) are typed 4xx naming the body, and write nothing', async (t) => {
  const m = await fx.make();
  const before = await keysOf(m);
  const notSpec = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.json({ maxDepth: 2 }).filter((j) => {
      const v = JSON.parse(j);
      return typeof v !== 'object' || v === null || Array.isArray(v) || typeof v.type !== 'string';
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      notSpec,
      fc.constantFrom('/api/v1/tasks', '/api/v1/workers/w1/scale', '/api/v1/workers/w1/steal'),
      async (raw, path) => {
        const r = await m.call(path, { body: raw, headers: { 'content-type': 'application/json' } });
        assertTyped(r.status, r.body, `${path} ${raw}`);
        if (r.status === 400 && typeof r.body.error.field !== 'string')
          throw new Error(`${path} ${raw}: 400 without a field: ${JSON.stringify(r.body)}`);
      },
    ),
    { numRuns: RUNS },
  );
  t.deepEqual(await keysOf(m), before);
});

test('GET /api/v1/tasks with any query string: 200, or a 400 naming the field; never 5xx', async (t) => {
  const m = await fx.make();
  await m.client.submitMany(Array.from({ length: 5 }, (_, i) => ({ type: 'echo', priority: 1 + i })));
  const before = await keysOf(m);
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -5, max: LIMITS.listMaxLimit * 3 }).map(String),
    fc.constantFrom('queued', 'running', 'nope', '0:0', '9:0', '1:99', 'default', '1e3', '-0', ' 5', ''),
  );
  const query = fc.dictionary(
    fc.oneof(fc.constantFrom('queue', 'state', 'priority', 'limit', 'cursor'), fc.string({ maxLength: 6 })),
    value,
    { maxKeys: 4 },
  );
  await fc.assert(
    fc.asyncProperty(query, fc.webQueryParameters(), async (params, raw) => {
      for (const qs of [new URLSearchParams(params).toString(), raw]) {
        const r = await m.call(`/api/v1/tasks?${qs}`);
        if (r.status === 200) continue;
        assertTyped(r.status, r.body, qs);
        if (r.status !== 400 || typeof r.body.error.field !== 'string' || r.body.error.field === '')
          throw new Error(`?${qs}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
    { numRuns: RUNS },
  );
  t.deepEqual(await keysOf(m), before);
});
