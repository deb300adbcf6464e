/**
 * OpenTelemetry metrics from a real `dtps-worker` process, pushed by OTLP/HTTP
 * to a receiver in this test, which decodes each export (OTLP JSON): the
 * counters' totals equal the tasks the test ran, the histograms counted every
 * attempt, and `service.name` says the role.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniquePrefix, useRedisServer, waitFor } from '@dtps/core/testing';
import test from 'ava';
import { scope } from '../process/fixture.js';
import { startWorker, stopAll, type WorkerProcess } from '../process/spawn-worker.js';

const redis = useRedisServer(test);
const workers: WorkerProcess[] = [];
test.after.always(() => stopAll(workers));

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number };
type Attr = { key: string; value: AnyValue };
interface Point {
  attributes?: Attr[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
}
interface Metric {
  name: string;
  sum?: { dataPoints: Point[] };
  gauge?: { dataPoints: Point[] };
  histogram?: { dataPoints: Point[] };
}
interface Export {
  resourceMetrics: { resource: { attributes: Attr[] }; scopeMetrics: { metrics: Metric[] }[] }[];
}

/** An OTLP/HTTP metrics receiver: keeps every decoded export sent to /v1/metrics. */
async function receiver(): Promise<{ server: Server; url: string; exports: Export[] }> {
  const exports: Export[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics' && String(req.headers['content-type']).includes('json'))
        exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Export);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

const num = (v: number | string | undefined) => Number(v ?? 0);
const queueOf = (p: Point) => p.attributes?.find((a) => a.key === 'queue')?.value.stringValue;

/** The latest value of each counter for queue `default`, and each histogram's count, in one export. */
function read(e: Export): {
  counters: Record<string, number>;
  histograms: Record<string, number>;
  service?: string;
} {
  const counters: Record<string, number> = {};
  const histograms: Record<string, number> = {};
  let service: string | undefined;
  for (const rm of e.resourceMetrics) {
    service = rm.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        for (const p of m.sum?.dataPoints ?? [])
          if (queueOf(p) === 'default') counters[m.name] = num(p.asInt ?? p.asDouble);
        for (const p of m.histogram?.dataPoints ?? [])
          if (queueOf(p) === 'default') histograms[m.name] = num(p.count);
      }
    }
  }
  return { counters, histograms, ...(service ? { service } : {}) };
}

test('a worker process pushes its counters by OTLP; their totals equal the tasks run', async (t) => {
  const otlp = await receiver();
  const prefix = uniquePrefix();
  const s = scope(redis.server, prefix);
  try {
    const worker = await startWorker({
      redisUrl: redis.server.url,
      prefix,
      id: `metrics-${prefix}`,
      env: {
        DTPS_TELEMETRY_METRICS: 'true',
        DTPS_TELEMETRY_OTLP_ENDPOINT: otlp.url,
        OTEL_METRIC_EXPORT_INTERVAL: '300',
      },
    });
    workers.push(worker);
    const OK = 30;
    const FLAKY = 5; // one failed attempt, retried, then success
    const FAIL = 4; // a permanent failure: no retry
    const specs = [
      ...Array.from({ length: OK }, () => ({ type: 'noop' })),
      ...Array.from({ length: FLAKY }, () => ({
        type: 'flaky',
        payload: { failTimes: 1 },
        backoff: { baseMs: 10, maxMs: 10 },
      })),
      ...Array.from({ length: FAIL }, () => ({ type: 'fail', payload: { permanent: true } })),
    ];
    const results = await s.client.submitMany(specs);
    for (const r of results) await s.client.wait(r.id, { timeoutMs: 30_000 });

    const expected = {
      'dtps.tasks.started': OK + 2 * FLAKY + FAIL,
      'dtps.tasks.succeeded': OK + FLAKY,
      'dtps.tasks.retried': FLAKY,
      'dtps.tasks.failed': FAIL,
    };
    let last: ReturnType<typeof read> | undefined;
    await waitFor(
      () => {
        const latest = otlp.exports.at(-1);
        if (!latest) return false;
        last = read(latest);
        return Object.entries(expected).every(([k, v]) => last!.counters[k] === v);
      },
      { what: 'an export with every task counted', details: () => JSON.stringify(last) },
    );
    t.is(last!.service, 'dtps-worker');
    for (const [k, v] of Object.entries(expected)) t.is(last!.counters[k], v, k);
    t.is(last!.counters['dtps.tasks.fenced'] ?? 0, 0);
    // One run time per attempt; one queue wait per task (its first attempt).
    t.is(last!.histograms['dtps.task.run.seconds'], OK + 2 * FLAKY + FAIL);
    t.is(last!.histograms['dtps.task.queue_wait.seconds'], OK + FLAKY + FAIL);
    // Gauges of the worker's pool, labelled with its id.
    const names = otlp.exports
      .at(-1)!
      .resourceMetrics.flatMap((rm) =>
        rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.gauge).map((m) => m.name)),
      );
    t.true(names.includes('dtps.worker.pool_size') && names.includes('dtps.worker.busy_slots'), names.join());
  } finally {
    await s.close();
    otlp.server.close();
  }
});
