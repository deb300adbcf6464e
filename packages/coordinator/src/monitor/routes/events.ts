import { duplicateConnection, type TransitionEvent } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext, schemas } from '../context.js';
import { HttpError } from '../errors.js';
import { SseStream } from '../sse.js';

/** How long one blocking XREAD waits before it is issued again, ms. */
const BLOCK_MS = 10_000;
/** Cadence of the all-queues poll, ms. */
const POLL_MS = 500;
/** Stream entries read per call. */
const PAGE = 500;

/** `<queue>|<streamId>` pairs, comma separated: the SSE event id, and what Last-Event-ID gives back. */
const CURSOR = /^([A-Za-z0-9_.:-]{1,64})\|(\d+-\d+)$/;

/** Parses a Last-Event-ID header into cursors by queue; 400 when it is not one of ours. */
export function parseLastEventId(header: string | undefined): Map<string, string> | null {
  if (header === undefined || header.trim() === '') return null;
  const cursors = new Map<string, string>();
  for (const part of header.trim().split(',')) {
    const m = CURSOR.exec(part);
    if (!m) {
      throw new HttpError(
        400,
        'invalid_argument',
        'Last-Event-ID: must be an id this stream sent (`<queue>|<streamId>`, comma separated)',
        'Last-Event-ID',
      );
    }
    cursors.set(m[1]!, m[2]!);
  }
  return cursors;
}

function formatCursors(cursors: ReadonlyMap<string, string>): string {
  return [...cursors].map(([q, id]) => `${q}|${id}`).join(',');
}

/** The JSON data of one `transition` event. */
function eventData(queue: string, ev: TransitionEvent) {
  return {
    queue,
    streamId: ev.streamId,
    at: ev.at,
    state: ev.state,
    ids: ev.ids,
    reason: ev.reason,
    worker: ev.worker,
    progress: ev.progress,
  };
}

/**
 * One queue: a blocking XREAD on a connection of this client's own (a
 * blocked connection serves nothing else), so events arrive as soon as they
 * are written. The connection closes with the stream.
 */
async function tailOneQueue(m: MonitorContext, out: SseStream, queue: string, from: string): Promise<void> {
  const conn = duplicateConnection(m.deps.ctx.redis);
  conn.on('error', () => {}); // failures surface as rejected reads
  out.onClose(() => conn.disconnect());
  let cursor = from;
  while (!out.closed) {
    const events = await m.deps.inspector.waitEvents(conn, queue, cursor, BLOCK_MS);
    for (const ev of events) {
      cursor = ev.streamId;
      await out.send('transition', eventData(queue, ev), `${queue}|${cursor}`);
    }
  }
}

/**
 * Every queue. One XREAD BLOCK over several streams is refused by Redis
 * Cluster when the streams live in different slots (each queue has its own
 * hash tag), and one blocked connection per queue per client would multiply
 * connections (100 clients × 20 queues = 2,000). So this mode polls with
 * XRANGE every 500 ms on the shared connection (non-blocking, one key per
 * call, so Cluster-safe): at most half a second late, and a cost that grows
 * with queues × clients, both small. Queues that appear later are picked up
 * from their first event. The event id carries every queue's cursor, so a
 * reconnect resumes each queue exactly where it stopped.
 */
async function pollAllQueues(m: MonitorContext, out: SseStream, cursors: Map<string, string>): Promise<void> {
  const { inspector } = m.deps;
  while (!out.closed) {
    for (const q of await inspector.queues()) if (!cursors.has(q)) cursors.set(q, '0-0');
    for (const queue of [...cursors.keys()]) {
      let events: TransitionEvent[];
      do {
        events = await inspector.eventsSince(queue, cursors.get(queue)!, PAGE);
        for (const ev of events) {
          cursors.set(queue, ev.streamId);
          await out.send('transition', eventData(queue, ev), formatCursors(cursors));
          if (out.closed) return;
        }
      } while (events.length === PAGE);
    }
    await out.pause(POLL_MS);
  }
}

/**
 * `GET /api/v1/events[?queue=Q]`: Server-Sent Events, one `transition` event
 * per stream entry (an entry may carry several task ids), resumable with
 * Last-Event-ID, a keep-alive comment every 15 s, at most `maxSseClients`
 * streams at once (503 beyond).
 */
export function eventRoutes(app: FastifyInstance, m: MonitorContext): void {
  const streams = new Set<SseStream>();
  let opening = 0;
  // Open streams would keep app.close() waiting for ever: end them first.
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  app.get<{ Querystring: { queue?: string } }>(
    `${API}/events`,
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { queue: schemas.queue } },
      },
    },
    async (request, reply) => {
      if (streams.size + opening >= m.maxSseClients) {
        throw new HttpError(
          503,
          'unavailable',
          `already serving ${m.maxSseClients} event streams; try again later`,
          undefined,
          { 'retry-after': '5' },
        );
      }
      const resume = parseLastEventId(request.headers['last-event-id'] as string | undefined);
      const { queue } = request.query;
      const { inspector } = m.deps;
      opening++;
      let cursors: Map<string, string>;
      try {
        // Cursors are taken before the response starts: whatever happens once
        // the client sees the stream open is after them.
        if (queue !== undefined) {
          cursors = new Map([[queue, resume?.get(queue) ?? (await inspector.eventCursor(queue))]]);
        } else {
          cursors = new Map();
          for (const q of await inspector.queues()) {
            cursors.set(q, resume ? (resume.get(q) ?? '0-0') : await inspector.eventCursor(q));
          }
        }
      } finally {
        opening--;
      }
      reply.hijack();
      const out = new SseStream(reply.raw, m.sseKeepAliveMs);
      streams.add(out);
      out.onClose(() => streams.delete(out));
      const run =
        queue !== undefined
          ? tailOneQueue(m, out, queue, cursors.get(queue)!)
          : pollAllQueues(m, out, cursors);
      run.catch((err: unknown) => {
        if (out.closed) return; // the client left mid-read: the disconnect rejected it
        m.deps.log.warn(
          { err: (err as Error).message, queue },
          'event stream failed; the client will reconnect',
        );
        void out.send('error', { message: (err as Error).message }).finally(() => out.end());
      });
    },
  );
}
