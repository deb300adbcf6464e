/**
 * An OTLP/HTTP trace receiver for tests: listens on a free loopback port,
 * takes what exporters POST to `/v1/traces`, and decodes it: OTLP's protobuf
 * encoding (what dtps sends by default) or its JSON encoding (ids as hex
 * strings; `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json`). Any other body
 * is refused, so that a change of encoding fails loudly rather than losing spans.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufExport } from './otlp-protobuf.js';

/** An attribute value as OTLP's JSON encoding has it (AnyValue). */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a number or, for large values, a string. */
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
export interface KeyValue {
  key: string;
  value?: AnyValue;
}
export interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: { name: string; attributes?: KeyValue[] }[];
  links?: { traceId: string; spanId: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
/** ExportTraceServiceRequest, JSON encoding (the protobuf decoder gives the same shape). */
export interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[];
  }[];
}

/** OTLP SpanKind numbers. */
export const SpanKind = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
/** OTLP status codes. */
export const StatusCode = { unset: 0, ok: 1, error: 2 } as const;

/** One received span, decoded. */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  /** Empty for a root. */
  parentSpanId: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  events: string[];
  links: { traceId: string; spanId: string; attributes: Record<string, string | number | boolean> }[];
  status: number;
}

function value(v: AnyValue | undefined): string | number | boolean {
  if (v === undefined) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return JSON.stringify(v);
}

function attributes(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** Decodes one JSON ExportTraceServiceRequest. */
export function decodeExport(body: ExportTraceServiceRequest): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) => {
    const service = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        service,
        name: s.name,
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        kind: s.kind ?? 0,
        startMs: Number(BigInt(s.startTimeUnixNano ?? 0) / 1_000_000n),
        endMs: Number(BigInt(s.endTimeUnixNano ?? 0) / 1_000_000n),
        attributes: attributes(s.attributes),
        events: (s.events ?? []).map((e) => e.name),
        links: (s.links ?? []).map((l) => ({
          traceId: l.traceId,
          spanId: l.spanId,
          attributes: attributes(l.attributes),
        })),
        status: s.status?.code ?? 0,
      })),
    );
  });
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/** A running receiver: its base URL (what DTPS_TELEMETRY_OTLP_ENDPOINT takes) and what it got. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Requests it could not take (wrong path or encoding), to show in a failure. */
  readonly refused: string[] = [];
  /** The encodings the exports came in. */
  readonly encodings = new Set<'json' | 'protobuf'>();
  readonly #server: Server;
  readonly url: string;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      void (async () => {
        const body = await bodyOf(req);
        const type = String(req.headers['content-type'] ?? '');
        const json = type.startsWith('application/json');
        if (
          req.method !== 'POST' ||
          req.url !== '/v1/traces' ||
          !(json || type.startsWith('application/x-protobuf'))
        ) {
          receiver!.refused.push(`${req.method} ${req.url} ${type}`);
          res.writeHead(415).end();
          return;
        }
        receiver!.encodings.add(json ? 'json' : 'protobuf');
        const request = json
          ? (JSON.parse(body.toString('utf8')) as ExportTraceServiceRequest)
          : decodeProtobufExport(body);
        receiver!.spans.push(...decodeExport(request));
        // An empty ExportTraceServiceResponse, in the request's encoding.
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** The spans about one task (attribute `messaging.message.id`). */
  ofTask(id: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.attributes['messaging.message.id'] === id);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
