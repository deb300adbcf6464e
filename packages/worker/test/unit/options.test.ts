import type { RedisClient } from '@dtps/core';
import { ValidationError } from '@dtps/core';
import test from 'ava';
import { resolveOptions, type WorkerOptions } from '../../src/options.js';
import { Worker } from '../../src/worker.js';

const redis = {} as RedisClient;
const base: WorkerOptions = { redis, handlers: { noop: () => null } };

test('defaults', (t) => {
  t.deepEqual(resolveOptions(base), {
    queues: ['default'],
    order: { strict: true, queues: [{ name: 'default', weight: 1 }] },
    size: 5,
    min: 1,
    max: 10,
    steal: false,
    prefetch: null,
    isolation: 'inline',
    heartbeatMs: 1000,
    graceMs: 30_000,
    autoscale: { enabled: true, intervalMs: 1000, cooldownMs: 10_000, holdMs: 30_000 },
    idleBlockMs: 5000,
  });
});

test('defaults follow the bounds that are given', (t) => {
  t.like(resolveOptions({ ...base, pool: { max: 3 } }), { size: 3, min: 1, max: 3 });
  t.like(resolveOptions({ ...base, pool: { min: 20 } }), { size: 20, min: 20, max: 20 });
  t.like(resolveOptions({ ...base, pool: { min: 0, size: 0 } }), { size: 0, min: 0, max: 10 });
});

test('given values are kept', (t) => {
  t.deepEqual(
    resolveOptions({
      ...base,
      queues: ['a', 'b'],
      pool: { size: 2, min: 1, max: 4 },
      steal: true,
      prefetch: 0,
      isolation: 'thread',
      handlersModule: './x.mjs',
      heartbeatMs: 200,
      graceMs: 0,
      autoscale: { enabled: false, intervalMs: 100, cooldownMs: 0, holdMs: 500 },
      idleBlockMs: 10,
    }),
    {
      queues: ['a', 'b'],
      order: {
        strict: true,
        queues: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1 },
        ],
      },
      size: 2,
      min: 1,
      max: 4,
      steal: true,
      prefetch: 0,
      isolation: 'thread',
      heartbeatMs: 200,
      graceMs: 0,
      autoscale: { enabled: false, intervalMs: 100, cooldownMs: 0, holdMs: 500 },
      idleBlockMs: 10,
    },
  );
});

const bad: [string, Partial<WorkerOptions> & Record<string, unknown>, string][] = [
  ['pool.min negative', { pool: { min: -1 } }, 'pool.min'],
  ['pool.min fractional', { pool: { min: 1.5 } }, 'pool.min'],
  ['pool.min a string', { pool: { min: '2' as unknown as number } }, 'pool.min'],
  ['pool.max zero', { pool: { max: 0 } }, 'pool.max'],
  ['pool.max NaN', { pool: { max: Number.NaN } }, 'pool.max'],
  ['pool.min above pool.max', { pool: { min: 5, max: 3 } }, 'pool.min'],
  ['pool.size negative', { pool: { size: -1 } }, 'pool.size'],
  ['pool.size above max', { pool: { size: 11 } }, 'pool.size'],
  ['pool.size below min', { pool: { size: 1, min: 2, max: 4 } }, 'pool.size'],
  ['no queue', { queues: [] }, 'queues'],
  ['isolation unknown', { isolation: 'process' as 'thread' }, 'isolation'],
  ['thread without a module', { isolation: 'thread' }, 'handlersModule'],
  ['no handlers at all', { handlers: undefined }, 'handlers'],
  ['prefetch negative', { prefetch: -1 }, 'prefetch'],
  ['prefetch fractional', { prefetch: 0.5 }, 'prefetch'],
  ['heartbeatMs too small', { heartbeatMs: 5 }, 'heartbeatMs'],
  ['graceMs negative', { graceMs: -1 }, 'graceMs'],
  ['autoscale.intervalMs too small', { autoscale: { intervalMs: 0 } }, 'autoscale.intervalMs'],
  ['autoscale.cooldownMs negative', { autoscale: { cooldownMs: -1 } }, 'autoscale.cooldownMs'],
  ['autoscale.holdMs negative', { autoscale: { holdMs: -1 } }, 'autoscale.holdMs'],
  ['idleBlockMs too small', { idleBlockMs: 1 }, 'idleBlockMs'],
];

for (const [title, over, field] of bad) {
  test(`ValidationError: ${title} → ${field}`, (t) => {
    const err = t.throws(() => resolveOptions({ ...base, ...over } as WorkerOptions), {
      instanceOf: ValidationError,
    });
    t.is(err?.field, field);
    t.is(err?.code, 'invalid_argument');
    t.true(err!.message.startsWith(`${field}: `), err?.message);
  });
}

test('the Worker constructor refuses bad options before touching Redis', (t) => {
  const err = t.throws(() => new Worker({ ...base, pool: { size: 99 } }), { instanceOf: ValidationError });
  t.is(err?.field, 'pool.size');
});

// Regression: resolveOptions does not check queue names against QUEUE_NAME_PATTERN; a
// name with a brace breaks the `{dtps:<queue>}` hash tag (invariant 8) and is
// accepted silently (invariant 10 asks for a ValidationError naming the field).
test('a queue name that is not a valid queue name is refused, naming queues', (t) => {
  const err = t.throws(() => resolveOptions({ ...base, queues: ['bad}name'] }), {
    instanceOf: ValidationError,
  });
  t.is(err?.field, 'queues');
});

// Regression (was a bug in minor): a bad worker id is refused by WorkerOps with field 'workerId',
// but the option (and the daemon's flag, --id) is called `id`.
test('a bad worker id is refused naming the option, id', (t) => {
  const err = t.throws(() => new Worker({ ...base, id: 'has space' }), { instanceOf: ValidationError });
  t.is(err?.field, 'id');
});

test('queue weights: NAME:WEIGHT or {name, weight} make a weighted list, in the order given', (t) => {
  const o = resolveOptions({ ...base, queues: ['critical:6', { name: 'default', weight: 3 }, 'low:1'] });
  t.deepEqual(o.queues, ['critical', 'default', 'low']);
  t.deepEqual(o.order, {
    strict: false,
    queues: [
      { name: 'critical', weight: 6 },
      { name: 'default', weight: 3 },
      { name: 'low', weight: 1 },
    ],
  });
  // A queue name may hold ':' itself: only a trailing :DIGITS is a weight.
  t.deepEqual(resolveOptions({ ...base, queues: ['jobs:eu:2', 'jobs:5:1'] }).queues, ['jobs:eu', 'jobs:5']);
});

test('strict with weights orders by weight, heaviest first (ties keep their order)', (t) => {
  const o = resolveOptions({ ...base, strict: true, queues: ['low:1', 'critical:6', 'a:3', 'b:3'] });
  t.true(o.order.strict);
  t.deepEqual(o.queues, ['critical', 'a', 'b', 'low']);
  t.true(resolveOptions({ ...base, strict: true, queues: ['x', 'y'] }).order.strict);
});

for (const [title, queues, pattern] of [
  ['a weight of 0', ['a:0', 'b:1'], /weight of "a" must be an integer from 1 to 1000, got 0/],
  ['a weight over 1000', ['a:1001'], /from 1 to 1000/],
  ['a weight that is not an integer', [{ name: 'a', weight: 1.5 }], /got 1.5/],
  ['a list with and without weights', ['a:2', 'b'], /give every queue a weight or none \("b" has none/],
  ['a queue listed twice', ['a:2', 'a:1'], /"a" is listed twice/],
  ['a bad name before the weight', ['bad}name:3'], /not a queue name/],
] as const) {
  test(`${title} is refused, naming queues`, (t) => {
    const err = t.throws(() => resolveOptions({ ...base, queues: queues as never }), {
      instanceOf: ValidationError,
    });
    t.is(err?.field, 'queues');
    t.regex(err!.message, pattern);
  });
}
