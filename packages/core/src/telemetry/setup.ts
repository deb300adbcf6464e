// Types only: the SDK (a third of a second to load) is required when traces
// are on, so that every program, the CLI above all, starts without it.
import type { IdGenerator, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { installFinishedSpans } from './finished-spans.js';
import { loadSdk } from './load.js';
import { type MetricsOptions, startMetrics } from './metrics.js';
import { otlpTraceExporter } from './otlp-exporter.js';
import { DEFAULT_TRACE_RATE_LIMIT, TraceRateLimiter } from './rate-limit.js';
import { installSampling, TaskSampler } from './sampler.js';
import { SyncContextManager } from './sync-context.js';
import { installIdGenerator, TaskRootIdGenerator } from './task-ids.js';
import { setTracingEnabled } from './tracing.js';

/** Telemetry settings (config `telemetry.*`). */
export interface TelemetryOptions {
  /** Export traces; off by default (docs/design.md §7: one switch turns it on). */
  traces: boolean;
  /** OTLP/HTTP base URL, e.g. http://collector:4318; traces go to `<url>/v1/traces` (default: the OTEL_EXPORTER_OTLP_* environment, else localhost:4318). */
  otlpEndpoint?: string;
  /** The share of traces kept, 0 to 1 (default 1), decided by trace id: see sampler.ts. */
  traceSampleRatio?: number;
  /**
   * The most traces this process starts per second (default 100; 0: no
   * limit), on top of `traceSampleRatio`: a producer's submit without an
   * incoming parent, a worker's first attempt of a task stored without a trace
   * context. Spans under a parent follow its decision. See rate-limit.ts.
   */
  traceRateLimit?: number;
  /**
   * Carry the active context across awaits (AsyncLocalStorage, the SDK's
   * default), for an application whose own spans need it. Off by default:
   * dtps's spans need only synchronous context (sync-context.ts), and
   * AsyncLocalStorage slows every promise of a busy worker.
   */
  asyncContext?: boolean;
  /** For tests: export here instead of OTLP. */
  exporter?: SpanExporter;
  /**
   * The longest the returned shutdown waits for the last spans to go out. A
   * short-lived CLI passes a small bound, so that an unreachable collector
   * costs that much at exit, not the exporter's own 30 s.
   */
  flushTimeoutMs?: number;
  /** Push metrics by OTLP (config `telemetry.metrics`); off by default. */
  metrics?: boolean;
  /** Serve this process's metrics for Prometheus on this port (`dtps-worker --metrics-port`). */
  metricsPort?: number;
  /** ...on this address (default 127.0.0.1). */
  metricsHost?: string;
  /** More metric settings (tests: the push interval, an exporter). */
  metricsOptions?: Pick<MetricsOptions, 'intervalMs' | 'exporter'>;
}

/** What config `telemetry` holds, as startTelemetry takes it. */
export function telemetryOptionsOf(telemetry: {
  traces: boolean;
  metrics?: boolean | undefined;
  otlpEndpoint?: string | undefined;
  traceSampleRatio?: number | undefined;
  traceRateLimit?: number | undefined;
}): TelemetryOptions {
  return {
    traces: telemetry.traces,
    ...(telemetry.metrics ? { metrics: true } : {}),
    ...(telemetry.otlpEndpoint ? { otlpEndpoint: telemetry.otlpEndpoint } : {}),
    ...(telemetry.traceSampleRatio !== undefined ? { traceSampleRatio: telemetry.traceSampleRatio } : {}),
    ...(telemetry.traceRateLimit !== undefined ? { traceRateLimit: telemetry.traceRateLimit } : {}),
  };
}

/**
 * Starts OpenTelemetry for a dtps program (`service.name` = `serviceName`:
 * dtps-cli, dtps-worker, dtps-coordinator, dtps-tui): traces, metrics pushed
 * by OTLP, metrics served to Prometheus, each as asked. Resolves with a
 * shutdown function that flushes spans and metrics; a no-op when all is off,
 * in which case no SDK is loaded.
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
  const stopTraces = startTraces(serviceName, opts);
  return async () => {
    await Promise.all([stopTraces(), stopMetrics()]);
  };
}

function startTraces(serviceName: string, opts: TelemetryOptions): () => Promise<void> {
  if (!opts.traces) return async () => {};
  const { NodeSDK } = loadSdk<typeof import('@opentelemetry/sdk-node')>('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, RandomIdGenerator, TraceIdRatioBasedSampler } = loadSdk<
    typeof import('@opentelemetry/sdk-trace-base')
  >('@opentelemetry/sdk-trace-base');
  const traceExporter = opts.exporter ?? otlpTraceExporter(opts.otlpEndpoint);
  const spanProcessor = new BatchSpanProcessor(traceExporter);
  const idGenerator = new TaskRootIdGenerator(new RandomIdGenerator() as IdGenerator);
  const share = opts.traceSampleRatio ?? 1;
  const limit = opts.traceRateLimit ?? DEFAULT_TRACE_RATE_LIMIT;
  const limiter = limit > 0 ? new TraceRateLimiter(limit) : undefined;
  const sampler = new TaskSampler(new TraceIdRatioBasedSampler(share), share, limiter);
  const sdk = new NodeSDK({
    serviceName,
    // The processor NodeSDK would make from traceExporter (OTEL_BSP_* apply), made here so that
    // spans that are over before dtps records them can go to it directly (finished-spans.ts).
    spanProcessors: [spanProcessor],
    instrumentations: [],
    // No metric readers: metrics are startMetrics's (left to itself, NodeSDK would add an OTLP
    // reader of its own from OTEL_METRICS_EXPORTER's default and register a second meter provider).
    metricReaders: [],
    idGenerator,
    sampler,
    ...(opts.asyncContext === true ? {} : { contextManager: new SyncContextManager() }),
  });
  sdk.start();
  installIdGenerator(idGenerator);
  installSampling({ share, limiter });
  installFinishedSpans(spanProcessor);
  setTracingEnabled(true);
  return async () => {
    setTracingEnabled(false);
    installIdGenerator(undefined);
    installFinishedSpans(undefined);
    installSampling(undefined);
    const done = sdk.shutdown();
    if (opts.flushTimeoutMs === undefined) return done;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done.catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, opts.flushTimeoutMs).unref();
      }),
    ]);
    clearTimeout(timer);
  };
}
