import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { DtpsError } from '@dtps/core';
import Fastify from 'fastify';
import { assertBindAllowed, installAuth, isLoopbackHost } from './auth.js';
import type { MonitorContext } from './context.js';
import { installErrorHandling } from './errors.js';
import { HeavyGate } from './heavy.js';
import { typeQueryValues } from './query-types.js';
import { bulkRoutes } from './routes/bulk.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { queueRoutes } from './routes/queues.js';
import { scheduleRoutes } from './routes/schedules.js';
import { taskRoutes } from './routes/tasks.js';
import { workerRoutes } from './routes/workers.js';
import type { MonitorDeps, MonitorServer } from './types.js';
import { loadDashboardPage } from './web-page.js';

/** Room for the JSON around a payload of the largest allowed size. */
const BODY_OVERHEAD = 64 * 1024;

/**
 * Starts the HTTP monitor: health, the JSON API under /api/v1, Server-Sent
 * Events, /metrics and the web dashboard. Refuses (DtpsError
 * `invalid_config`, field `monitor.token`) to listen beyond loopback without
 * a token (docs/design.md §6). Port 0 picks a free port; `url` has the real one.
 */
export async function createMonitorServer(deps: MonitorDeps): Promise<MonitorServer> {
  const host = deps.host || '127.0.0.1';
  const token = deps.token || undefined;
  assertBindAllowed(host, token);
  const heartbeatMs = deps.heartbeatMs ?? 1000;
  const m: MonitorContext = {
    deps,
    heartbeatMs,
    deadAfterMs: deps.heartbeatTimeoutMs ?? 5 * heartbeatMs,
    maxSseClients: deps.maxSseClients ?? 100,
    sseKeepAliveMs: deps.sseKeepAliveMs ?? 15_000,
    heavy: new HeavyGate(deps.maxHeavyRequests),
  };
  const log = deps.log.child({ component: 'monitor' });
  const page = await loadDashboardPage();

  const app = Fastify({
    logger: false,
    bodyLimit: deps.ctx.payloadMaxBytes + BODY_OVERHEAD,
    // Unknown fields are reported by name, not dropped; no type coercion (a
    // JSON body must have the right types: see query-types.ts for the query
    // string); `type: [string, integer]` for times (RFC 3339 or epoch ms).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allowUnionTypes: true } },
    return503OnClosing: true,
  });
  installErrorHandling(app, log);
  installAuth(app, { token, loopback: isLoopbackHost(host) });
  app.addHook('preValidation', async (request) => {
    // A POST without a body means "no options" (cancel, retry, pause…): validate it as {}.
    if (request.body === undefined && request.method === 'POST') request.body = {};
    await typeQueryValues(request);
  });
  healthRoutes(app, m);
  queueRoutes(app, m);
  workerRoutes(app, m);
  taskRoutes(app, m);
  bulkRoutes(app, m);
  scheduleRoutes(app, m);
  eventRoutes(app, m);
  metricsRoutes(app, m);
  dashboardRoutes(app, page);

  try {
    await app.listen({ host, port: deps.port });
  } catch (err) {
    await app.close().catch(() => {});
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new DtpsError('invalid_config', `monitor cannot listen on ${host}:${deps.port}: ${e.message}`, {
        field: e.code === 'EADDRNOTAVAIL' ? 'monitor.host' : 'monitor.port',
        cause: err,
      });
    }
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const shownHost = isIP(host) === 0 ? host : address.address;
  const url = `http://${isIP(shownHost) === 6 ? `[${shownHost}]` : shownHost}:${address.port}`;
  log.debug({ url, token: token ? 'set' : 'none' }, 'monitor listening');
  return {
    url,
    close: () => app.close(),
  };
}
