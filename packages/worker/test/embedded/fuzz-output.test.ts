/**
 * Fuzzing (fast-check) of handler outputs through a real worker on a real
 * Redis: each run submits a batch of tasks whose handler returns a generated
 * value — JSON, odd JS values, BigInts, cycles, functions, symbols, throwing
 * getters and toJSON — and checks that every task ends terminal, the ones
 * whose value JSON can hold succeed with that value as JSON reads it back,
 * and the others fail with reason `unencodable_result`, whatever was beside them.
 */
import { RESULT_MAX_BYTES, type Task } from '@dtps/core';
import { expectedStorage, handlerOutputs, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import fc from 'fast-check';

const { handlerOutput } = handlerOutputs(fc);

import { embed } from './harness.js';

const redis = useRedisServer(test);

test('arbitrary handler outputs: good ones succeed as JSON reads them, bad ones fail with unencodable_result, none is stuck', async (t) => {
  let outputs: unknown[] = [];
  const e = await embed(t, redis.server, {
    handlers: { gen: (payload) => outputs[payload as number] },
    pool: { size: 8, min: 8, max: 8 },
    autoscale: { enabled: false },
  });
  await fc.assert(
    fc.asyncProperty(fc.array(handlerOutput, { minLength: 1, maxLength: 12 }), async (values) => {
      outputs = values;
      const ids = (
        await e.client.submitMany(values.map((_, i) => ({ type: 'gen', payload: i, maxRetries: 0 })))
      ).map((s) => s.id);
      const tasks: Task[] = await Promise.all(ids.map((id) => e.client.wait(id, { timeoutMs: 20_000 })));
      tasks.forEach((task, i) => {
        const expected = expectedStorage(values[i], RESULT_MAX_BYTES);
        if (expected === 'refused') {
          if (task.state !== 'failed' || task.error?.reason !== 'unencodable_result')
            throw new Error(`value ${i} should fail with unencodable_result: ${JSON.stringify(task)}`);
        } else if (
          task.state !== 'succeeded' ||
          JSON.stringify(task.result) !== JSON.stringify(JSON.parse(expected.json))
        ) {
          throw new Error(`value ${i} should succeed with ${expected.json}: ${JSON.stringify(task)}`);
        }
      });
      return true;
    }),
    { numRuns: 25 },
  );
  t.pass();
});
