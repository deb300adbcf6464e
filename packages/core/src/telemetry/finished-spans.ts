import type { HrTime, SpanContext, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Spans that are over before dtps records them — a task's stand-in root
 * (dated at the submit) and its queue wait (submit to first attempt) — handed
 * to the span processor as finished records, without the SDK's Span object.
 * A worker records them for every task it runs; through `startSpan` and
 * `end`, each costs the sampler a second decision (dtps has taken it:
 * sampler.ts's taskSampled), two passes that check attributes dtps built
 * itself, a span id, clock readings and the span's own bookkeeping — about a
 * third of what tracing costs a worker (docs/observability.md, "Cost").
 * What the exporter gets is the same as from the SDK's spans.
 */

/** Where finished spans go: the processor startTelemetry gave the SDK, and what the SDK's spans carry. */
interface Sink {
  processor: SpanProcessor;
  /** Set from the first span the SDK made here (resource and scope are the same for all dtps spans). */
  origin: Pick<ReadableSpan, 'resource' | 'instrumentationScope'> | undefined;
}
let sink: Sink | undefined;

/** Called by startTelemetry with its span processor (undefined at shutdown). */
export function installFinishedSpans(processor: SpanProcessor | undefined): void {
  sink = processor ? { processor, origin: undefined } : undefined;
}

/**
 * Learns the resource and instrumentation scope from a span the SDK made for
 * dtps's tracer; until then, `recordFinished` declines (the caller uses the SDK).
 */
export function learnOrigin(span: unknown): void {
  if (sink === undefined || sink.origin !== undefined) return;
  const s = span as Partial<ReadableSpan>;
  if (s.resource !== undefined && s.instrumentationScope !== undefined) {
    sink.origin = { resource: s.resource, instrumentationScope: s.instrumentationScope };
  }
}

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds] (the SDK's millisToHrTime). */
function hrTime(ms: number): HrTime {
  return [Math.trunc(ms / 1000), Math.round((ms % 1000) * 1_000_000)];
}

const NO_EVENTS: ReadableSpan['events'] = [];
const NO_LINKS: ReadableSpan['links'] = [];
const UNSET = { code: 0 } as const;

/** A finished span as the SDK's exporters read it (ReadableSpan). */
class FinishedSpan {
  readonly kind: SpanKind = 0 as SpanKind;
  readonly status = UNSET;
  readonly events = NO_EVENTS;
  readonly links = NO_LINKS;
  readonly ended = true;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;

  constructor(
    readonly name: string,
    private readonly sc: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    startMs: number,
    endMs: number,
    readonly attributes: Record<string, string | number | boolean>,
    readonly resource: ReadableSpan['resource'],
    readonly instrumentationScope: ReadableSpan['instrumentationScope'],
  ) {
    // As the SDK does with an end before the start: a span of zero length.
    const end = Math.max(startMs, endMs);
    this.startTime = hrTime(startMs);
    this.endTime = hrTime(end);
    this.duration = hrTime(end - startMs);
  }

  spanContext(): SpanContext {
    return this.sc;
  }
}

/**
 * Records a finished span (kind internal, status unset, no events or links)
 * straight to the processor. False, and nothing recorded, when dtps did not
 * start the SDK here or has not learned its resource yet: the caller then
 * records it through the SDK's tracer.
 */
export function recordFinished(
  name: string,
  context: SpanContext,
  parent: SpanContext | undefined,
  startMs: number,
  endMs: number,
  attributes: Record<string, string | number | boolean>,
): boolean {
  const origin = sink?.origin;
  if (origin === undefined) return false;
  const span = new FinishedSpan(
    name,
    context,
    parent,
    startMs,
    endMs,
    attributes,
    origin.resource,
    origin.instrumentationScope,
  );
  sink!.processor.onEnd(span as unknown as ReadableSpan);
  return true;
}
