import type { Context, Span, SpanContext } from '@opentelemetry/api';
import { MESSAGING_SYSTEM, type OperationType, taskAttributes } from './attributes.js';
import { learnOrigin, recordFinished, startRecorded } from './finished-spans.js';
import { samplingInstalled, taskSampled } from './sampler.js';
import { idGenerator, type TaskRootIdGenerator, taskTraceIds } from './task-ids.js';
import { api, contextOf, standInParent, taskContext, tracer } from './tracing.js';

/** What an attempt span is about. */
export interface AttemptInfo {
  id: string;
  queue: string;
  type: string;
  attempt: number;
  createdAt: number;
  startedAt: number;
  trace: Record<string, string> | null;
  /** The worker running it. */
  worker?: string;
}

/**
 * Records a task's stand-in root `dtps.task` (a task stored without a trace
 * context; its first attempt records it), with the ids every other process
 * derives from the task id, so that each task is one trace with one root —
 * never a root per span.
 */
function recordStandInRoot(
  info: AttemptInfo,
  ids: { traceId: string; spanId: string },
  gen: TaskRootIdGenerator,
): void {
  const attributes = spanAttributes(info, 'send', 'submit');
  const context = { traceId: ids.traceId, spanId: ids.spanId, traceFlags: SAMPLED };
  if (recordFinished('dtps.task', context, undefined, info.createdAt, info.createdAt, attributes)) return;
  gen
    .forcing(ids, () =>
      tracer().startSpan(
        'dtps.task',
        { root: true, startTime: info.createdAt, attributes },
        api().context.active(),
      ),
    )
    .end(info.createdAt);
}

/**
 * Records `dtps.queue_wait`, from the submit to the start of the first attempt, after the fact:
 * straight to the processor under `up` when it can be, else through the SDK under `parent()`.
 */
function recordQueueWait(
  info: AttemptInfo,
  up: SpanContext | undefined,
  gen: TaskRootIdGenerator | undefined,
  parent: () => Context,
): void {
  const attributes = spanAttributes(info, 'receive', 'queue_wait');
  const recorded =
    gen !== undefined &&
    up !== undefined &&
    recordFinished('dtps.queue_wait', childOf(up, gen), up, info.createdAt, info.startedAt, attributes);
  if (recorded) return;
  tracer()
    .startSpan('dtps.queue_wait', { startTime: info.createdAt, attributes }, parent())
    .end(info.startedAt);
}

/** The attempt span through the SDK (until dtps knows the SDK's resource, or when dtps did not start the SDK). */
function sdkAttempt(info: AttemptInfo, parent: Context): Span {
  const span = tracer().startSpan(
    'dtps.attempt',
    {
      kind: api().SpanKind.CONSUMER,
      startTime: info.startedAt,
      attributes: spanAttributes(info, 'process', 'process'),
    },
    parent,
  );
  learnOrigin(span);
  return span;
}

/**
 * The span context an attempt's spans hang under: the stand-in root's (a
 * task stored without a trace context, `ids` given), else the stored
 * context's; undefined when the stored one is not a valid parent.
 */
function parentOf(
  info: AttemptInfo,
  ids: { traceId: string; spanId: string } | undefined,
): SpanContext | undefined {
  if (ids !== undefined) return standInParent(ids);
  const sc = api().trace.getSpanContext(contextOf(info.trace));
  return sc !== undefined && api().isSpanContextValid(sc) ? sc : undefined;
}

/** A new sampled span's context under `up` (its trace, its tracestate). */
function childOf(up: SpanContext, gen: TaskRootIdGenerator): SpanContext {
  const spanId = gen.generateSpanId();
  return up.traceState === undefined
    ? { traceId: up.traceId, spanId, traceFlags: SAMPLED }
    : { traceId: up.traceId, spanId, traceFlags: SAMPLED, traceState: up.traceState };
}

/**
 * The attempt span recorded straight to the processor (finished-spans.ts) under `up`; undefined,
 * and nothing recorded, when it cannot be (dtps did not start the SDK here or has not learned its
 * resource yet, or there is no valid parent): the caller uses the SDK.
 */
function recordedAttempt(
  info: AttemptInfo,
  up: SpanContext | undefined,
  gen: TaskRootIdGenerator | undefined,
): Span | undefined {
  if (gen === undefined || up === undefined) return undefined;
  return startRecorded(
    'dtps.attempt',
    api().SpanKind.CONSUMER,
    childOf(up, gen),
    up,
    info.startedAt,
    spanAttributes(info, 'process', 'process'),
  );
}

/** TraceFlags.SAMPLED: what is recorded here was sampled (attemptSampled). */
const SAMPLED = 1;

/**
 * The attributes of one of an attempt's spans (the names are taskAttributes's),
 * as one object literal: a worker builds three for every task it runs.
 */
function spanAttributes(
  info: AttemptInfo,
  operationType: OperationType,
  operationName: string,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': operationType,
    'messaging.operation.name': operationName,
    'messaging.destination.name': info.queue,
    'dtps.queue': info.queue,
    'messaging.message.id': info.id,
    'dtps.task.id': info.id,
    'dtps.task.type': info.type,
  };
  // The stand-in root stands for the producer's submit: no attempt, no worker.
  if (operationName === 'submit') {
    out['dtps.trace.stand_in'] = true;
    return out;
  }
  out['dtps.task.attempt'] = info.attempt;
  if (info.worker) out['messaging.client.id'] = info.worker;
  return out;
}

/**
 * Starts the spans of one attempt that sampling kept (sampler.ts's
 * `attemptSampled`, which the caller asks first: a dropped attempt costs no
 * more than that) in the task's trace: `dtps.attempt` (consumer, "process"),
 * which the caller ends with `endAttemptSpan`, and, on the first attempt,
 * `dtps.queue_wait` (and the stand-in root of a task stored without a trace
 * context). The attempt and the queue wait are children of the submit.
 */
export function startAttemptSpan(info: AttemptInfo): Span {
  const gen = idGenerator();
  // A task stored without a trace context hangs under its stand-in root (when dtps started the SDK here).
  const ids = info.trace === null && gen !== undefined ? taskTraceIds(info.id) : undefined;
  // The parent as a span context (no Context object) for spans recorded straight to the processor;
  // as a Context, made only if the SDK has to record one.
  const up = gen !== undefined ? parentOf(info, ids) : undefined;
  let context: Context | undefined;
  const parent = () => {
    context ??= taskContext(info.id, info.trace, ids);
    return context;
  };
  const span = recordedAttempt(info, up, gen) ?? sdkAttempt(info, parent());
  if (info.attempt === 1) {
    if (ids !== undefined) recordStandInRoot(info, ids, gen!);
    recordQueueWait(info, up, gen, parent);
  }
  return span;
}

/**
 * What a worker reports with a failed attempt of a task stored without a
 * trace context: the W3C traceparent of the task's stand-in root, its
 * sampled flag saying whether this attempt was traced. Stored as the task's
 * trace context (failTasks), it carries the decision, rate limit included, to
 * every later attempt and to the coordinator, so that the trace stays whole.
 * Null when the task has a stored context already, or dtps does not decide
 * sampling here (no SDK of its own).
 */
export function standInTraceparent(
  taskId: string,
  carrier: Record<string, string> | null,
  sampled: boolean,
): string | null {
  if (carrier !== null || !samplingInstalled()) return null;
  const { traceId, spanId } = taskTraceIds(taskId);
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** Abort reasons that get an event of their own on the attempt span (`dtps.<reason>`). */
const ABORT_EVENTS = new Set(['timeout', 'deadline', 'cancelled', 'shutdown']);

/** Ends an attempt span with its outcome; an abort (timeout, cancel, deadline, shutdown) is also an event. */
export function endAttemptSpan(
  span: Span,
  outcome: { ok: boolean; reason?: string; message?: string },
): void {
  if (!outcome.ok) {
    span.setStatus({
      code: api().SpanStatusCode.ERROR,
      message: outcome.message ?? outcome.reason ?? 'failed',
    });
    if (outcome.reason) {
      span.setAttribute('dtps.failure.reason', outcome.reason);
      span.setAttribute('error.type', outcome.reason);
      if (ABORT_EVENTS.has(outcome.reason)) span.addEvent(`dtps.${outcome.reason}`);
    }
  }
  span.end();
}

/** One thing that happened to a task outside its attempts (a retry scheduled, a steal, an expiry, …). */
export interface TaskEvent {
  /** The span's name is `dtps.<kind>`. */
  kind: string;
  id: string;
  queue: string;
  trace: Record<string, string> | null;
  /** Epoch ms. */
  at: number;
  reason?: string | null;
  worker?: string | null;
}

/**
 * Records a task event as a short span in the task's trace (a child of its
 * submit). Spans rather than span events: the attempt a retry or a recovery
 * follows has ended, and may have been exported by another process.
 */
export function recordTaskEvent(e: TaskEvent): void {
  if (!taskSampled(e.id, e.trace)) return;
  const span = tracer().startSpan(
    `dtps.${e.kind}`,
    {
      startTime: e.at,
      attributes: {
        ...taskAttributes({
          queue: e.queue,
          id: e.id,
          operationType: 'settle',
          operationName: e.kind,
          ...(e.worker ? { worker: e.worker } : {}),
        }),
        ...(e.reason ? { 'dtps.reason': e.reason } : {}),
      },
    },
    taskContext(e.id, e.trace),
  );
  span.end(e.at);
}
