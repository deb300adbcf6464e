import { type Context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { encodeTraceRequest } from '../../src/telemetry/otlp-protobuf.js';

/** Spans made by the SDK itself, kept in memory. */
function record(make: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'dtps-test', 'host.name': 'hôte' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  make(provider.getTracer('dtps', '0.1.0'));
  return exporter.getFinishedSpans();
}

/** A remote parent with a tracestate, as a task stored with a trace context has. */
function remoteParent(): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
}

test("dtps's encoder writes the same bytes as the SDK's protobuf serializer", (t) => {
  const spans = record((tracer) => {
    const root = tracer.startSpan('dtps.submit', {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'dtps',
        'dtps.task.attempt': 1,
        big: 2 ** 40,
        ratio: 0.25,
        flag: true,
        names: ['a', 'b'],
        numbers: [1, 2.5],
        unicode: 'çødé ✓',
        long: 'x'.repeat(300),
      },
    });
    root.end();
    // Enough spans that the task ids stop being kept (more than 256 values of a key), and a span
    // longer than 127 bytes (its length takes two bytes).
    for (let i = 0; i < 300; i++) {
      const s = tracer.startSpan(
        'dtps.attempt',
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.message.id': `task-${i}`,
            'dtps.queue': 'default',
            'dtps.task.attempt': 1 + (i % 3),
          },
          links: [{ context: root.spanContext(), attributes: { 'dtps.task.id': 'parent' } }],
        },
        i % 2 === 0 ? remoteParent() : trace.setSpan(ROOT_CONTEXT, root),
      );
      if (i % 3 === 0) s.addEvent('dtps.timeout', { 'dtps.reason': 'timeout' });
      if (i % 5 === 0) s.setStatus({ code: 2, message: 'boom' });
      s.end();
    }
  });
  t.is(spans.length, 301);
  const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  t.deepEqual(Buffer.from(encodeTraceRequest(spans)!), sdk);
  // Again, with the keys and values now encoded from what it kept.
  t.deepEqual(Buffer.from(encodeTraceRequest(spans)!), sdk);
});

test('a value the encoder does not write (a negative integer) leaves the request to the SDK', (t) => {
  for (const value of [-1, -(2 ** 40)]) {
    const spans = record((tracer) => {
      tracer.startSpan('x', { attributes: { ok: 'yes', odd: value } }).end();
    });
    t.is(encodeTraceRequest(spans), undefined);
  }
});
