import { SCHEDULE_ID_PATTERN, type ScheduleInput, ScheduleStore, scheduleDetail } from '@dtps/core';
import type { FastifyInstance } from 'fastify';
import { API, type MonitorContext } from '../context.js';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SCHEDULE_ID_PATTERN.source } },
} as const;

/** The body of PUT: a schedule without its id (the path names it). Values are checked by core. */
const scheduleBody = {
  type: 'object',
  required: ['template'],
  additionalProperties: false,
  properties: {
    cron: { type: 'string' },
    tz: { type: 'string' },
    everyMs: { type: 'integer' },
    missed: { type: 'string' },
    overlap: { type: 'string', enum: ['allow', 'skip'] },
    jitterMs: { type: 'integer' },
    template: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { type: 'string' },
        payload: {},
        queue: { type: 'string' },
        priority: { type: 'integer' },
        maxRetries: { type: 'integer' },
        timeoutMs: { type: 'integer' },
        deadlineOffsetMs: { type: 'integer' },
        group: { type: 'string' },
      },
    },
  },
} as const;

/**
 * Schedules (docs/schedules.md): list and show (with the last run's task
 * state), create or update, pause, resume, run now, delete. Changing routes
 * need the token like every other.
 */
export function scheduleRoutes(app: FastifyInstance, m: MonitorContext): void {
  const { client } = m.deps;
  const store = new ScheduleStore(m.deps.ctx);

  app.get(`${API}/schedules`, async () => {
    const all = await store.list();
    return {
      schedules: await Promise.all(all.map((s) => scheduleDetail(s, client))),
      at: m.deps.ctx.clock.now(),
    };
  });

  app.get<{ Params: { id: string } }>(
    `${API}/schedules/:id`,
    { schema: { params: idParams } },
    async (request) => scheduleDetail(await store.get(request.params.id), client),
  );

  app.put<{ Params: { id: string }; Body: Omit<ScheduleInput, 'id'> }>(
    `${API}/schedules/:id`,
    { schema: { params: idParams, body: scheduleBody } },
    async (request, reply) => {
      const { outcome } = await store.save({ ...request.body, id: request.params.id }, 'api');
      const detail = await scheduleDetail(await store.get(request.params.id), client);
      return reply.status(outcome === 'created' ? 201 : 200).send({ ...detail, outcome });
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: { id: string } }>(
      `${API}/schedules/:id/${action}`,
      { schema: { params: idParams } },
      async (request) => {
        const changed = await store.setPaused(request.params.id, action === 'pause');
        return { ...(await scheduleDetail(await store.get(request.params.id), client)), changed };
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    `${API}/schedules/:id/run-now`,
    { schema: { params: idParams } },
    async (request, reply) => reply.status(201).send(await store.runNow(client, request.params.id)),
  );

  app.delete<{ Params: { id: string } }>(
    `${API}/schedules/:id`,
    { schema: { params: idParams } },
    async (request) => {
      await store.remove(request.params.id);
      return { id: request.params.id, removed: true };
    },
  );
}
