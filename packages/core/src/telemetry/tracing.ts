import { createRequire } from 'node:module';
import type { Context, Span } from '@opentelemetry/api';

type Api = typeof import('@opentelemetry/api');
let loadedApi: Api | undefined;
/**
 * The OpenTelemetry API, loaded on first use rather than with @dtps/core:
 * commands that submit nothing (`dtps stats`, `dtps list`) never need it,
 * and each module loaded counts in their start-up time. Required (it is a
 * CommonJS package too) so that the functions here stay synchronous; its
 * state (tracer provider, context manager, propagator) is global, shared
 * with whichever copy the SDK or the application loaded.
 */
function api(): Api {
  loadedApi ??= createRequire(import.meta.url)('@opentelemetry/api') as Api;
  return loadedApi;
}

/**
 * dtps's spans (docs/design.md §7): a trace runs from the producer's submit, through
 * the time the task waited in its queue, to each attempt on a worker, across
 * processes, through the W3C trace context stored with the task. Without a
 * registered tracer provider (telemetry off), every call here is a no-op.
 */
const tracer = () => api().trace.getTracer('dtps', '0.1.0');

let enabled = false;
/** Called by startTelemetry: submits then open spans of their own (without it, the hot path skips them). */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}
/** Whether dtps telemetry was started in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** The context a task's stored trace context names (or the active one when it has none). */
export function contextOf(carrier: Record<string, string> | null): Context {
  const { context, propagation } = api();
  return carrier ? propagation.extract(context.active(), carrier) : context.active();
}

/** Whether a span is active here (the application's own tracing, or dtps's). */
export function hasActiveSpan(): boolean {
  return api().trace.getActiveSpan() !== undefined;
}

/** The active W3C trace context, to store with a task; null without an active trace. */
export function currentTraceContext(): Record<string, string> | null {
  const { context, propagation } = api();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : null;
}

/** Runs `fn` inside a producer span `dtps.submit`; the span's context is what the task stores. */
export async function inSubmitSpan<T>(queue: string, type: string, fn: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(
    'dtps.submit',
    { kind: api().SpanKind.PRODUCER, attributes: { 'dtps.queue': queue, 'dtps.task.type': type } },
    async (span) => {
      try {
        return await fn();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: api().SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** What an attempt span is about. */
export interface AttemptInfo {
  id: string;
  queue: string;
  type: string;
  attempt: number;
  createdAt: number;
  startedAt: number;
  trace: Record<string, string> | null;
}

/**
 * Starts the spans of one attempt in the producer's trace: `dtps.queue_wait`
 * (from submit to start, recorded after the fact) and `dtps.attempt`
 * (consumer), which the caller ends with `endAttemptSpan`.
 */
export function startAttemptSpan(info: AttemptInfo): Span {
  const parent = contextOf(info.trace);
  const attributes = {
    'dtps.task.id': info.id,
    'dtps.queue': info.queue,
    'dtps.task.type': info.type,
    'dtps.task.attempt': info.attempt,
  };
  if (info.attempt === 1) {
    tracer()
      .startSpan('dtps.queue_wait', { startTime: info.createdAt, attributes }, parent)
      .end(info.startedAt);
  }
  return tracer().startSpan(
    'dtps.attempt',
    { kind: api().SpanKind.CONSUMER, startTime: info.startedAt, attributes },
    parent,
  );
}

/** Ends an attempt span with its outcome. */
export function endAttemptSpan(
  span: Span,
  outcome: { ok: boolean; reason?: string; message?: string },
): void {
  if (!outcome.ok) {
    span.setStatus({
      code: api().SpanStatusCode.ERROR,
      message: outcome.message ?? outcome.reason ?? 'failed',
    });
    if (outcome.reason) span.setAttribute('dtps.failure.reason', outcome.reason);
  }
  span.end();
}
