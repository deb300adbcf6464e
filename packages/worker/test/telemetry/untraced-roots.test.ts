/**
 * Issue 21: with tracing on in the worker and tasks stored without a trace
 * context (their producer did not trace), each task is one trace with one
 * root — not a root per span (it was 9 traces for 4 tasks) — and a task's
 * later attempts land in the same trace; a timeout is an event on its attempt.
 */
import { taskTraceIds } from '@dtps/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { inTraceScene } from './trace-scene.js';

test('a worker tracing tasks without trace context starts one root per task', async (t) => {
  const ids: string[] = [];
  let collected: ReadableSpan[] = [];
  await inTraceScene(async ({ client, spans, startTracing, stopTracing, startWorker }) => {
    // Submitted before telemetry starts: stored with `trace: null`.
    for (const payload of [1, 2, 3]) ids.push((await client.submit({ type: 'echo', payload })).id);
    ids.push(
      (await client.submit({ type: 'flaky', maxRetries: 2, backoff: { type: 'fixed', baseMs: 10 } })).id,
    );
    const slow = (await client.submit({ type: 'slow', timeoutMs: 100, maxRetries: 0 })).id;
    ids.push(slow);
    for (const id of ids) t.is((await client.get(id)).trace, null);
    await startTracing({}, 'dtps-worker');
    const worker = await startWorker({
      echo: (p) => p,
      slow: (_p, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      flaky: (_p, ctx) => {
        if (ctx.task.attempt === 1) throw new Error('first attempt fails');
        return 'ok';
      },
    });
    for (const id of ids)
      t.is((await client.wait(id, { timeoutMs: 20_000 })).state, id === slow ? 'failed' : 'succeeded');
    await worker.close();
    await stopTracing();
    collected = spans.spans;
  });
  const traceIds = new Set(collected.map((s) => s.spanContext().traceId));
  t.is(traceIds.size, ids.length, 'one trace per task');
  for (const id of ids) {
    const expected = taskTraceIds(id);
    const spans = collected.filter((s) => s.attributes['messaging.message.id'] === id);
    t.true(
      spans.every((s) => s.spanContext().traceId === expected.traceId),
      `task ${id}: one trace`,
    );
    const roots = spans.filter((s) => s.parentSpanContext === undefined);
    t.deepEqual(
      roots.map((s) => [s.name, s.spanContext().spanId]),
      [['dtps.task', expected.spanId]],
      `task ${id}: one root`,
    );
    const children = spans.filter((s) => s !== roots[0]);
    t.true(children.length >= 2);
    for (const s of children) t.is(s.parentSpanContext?.spanId, expected.spanId, `${s.name} under the root`);
  }
  const timedOut = collected.find(
    (s) => s.attributes['messaging.message.id'] === ids[4] && s.name === 'dtps.attempt',
  );
  t.deepEqual(
    timedOut?.events.map((e) => e.name),
    ['dtps.timeout'],
    'a timeout is an event on its attempt',
  );
  t.is(timedOut?.attributes['dtps.failure.reason'], 'timeout');
  const flaky = collected.filter(
    (s) => s.attributes['messaging.message.id'] === ids[3] && s.name === 'dtps.attempt',
  );
  t.is(flaky.length, 2, 'both attempts of the retried task in its trace');
});
