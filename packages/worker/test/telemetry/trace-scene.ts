/**
 * What the worker's tracing tests share: a Redis of their own, a producer, a
 * worker, and spans collected in memory — set up, and torn down whatever the
 * test did.
 */
import { Client, createRedis, type RedisClient, startTelemetry, type TelemetryOptions } from '@dtps/core';
import { RedisServer, uniquePrefix } from '@dtps/core/testing';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type HandlerMap, Worker } from '../../src/index.js';

/** Keeps what it is given, also after shutdown (InMemorySpanExporter empties itself then). */
export class SpanCollector implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: { code: 0 }) => void): void {
    this.spans.push(...spans);
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** The names of a task's spans, sorted and joined by commas ('' when none was kept). */
export function spanNamesOf(spans: readonly ReadableSpan[], taskId: string): string {
  return spans
    .filter((s) => s.attributes['messaging.message.id'] === taskId)
    .map((s) => s.name)
    .sort()
    .join(',');
}

export interface TraceScene {
  client: Client;
  spans: SpanCollector;
  /** Starts tracing in this process, exporting to `spans` (stopped at the end if still on). */
  startTracing(opts?: Omit<TelemetryOptions, 'traces' | 'exporter'>, serviceName?: string): Promise<void>;
  /** Stops tracing and flushes what it held to `spans`. */
  stopTracing(): Promise<void>;
  /** Starts a worker on the scene's queue with these handlers (default: `echo`). */
  startWorker(handlers?: HandlerMap): Promise<Worker>;
}

/** Runs `body` in a scene of its own, and tears the scene down after it. */
export async function inTraceScene(body: (scene: TraceScene) => Promise<void>): Promise<void> {
  const server = await RedisServer.start();
  const conns: RedisClient[] = [createRedis(server.url), createRedis(server.url)];
  const prefix = uniquePrefix();
  const client = new Client({ redis: conns[0]!, prefix });
  const spans = new SpanCollector();
  let stop: (() => Promise<void>) | undefined;
  const workers: Worker[] = [];
  const scene: TraceScene = {
    client,
    spans,
    async startTracing(opts = {}, serviceName = 'dtps-test') {
      stop = await startTelemetry(serviceName, { ...opts, traces: true, exporter: spans });
    },
    async stopTracing() {
      const stopping = stop;
      stop = undefined;
      await stopping?.();
    },
    async startWorker(handlers: HandlerMap = { echo: (p) => p }) {
      const worker = new Worker({
        redis: conns[1]!,
        engine: { prefix },
        handlers,
        autoscale: { enabled: false },
      });
      workers.push(worker);
      await worker.start();
      return worker;
    },
  };
  try {
    await body(scene);
  } finally {
    for (const w of workers) await w.close();
    await client.close();
    await stop?.();
    for (const c of conns) c.disconnect();
    await server.stop();
  }
}
