// Types only: the metrics SDK is imported when metrics are on (see setup.ts).

import type { Meter } from '@opentelemetry/api';
import type {
  CollectionResult,
  HistogramMetricData,
  MetricProducer,
  PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { loadSdk } from './load.js';
import {
  DURATION_BOUNDS_S,
  type DurationHistogram,
  TASK_COUNTERS,
  type Tallies,
  tallies,
} from './tallies.js';

/** Metric settings (config `telemetry.metrics`, `worker.metricsPort`). */
export interface MetricsOptions {
  /** Push by OTLP/HTTP to `<otlpEndpoint>/v1/metrics`. */
  push: boolean;
  /** OTLP/HTTP base URL (default: the OTEL_EXPORTER_OTLP_* environment, else localhost:4318). */
  otlpEndpoint?: string;
  /** Serve Prometheus text on this port (`/metrics`). */
  port?: number;
  /** ...on this address (default 127.0.0.1). */
  host?: string;
  /** How often to push, ms (default: OTEL_METRIC_EXPORT_INTERVAL, else 10,000). */
  intervalMs?: number;
  /** For tests: push here instead of OTLP. */
  exporter?: PushMetricExporter;
}

const HELP: Record<(typeof TASK_COUNTERS)[number], string> = {
  submitted: 'Tasks accepted by submit in this process.',
  started: 'Attempts started on a slot of this process.',
  succeeded: 'Tasks this process completed, accepted by Redis.',
  failed: 'Tasks that ended failed on a report of this process.',
  retried: 'Failed attempts of this process followed by a retry.',
  expired: 'Tasks that ended expired on a report of this process.',
  cancelled: 'Attempts of this process stopped by a cancel.',
  stolen: "Tasks this process took from a peer's prefetch window.",
  fenced: 'Reports of this process refused because it no longer owned the attempt.',
};

/**
 * Registers dtps's instruments on `meter`, all asynchronous: counters
 * `dtps.tasks.<counter>` (Prometheus `dtps_tasks_<counter>_total`) read the
 * process's tallies, gauges `dtps.queue.tasks`, `dtps.worker.pool_size`,
 * `dtps.worker.busy_slots` read its gauge sources, once per collection.
 */
export function registerInstruments(meter: Meter, from: Tallies = tallies): void {
  const counters = TASK_COUNTERS.map((name) =>
    meter.createObservableCounter(`dtps.tasks.${name}`, { description: HELP[name], unit: '{task}' }),
  );
  meter.addBatchObservableCallback((r) => {
    for (const [queue, t] of from.entries()) {
      TASK_COUNTERS.forEach((name, i) => {
        if (t[name] > 0) r.observe(counters[i]!, t[name], { queue });
      });
    }
  }, counters);
  const gauges = {
    queueTasks: meter.createObservableGauge('dtps.queue.tasks', {
      description: 'Tasks of a queue in each state.',
      unit: '{task}',
    }),
    poolSize: meter.createObservableGauge('dtps.worker.pool_size', {
      description: 'Slots of a worker.',
      unit: '{slot}',
    }),
    busySlots: meter.createObservableGauge('dtps.worker.busy_slots', {
      description: 'Slots of a worker running a task.',
      unit: '{slot}',
    }),
  };
  meter.addBatchObservableCallback(async (r) => {
    const read = await from.readGauges();
    for (const name of Object.keys(gauges) as (keyof typeof gauges)[]) {
      for (const g of read[name]) r.observe(gauges[name], g.value, g.attributes);
    }
  }, Object.values(gauges));
}

/**
 * The histograms (`dtps.task.queue_wait.seconds`, `dtps.task.run.seconds`)
 * as a MetricProducer: the SDK's readers (OTLP push, Prometheus pull) take
 * them with the instruments' data. They are counted in bucket arrays by the
 * hot path, which the metrics API cannot observe (it has no asynchronous
 * histogram); `Histogram.record` per task was measured at ~1.2 µs.
 */
export class HistogramProducer implements MetricProducer {
  readonly #from: Tallies;
  readonly #start: [number, number];

  constructor(from: Tallies = tallies) {
    this.#from = from;
    const ms = Date.now();
    this.#start = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  }

  async collect(): Promise<CollectionResult> {
    const ms = Date.now();
    const now: [number, number] = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
    const wait: HistogramMetricData['dataPoints'][number][] = [];
    const run: HistogramMetricData['dataPoints'][number][] = [];
    for (const [queue, t] of this.#from.entries()) {
      if (t.queueWait.count > 0) wait.push(this.#point(queue, t.queueWait, now));
      if (t.runTime.count > 0) run.push(this.#point(queue, t.runTime, now));
    }
    // Loaded lazily with the SDK: the enums' values, without importing it at the top.
    const { AggregationTemporality, DataPointType, resourceFromAttributes } = await sdkEnums();
    const metric = (name: string, description: string, dataPoints: typeof wait): HistogramMetricData => ({
      descriptor: { name, description, unit: 's', valueType: 1 /* ValueType.DOUBLE */ },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    });
    return {
      // The reader keeps its own resource; this one is not used.
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [
          {
            scope: { name: 'dtps' },
            metrics: [
              metric(
                'dtps.task.queue_wait.seconds',
                'Time from submit to the start of a first attempt.',
                wait,
              ),
              metric('dtps.task.run.seconds', 'Time an attempt ran on this worker.', run),
            ],
          },
        ],
      },
      errors: [],
    };
  }

  #point(queue: string, h: DurationHistogram, now: [number, number]) {
    return {
      startTime: this.#start,
      endTime: now,
      attributes: { queue },
      value: {
        buckets: { boundaries: [...DURATION_BOUNDS_S], counts: [...h.counts] },
        sum: h.sum,
        count: h.count,
        min: h.min,
        max: h.max,
      },
    };
  }
}

async function sdkEnums() {
  const sdk = loadSdk<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics');
  const res = loadSdk<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
  return {
    AggregationTemporality: sdk.AggregationTemporality,
    DataPointType: sdk.DataPointType,
    resourceFromAttributes: res.resourceFromAttributes,
  };
}

/**
 * Starts metrics for a dtps program: a MeterProvider (`service.name` =
 * `serviceName`) with an OTLP push reader and/or a Prometheus pull endpoint,
 * dtps's instruments and histograms on both. Resolves with a shutdown that
 * pushes a last time and closes the endpoint.
 */
export async function startMetrics(serviceName: string, opts: MetricsOptions): Promise<() => Promise<void>> {
  const sdk = loadSdk<typeof import('@opentelemetry/sdk-metrics')>('@opentelemetry/sdk-metrics');
  const { resourceFromAttributes } =
    loadSdk<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
  const api = loadSdk<typeof import('@opentelemetry/api')>('@opentelemetry/api');
  const producers = [new HistogramProducer()];
  const intervalMs = opts.intervalMs ?? intervalFromEnv();
  const readers: import('@opentelemetry/sdk-metrics').IMetricReader[] = [];
  if (opts.push) {
    const exporter =
      opts.exporter ??
      new (loadSdk<typeof import('@opentelemetry/exporter-metrics-otlp-http')>(
        '@opentelemetry/exporter-metrics-otlp-http',
      ).OTLPMetricExporter)(
        opts.otlpEndpoint ? { url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/metrics` } : {},
      );
    readers.push(
      new sdk.PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: Math.min(intervalMs, 30_000),
        metricProducers: producers,
      }),
    );
  }
  let prometheus: import('@opentelemetry/exporter-prometheus').PrometheusExporter | undefined;
  if (opts.port !== undefined) {
    const { PrometheusExporter } = loadSdk<typeof import('@opentelemetry/exporter-prometheus')>(
      '@opentelemetry/exporter-prometheus',
    );
    prometheus = new PrometheusExporter({
      port: opts.port,
      host: opts.host ?? '127.0.0.1',
      preventServerStart: true,
      metricProducers: producers,
    });
    await prometheus.startServer();
    readers.push(prometheus);
  }
  const provider = new sdk.MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers,
  });
  // Global too, so that the application's own instruments share the exporters.
  api.metrics.setGlobalMeterProvider(provider);
  registerInstruments(provider.getMeter('dtps', '0.1.0'));
  return async () => {
    await provider.shutdown();
  };
}

/** OTEL_METRIC_EXPORT_INTERVAL (ms), OpenTelemetry's own variable for the push interval; else 10 s. */
function intervalFromEnv(): number {
  const ms = Number(process.env.OTEL_METRIC_EXPORT_INTERVAL);
  return Number.isInteger(ms) && ms > 0 ? ms : 10_000;
}
