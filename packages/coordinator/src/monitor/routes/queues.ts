import { DtpsError, type QueueSummary, type SeriesPoint } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext, schemas, workerStatus } from '../context.js';
import { limitRoutes } from './limits.js';

/** Points of the 1 s series in a queue's detail. */
const DETAIL_POINTS = 60;

async function knownQueue(m: MonitorContext, queue: string): Promise<void> {
  if (!(await m.deps.inspector.queues()).includes(queue)) {
    throw new DtpsError('not_found', `queue ${queue} is not known: no task was ever submitted to it`, {
      field: 'queue',
    });
  }
}

/**
 * A queue's recent seconds: the coordinator's roll-up when there is one,
 * else straight from the engine's per-second counters (no coordinator
 * leading, or it just started).
 */
async function recentSeries(
  m: MonitorContext,
  queue: string,
  n: number,
): Promise<{ source: 'rollup' | 'counters'; points: SeriesPoint[] }> {
  const points = await m.deps.inspector.series(queue, '1s', n);
  if (points.length > 0) return { source: 'rollup', points };
  return { source: 'counters', points: await m.deps.inspector.recentSeconds(queue, n) };
}

/** Each queue's summary with whether it is paused (`dtps queue pause`), as the page shows it. */
async function withPause(
  m: MonitorContext,
  queues: QueueSummary[],
): Promise<(QueueSummary & { paused: boolean; pausedAt: number | null })[]> {
  const states = await Promise.all(queues.map((q) => m.deps.client.queueState(q.name)));
  return queues.map((q, i) => ({ ...q, paused: states[i]!.paused, pausedAt: states[i]!.pausedAt }));
}

const queueParams = {
  type: 'object',
  required: ['queue'],
  properties: { queue: schemas.queue },
} as const;

/**
 * Overview, queues, one queue with its recent series, series, the scaling
 * recommendation, and an operator's pause and resume of a whole queue.
 */
export function queueRoutes(app: FastifyInstance, m: MonitorContext): void {
  const { inspector } = m.deps;

  app.get(`${API}/overview`, async () => {
    const [queues, workers, leader, recommendation] = await Promise.all([
      inspector.overview(),
      inspector.workers(),
      inspector.leader(),
      inspector.recommendation(),
    ]);
    const status = m.deps.status();
    return {
      queues: await withPause(m, queues),
      workers: {
        live: workers.filter((w) => workerStatus(w.heartbeatAgeMs, m) !== 'dead').length,
        total: workers.length,
      },
      leader,
      recommendation,
      coordinator: { ...status, role: status.leading ? 'leading' : 'standby' },
      at: m.deps.ctx.clock.now(),
    };
  });

  app.get(`${API}/queues`, async () => ({ queues: await withPause(m, await inspector.overview()) }));

  app.get<{ Params: { queue: string } }>(
    `${API}/queues/:queue`,
    {
      schema: {
        params: { type: 'object', required: ['queue'], properties: { queue: schemas.queue } },
      },
    },
    async (request) => {
      const { queue } = request.params;
      await knownQueue(m, queue);
      const [summary, series] = await Promise.all([
        inspector.queue(queue),
        recentSeries(m, queue, DETAIL_POINTS),
      ]);
      const [withState] = await withPause(m, [summary]);
      return { ...withState, series: { resolution: '1s', ...series } };
    },
  );

  app.get<{ Params: { queue: string }; Querystring: { resolution: '1s' | '1m'; limit?: number } }>(
    `${API}/queues/:queue/series`,
    {
      schema: {
        params: { type: 'object', required: ['queue'], properties: { queue: schemas.queue } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            resolution: { type: 'string', enum: ['1s', '1m'], default: '1s' },
            limit: { type: 'integer', minimum: 1, maximum: 1440 },
          },
        },
      },
    },
    async (request) => {
      const { queue } = request.params;
      const { resolution, limit } = request.query;
      await knownQueue(m, queue);
      const n = limit ?? (resolution === '1s' ? 600 : 1440);
      if (resolution === '1s')
        return { queue, resolution, ...(await recentSeries(m, queue, Math.min(n, 600))) };
      return { queue, resolution, source: 'rollup', points: await inspector.series(queue, '1m', n) };
    },
  );

  // `dtps queue show|pause|resume` over HTTP, with the CLI's JSON. Any valid
  // name is accepted, as by the CLI: a queue may be paused before its first task.
  app.get<{ Params: { queue: string } }>(
    `${API}/queues/:queue/state`,
    { schema: { params: queueParams } },
    async (request) => m.deps.client.queueState(request.params.queue),
  );
  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: { queue: string } }>(
      `${API}/queues/:queue/${action}`,
      { schema: { params: queueParams } },
      async (request) => {
        const { queue } = request.params;
        return action === 'pause' ? m.deps.client.pauseQueue(queue) : m.deps.client.resumeQueue(queue);
      },
    );
  }

  limitRoutes(app, m);

  app.get(`${API}/recommendation`, async () => ({ recommendation: await inspector.recommendation() }));
}
