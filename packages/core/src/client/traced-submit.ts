import type { Context, Link, Span } from '@opentelemetry/api';
import type { EngineContext } from '../context.js';
import type { NormalizedSpec, SubmitResult } from '../task/types.js';
import {
  activeContext,
  api,
  currentTraceContext,
  endSpan,
  parentLink,
  startSubmitSpan,
  tracingEnabled,
} from '../telemetry/tracing.js';
import { readTasks } from './reader.js';

/**
 * Links to the traces of the tasks `specs` depend on (span links: a DAG
 * child's trace points at its parents'). Parents in the same batch are linked
 * by their submit span; others are read from Redis (only with tracing on).
 */
async function parentLinks(ctx: EngineContext, specs: readonly NormalizedSpec[]): Promise<Map<string, Link>> {
  const links = new Map<string, Link>();
  if (!tracingEnabled()) return links;
  const inBatch = new Set(specs.map((s) => s.id));
  const byQueue = new Map<string, Set<string>>();
  for (const s of specs) {
    for (const parent of s.dependsOn) {
      if (inBatch.has(parent)) continue;
      const set = byQueue.get(s.queue) ?? new Set<string>();
      set.add(parent);
      byQueue.set(s.queue, set);
    }
  }
  await Promise.all(
    [...byQueue].map(async ([queue, ids]) => {
      for (const task of await readTasks(ctx, queue, [...ids])) {
        const link = parentLink(task.id, task.trace);
        if (link) links.set(task.id, link);
      }
    }),
  );
  return links;
}

/** Starts a submit span for `spec` (linked to its parents) and stores the span's trace context in it. */
function startFor(spec: NormalizedSpec, links: Link[], parent: Context, batch: boolean): Span {
  const span = startSubmitSpan({ queue: spec.queue, type: spec.type, id: spec.id, links }, parent, batch);
  spec.trace = currentTraceContext(api().trace.setSpan(parent, span)) ?? spec.trace;
  return span;
}

/** Submits one prepared task inside its own `dtps.submit` span. */
export async function submitTraced(
  ctx: EngineContext,
  spec: NormalizedSpec,
  write: (spec: NormalizedSpec) => Promise<SubmitResult>,
): Promise<SubmitResult> {
  const parent = activeContext(); // before any await: the caller's span, or an incoming traceparent
  const known = await parentLinks(ctx, [spec]);
  const span = startFor(spec, linksOf(spec, known), parent, false);
  try {
    const r = await write(spec);
    if (r.duplicate) span.setAttributes({ 'dtps.duplicate': true, 'messaging.message.id': r.id });
    endSpan(span);
    return r;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}

/**
 * Submits a prepared batch with one `dtps.submit` span per task (each its
 * own trace unless the caller has one active), children linked to their
 * parents'. `ordered` has parents before children (prepareBatch's order).
 */
export async function submitBatchTraced<T>(
  ctx: EngineContext,
  ordered: readonly NormalizedSpec[],
  write: () => Promise<T>,
): Promise<T> {
  const parent = activeContext();
  const known = await parentLinks(ctx, ordered);
  const spans: Span[] = [];
  for (const spec of ordered) {
    const span = startFor(spec, linksOf(spec, known), parent, true);
    spans.push(span);
    const sc = span.spanContext();
    known.set(spec.id, { context: sc, attributes: { 'dtps.task.id': spec.id } });
  }
  try {
    const r = await write();
    for (const span of spans) endSpan(span);
    return r;
  } catch (err) {
    for (const span of spans) endSpan(span, err);
    throw err;
  }
}

function linksOf(spec: NormalizedSpec, known: Map<string, Link>): Link[] {
  return spec.dependsOn.flatMap((id) => {
    const link = known.get(id);
    return link ? [link] : [];
  });
}
