import { type ControlCommand, DtpsError } from '@dtps/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { API, type MonitorContext, schemas, workerStatus } from '../context.js';

const idParams = { type: 'object', required: ['id'], properties: { id: schemas.workerId } } as const;

/** Bounds are checked by core's sendControl (one rule for CLI, console and HTTP); the schema checks types. */
const scaleBody = {
  type: 'object',
  additionalProperties: false,
  properties: { size: { type: 'integer' }, min: { type: 'integer' }, max: { type: 'integer' } },
} as const;

const stealBody = {
  type: 'object',
  required: ['on'],
  additionalProperties: false,
  properties: { on: { type: 'boolean' } },
} as const;

/** Workers with heartbeat freshness, their series, and the control commands. */
export function workerRoutes(app: FastifyInstance, m: MonitorContext): void {
  const { inspector, client } = m.deps;

  app.get(`${API}/workers`, async () => {
    const workers = await inspector.workers();
    return {
      heartbeatMs: m.heartbeatMs,
      deadAfterMs: m.deadAfterMs,
      workers: workers.map((w) => ({ ...w, status: workerStatus(w.heartbeatAgeMs, m) })),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { resolution: '1s' | '1m'; limit: number } }>(
    `${API}/workers/:id/series`,
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            resolution: { type: 'string', enum: ['1s', '1m'], default: '1s' },
            limit: { type: 'integer', minimum: 1, maximum: 1440, default: 60 },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { resolution, limit } = request.query;
      const points = await inspector.workerSeries(id, resolution, limit);
      if (points.length === 0 && !(await inspector.workers()).some((w) => w.id === id)) {
        throw new DtpsError('not_found', `worker ${id} is not registered and has no series`, {
          field: 'worker',
        });
      }
      return { worker: id, resolution, points };
    },
  );

  const send = async (reply: FastifyReply, id: string, command: ControlCommand) => {
    await client.control(id, command);
    return reply.status(202).send({ worker: id, command });
  };

  app.post<{ Params: { id: string }; Body: { size?: number; min?: number; max?: number } }>(
    `${API}/workers/:id/scale`,
    { schema: { params: idParams, body: scaleBody } },
    (request, reply) => send(reply, request.params.id, { command: 'scale', ...request.body }),
  );

  for (const command of ['pause', 'resume', 'drain'] as const) {
    app.post<{ Params: { id: string } }>(
      `${API}/workers/:id/${command}`,
      { schema: { params: idParams } },
      (request, reply) => send(reply, request.params.id, { command }),
    );
  }

  app.post<{ Params: { id: string }; Body: { on: boolean } }>(
    `${API}/workers/:id/steal`,
    { schema: { params: idParams, body: stealBody } },
    (request, reply) => send(reply, request.params.id, { command: 'steal', on: request.body.on }),
  );
}
