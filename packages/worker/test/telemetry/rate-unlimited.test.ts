/**
 * telemetry.traceRateLimit 0 lifts the limit: a worker traces every task it
 * runs (here tasks stored without a trace context, more than the default
 * limit's burst of 100 at once).
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

const TASKS = 300;

test('a limit of 0 traces every task', async (t) => {
  const server = await RedisServer.start();
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const exporter = new Collector();
  let stop: (() => Promise<void>) | undefined;
  let worker: Worker | undefined;
  try {
    // Submitted before telemetry starts: stored with `trace: null`, decided by the worker.
    const ids = (
      await client.submitMany(Array.from({ length: TASKS }, (_, i) => ({ type: 'echo', payload: i })))
    ).map((r) => r.id);
    stop = await startTelemetry('dtps-test', { traces: true, traceRateLimit: 0, exporter });
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
    const attempts = new Set(
      exporter.spans
        .filter((s) => s.name === 'dtps.attempt')
        .map((s) => s.attributes['messaging.message.id']),
    );
    t.is(attempts.size, TASKS);
    t.is(exporter.spans.filter((s) => s.name === 'dtps.task').length, TASKS);
  } finally {
    await worker?.close();
    await client.close();
    await stop?.();
    for (const c of conns) c.disconnect();
    await server.stop();
  }
});
