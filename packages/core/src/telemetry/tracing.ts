import { createRequire } from 'node:module';
import type { Context, Link, Span, SpanContext, TraceState } from '@opentelemetry/api';
import { taskAttributes } from './attributes.js';
import { taskTraceIds } from './task-ids.js';

/** The tracestate entry that marks the stand-in parent of a task stored without a trace context. */
export const TASK_TRACE_STATE = 'dtps=task';

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
export function api(): Api {
  loadedApi ??= createRequire(import.meta.url)('@opentelemetry/api') as Api;
  return loadedApi;
}

/**
 * dtps's spans (docs/design.md §7, docs/observability.md): a trace runs from the producer's submit, through
 * the time the task waited in its queue, to each attempt on a worker, across
 * processes, through the W3C trace context stored with the task. Without a
 * registered tracer provider (telemetry off), every call here is a no-op.
 */
export const tracer = () => api().trace.getTracer('dtps', '0.1.0');

let enabled = false;
/** Called by startTelemetry: submits then open spans of their own (without it, the hot path skips them). */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}
/** Whether dtps telemetry was started in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * The context a task's spans hang under: its stored trace context, or, for a
 * task stored without one, the stand-in root that `taskTraceIds` names (one
 * trace per task, whichever process records it).
 */
export function taskContext(
  taskId: string,
  carrier: Record<string, string> | null,
  /** `taskTraceIds(taskId)`, when the caller has it already (a hash a task is enough). */
  ids?: { traceId: string; spanId: string },
): Context {
  const { context, propagation, trace } = api();
  if (carrier) return propagation.extract(context.active(), carrier);
  return trace.setSpanContext(context.active(), standInParent(ids ?? taskTraceIds(taskId)));
}

/** The span context of a task's stand-in root (`taskTraceIds`), as its spans' parent. */
export function standInParent(ids: { traceId: string; spanId: string }): SpanContext {
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    // Sampled for an application's own SDK; dtps's sampler decides again by trace id (sampler.ts).
    traceFlags: 1,
    traceState: taskTraceState(),
    isRemote: true,
  };
}

let standInState: TraceState | undefined;
/** The tracestate of a stand-in parent (immutable, so made once). */
function taskTraceState(): TraceState {
  standInState ??= api().createTraceState(TASK_TRACE_STATE);
  return standInState;
}

/** The context a stored trace context names (or the active one when there is none). */
export function contextOf(carrier: Record<string, string> | null): Context {
  const { context, propagation } = api();
  return carrier ? propagation.extract(context.active(), carrier) : context.active();
}

/** Runs `fn` in the context an incoming W3C carrier (HTTP headers) names: a submit inside becomes its child. */
export function withRemoteContext<T>(carrier: Record<string, unknown>, fn: () => T): T {
  const { context, propagation } = api();
  return context.with(propagation.extract(context.active(), carrier), fn);
}

/** Whether a span is active here (the application's own tracing, or dtps's). */
export function hasActiveSpan(): boolean {
  return api().trace.getActiveSpan() !== undefined;
}

/** The W3C trace context of `ctx` (default: the active one), to store with a task; null without a trace. */
export function currentTraceContext(ctx?: Context): Record<string, string> | null {
  const { context, propagation } = api();
  const carrier: Record<string, string> = {};
  propagation.inject(ctx ?? context.active(), carrier);
  return carrier.traceparent ? carrier : null;
}

/** A link to the trace of a task a new task depends on (its stored context, or its stand-in root). */
export function parentLink(parentId: string, carrier: Record<string, string> | null): Link | null {
  const sc = api().trace.getSpanContext(taskContext(parentId, carrier));
  return sc ? { context: sc, attributes: { 'dtps.task.id': parentId } } : null;
}

/** What a submit span is about. */
export interface SubmitInfo {
  queue: string;
  type: string;
  /** Links to the traces of the tasks this one depends on (a DAG child's parents). */
  links?: Link[];
}

/**
 * Starts a producer span `dtps.submit` under `parent` (the context active
 * when the submit was called; the caller ends the span with `endSpan`).
 */
export function startSubmitSpan(info: SubmitInfo & { id?: string }, parent: Context, batch = false): Span {
  return tracer().startSpan(
    'dtps.submit',
    {
      kind: api().SpanKind.PRODUCER,
      attributes: taskAttributes({
        queue: info.queue,
        type: info.type,
        ...(info.id !== undefined ? { id: info.id } : {}),
        // One message of a batch is "created"; a single submit "sends" (semconv messaging spans).
        operationType: batch ? 'create' : 'send',
        operationName: 'submit',
      }),
      ...(info.links && info.links.length > 0 ? { links: info.links } : {}),
    },
    parent,
  );
}

/** The active context, to hand to `startSubmitSpan` after an await (dtps's programs carry context only synchronously). */
export function activeContext(): Context {
  return api().context.active();
}

/** Ends a span, marking it failed with `err` when given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err as Error);
    span.setStatus({ code: api().SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
  }
  span.end();
}
