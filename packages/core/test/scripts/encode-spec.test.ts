/**
 * encodeSpec writes the stored spec (`d`) as a string, field by field, and
 * gives the last one again for tasks that store the same head only. What it
 * writes must be exactly the JSON of the short spec object the Lua scripts
 * and decodeTask read: checked here against `JSON.stringify` of that object,
 * for specs with any mix of fields.
 */
import test from 'ava';
import fc from 'fast-check';
import { decodeTask, encodeSpec } from '../../src/task/codec.js';
import type { BackoffPolicy, NormalizedSpec } from '../../src/task/types.js';
import { DEFAULT_BACKOFF } from '../../src/task/validate.js';
import { normalizedSpec } from './normalized-spec.js';

/** The short spec as an object, then JSON.stringify: the form encodeSpec must produce. */
function reference(s: NormalizedSpec): string {
  const d: Record<string, unknown> = { t: s.type, c: s.createdAt, p: s.priority, r: s.maxRetries };
  const b = s.backoff;
  const isDefault =
    b.type === DEFAULT_BACKOFF.type &&
    b.baseMs === DEFAULT_BACKOFF.baseMs &&
    b.maxMs === DEFAULT_BACKOFF.maxMs &&
    b.jitter === DEFAULT_BACKOFF.jitter;
  if (!isDefault) d.b = b;
  if (s.timeoutMs !== null) d.to = s.timeoutMs;
  if (s.deadline !== null) d.dl = s.deadline;
  if (s.dependsOn.length > 0) d.dp = s.dependsOn;
  if (s.runAt !== null) d.ra = s.runAt;
  if (s.idempotencyKey !== null) d.ik = s.idempotencyKey;
  if (s.trace !== null) d.tr = s.trace;
  if (s.group !== null) d.g = s.group;
  return JSON.stringify(d);
}

const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const backoff: fc.Arbitrary<BackoffPolicy> = fc.oneof(
  fc.constant(DEFAULT_BACKOFF),
  fc.record({
    type: fc.constantFrom('exponential' as const, 'fixed' as const),
    baseMs: fc.integer({ min: 0, max: 86_400_000 }),
    maxMs: fc.integer({ min: 0, max: 604_800_000 }),
    jitter: fc.boolean(),
  }),
);
const spec: fc.Arbitrary<NormalizedSpec> = fc.record({
  id: fc.constant('id'),
  queue: fc.constant('q'),
  type: fc.oneof(fc.constantFrom('noop', 'resize'), fc.string({ minLength: 1, maxLength: 20 })),
  payloadJson: fc.constant('null'),
  priority: fc.integer({ min: 1, max: 10 }),
  maxRetries: fc.integer({ min: 0, max: 100 }),
  backoff,
  timeoutMs: fc.option(fc.integer({ min: 1, max: 2_147_483_647 })),
  deadline: fc.option(time),
  dependsOn: fc.array(fc.stringMatching(/^[a-z0-9]{1,20}$/), { maxLength: 3 }),
  runAt: fc.option(time),
  idempotencyKey: fc.option(fc.string({ minLength: 1, maxLength: 30 })),
  dedupTtlMs: fc.constant(null),
  debounce: fc.constant(null),
  group: fc.option(fc.stringMatching(/^[A-Za-z0-9_.:@-]{1,20}$/)),
  trace: fc.option(fc.dictionary(fc.constantFrom('traceparent', 'tracestate'), fc.string())),
  // Few times, so that consecutive specs often share their millisecond.
  createdAt: fc.integer({ min: 1_765_000_000_000, max: 1_765_000_000_003 }),
});

test('encodeSpec writes exactly the JSON of the short spec, whatever fields a spec has', (t) => {
  fc.assert(
    fc.property(fc.array(spec, { minLength: 1, maxLength: 8 }), (specs) =>
      specs.every((s) => encodeSpec(s) === reference(s)),
    ),
    { numRuns: 2000 },
  );
  t.pass();
});

test('consecutive plain specs of one millisecond store the same spec; a change of any head field shows', (t) => {
  const plain = normalizedSpec('a', {
    queue: 'q',
    type: 'noop',
    payloadJson: '{}',
    priority: 1,
    createdAt: 1_765_000_000_000,
  });
  t.is(encodeSpec(plain), '{"t":"noop","c":1765000000000,"p":1,"r":3}');
  t.is(encodeSpec({ ...plain, id: 'b' }), '{"t":"noop","c":1765000000000,"p":1,"r":3}');
  t.is(encodeSpec({ ...plain, priority: 2 }), '{"t":"noop","c":1765000000000,"p":2,"r":3}');
  t.is(encodeSpec({ ...plain, maxRetries: 0 }), '{"t":"noop","c":1765000000000,"p":1,"r":0}');
  t.is(encodeSpec({ ...plain, type: 'other' }), '{"t":"other","c":1765000000000,"p":1,"r":3}');
  t.is(encodeSpec({ ...plain, createdAt: 1_765_000_000_001 }), '{"t":"noop","c":1765000000001,"p":1,"r":3}');
  const task = decodeTask('a', 'q', { d: encodeSpec(plain), pl: '{}', s: 'queued', a: '0' });
  t.like(task, { type: 'noop', priority: 1, maxRetries: 3, createdAt: 1_765_000_000_000 });
});
