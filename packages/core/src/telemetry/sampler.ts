import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { api } from './tracing.js';

/** SamplingDecision.NOT_RECORD and RECORD_AND_SAMPLED (numbers, so that the SDK is not loaded here). */
const DROP = { decision: 0 } as SamplingResult;
const KEEP = { decision: 2 } as SamplingResult;

/** FNV-1a (32 bits) of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Whether `ratio` keeps the task `id`'s trace: the same answer in every process, for a few arithmetic steps. */
function idKept(id: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return fnv1a(id) < ratio * 0x1_0000_0000;
}

/**
 * dtps's sampler: keeps `ratio` of the traces, decided by trace id (the SDK's
 * TraceIdRatioBased), and otherwise follows the parent's decision like
 * ParentBased. The spans of a task stored without a trace context (its
 * stand-in root, attribute `dtps.trace.stand_in`, and what hangs under the
 * stand-in parent, tracestate `dtps=task`) are decided by task id instead:
 * nobody sampled that parent, and every process that records the task —
 * each worker, the coordinator — must give the same answer.
 */
export class TaskSampler implements Sampler {
  readonly #ratio: Sampler;
  readonly #share: number;

  /** `ratio`: a TraceIdRatioBasedSampler keeping `share` of the traces. */
  constructor(ratio: Sampler, share: number) {
    this.#ratio = ratio;
    this.#share = share;
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
    if (parent?.traceState?.get('dtps') === 'task' || attributes['dtps.trace.stand_in'] === true) {
      return idKept(String(attributes['messaging.message.id']), this.#share) ? KEEP : DROP;
    }
    if (parent === undefined || !api().isSpanContextValid(parent)) {
      return this.#ratio.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return (parent.traceFlags & api().TraceFlags.SAMPLED) !== 0 ? KEEP : DROP;
  }

  toString(): string {
    return `TaskSampler{${this.#ratio.toString()}}`;
  }
}

let installedShare: number | undefined;

/** Called by startTelemetry with the share of traces it keeps (undefined at shutdown). */
export function installSampleRatio(share: number | undefined): void {
  installedShare = share;
}

/**
 * Whether a task's trace is kept, told without starting a span, so that a
 * worker spends next to nothing on the tasks sampling drops (the hot path). A
 * task stored with a trace context: its sampled flag. One without: the same
 * decision by task id as TaskSampler's. True when dtps did not start the SDK
 * here (the application's sampler decides then, span by span).
 */
export function taskSampled(taskId: string, carrier: Record<string, string> | null): boolean {
  const share = installedShare;
  if (share === undefined) return true;
  if (carrier !== null) {
    // traceparent: 00-<trace id>-<span id>-<flags>; bit 0 of the flags is "sampled".
    const flags = Number.parseInt(carrier.traceparent?.slice(53, 55) ?? '', 16);
    return Number.isNaN(flags) || (flags & 1) === 1;
  }
  return idKept(taskId, share);
}
