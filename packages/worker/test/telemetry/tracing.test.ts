import { Client, createRedis, type RedisClient, startTelemetry } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { Worker } from '../../src/index.js';
import { SpanCollector as Collector } from './trace-scene.js';

test('one trace spans submit, queue wait and the attempt on the worker, through the stored context', async (t) => {
  const server = await RedisServer.start();
  const exporter = new Collector();
  const stop = await startTelemetry('dtps-test', { traces: true, exporter });
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const worker = new Worker({
    redis: conns[1]!,
    engine: { prefix },
    handlers: { echo: (p) => p },
    autoscale: { enabled: false },
  });
  try {
    await worker.start();
    const r = await client.submit({ type: 'echo', payload: 1 });
    t.is((await client.wait(r.id, { timeoutMs: 10_000 })).state, 'succeeded');
    t.truthy((await client.get(r.id)).trace?.traceparent);
  } finally {
    await worker.close();
    await client.close();
    await stop(); // flushes the batch processor into the exporter
    for (const c of conns) c.disconnect();
    await server.stop();
  }
  const spans = exporter.spans;
  const byName = new Map(spans.map((s) => [s.name, s]));
  const submit = byName.get('dtps.submit');
  const wait = byName.get('dtps.queue_wait');
  const attempt = byName.get('dtps.attempt');
  t.truthy(submit && wait && attempt, spans.map((s) => s.name).join(','));
  const traceId = submit!.spanContext().traceId;
  t.is(wait!.spanContext().traceId, traceId);
  t.is(attempt!.spanContext().traceId, traceId);
  t.is(attempt!.parentSpanContext?.spanId, submit!.spanContext().spanId);
  t.is(attempt!.attributes['dtps.task.attempt'], 1);
});
