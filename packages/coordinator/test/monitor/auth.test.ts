/**
 * The token rule of docs/design.md §6 over real HTTP: refusing to listen beyond
 * loopback without a token, 401 on changing endpoints without the right
 * bearer token, reads behind the token beyond loopback, and the browser
 * guards (cross-site POST, DNS rebinding).
 */
import { request as httpRequest } from 'node:http';
import { DtpsError, silentLogger } from '@dtps/core';
import test from 'ava';
import { bearerMatches, isLoopbackHost } from '../../src/monitor/auth.js';
import { createMonitorServer } from '../../src/monitor/server.js';
import { type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);

/** The status of a GET sent with this Host header (fetch does not let a caller set Host; node:http does). */
function statusWithHost(base: string, path: string, host: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts a second monitor server on this fixture's Redis, on `host` (port 0), with `token` when given. */
function serveOn(m: Monitor, host: string, token?: string) {
  return createMonitorServer({
    ctx: m.client.ctx,
    client: m.client,
    inspector: m.inspector,
    status: () => m.status,
    log: silentLogger(),
    host,
    port: 0,
    ...(token === undefined ? {} : { token }),
  });
}

test('isLoopbackHost knows the loopback spellings and nothing else', (t) => {
  for (const h of [
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ]) {
    t.true(isLoopbackHost(h), h);
  }
  for (const h of [
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '192.168.1.2',
    'example.com',
    'localhost.evil.com',
    '::2',
    '128.0.0.1',
    '',
  ]) {
    t.false(isLoopbackHost(h), h);
  }
});

test('bearerMatches wants the exact token behind "Bearer"', (t) => {
  t.true(bearerMatches('Bearer s3cret', 's3cret'));
  t.true(bearerMatches('bearer s3cret', 's3cret'));
  t.false(bearerMatches('Bearer s3cre', 's3cret'));
  t.false(bearerMatches('Bearer s3cret-and-more', 's3cret'));
  t.false(bearerMatches('Basic s3cret', 's3cret'));
  t.false(bearerMatches('s3cret', 's3cret'));
  t.false(bearerMatches(undefined, 's3cret'));
});

test('refuses to start beyond loopback without a token, naming monitor.token', async (t) => {
  const m = await fx.make(); // for a ctx, client and inspector
  for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
    const err = await t.throwsAsync(serveOn(m, host));
    t.true(err instanceof DtpsError, host);
    t.is((err as DtpsError).code, 'invalid_config');
    t.is((err as DtpsError).field, 'monitor.token');
    t.regex(err!.message, /monitor\.token/);
    t.regex(err!.message, /DTPS_API_TOKEN/);
  }
  // An empty token is no token.
  await t.throwsAsync(serveOn(m, '0.0.0.0', ''), { instanceOf: DtpsError });
});

test('loopback with a token: reads are open, every POST needs the bearer token', async (t) => {
  const m = await fx.make({ token: 's3cret' });
  t.is((await m.call('/api/v1/overview', { auth: false })).status, 200);
  t.is((await m.call('/metrics', { auth: false })).status, 200);

  const spec = { type: 'echo', payload: { n: 1 } };
  const none = await m.call('/api/v1/tasks', { body: spec, auth: false });
  t.is(none.status, 401);
  t.is(none.body.error.code, 'unauthorized');
  t.is(none.body.error.field, 'authorization');
  t.regex(none.body.error.message, /Bearer/);
  t.is(none.headers.get('www-authenticate'), 'Bearer realm="dtps"');

  const wrong = await m.call('/api/v1/tasks', { body: spec, auth: 'not-it' });
  t.is(wrong.status, 401);
  t.is(wrong.body.error.code, 'unauthorized');
  t.regex(wrong.body.error.message, /wrong/);

  const basic = await m.call('/api/v1/tasks', {
    body: spec,
    auth: false,
    headers: { authorization: 'Basic czNjcmV0' },
  });
  t.is(basic.status, 401);

  // Nothing was written by the refused calls.
  t.deepEqual((await m.client.list()).tasks, []);

  const ok = await m.call('/api/v1/tasks', { body: spec });
  t.is(ok.status, 201);

  // Every changing route is behind the token, before its own validation or lookups.
  const id = ok.body.id as string;
  for (const path of [
    `/api/v1/tasks/${id}/cancel`,
    `/api/v1/tasks/${id}/retry`,
    '/api/v1/workers/w1/scale',
    '/api/v1/workers/w1/pause',
    '/api/v1/workers/w1/resume',
    '/api/v1/workers/w1/drain',
    '/api/v1/workers/w1/steal',
    '/api/v1/queues/default/pause',
    '/api/v1/queues/default/resume',
    '/api/v1/queues/default/limits',
    '/api/v1/bulk/retry',
    '/api/v1/bulk/cancel',
    '/api/v1/bulk/delete',
    '/api/v1/bulk/purge',
  ]) {
    const r = await m.call(path, { method: 'POST', auth: false });
    t.is(r.status, 401, path);
  }
  t.is((await m.client.get(id)).state, 'queued');
  t.false((await m.client.queueState('default')).paused, 'the refused pause changed nothing');
});

test('beyond loopback with a token: reads need the token too, health and the page do not', async (t) => {
  const m = await fx.make({ token: 's3cret', host: '0.0.0.0' });
  t.regex(m.url, /^http:\/\/0\.0\.0\.0:\d+$/);
  const base = m.url.replace('0.0.0.0', '127.0.0.1');
  const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers });
  for (const path of [
    '/api/v1/overview',
    '/api/v1/queues',
    '/api/v1/workers',
    '/api/v1/tasks',
    '/metrics',
    '/api/v1/events',
  ]) {
    const r = await get(path);
    t.is(r.status, 401, path);
    t.is(((await r.json()) as { error: { code: string } }).error.code, 'unauthorized');
  }
  for (const path of ['/healthz', '/readyz', '/', '/dashboard']) t.is((await get(path)).status, 200, path);
  const withToken = await get('/api/v1/overview', { authorization: 'Bearer s3cret' });
  t.is(withToken.status, 200);
  // Beyond loopback, any Host name is fine (it is a real network address).
  t.is(await statusWithHost(base, '/healthz', 'dtps.example.com'), 200);
});

test('a cross-site POST is refused even without a token (CSRF)', async (t) => {
  const m = await fx.make();
  const evil = await m.call('/api/v1/tasks', {
    body: { type: 'echo' },
    headers: { origin: 'https://evil.example' },
  });
  t.is(evil.status, 403);
  t.is(evil.body.error.code, 'forbidden');
  const nul = await m.call('/api/v1/tasks', { body: { type: 'echo' }, headers: { origin: 'null' } });
  t.is(nul.status, 403);
  t.deepEqual((await m.client.list()).tasks, []);
  // The same for the page's other buttons, e.g. pausing a queue.
  const pause = await m.call('/api/v1/queues/default/pause', {
    method: 'POST',
    headers: { origin: 'https://evil.example' },
  });
  t.is(pause.status, 403);
  t.false((await m.client.queueState('default')).paused);
  // And the page's bulk operations: a cross-site bulk cancel cancels nothing.
  const queued = await m.client.submit({ type: 'echo' });
  const bulk = await m.call('/api/v1/bulk/cancel', {
    body: { state: 'queued' },
    headers: { origin: 'https://evil.example' },
  });
  t.is(bulk.status, 403);
  t.is((await m.client.get(queued.id)).state, 'queued');
  await m.client.cancel(queued.id);
  // The dashboard itself is same-origin.
  const same = await m.call('/api/v1/tasks', { body: { type: 'echo' }, headers: { origin: m.url } });
  t.is(same.status, 201);
  // With a token, the token is the proof (a browser never sends it on its own): any Origin will do.
  const withToken = await fx.make({ token: 's3cret' });
  const proxied = await withToken.call('/api/v1/tasks', {
    body: { type: 'echo' },
    headers: { origin: 'https://dtps.example.com' },
  });
  t.is(proxied.status, 201);
  const forged = await withToken.call('/api/v1/tasks', {
    body: { type: 'echo' },
    auth: false,
    headers: { origin: 'https://evil.example' },
  });
  t.is(forged.status, 401);
});

test('on loopback, a Host that is not a loopback name is refused (DNS rebinding)', async (t) => {
  const m = await fx.make();
  const port = new URL(m.url).port;
  t.is(await statusWithHost(m.url, '/api/v1/overview', `rebound.example:${port}`), 403);
  t.is(await statusWithHost(m.url, '/api/v1/overview', `localhost:${port}`), 200);
  t.is(await statusWithHost(m.url, '/api/v1/overview', `127.0.0.1:${port}`), 200);
});

test('a token no request could carry (spaces, tabs, only whitespace) is refused at start-up, naming monitor.token', async (t) => {
  const m = await fx.make(); // for a ctx, client and inspector
  for (const token of [' ', '   ', '\t', ' \n ', 'two words', 'tab\there', 'ctl\u0001x']) {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const err = await t.throwsAsync(serveOn(m, host, token), undefined, JSON.stringify({ token, host }));
      t.true(err instanceof DtpsError, JSON.stringify(token));
      t.is((err as DtpsError).code, 'invalid_config');
      t.is((err as DtpsError).field, 'monitor.token');
    }
  }
});

test('without a token, a POST whose Origin differs in scheme or port from this server is refused', async (t) => {
  const m = await fx.make();
  const { host, port } = new URL(m.url);
  const other = Number(port) === 65535 ? 65534 : Number(port) + 1;
  for (const origin of [
    `https://${host}`,
    `https://127.0.0.1:${port}`,
    `http://127.0.0.1:${other}`,
    `ws://127.0.0.1:${port}`,
  ]) {
    const r = await m.call('/api/v1/tasks', { body: { type: 'echo' }, headers: { origin } });
    t.is(r.status, 403, origin);
    t.is(r.body.error.code, 'forbidden', origin);
  }
  t.deepEqual((await m.client.list()).tasks, []);
  // The same scheme, host and port is this server: accepted.
  const same = await m.call('/api/v1/tasks', {
    body: { type: 'echo' },
    headers: { origin: `http://${host}` },
  });
  t.is(same.status, 201);
});
