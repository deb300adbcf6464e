/**
 * Issue 21: what happens to a task outside its attempts is recorded in its
 * trace. The coordinator reads the queue's event stream and records each
 * expiry, cancel, retry, steal, recovery and release as a span under the
 * task's submit.
 */
import { Client, createRedis, expireDue, silentLogger, startTelemetry } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { TraceRecorder, traceKindOf } from '../../src/units/trace-recorder.js';

/** The part of the SDK's ReadableSpan read here (the SDK is a dependency of core, not of this package). */
interface ReadableSpan {
  name: string;
  attributes: Record<string, unknown>;
  spanContext(): { traceId: string; spanId: string };
  parentSpanContext?: { spanId: string };
}

/** A span exporter that keeps what it is given, also after shutdown. */
class Collector {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: { code: 0 }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

test('the transitions that make a span, and those the other spans already show', (t) => {
  const kind = (state: string, reason: string | null = null) => traceKindOf({ state, reason });
  t.is(kind('expired', 'deadline'), 'expire');
  t.is(kind('cancelled', 'dependency_failed'), 'cancel');
  t.is(kind('stolen', 'stolen_from:w1'), 'steal');
  t.is(kind('scheduled', 'retry'), 'retry');
  t.is(kind('queued', 'retry'), 'retry');
  t.is(kind('pending', 'operator_retry'), 'retry');
  t.is(kind('queued', 'worker_lost'), 'recover');
  t.is(kind('queued', 'released'), 'release');
  for (const plain of ['queued', 'running', 'reserved', 'succeeded', 'failed', 'progress'])
    t.is(kind(plain), undefined, plain);
});

test('an expiry and a cancel become spans under the task submit', async (t) => {
  const server = await RedisServer.start();
  const redis = createRedis(server.url);
  const exporter = new Collector();
  const stop = await startTelemetry('dtps-coordinator', {
    traces: true,
    exporter: exporter as unknown as NonNullable<Parameters<typeof startTelemetry>[1]['exporter']>,
  });
  const client = new Client({ redis, prefix: uniquePrefix() });
  try {
    const recorder = new TraceRecorder(client.ctx, silentLogger());
    await recorder.tick(); // the first pass: no queue yet; any queue that appears is read from its start
    const expiring = await client.submit({ type: 'noop', deadline: Date.now() + 30 });
    const cancelled = await client.submit({ type: 'noop' });
    await client.cancel(cancelled.id);
    await new Promise((resolve) => setTimeout(resolve, 60));
    t.is(await expireDue(client.ctx, expiring.queue), 1);
    t.is(await recorder.tick(), 2);
    t.is(await recorder.tick(), 0, 'each event once');
  } finally {
    await client.close();
    await stop();
    redis.disconnect();
    await server.stop();
  }
  const submits = new Map(
    exporter.spans
      .filter((s) => s.name === 'dtps.submit')
      .map((s) => [s.attributes['messaging.message.id'], s]),
  );
  for (const [name, reason] of [
    ['dtps.expire', 'deadline'],
    ['dtps.cancel', undefined],
  ] as const) {
    const span = exporter.spans.find((s) => s.name === name);
    t.truthy(span, name);
    const submit = submits.get(span!.attributes['messaging.message.id']);
    t.truthy(submit, `${name}: the submit of its task`);
    t.is(span!.spanContext().traceId, submit!.spanContext().traceId);
    t.is(span!.parentSpanContext?.spanId, submit!.spanContext().spanId);
    t.is(span!.attributes['messaging.operation.type'], 'settle');
    if (reason) t.is(span!.attributes['dtps.reason'], reason);
  }
});
