import type { LimitScope, RateLimit } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext, schemas } from '../context.js';

/** The body of `POST /api/v1/queues/:queue/limits`: `dtps queue limit` as JSON. */
interface LimitBody {
  scope: LimitScope;
  key?: string | null;
  rate?: RateLimit | null;
  concurrency?: number | null;
  clear?: boolean;
}

// Only the shape is checked here; the ranges, the scope's key and the group's
// characters are the core's (checkLimitSettings), so the CLI, the client and
// this route refuse the same things with the same field.
const limitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['scope'],
  properties: {
    scope: { type: 'string' },
    key: { type: ['string', 'null'] },
    rate: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['n', 'perMs'],
      properties: { n: { type: 'number' }, perMs: { type: 'number' } },
    },
    concurrency: { type: ['number', 'null'] },
    clear: { type: 'boolean' },
  },
} as const;

/**
 * `POST /api/v1/queues/:queue/limits`: sets or clears one limit of a queue
 * (the page's and any script's `dtps queue limit`). A changing route, so the
 * monitor's token and Origin rules apply; bad input is the core's
 * ValidationError, a 400 naming the field, and nothing is written.
 */
export function limitRoutes(app: FastifyInstance, m: MonitorContext): void {
  app.post<{ Params: { queue: string }; Body: LimitBody }>(
    `${API}/queues/:queue/limits`,
    {
      schema: {
        params: { type: 'object', required: ['queue'], properties: { queue: schemas.queue } },
        body: limitBody,
      },
    },
    async (request) => {
      const { queue } = request.params;
      const { clear, ...settings } = request.body;
      if (clear === true) {
        return m.deps.client.clearQueueLimit(queue, { scope: settings.scope, key: settings.key ?? null });
      }
      return m.deps.client.setQueueLimit(queue, settings);
    },
  );
}
