/**
 * Decodes an OTLP ExportTraceServiceRequest in protobuf's wire format into
 * the shape of OTLP's JSON encoding (ids as hex strings, times as decimal
 * strings), so that one decoder reads both. Field numbers from
 * opentelemetry-proto's trace.proto and common.proto; fields a test does not
 * read are skipped.
 */
import type { AnyValue, ExportTraceServiceRequest, JsonSpan, KeyValue } from './otlp-receiver.js';

/** One field of a message: its number and value (a varint as bigint, bytes for the length-delimited, fixed64/32 as raw bytes). */
interface Field {
  no: number;
  wire: number;
  int: bigint;
  bytes: Buffer;
}

function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let out = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      out |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return out;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      yield { no, wire, int: 0n, bytes: buf.subarray(pos, pos + size) };
      pos += size;
    } else if (wire === 2) {
      const len = Number(varint());
      yield { no, wire, int: 0n, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else throw new Error(`protobuf wire type ${wire} (field ${no}) is not decoded here`);
  }
}

function anyValue(buf: Buffer): AnyValue {
  const v: AnyValue = {};
  for (const f of fields(buf)) {
    if (f.no === 1) v.stringValue = f.bytes.toString('utf8');
    else if (f.no === 2) v.boolValue = f.int !== 0n;
    else if (f.no === 3) v.intValue = BigInt.asIntN(64, f.int).toString();
    else if (f.no === 4) v.doubleValue = f.bytes.readDoubleLE(0);
    else if (f.no === 5)
      v.arrayValue = { values: [...fields(f.bytes)].filter((x) => x.no === 1).map((x) => anyValue(x.bytes)) };
  }
  return v;
}

function keyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: '' };
  for (const f of fields(buf)) {
    if (f.no === 1) kv.key = f.bytes.toString('utf8');
    else if (f.no === 2) kv.value = anyValue(f.bytes);
  }
  return kv;
}

function span(buf: Buffer): JsonSpan {
  const s: JsonSpan = { traceId: '', spanId: '', name: '', attributes: [], events: [], links: [] };
  for (const f of fields(buf)) {
    if (f.no === 1) s.traceId = f.bytes.toString('hex');
    else if (f.no === 2) s.spanId = f.bytes.toString('hex');
    else if (f.no === 4 && f.bytes.length > 0) s.parentSpanId = f.bytes.toString('hex');
    else if (f.no === 5) s.name = f.bytes.toString('utf8');
    else if (f.no === 6) s.kind = Number(f.int);
    else if (f.no === 7) s.startTimeUnixNano = f.bytes.readBigUInt64LE(0).toString();
    else if (f.no === 8) s.endTimeUnixNano = f.bytes.readBigUInt64LE(0).toString();
    else if (f.no === 9) s.attributes!.push(keyValue(f.bytes));
    else if (f.no === 11) {
      const e = { name: '', attributes: [] as KeyValue[] };
      for (const g of fields(f.bytes)) {
        if (g.no === 2) e.name = g.bytes.toString('utf8');
        else if (g.no === 3) e.attributes.push(keyValue(g.bytes));
      }
      s.events!.push(e);
    } else if (f.no === 13) {
      const l = { traceId: '', spanId: '', attributes: [] as KeyValue[] };
      for (const g of fields(f.bytes)) {
        if (g.no === 1) l.traceId = g.bytes.toString('hex');
        else if (g.no === 2) l.spanId = g.bytes.toString('hex');
        else if (g.no === 4) l.attributes.push(keyValue(g.bytes));
      }
      s.links!.push(l);
    } else if (f.no === 15) {
      const status: { code?: number; message?: string } = {};
      for (const g of fields(f.bytes)) {
        if (g.no === 2) status.message = g.bytes.toString('utf8');
        else if (g.no === 3) status.code = Number(g.int);
      }
      s.status = status;
    }
  }
  return s;
}

/** Decodes one protobuf ExportTraceServiceRequest. */
export function decodeProtobufExport(body: Buffer): ExportTraceServiceRequest {
  const resourceSpans: NonNullable<ExportTraceServiceRequest['resourceSpans']> = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1) continue;
    const out: (typeof resourceSpans)[number] = { resource: { attributes: [] }, scopeSpans: [] };
    for (const f of fields(rs.bytes)) {
      if (f.no === 1) {
        for (const g of fields(f.bytes)) if (g.no === 1) out.resource!.attributes!.push(keyValue(g.bytes));
      } else if (f.no === 2) {
        const ss: { scope?: { name?: string }; spans: JsonSpan[] } = { spans: [] };
        for (const g of fields(f.bytes)) {
          if (g.no === 1) {
            for (const h of fields(g.bytes)) if (h.no === 1) ss.scope = { name: h.bytes.toString('utf8') };
          } else if (g.no === 2) ss.spans.push(span(g.bytes));
        }
        out.scopeSpans!.push(ss);
      }
    }
    resourceSpans.push(out);
  }
  return { resourceSpans };
}
