import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { taskTraceIds } from './task-ids.js';
import { api } from './tracing.js';

/** SamplingDecision.NOT_RECORD and RECORD_AND_SAMPLED (numbers, so that the SDK is not loaded here). */
const DROP = { decision: 0 } as SamplingResult;
const KEEP = { decision: 2 } as SamplingResult;

/**
 * dtps's sampler: keeps `ratio` of the traces, decided by trace id (the SDK's
 * TraceIdRatioBased), and otherwise follows the parent's decision like
 * ParentBased. One exception: under the stand-in parent of an untraced task
 * (tracestate `dtps=task`), it decides by trace id again — that parent was
 * never sampled by anyone, and deciding by its (derived) trace id gives each
 * process that records the task the same answer as the worker that recorded
 * its root.
 */
export class TaskSampler implements Sampler {
  readonly #ratio: Sampler;

  /** `ratio`: a TraceIdRatioBasedSampler. */
  constructor(ratio: Sampler) {
    this.#ratio = ratio;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: number,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const parent = api().trace.getSpanContext(context);
    if (parent === undefined || !api().isSpanContextValid(parent) || parent.traceState?.get('dtps') === 'task') {
      return this.#ratio.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return (parent.traceFlags & api().TraceFlags.SAMPLED) !== 0 ? KEEP : DROP;
  }

  toString(): string {
    return `TaskSampler{${this.#ratio.toString()}}`;
  }
}

let installedRatio: Sampler | undefined;

/** Called by startTelemetry with the ratio sampler it gave the SDK (undefined at shutdown). */
export function installRatioSampler(ratio: Sampler | undefined): void {
  installedRatio = ratio;
}

/**
 * Whether a task's trace is kept, told without starting a span, so that a
 * worker spends nothing on the tasks sampling drops (the hot path). A task
 * stored with a trace context: its sampled flag. One without: the ratio's
 * decision on its derived trace id. True when dtps did not start the SDK
 * here (the application's sampler decides then, span by span).
 */
export function taskSampled(taskId: string, carrier: Record<string, string> | null): boolean {
  const ratio = installedRatio;
  if (ratio === undefined) return true;
  if (carrier !== null) {
    // traceparent: 00-<trace id>-<span id>-<flags>; bit 0 of the flags is "sampled".
    const flags = Number.parseInt(carrier.traceparent?.slice(53, 55) ?? '', 16);
    return Number.isNaN(flags) || (flags & 1) === 1;
  }
  const { traceId } = taskTraceIds(taskId);
  return ratio.shouldSample(api().ROOT_CONTEXT, traceId, '', 0, {}, []).decision === 2;
}
