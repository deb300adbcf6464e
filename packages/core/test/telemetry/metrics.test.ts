/**
 * The metrics pipeline inside one process, through the SDK's own Prometheus
 * exporter (no server: its request handler is called directly): the
 * counters and gauges read the tallies, the histograms come out cumulative
 * with the `dtps_` names, and a value on a bound falls in that bound's bucket.
 */
import { PassThrough } from 'node:stream';
import {
  DURATION_BOUNDS_S,
  DurationHistogram,
  HistogramProducer,
  registerInstruments,
  Tallies,
} from '@dtps/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import test from 'ava';

/** What a scrape of the exporter would return. */
async function scrape(exporter: PrometheusExporter): Promise<string> {
  const body = new PassThrough();
  const chunks: Buffer[] = [];
  body.on('data', (c: Buffer) => chunks.push(c));
  const res = Object.assign(body, {
    statusCode: 200,
    setHeader() {},
  });
  const done = new Promise((r) => body.on('finish', r));
  // biome-ignore lint/suspicious/noExplicitAny: a minimal stand-in for ServerResponse
  exporter.getMetricsRequestHandler({} as any, res as any);
  await done;
  return Buffer.concat(chunks).toString('utf8');
}

test('counters, gauges and histograms from the tallies, in Prometheus names', async (t) => {
  const tallies = new Tallies();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [new HistogramProducer(tallies)],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'dtps-test' }),
    readers: [exporter],
  });
  registerInstruments(provider.getMeter('dtps'), tallies);
  const q = tallies.queue('emails');
  q.succeeded += 7;
  q.fenced += 1;
  q.queueWait.record(0.001); // on a bound: counted in that bucket (le="0.001")
  q.queueWait.record(0.2);
  q.runTime.record(1000); // beyond the last bound: +Inf only
  tallies.addGauges(() => ({
    poolSize: [{ value: 8, attributes: { worker: 'w1' } }],
    busySlots: [{ value: 3, attributes: { worker: 'w1' } }],
  }));
  const text = await scrape(exporter);
  await provider.shutdown();

  const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));
  t.regex(line('dtps_tasks_succeeded_total{')!, /queue="emails".* 7$/);
  t.regex(line('dtps_tasks_fenced_total{')!, / 1$/);
  t.is(line('dtps_tasks_failed_total{'), undefined, 'a counter still at zero is not reported');
  t.regex(line('dtps_worker_pool_size{')!, /worker="w1".* 8$/);
  t.regex(line('dtps_worker_busy_slots{')!, / 3$/);
  const bucket = (le: string) =>
    Number(
      line(`dtps_task_queue_wait_seconds_bucket{queue="emails",otel_scope_name="dtps",le="${le}"}`)?.split(
        ' ',
      )[1],
    );
  t.is(bucket('0.0005'), 0);
  t.is(bucket('0.001'), 1);
  t.is(bucket('0.25'), 2);
  t.is(bucket('+Inf'), 2);
  t.regex(line('dtps_task_queue_wait_seconds_sum{')!, / 0\.201$/);
  t.regex(line('dtps_task_run_seconds_count{')!, / 1$/);
});

test('a duration histogram counts each value once, in the first bucket whose bound it does not pass', (t) => {
  const h = new DurationHistogram();
  for (const b of DURATION_BOUNDS_S) h.record(b);
  h.record(1e9);
  t.deepEqual(h.counts, new Array(DURATION_BOUNDS_S.length + 1).fill(1));
  t.is(h.count, DURATION_BOUNDS_S.length + 1);
});
