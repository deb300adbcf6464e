import type {
  Attributes,
  AttributeValue,
  Exception,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The spans a worker records for every task it runs — a task's stand-in root
 * (dated at the submit), its queue wait (submit to first attempt), and its
 * attempt — handed to the span processor without the SDK's Span object.
 * Through `startSpan` and `end`, each costs the sampler a second decision
 * (dtps has taken it: sampler.ts's attemptSampled), three passes that check
 * attributes dtps built itself, clock readings and the span's own
 * bookkeeping (docs/observability.md, "Cost"). What the exporter gets is the
 * same as from the SDK's spans.
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
const UNSET: SpanStatus = { code: 0 };

/**
 * A span as the SDK's exporters read it (ReadableSpan), with the part of the
 * Span API an attempt needs while it runs (attributes, events, status).
 * Times are epoch milliseconds, as the SDK keeps them for a span given its
 * start time.
 */
class RecordedSpan implements Span {
  status = UNSET;
  events = NO_EVENTS;
  links = NO_LINKS;
  ended = false;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly sc: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    private readonly startMs: number,
    readonly attributes: Attributes,
    readonly resource: ReadableSpan['resource'],
    readonly instrumentationScope: ReadableSpan['instrumentationScope'],
    private readonly processor: SpanProcessor,
  ) {
    this.startTime = hrTime(startMs);
  }

  spanContext(): SpanContext {
    return this.sc;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.ended && value !== undefined && value !== null) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) this.setAttribute(key, value);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const attributes =
      typeof attributesOrTime === 'object' &&
      !Array.isArray(attributesOrTime) &&
      !(attributesOrTime instanceof Date)
        ? (attributesOrTime as Attributes)
        : undefined;
    const at =
      typeof attributesOrTime === 'number' ? attributesOrTime : typeof time === 'number' ? time : Date.now();
    this.events = [
      ...this.events,
      { name, time: hrTime(at), droppedAttributesCount: 0, ...(attributes ? { attributes } : {}) },
    ];
    return this;
  }

  addLink(link: Link): this {
    if (!this.ended) this.links = [...this.links, link];
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const e = typeof exception === 'string' ? { message: exception } : exception;
    this.addEvent(
      'exception',
      {
        ...(e.name ? { 'exception.type': e.name } : {}),
        ...(e.message ? { 'exception.message': e.message } : {}),
        ...(e.stack ? { 'exception.stacktrace': e.stack } : {}),
      },
      time,
    );
  }

  /** Ends the span (at `endTime`, epoch ms, else now) and hands it to the processor; once. */
  end(endTime?: TimeInput): void {
    if (this.ended) return;
    // As the SDK does with an end before the start: a span of zero length.
    const end = Math.max(this.startMs, typeof endTime === 'number' ? endTime : Date.now());
    this.endTime = hrTime(end);
    this.duration = hrTime(end - this.startMs);
    this.ended = true;
    this.processor.onEnd(this as unknown as ReadableSpan);
  }
}

/**
 * Starts a span recorded straight to the processor (the caller ends it);
 * undefined when dtps did not start the SDK here or has not learned its
 * resource yet: the caller then uses the SDK's tracer.
 */
export function startRecorded(
  name: string,
  kind: SpanKind,
  context: SpanContext,
  parent: SpanContext | undefined,
  startMs: number,
  attributes: Attributes,
): Span | undefined {
  const s = sink;
  if (s?.origin === undefined) return undefined;
  return new RecordedSpan(
    name,
    kind,
    context,
    parent,
    startMs,
    attributes,
    s.origin.resource,
    s.origin.instrumentationScope,
    s.processor,
  );
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
  attributes: Attributes,
): boolean {
  const span = startRecorded(name, 0 as SpanKind, context, parent, startMs, attributes);
  span?.end(endMs);
  return span !== undefined;
}
