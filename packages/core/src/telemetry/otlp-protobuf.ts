import type { HrTime, TraceState } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * OTLP's ExportTraceServiceRequest in protobuf, written for what a busy
 * worker exports: the same few attribute keys and values (the queue, the
 * task type, the worker, the operation) on every span. Each key, and each
 * value of a key that takes few values, is encoded to bytes once and copied
 * after that; the SDK's serializer encodes every string twice per span (a
 * size pass, then a write pass), which was a third of a tracing worker's CPU
 * (docs/observability.md, "Cost"). Field numbers and the fields written
 * follow the SDK's serializer (opentelemetry-proto trace.proto, common.proto).
 * A span with an attribute value this does not write (bytes, a map, a
 * negative or huge integer) makes the request `undefined`: the caller then
 * uses the SDK's serializer.
 */

/** A growable byte buffer. */
class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void {
    this.need(1);
    this.buf[this.pos++] = b;
  }
  /** A non-negative integer below 2^53. */
  varint(n: number): void {
    this.need(10);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }
  bytes(b: Uint8Array): void {
    this.need(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Length-delimited field `tag` holding `w`'s bytes. */
  sub(tag: number, w: Writer): void {
    this.varint(tag);
    this.varint(w.pos);
    this.need(w.pos);
    // A loop beats Buffer#copy's call overhead for the small parts (events, statuses) copied here.
    if (w.pos < 64) for (let i = 0; i < w.pos; i++) this.buf[this.pos++] = w.buf[i]!;
    else this.pos += w.buf.copy(this.buf, this.pos, 0, w.pos);
  }
  /**
   * Starts a length-delimited field written in place: `reserve` bytes are
   * kept for its length, which `end` writes (moving the field when the
   * length needs more), so that nothing is copied in the common case.
   */
  begin(tag: number, reserve: number): number {
    this.varint(tag);
    this.need(reserve);
    this.pos += reserve;
    return this.pos;
  }
  end(start: number, reserve: number): void {
    const len = this.pos - start;
    const size = varintSize(len);
    if (size !== reserve) {
      this.need(size - reserve);
      this.buf.copyWithin(start + size - reserve, start, this.pos);
      this.pos += size - reserve;
    }
    let at = start - reserve;
    let n = len;
    for (let i = 1; i < size; i++) {
      this.buf[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[at] = n;
  }
  /** Length-delimited id bytes from hex (trace id 16 bytes, span id 8). */
  hexId(tag: number, hex: string): void {
    const len = hex.length >>> 1;
    this.need(len + 2);
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = len;
    for (let i = 0; i < len; i++) {
      const hi = HEX[hex.charCodeAt(2 * i)]!;
      const lo = HEX[hex.charCodeAt(2 * i + 1)]!;
      this.buf[this.pos++] = (hi << 4) | lo;
    }
  }
  string(tag: number, s: string): void {
    // Short ASCII (names, keys, ids): byte by byte, without Buffer's call overhead.
    if (s.length < 128) {
      this.varint(tag);
      this.need(s.length + 1);
      const lenAt = this.pos++;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[this.pos++] = c;
      }
      if (i === s.length) {
        this.buf[lenAt] = s.length;
        return;
      }
      this.pos = lenAt;
    } else this.varint(tag);
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.need(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }
  fixed32(tag: number, n: number): void {
    this.varint(tag);
    this.need(4);
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
  }
  /**
   * Nanoseconds since the epoch (fixed64), from [seconds, nanoseconds]:
   * s × 10^9 + ns is past 2^53, so it is summed in 2^32 halves from parts
   * that stay exact as doubles — no BigInt made for each time of each span.
   */
  time(tag: number, t: HrTime): void {
    this.byte(tag);
    this.need(8);
    const [seconds, nanos] = t;
    // seconds = high × 2^16 + low: low × 10^9 + ns and high × 10^9 stay below 2^53.
    const high = Math.floor(seconds / 0x1_0000);
    const low = seconds - high * 0x1_0000;
    const lowPart = low * 1e9 + nanos;
    const highPart = high * 1e9; // counts 2^16 times
    const sum = (highPart % 0x1_0000) * 0x1_0000 + (lowPart % 0x1_0000_0000);
    const lo32 = sum % 0x1_0000_0000;
    const hi32 =
      Math.floor(highPart / 0x1_0000) + Math.floor(lowPart / 0x1_0000_0000) + Math.floor(sum / 0x1_0000_0000);
    this.buf.writeUInt32LE(lo32, this.pos);
    this.pos = this.buf.writeUInt32LE(hi32, this.pos + 4);
  }
  reset(): this {
    this.pos = 0;
    return this;
  }
}

/** Hex digit values by character code. */
const HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Thrown for a value this encoder leaves to the SDK's. */
class Unsupported extends Error {}

type Scalar = string | number | boolean;

/** AnyValue of a scalar or an array of scalars. */
function anyValue(w: Writer, v: unknown): void {
  if (typeof v === 'string') w.string(0x0a, v);
  else if (typeof v === 'boolean') {
    w.byte(0x10);
    w.byte(v ? 1 : 0);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) {
      w.byte(0x18);
      w.varint(v);
    } else if (Number.isInteger(v)) throw new Unsupported();
    else {
      w.byte(0x21);
      w.need(8);
      w.pos = w.buf.writeDoubleLE(v, w.pos);
    }
  } else if (Array.isArray(v)) {
    const items = new Writer(64);
    const item = new Writer(32);
    for (const x of v) {
      if (Array.isArray(x)) throw new Unsupported();
      anyValue(item.reset(), x);
      items.sub(0x0a, item);
    }
    w.sub(0x2a, items);
  } else throw new Unsupported();
}

/** A key's encoded values, while it has taken few enough to keep (null: too many, encode each time). */
const valueCache = new Map<string, Map<Scalar, Buffer> | null>();
/** Values kept per key; a key beyond it (a task id) is encoded each time. */
const VALUES_PER_KEY = 256;
const scratch = new Writer(256);

/** A KeyValue message's bytes for `key` = `value`. */
function keyValue(key: string, value: unknown): Buffer {
  let values = valueCache.get(key);
  if (values === undefined) {
    values = new Map();
    if (valueCache.size < 1024) valueCache.set(key, values);
  }
  const cacheable =
    values !== null && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean');
  if (cacheable) {
    const hit = values!.get(value as Scalar);
    if (hit !== undefined) return hit;
  }
  const w = scratch.reset();
  w.string(0x0a, key);
  const v = new Writer(32);
  anyValue(v, value);
  w.sub(0x12, v);
  const out = Buffer.from(w.buf.subarray(0, w.pos));
  if (cacheable) {
    if (values!.size >= VALUES_PER_KEY) valueCache.set(key, null);
    else values!.set(value as Scalar, out);
  }
  return out;
}

/** Bytes a varint of `n` takes. */
function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** A KeyValue with a string value that is not kept (a task id): written straight, sizes counted first. */
function stringKeyValue(w: Writer, tag: number, key: string, value: string): void {
  const keyLen = Buffer.byteLength(key);
  const valueLen = Buffer.byteLength(value);
  const any = 1 + varintSize(valueLen) + valueLen;
  w.varint(tag);
  w.varint(1 + varintSize(keyLen) + keyLen + 1 + varintSize(any) + any);
  w.string(0x0a, key);
  w.byte(0x12);
  w.varint(any);
  w.string(0x0a, value);
}

function attributes(w: Writer, tag: number, attrs: Record<string, unknown> | undefined): void {
  if (attrs === undefined) return;
  for (const key in attrs) {
    if (!Object.hasOwn(attrs, key)) continue;
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' && valueCache.get(key) === null) {
      stringKeyValue(w, tag, key, value);
      continue;
    }
    const kv = keyValue(key, value);
    w.varint(tag);
    w.varint(kv.length);
    w.bytes(kv);
  }
}

/** Span flags: the W3C trace flags, and whether the parent is remote (as the SDK writes them). */
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** Each tracestate's text, made once: immutable, and most spans share one (a stand-in's `dtps=task`). */
const traceStates = new WeakMap<TraceState, string>();
function traceStateText(state: TraceState | undefined): string | undefined {
  if (state === undefined) return undefined;
  let text = traceStates.get(state);
  if (text === undefined) {
    text = state.serialize();
    traceStates.set(state, text);
  }
  return text;
}

function span(w: Writer, s: ReadableSpan): void {
  const ctx = s.spanContext();
  w.hexId(0x0a, ctx.traceId);
  w.hexId(0x12, ctx.spanId);
  const state = traceStateText(ctx.traceState);
  if (state) w.string(0x1a, state);
  if (s.parentSpanContext?.spanId) w.hexId(0x22, s.parentSpanContext.spanId);
  w.string(0x2a, s.name);
  const kind = s.kind == null ? 0 : s.kind + 1;
  if (kind !== 0) {
    w.byte(0x30);
    w.varint(kind);
  }
  w.time(0x39, s.startTime);
  w.time(0x41, s.endTime);
  attributes(w, 0x4a, s.attributes);
  w.byte(0x50);
  w.varint(s.droppedAttributesCount);
  for (const e of s.events) {
    const at = w.begin(0x5a, 1);
    w.time(0x09, e.time);
    w.string(0x12, e.name);
    attributes(w, 0x1a, e.attributes);
    w.byte(0x20);
    w.varint(e.droppedAttributesCount ?? 0);
    w.end(at, 1);
  }
  w.byte(0x60);
  w.varint(s.droppedEventsCount);
  for (const l of s.links) {
    const at = w.begin(0x6a, 1);
    w.hexId(0x0a, l.context.traceId);
    w.hexId(0x12, l.context.spanId);
    const linkState = traceStateText(l.context.traceState);
    if (linkState) w.string(0x1a, linkState);
    attributes(w, 0x22, l.attributes);
    w.byte(0x28);
    w.varint(l.droppedAttributesCount ?? 0);
    w.fixed32(0x35, flags(l.context.traceFlags, l.context.isRemote));
    w.end(at, 1);
  }
  w.byte(0x70);
  w.varint(s.droppedLinksCount);
  const at = w.begin(0x7a, 1);
  if (s.status.message) w.string(0x12, s.status.message);
  w.byte(0x18);
  w.varint(s.status.code);
  w.end(at, 1);
  // Field 16, fixed32: its tag takes two bytes.
  w.byte(0x85);
  w.fixed32(0x01, flags(ctx.traceFlags, s.parentSpanContext?.isRemote));
}

const resources = new WeakMap<object, Buffer>();
/** A Resource message's bytes (made once per resource). */
function resource(r: ReadableSpan['resource']): Buffer {
  let out = resources.get(r);
  if (out === undefined) {
    const w = new Writer(256);
    attributes(w, 0x0a, r.attributes as Record<string, unknown>);
    w.byte(0x10);
    w.byte(0);
    out = Buffer.from(w.buf.subarray(0, w.pos));
    resources.set(r, out);
  }
  return out;
}

function scope(s: ReadableSpan['instrumentationScope']): Writer {
  const w = new Writer(64);
  w.string(0x0a, s.name);
  if (s.version) w.string(0x12, s.version);
  return w;
}

/** The request's bytes, or undefined for spans this does not encode (see above). */
export function encodeTraceRequest(spans: ReadableSpan[]): Uint8Array | undefined {
  // Grouped as the SDK does: by resource, then by instrumentation scope.
  const byResource = new Map<object, Map<object, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(s.resource, scopes);
    }
    let list = scopes.get(s.instrumentationScope);
    if (!list) {
      list = [];
      scopes.set(s.instrumentationScope, list);
    }
    list.push(s);
  }
  try {
    const w = new Writer(spans.length * 400 + 256);
    for (const scopes of byResource.values()) {
      const first = scopes.values().next().value![0]!;
      const rs = w.begin(0x0a, 3);
      const res = resource(first.resource);
      w.varint(0x0a);
      w.varint(res.length);
      w.bytes(res);
      for (const list of scopes.values()) {
        const sc = list[0]!.instrumentationScope;
        const ss = w.begin(0x12, 3);
        w.sub(0x0a, scope(sc));
        for (const s of list) {
          const at = w.begin(0x12, 2);
          span(w, s);
          w.end(at, 2);
        }
        if (sc.schemaUrl) w.string(0x1a, sc.schemaUrl);
        w.end(ss, 3);
      }
      if (first.resource.schemaUrl) w.string(0x1a, first.resource.schemaUrl);
      w.end(rs, 3);
    }
    return w.buf.subarray(0, w.pos);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
