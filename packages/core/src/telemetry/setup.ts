// Types only: the SDK (a third of a second to load) is imported when traces
// are on, so that every program, the CLI above all, starts without it.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setTracingEnabled } from './tracing.js';

/** Telemetry settings (config `telemetry.*`). */
export interface TelemetryOptions {
  /** Export traces; off by default (docs/design.md §7: one switch turns it on). */
  traces: boolean;
  /** OTLP/HTTP endpoint, e.g. http://collector:4318 (default: the OTEL_EXPORTER_OTLP_* environment, else localhost:4318). */
  otlpEndpoint?: string;
  /** For tests: export here instead of OTLP. */
  exporter?: SpanExporter;
}

/**
 * Starts OpenTelemetry for a dtps program (`service.name` = `serviceName`).
 * Resolves with a shutdown function that flushes the spans; a no-op when
 * traces are off, in which case the SDK is never loaded.
 */
export async function startTelemetry(
  serviceName: string,
  opts: TelemetryOptions,
): Promise<() => Promise<void>> {
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
  const sdk = new NodeSDK({ serviceName, traceExporter, instrumentations: [] });
  sdk.start();
  setTracingEnabled(true);
  return async () => {
    setTracingEnabled(false);
    await sdk.shutdown();
  };
}
