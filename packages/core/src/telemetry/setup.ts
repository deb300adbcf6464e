import { createRequire } from 'node:module';
// Types only: the SDK (a third of a second to load) is required when traces
// are on, so that every program, the CLI above all, starts without it.
import type { IdGenerator, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { installSampleRatio, TaskSampler } from './sampler.js';
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
}

/** What config `telemetry` holds, as startTelemetry takes it. */
export function telemetryOptionsOf(telemetry: {
  traces: boolean;
  otlpEndpoint?: string | undefined;
  traceSampleRatio?: number | undefined;
}): TelemetryOptions {
  return {
    traces: telemetry.traces,
    ...(telemetry.otlpEndpoint ? { otlpEndpoint: telemetry.otlpEndpoint } : {}),
    ...(telemetry.traceSampleRatio !== undefined ? { traceSampleRatio: telemetry.traceSampleRatio } : {}),
  };
}

/**
 * Required, not imported: an import() of a literal would be inlined by the
 * CLI's bundler (scripts/bundle.mjs), and the SDK parsed at every start. The
 * require function itself is made on first use too (in the bundle, finding
 * this module's URL resolves @dtps/core).
 */
const load = (id: string): unknown => createRequire(import.meta.url)(id);

/**
 * Starts OpenTelemetry for a dtps program (`service.name` = `serviceName`:
 * dtps-cli, dtps-worker, dtps-coordinator, dtps-tui). Resolves with a
 * shutdown function that flushes the spans; a no-op when traces are off, in
 * which case the SDK is never loaded.
 */
export async function startTelemetry(
  serviceName: string,
  opts: TelemetryOptions,
): Promise<() => Promise<void>> {
  if (!opts.traces) return async () => {};
  const { NodeSDK } = load('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = load(
    '@opentelemetry/exporter-trace-otlp-http',
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { RandomIdGenerator, TraceIdRatioBasedSampler } = load(
    '@opentelemetry/sdk-trace-base',
  ) as typeof import('@opentelemetry/sdk-trace-base');
  const traceExporter =
    opts.exporter ??
    new OTLPTraceExporter(
      opts.otlpEndpoint ? { url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` } : {},
    );
  const idGenerator = new TaskRootIdGenerator(new RandomIdGenerator() as IdGenerator);
  const share = opts.traceSampleRatio ?? 1;
  const sampler = new TaskSampler(new TraceIdRatioBasedSampler(share), share);
  const sdk = new NodeSDK({
    serviceName,
    traceExporter,
    instrumentations: [],
    idGenerator,
    sampler,
    ...(opts.asyncContext === true ? {} : { contextManager: new SyncContextManager() }),
  });
  sdk.start();
  installIdGenerator(idGenerator);
  installSampleRatio(share);
  setTracingEnabled(true);
  return async () => {
    setTracingEnabled(false);
    installIdGenerator(undefined);
    installSampleRatio(undefined);
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
