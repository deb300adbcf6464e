import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { TraceRateLimiter } from './rate-limit.js';
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
 * dtps's sampler: a root (a span without a parent, such as a producer's
 * submit) is kept when `ratio` keeps its trace, decided by trace id (the
 * SDK's TraceIdRatioBased), and the rate limit has room for one more trace;
 * a span with a parent follows the parent's decision like ParentBased. The
 * spans of a task stored without a trace context (its stand-in root,
 * attribute `dtps.trace.stand_in`, and what hangs under the stand-in parent,
 * tracestate `dtps=task`) are decided by task id instead: nobody sampled that
 * parent, and every process that records the task — each worker, the
 * coordinator — must give the same answer (the worker that starts such a
 * trace applies the rate limit itself: `attemptSampled`).
 */
export class TaskSampler implements Sampler {
  readonly #ratio: Sampler;
  readonly #share: number;
  readonly #limiter: TraceRateLimiter | undefined;

  /** `ratio`: a TraceIdRatioBasedSampler keeping `share` of the traces; `limiter`: none for no limit. */
  constructor(ratio: Sampler, share: number, limiter?: TraceRateLimiter) {
    this.#ratio = ratio;
    this.#share = share;
    this.#limiter = limiter;
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
      const byRatio = this.#ratio.shouldSample(context, traceId, spanName, spanKind, attributes, links);
      if (byRatio.decision !== KEEP.decision || this.#limiter === undefined) return byRatio;
      return this.#limiter.take() ? byRatio : DROP;
    }
    return (parent.traceFlags & api().TraceFlags.SAMPLED) !== 0 ? KEEP : DROP;
  }

  toString(): string {
    return `TaskSampler{${this.#ratio.toString()}}`;
  }
}

/** What startTelemetry set up: the share of traces kept, and the rate limit (none: no limit). */
interface Sampling {
  share: number;
  limiter: TraceRateLimiter | undefined;
}
let installed: Sampling | undefined;

/** Called by startTelemetry with its sampling (undefined at shutdown). */
export function installSampling(sampling: Sampling | undefined): void {
  installed = sampling;
}

/**
 * Whether attempt `attempt` of a task is traced, told without starting a
 * span, so that a worker spends next to nothing on the tasks sampling drops
 * (the hot path). A task stored with a trace context: its sampled flag. One
 * without: the same decision by task id as TaskSampler's; its first attempt
 * starts the task's trace (the stand-in root), so the rate limit applies
 * there too — the worker stores the outcome with a task that goes on to
 * another attempt (`standInTraceparent`), and later attempts follow it. A
 * later attempt of a task still stored without one (its first worker died,
 * or it was cancelled while running) goes by task id alone, as the
 * coordinator does. True when dtps did not start the SDK here (the
 * application's sampler decides then, span by span).
 */
export function attemptSampled(
  taskId: string,
  carrier: Record<string, string> | null,
  attempt: number,
  /** The time now, epoch ms, when the caller has just read it (a clock reading is a good part of the cost). */
  now: number = Date.now(),
): boolean {
  const sampling = installed;
  if (sampling === undefined) return true;
  if (carrier !== null) return carrierSampled(carrier);
  if (!idKept(taskId, sampling.share)) return false;
  return attempt > 1 || sampling.limiter === undefined || sampling.limiter.take(now);
}

/**
 * Whether a task's trace is kept, for a span about it outside its attempts
 * (the coordinator's retry, steal, expiry…): its stored flag, or, for a task
 * stored without a trace context, the decision by task id. True when dtps did
 * not start the SDK here.
 */
export function taskSampled(taskId: string, carrier: Record<string, string> | null): boolean {
  const sampling = installed;
  if (sampling === undefined) return true;
  if (carrier !== null) return carrierSampled(carrier);
  return idKept(taskId, sampling.share);
}

/** Whether dtps started the SDK here and decides sampling (see installSampling). */
export function samplingInstalled(): boolean {
  return installed !== undefined;
}

/** The sampled flag of a stored W3C trace context (one that cannot be read counts as sampled). */
function carrierSampled(carrier: Record<string, string>): boolean {
  // traceparent: 00-<trace id>-<span id>-<flags>; bit 0 of the flags is "sampled".
  const flags = Number.parseInt(carrier.traceparent?.slice(53, 55) ?? '', 16);
  return Number.isNaN(flags) || (flags & 1) === 1;
}
