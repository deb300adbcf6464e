import type { Context, Span } from '@opentelemetry/api';
import { type OperationType, taskAttributes } from './attributes.js';
import { taskSampled } from './sampler.js';
import { idGenerator, taskTraceIds } from './task-ids.js';
import { api, taskContext, tracer } from './tracing.js';

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
 * The context an attempt's spans hang under. A task stored with a trace
 * context: that (the producer's submit span). One without: its stand-in root
 * `dtps.task`, which the first attempt records (with the ids every other
 * process derives from the task id), so that each task is one trace with one
 * root — never a root per span.
 */
function attemptParent(info: AttemptInfo): Context {
  const gen = idGenerator();
  if (info.trace !== null || gen === undefined) return taskContext(info.id, info.trace);
  // One hash for both the parent context and the stand-in root.
  const ids = taskTraceIds(info.id);
  const parent = taskContext(info.id, null, ids);
  if (info.attempt !== 1) return parent;
  const root = gen.forcing(ids, () =>
    tracer().startSpan(
      'dtps.task',
      {
        root: true,
        startTime: info.createdAt,
        attributes: {
          ...spanAttributes(info, 'send', 'submit'),
          'dtps.trace.stand_in': true,
        },
      },
      api().context.active(),
    ),
  );
  root.end(info.createdAt);
  return parent;
}

/**
 * The part of a span's attributes that is the same for every task of a queue,
 * type, worker and operation, built once (see taskAttributes for the names);
 * a task's spans copy it and add the task id and attempt. The hot path of a
 * tracing worker then allocates one object a span, not four.
 */
const templates = new Map<string, Readonly<Record<string, string | number>>>();

function spanAttributes(
  info: AttemptInfo,
  operationType: OperationType,
  operationName: string,
): Record<string, string | number> {
  // The stand-in root names no worker and no attempt: it stands for the producer's submit.
  const submit = operationName === 'submit';
  const worker = submit ? undefined : info.worker;
  const key = `${operationName}\0${info.queue}\0${info.type}\0${worker ?? ''}`;
  let template = templates.get(key);
  if (template === undefined) {
    template = taskAttributes({
      queue: info.queue,
      type: info.type,
      operationType,
      operationName,
      ...(worker !== undefined ? { worker } : {}),
    });
    if (templates.size < 10_000) templates.set(key, template);
  }
  const out: Record<string, string | number> = {
    ...template,
    'messaging.message.id': info.id,
    'dtps.task.id': info.id,
  };
  if (!submit) out['dtps.task.attempt'] = info.attempt;
  return out;
}

/**
 * Starts the spans of one attempt in the task's trace: `dtps.queue_wait`
 * (first attempt only: from submit to start, recorded after the fact) and
 * `dtps.attempt` (consumer, "process"), which the caller ends with
 * `endAttemptSpan`. Both are children of the submit. Null, and nothing
 * started, for a task whose trace sampling drops.
 */
export function startAttemptSpan(info: AttemptInfo): Span | null {
  if (!taskSampled(info.id, info.trace)) return null;
  const parent = attemptParent(info);
  if (info.attempt === 1) {
    tracer()
      .startSpan(
        'dtps.queue_wait',
        { startTime: info.createdAt, attributes: spanAttributes(info, 'receive', 'queue_wait') },
        parent,
      )
      .end(info.startedAt);
  }
  return tracer().startSpan(
    'dtps.attempt',
    {
      kind: api().SpanKind.CONSUMER,
      startTime: info.startedAt,
      attributes: spanAttributes(info, 'process', 'process'),
    },
    parent,
  );
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
