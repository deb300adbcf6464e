/**
 * telemetry.traceRateLimit bounds the traces a process starts: a producer's
 * submits beyond the limit are stored unsampled, and the worker follows what
 * the producer decided — each task's trace whole or absent.
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

const TASKS = 40;
/** A burst of 2, then 2 a second: far fewer than the tasks submitted here in a second or two. */
const LIMIT = 2;

test('a producer starts at most the limit of traces; the worker traces those whole, and no other', async (t) => {
  const server = await RedisServer.start();
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const exporter = new Collector();
  let stop: (() => Promise<void>) | undefined;
  let worker: Worker | undefined;
  const ids: string[] = [];
  const started = Date.now();
  try {
    stop = await startTelemetry('dtps-test', { traces: true, traceRateLimit: LIMIT, exporter });
    for (let i = 0; i < TASKS; i++) ids.push((await client.submit({ type: 'echo', payload: i })).id);
    const elapsedS = (Date.now() - started) / 1000;
    const flags = await Promise.all(
      ids.map(async (id) => (await client.get(id)).trace?.traceparent?.slice(-2)),
    );
    t.true(
      flags.every((f) => f === '00' || f === '01'),
      'every submit stored its trace context',
    );
    const sampled = flags.filter((f) => f === '01').length;
    t.true(sampled >= 1 && sampled <= LIMIT + Math.ceil(elapsedS * LIMIT), `${sampled} traces started`);
    worker = new Worker({
      redis: conns[1]!,
      engine: { prefix },
      handlers: { echo: (p) => p },
      autoscale: { enabled: false },
    });
    await worker.start();
    for (const id of ids) await client.wait(id, { timeoutMs: 20_000 });
    await worker.close();
    await stop();
    stop = undefined;
    ids.forEach((id, i) => {
      const names = exporter.spans
        .filter((s) => s.attributes['messaging.message.id'] === id)
        .map((s) => s.name)
        .sort()
        .join(',');
      t.is(names, flags[i] === '01' ? 'dtps.attempt,dtps.queue_wait,dtps.submit' : '', id);
    });
  } finally {
    await worker?.close();
    await client.close();
    await stop?.();
    for (const c of conns) c.disconnect();
    await server.stop();
  }
});
