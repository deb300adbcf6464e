import type { FastifyInstance } from 'fastify';
import type { MonitorContext } from '../context.js';

/** How long /readyz waits for Redis to answer PING. */
const PING_TIMEOUT_MS = 1000;

async function pingRedis(
  m: MonitorContext,
): Promise<{ ok: true; ms: number } | { ok: false; error: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([m.deps.ctx.redis.ping(), timeout]);
    return { ok: true, ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness (`/healthz`: the process serves HTTP) and readiness (`/readyz`:
 * Redis answers). Both are `open`: probes cannot send a token, and they tell
 * nothing about tasks.
 */
export function healthRoutes(app: FastifyInstance, m: MonitorContext): void {
  app.get('/healthz', { config: { open: true } }, async () => ({ ok: true }));

  app.get('/readyz', { config: { open: true } }, async (_request, reply) => {
    const status = m.deps.status();
    const coordinator = { ...status, role: status.leading ? 'leading' : 'standby' };
    const redis = await pingRedis(m);
    if (!redis.ok) {
      return reply.status(503).send({ ok: false, redis: { ok: false, error: redis.error }, coordinator });
    }
    return { ok: true, redis, coordinator };
  });
}
