/**
 * Issue 21: with tracing on in the worker and tasks stored without a trace
 * context (their producer did not trace), each task is one trace with one
 * root — not a root per span (it was 9 traces for 4 tasks) — and a task's
 * later attempts land in the same trace; a timeout is an event on its attempt.
 */
import { Client, createRedis, type RedisClient, startTelemetry, taskTraceIds } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { Worker } from '../../src/index.js';

/** Keeps what it is given, also after shutdown. */
class Collector implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: { code: 0 }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

test('a worker tracing tasks without trace context starts one root per task', async (t) => {
  const server = await RedisServer.start();
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const exporter = new Collector();
  let stop: (() => Promise<void>) | undefined;
  const ids: string[] = [];
  let worker: Worker | undefined;
  try {
    // Submitted before telemetry starts: stored with `trace: null`.
    for (const payload of [1, 2, 3]) ids.push((await client.submit({ type: 'echo', payload })).id);
    ids.push(
      (await client.submit({ type: 'flaky', maxRetries: 2, backoff: { type: 'fixed', baseMs: 10 } })).id,
    );
    const slow = (await client.submit({ type: 'slow', timeoutMs: 100, maxRetries: 0 })).id;
    ids.push(slow);
    for (const id of ids) t.is((await client.get(id)).trace, null);
    stop = await startTelemetry('dtps-worker', { traces: true, exporter });
    worker = new Worker({
      redis: conns[1]!,
      engine: { prefix },
      handlers: {
        echo: (p) => p,
        slow: (_p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
        flaky: (_p, ctx) => {
          if (ctx.task.attempt === 1) throw new Error('first attempt fails');
          return 'ok';
        },
      },
      autoscale: { enabled: false },
    });
    await worker.start();
    for (const id of ids)
      t.is((await client.wait(id, { timeoutMs: 20_000 })).state, id === slow ? 'failed' : 'succeeded');
  } finally {
    await worker?.close();
    await client.close();
    await stop?.();
    for (const c of conns) c.disconnect();
    await server.stop();
  }
  const traceIds = new Set(exporter.spans.map((s) => s.spanContext().traceId));
  t.is(traceIds.size, ids.length, 'one trace per task');
  for (const id of ids) {
    const expected = taskTraceIds(id);
    const spans = exporter.spans.filter((s) => s.attributes['messaging.message.id'] === id);
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
  const timedOut = exporter.spans.find(
    (s) => s.attributes['messaging.message.id'] === ids[4] && s.name === 'dtps.attempt',
  );
  t.deepEqual(
    timedOut?.events.map((e) => e.name),
    ['dtps.timeout'],
    'a timeout is an event on its attempt',
  );
  t.is(timedOut?.attributes['dtps.failure.reason'], 'timeout');
  const flaky = exporter.spans.filter(
    (s) => s.attributes['messaging.message.id'] === ids[3] && s.name === 'dtps.attempt',
  );
  t.is(flaky.length, 2, 'both attempts of the retried task in its trace');
});
