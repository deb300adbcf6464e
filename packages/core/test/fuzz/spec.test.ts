/**
 * Fuzzing of task specs through the Client's submit validation, on a real
 * Redis: a spec is accepted, or refused with a typed DtpsError (a stable
 * code; the field at fault) — never another exception.
 */
import test from 'ava';
import fc from 'fast-check';
import { DtpsError, type TaskSpec } from '../../src/index.js';
import { handlerOutputs } from '../../src/testing/index.js';
import { useEngine } from '../engine/fixture.js';

const engine = useEngine(test);
const { handlerOutput } = handlerOutputs(fc);

/** Each spec field: usually a plausible value, often a wrong one. */
const odd = fc.oneof(handlerOutput, fc.constant(undefined));
const spec = fc.record(
  {
    type: fc.oneof(fc.string(), odd),
    payload: fc.oneof(fc.jsonValue(), odd),
    queue: fc.oneof(fc.constantFrom('default', 'q-1', 'bad queue', '{x}', ''), odd),
    priority: fc.oneof(fc.integer({ min: -2, max: 12 }), odd),
    maxRetries: fc.oneof(fc.integer({ min: -1, max: 200 }), odd),
    backoff: fc.oneof(
      fc.record(
        {
          type: fc.constantFrom('exponential', 'fixed', 'linear'),
          baseMs: fc.integer(),
          maxMs: fc.integer(),
          jitter: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      odd,
    ),
    timeoutMs: fc.oneof(fc.integer(), odd),
    deadline: fc.oneof(
      fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
      fc.integer(),
      odd,
    ),
    dependsOn: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), odd),
    runAt: fc.oneof(fc.integer(), fc.date(), odd),
    delayMs: fc.oneof(fc.integer({ min: -5, max: 100_000 }), odd),
    idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), odd),
    ref: odd,
    extra: odd,
  },
  { requiredKeys: [] },
);

/** Runs `submit`; true when it resolved or threw a DtpsError with a code. */
async function typedOrOk(submit: () => Promise<unknown>): Promise<boolean> {
  try {
    await submit();
    return true;
  } catch (err) {
    if (err instanceof DtpsError && typeof err.code === 'string') return true;
    throw err;
  }
}

test('submit and submitMany: accepted, or a typed DtpsError, for any spec', async (t) => {
  const e = await engine.make();
  await fc.assert(
    fc.asyncProperty(spec, fc.array(spec, { maxLength: 4 }), async (one, many) => {
      const a = await typedOrOk(() => e.client.submit(one as TaskSpec));
      const b = await typedOrOk(() => e.client.submitMany(many as TaskSpec[]));
      return a && b;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a spec that is not an object at all is refused with a typed error', async (t) => {
  const e = await engine.make();
  await fc.assert(
    fc.asyncProperty(handlerOutput, async (v) => typedOrOk(() => e.client.submit(v as TaskSpec))),
    { numRuns: 200 },
  );
  t.pass();
});
