import { TASK_STATES, type TaskSpec, type TaskState, withRemoteContext } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext, schemas } from '../context.js';
import { LIMITS } from '../limits.js';
import { boundedDetail } from '../tasks/detail.js';
import { listSummaries } from '../tasks/page.js';

const idParams = { type: 'object', required: ['id'], properties: { id: schemas.taskId } } as const;
const queueQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { queue: schemas.queue },
} as const;

/**
 * The fields of a TaskSpec and their JSON types. Values (ranges, times,
 * sizes) are checked by core's validation, the one rule for every way in;
 * the schema catches wrong types and unknown fields and names the field.
 */
const specBody = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string' },
    payload: {},
    queue: { type: 'string' },
    priority: { type: 'integer' },
    maxRetries: { type: 'integer' },
    backoff: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: ['exponential', 'fixed'] },
        baseMs: { type: 'integer' },
        maxMs: { type: 'integer' },
        jitter: { type: 'boolean' },
      },
    },
    timeoutMs: { type: 'integer' },
    deadline: { type: ['string', 'integer'] },
    dependsOn: { type: 'array', items: { type: 'string' } },
    runAt: { type: ['string', 'integer'] },
    delayMs: { type: 'integer' },
    idempotencyKey: { type: 'string' },
    group: { type: 'string' },
    dedupTtlMs: { type: 'integer' },
    debounce: { type: 'string' },
  },
} as const;

interface ListQuery {
  queue?: string;
  type?: string;
  group?: string;
  field?: string;
  value?: string;
  state?: TaskState;
  priority?: number;
  limit?: number;
  cursor?: string;
}

/**
 * Tasks: list with filters and paging (summaries: bodies as sizes), one with
 * its dependencies and bodies, submit, cancel, retry. Lists and details go
 * through the heavy-request gate (429 beyond it).
 */
export function taskRoutes(app: FastifyInstance, m: MonitorContext): void {
  const { inspector, client } = m.deps;

  app.get<{ Querystring: ListQuery }>(
    `${API}/tasks`,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            queue: schemas.queue,
            state: { type: 'string', enum: [...TASK_STATES] },
            priority: { type: 'integer', minimum: 1, maximum: 10 },
            limit: { type: 'integer', minimum: 1, maximum: LIMITS.listMaxLimit },
            cursor: { type: 'string', pattern: '^\\d+:\\d+$' },
            type: { type: 'string', minLength: 1, maxLength: 200 },
            group: { type: 'string', minLength: 1, maxLength: 200 },
            field: { type: 'string', minLength: 1, maxLength: 200 },
            value: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      return m.heavy.run(() =>
        listSummaries(m.deps.ctx, { ...q, queue: q.queue ?? m.deps.ctx.defaultQueue }),
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: { queue?: string } }>(
    `${API}/tasks/:id`,
    { schema: { params: idParams, querystring: queueQuery }, config: { private: true } },
    async (request) =>
      m.heavy.run(() => boundedDetail(m.deps.ctx, inspector, request.params.id, request.query.queue)),
  );

  app.post<{ Body: TaskSpec }>(`${API}/tasks`, { schema: { body: specBody } }, async (request, reply) => {
    // A caller's `traceparent` header makes the submit span (and so the task's trace) its child.
    const r = await withRemoteContext(request.headers, () => client.submit(request.body));
    return reply.status(r.duplicate ? 200 : 201).send(r);
  });

  app.post<{
    Params: { id: string };
    Querystring: { queue?: string };
    Body: { reason?: string };
  }>(
    `${API}/tasks/:id/cancel`,
    {
      schema: {
        params: idParams,
        querystring: queueQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (request) => {
      const { queue } = request.query;
      const reason = request.body?.reason;
      return client.cancel(request.params.id, { ...(queue ? { queue } : {}), ...(reason ? { reason } : {}) });
    },
  );

  app.post<{ Params: { id: string }; Querystring: { queue?: string } }>(
    `${API}/tasks/:id/retry`,
    { schema: { params: idParams, querystring: queueQuery } },
    async (request) => {
      const { queue } = request.query;
      return client.retry(request.params.id, queue ? { queue } : {});
    },
  );
}
