import { BULK_ACTIONS, type BulkAction, type BulkFilter, TASK_STATES } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext, schemas } from '../context.js';
import { LIMITS } from '../limits.js';

interface BulkBody extends BulkFilter {
  dryRun?: boolean;
  cursor?: string;
  reason?: string;
}

const bulkBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    queue: schemas.queue,
    state: { type: 'string', enum: [...TASK_STATES] },
    type: { type: 'string', minLength: 1, maxLength: 200 },
    group: { type: 'string', minLength: 1, maxLength: 200 },
    priority: { type: 'integer', minimum: 1, maximum: 10 },
    before: { type: 'integer', minimum: 0 },
    after: { type: 'integer', minimum: 0 },
    dryRun: { type: 'boolean' },
    cursor: { type: 'string', pattern: '^\\d+:\\d+:\\d+$' },
    reason: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/**
 * `POST /api/v1/bulk/:action` (retry, cancel, delete, purge): one bounded
 * step of a bulk operation. A request looks at most at LIMITS.bulkScanMax
 * tasks, LIMITS.bulkChunk per script call, and answers with the counts and
 * a cursor; the caller sends the same body with that cursor until it is
 * null, summing the counts for its progress. No state is kept here, so any
 * coordinator serves the next step, and a caller that stops can start over:
 * every task is checked against the filter again when its chunk runs. The
 * step goes through the heavy-request gate (429 beyond it).
 */
export function bulkRoutes(app: FastifyInstance, m: MonitorContext): void {
  app.post<{ Params: { action: BulkAction }; Body: BulkBody }>(
    `${API}/bulk/:action`,
    {
      schema: {
        params: {
          type: 'object',
          required: ['action'],
          properties: { action: { type: 'string', enum: [...BULK_ACTIONS] } },
        },
        body: bulkBody,
      },
    },
    async (request) => {
      const { dryRun, cursor, reason, ...filter } = request.body;
      const { action } = request.params;
      const step = await m.heavy.run(() =>
        m.deps.client.bulkStep(action, filter, {
          dryRun: dryRun === true,
          maxScan: LIMITS.bulkScanMax,
          chunkSize: LIMITS.bulkChunk,
          ...(cursor === undefined ? {} : { cursor }),
          ...(reason === undefined ? {} : { reason }),
        }),
      );
      return { action, queue: filter.queue ?? m.deps.ctx.defaultQueue, dryRun: dryRun === true, ...step };
    },
  );
}
