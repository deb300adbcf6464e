/** /healthz and /readyz, and the monitor's address when started on port 0. */
import { Client, Inspector, silentLogger } from '@dtps/core';
import { uniquePrefix } from '@dtps/core/testing';
import test from 'ava';
import { createMonitorServer } from '../../src/monitor/server.js';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('port 0 listens on a free port and url has it', async (t) => {
  const a = await fx.make();
  const b = await fx.make();
  t.regex(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.not(a.url, b.url);
  t.not(new URL(a.url).port, '0');
});

test('GET /healthz answers ok', async (t) => {
  const m = await fx.make();
  const r = await m.call('/healthz');
  t.is(r.status, 200);
  t.deepEqual(r.body, { ok: true });
});

test('GET /readyz reports Redis and whether this coordinator leads', async (t) => {
  const m = await fx.make();
  const r = await m.call('/readyz');
  t.is(r.status, 200);
  t.true(r.body.ok);
  t.true(r.body.redis.ok);
  t.is(r.body.coordinator.id, 'coord-test');
  t.is(r.body.coordinator.role, 'leading');
  m.status.leading = false;
  const standby = await m.call('/readyz');
  t.is(standby.status, 200);
  t.is(standby.body.coordinator.role, 'standby');
  t.false(standby.body.coordinator.leading);
});

test('GET /readyz is 503 when Redis does not answer', async (t) => {
  const redis = fx.connect();
  const client = new Client({ redis, prefix: uniquePrefix() });
  const server = await createMonitorServer({
    ctx: client.ctx,
    client,
    inspector: new Inspector(client.ctx),
    status: () => ({ id: 'c', leading: false, epoch: 0, startedAt: 0 }),
    log: silentLogger(),
    host: '127.0.0.1',
    port: 0,
  });
  t.teardown(() => server.close());
  t.is((await fetch(`${server.url}/readyz`)).status, 200);
  redis.disconnect();
  const r = await fetch(`${server.url}/readyz`);
  t.is(r.status, 503);
  const body = (await r.json()) as {
    ok: boolean;
    redis: { ok: boolean; error: string };
    coordinator: { role: string };
  };
  t.false(body.ok);
  t.false(body.redis.ok);
  t.truthy(body.redis.error);
  t.is(body.coordinator.role, 'standby');
  // Liveness does not depend on Redis.
  t.is((await fetch(`${server.url}/healthz`)).status, 200);
  // An API call that needs Redis says so with 503, as JSON.
  const api = await fetch(`${server.url}/api/v1/queues`);
  t.is(api.status, 503);
  t.is(((await api.json()) as { error: { code: string } }).error.code, 'redis_unavailable');
});

test('an unknown route is a JSON 404', async (t) => {
  const m = await fx.make();
  for (const [method, path] of [
    ['GET', '/nope'],
    ['GET', '/api/v1/nope'],
    ['POST', '/api/v1/tasks/x/explode'],
    ['DELETE', '/api/v1/tasks/x'],
  ] as const) {
    const r = await m.call(path, { method });
    t.is(r.status, 404, path);
    t.is(r.body.error.code, 'not_found');
    t.regex(r.body.error.message, new RegExp(`${method} ${path.replace(/\//g, '\\/')}`));
  }
});
