/**
 * telemetry.traceSampleRatio keeps a share of the tasks' traces, whole: a
 * task's spans are all kept or all dropped, also for tasks stored without a
 * trace context (whose stand-in root and attempts are decided by trace id).
 */
import { Client, createRedis, type RedisClient, startTelemetry } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { Worker } from '../../src/index.js';

class Collector implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: { code: 0 }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

const EACH = 20;

test('a sample ratio keeps whole traces: all of a task or none of it', async (t) => {
  const server = await RedisServer.start();
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const exporter = new Collector();
  let stop: (() => Promise<void>) | undefined;
  let worker: Worker | undefined;
  const untraced: string[] = [];
  const traced: string[] = [];
  try {
    for (let i = 0; i < EACH; i++) untraced.push((await client.submit({ type: 'echo', payload: i })).id);
    stop = await startTelemetry('dtps-test', { traces: true, traceSampleRatio: 0.5, exporter });
    for (let i = 0; i < EACH; i++) traced.push((await client.submit({ type: 'echo', payload: i })).id);
    worker = new Worker({
      redis: conns[1]!,
      engine: { prefix },
      handlers: { echo: (p) => p },
      autoscale: { enabled: false },
    });
    await worker.start();
    for (const id of [...untraced, ...traced]) await client.wait(id, { timeoutMs: 20_000 });
  } finally {
    await worker?.close();
    await client.close();
    await stop?.();
    for (const c of conns) c.disconnect();
    await server.stop();
  }
  const namesOf = (id: string) =>
    exporter.spans
      .filter((s) => s.attributes['messaging.message.id'] === id)
      .map((s) => s.name)
      .sort()
      .join(',');
  for (const [ids, whole] of [
    [untraced, 'dtps.attempt,dtps.queue_wait,dtps.task'],
    [traced, 'dtps.attempt,dtps.queue_wait,dtps.submit'],
  ] as const) {
    const seen = ids.map(namesOf);
    for (const names of seen) t.true(names === '' || names === whole, names);
    const kept = seen.filter((n) => n !== '').length;
    t.true(kept > 0 && kept < EACH, `kept ${kept} of ${EACH}: some, not all`);
  }
});
