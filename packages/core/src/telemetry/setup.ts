// Types only: the SDK (a third of a second to load) is imported when traces
// are on, so that every program, the CLI above all, starts without it.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type MetricsOptions, startMetrics } from './metrics.js';
import { setTracingEnabled } from './tracing.js';

/** Telemetry settings (config `telemetry.*`). */
export interface TelemetryOptions {
  /** Export traces; off by default (docs/design.md §7: one switch turns it on). */
  traces: boolean;
  /** OTLP/HTTP endpoint, e.g. http://collector:4318 (default: the OTEL_EXPORTER_OTLP_* environment, else localhost:4318). */
  otlpEndpoint?: string;
  /** For tests: export here instead of OTLP. */
  exporter?: SpanExporter;
  /** Push metrics by OTLP (config `telemetry.metrics`); off by default. */
  metrics?: boolean;
  /** Serve this process's metrics for Prometheus on this port (`dtps-worker --metrics-port`). */
  metricsPort?: number;
  /** ...on this address (default 127.0.0.1). */
  metricsHost?: string;
  /** More metric settings (tests: the push interval, an exporter). */
  metricsOptions?: Pick<MetricsOptions, 'intervalMs' | 'exporter'>;
}

/**
 * Starts OpenTelemetry for a dtps program (`service.name` = `serviceName`):
 * traces, metrics pushed by OTLP, metrics served to Prometheus, each as asked.
 * Resolves with a shutdown function that flushes spans and metrics; a no-op
 * when all is off, in which case no SDK is loaded.
 */
export async function startTelemetry(
  serviceName: string,
  opts: TelemetryOptions,
): Promise<() => Promise<void>> {
  const stopMetrics =
    opts.metrics || opts.metricsPort !== undefined
      ? await startMetrics(serviceName, {
          push: opts.metrics ?? false,
          ...(opts.otlpEndpoint ? { otlpEndpoint: opts.otlpEndpoint } : {}),
          ...(opts.metricsPort !== undefined ? { port: opts.metricsPort } : {}),
          ...(opts.metricsHost ? { host: opts.metricsHost } : {}),
          ...opts.metricsOptions,
        })
      : async () => {};
  const stopTraces = await startTraces(serviceName, opts);
  return async () => {
    await Promise.all([stopTraces(), stopMetrics()]);
  };
}

async function startTraces(serviceName: string, opts: TelemetryOptions): Promise<() => Promise<void>> {
  if (!opts.traces) return async () => {};
  const [{ NodeSDK }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const traceExporter =
    opts.exporter ??
    new OTLPTraceExporter(
      opts.otlpEndpoint ? { url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` } : {},
    );
  // No metric readers: metrics are startMetrics's (left to itself, NodeSDK would add an OTLP
  // reader of its own from OTEL_METRICS_EXPORTER's default and register a second meter provider).
  const sdk = new NodeSDK({ serviceName, traceExporter, instrumentations: [], metricReaders: [] });
  sdk.start();
  setTracingEnabled(true);
  return async () => {
    setTracingEnabled(false);
    await sdk.shutdown();
  };
}
