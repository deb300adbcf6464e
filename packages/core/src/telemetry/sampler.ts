import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
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
