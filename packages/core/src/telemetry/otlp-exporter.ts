// Types only: the packages are required when traces are on (see setup.ts).
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadSdk } from './load.js';
import { encodeTraceRequest } from './otlp-protobuf.js';

/**
 * dtps's OTLP/HTTP trace exporter: the SDK's HTTP transport (endpoint,
 * headers, compression, timeouts, retries and OTEL_EXPORTER_OTLP_* as the
 * SDK's exporters read them), sending protobuf written by otlp-protobuf.ts,
 * which costs a tracing worker far less CPU than the SDK's JSON or protobuf
 * serializers (docs/observability.md, "Cost"). With the standard variable
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (else OTEL_EXPORTER_OTLP_PROTOCOL) set
 * to `http/json`, the SDK's JSON exporter instead, for a receiver that takes
 * only JSON.
 */
export function otlpTraceExporter(endpoint: string | undefined): SpanExporter {
  const config = endpoint ? { url: `${endpoint.replace(/\/$/, '')}/v1/traces` } : {};
  const env = process.env;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = loadSdk<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
      '@opentelemetry/exporter-trace-otlp-http',
    );
    return new OTLPTraceExporter(config);
  }
  const { OTLPExporterBase } = loadSdk<typeof import('@opentelemetry/otlp-exporter-base')>(
    '@opentelemetry/otlp-exporter-base',
  );
  const { createOtlpHttpExportDelegate, convertLegacyHttpOptions } = loadSdk<
    typeof import('@opentelemetry/otlp-exporter-base/node-http')
  >('@opentelemetry/otlp-exporter-base/node-http');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } = loadSdk<
    typeof import('@opentelemetry/otlp-transformer')
  >('@opentelemetry/otlp-transformer');
  type Spans = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0];
  const serializer: typeof ProtobufTraceSerializer = {
    // A span this encoder does not write (an attribute of bytes, say) goes through the SDK's.
    serializeRequest: (spans: Spans) =>
      encodeTraceRequest(spans) ?? ProtobufTraceSerializer.serializeRequest(spans),
    deserializeResponse: (body: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(body),
  };
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    serializer,
    'otlp_http_span_exporter',
    TraceExporterMetricsHelper,
    undefined,
  );
  return new OTLPExporterBase(delegate) as unknown as SpanExporter;
}
