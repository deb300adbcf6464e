/**
 * Workers over HTTP: the list with heartbeat freshness, series, and the
 * control commands, checked where a worker would see them: on its control
 * channel (a fake registry entry and a subscription stand in for a worker).
 */
import { type ControlCommand, duplicateConnection } from '@dtps/core';
import test from 'ava';
import { type Monitor, useMonitor } from './fixture.js';

const fx = useMonitor(test);

/** Subscribes to a worker's control channel; returns the commands received so far and a waiter. */
async function listen(t: import('ava').ExecutionContext, m: Monitor, id: string) {
  const sub = duplicateConnection(m.redis);
  t.teardown(() => sub.disconnect());
  const got: ControlCommand[] = [];
  const waiters: (() => void)[] = [];
  sub.on('message', (_channel: string, message: string) => {
    got.push(JSON.parse(message) as ControlCommand);
    for (const w of waiters.splice(0)) w();
  });
  await sub.subscribe(m.client.ctx.fleet.control(id));
  return {
    got,
    /** The next command from now on. */
    async next(): Promise<ControlCommand> {
      const n = got.length;
      while (got.length <= n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no control command within 2 s')), 2000);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return got[n]!;
    },
  };
}

test('GET /api/v1/workers lists workers with heartbeat age and fresh/late/dead status', async (t) => {
  const m = await fx.make({ heartbeatMs: 1000, heartbeatTimeoutMs: 5000 });
  await m.heartbeat('w-fresh', { ageMs: 100, steal: true });
  await m.heartbeat('w-late', { ageMs: 3000 });
  await m.heartbeat('w-dead', { ageMs: 20_000 });
  const r = await m.call('/api/v1/workers');
  t.is(r.status, 200);
  t.is(r.body.heartbeatMs, 1000);
  t.is(r.body.deadAfterMs, 5000);
  const byId = Object.fromEntries(r.body.workers.map((w: { id: string }) => [w.id, w]));
  t.deepEqual(Object.keys(byId).sort(), ['w-dead', 'w-fresh', 'w-late']);
  t.is(byId['w-fresh'].status, 'fresh');
  t.is(byId['w-late'].status, 'late');
  t.is(byId['w-dead'].status, 'dead');
  t.true(byId['w-fresh'].heartbeatAgeMs >= 100 && byId['w-fresh'].heartbeatAgeMs < 2000);
  for (const field of [
    'host',
    'pid',
    'poolSize',
    'min',
    'max',
    'busy',
    'window',
    'processed',
    'failed',
    'steals',
    'steal',
    'paused',
    'draining',
  ]) {
    t.true(field in byId['w-fresh'], field);
  }
  t.true(byId['w-fresh'].steal);
  t.is(r.body.workers[0].id, 'w-fresh', 'newest heartbeat first');
});

test('GET /api/v1/workers/:id/series: points once rolled up, 404 for an unknown worker', async (t) => {
  const m = await fx.make();
  await m.heartbeat('w1');
  const empty = await m.call('/api/v1/workers/w1/series');
  t.is(empty.status, 200);
  t.deepEqual(empty.body, { worker: 'w1', resolution: '1s', points: [] });
  const key = m.client.ctx.fleet.workerSeries('w1', '1s');
  for (let i = 0; i < 3; i++) await m.redis.lpush(key, JSON.stringify({ t: 1000 * i, poolSize: 4, busy: i }));
  const r = await m.call('/api/v1/workers/w1/series?limit=2');
  t.is(r.status, 200);
  t.deepEqual(
    r.body.points.map((p: { busy: number }) => p.busy),
    [1, 2],
    'the newest two, oldest first',
  );

  const unknown = await m.call('/api/v1/workers/nobody/series');
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'not_found');
  t.is(unknown.body.error.field, 'worker');
  const bad = await m.call('/api/v1/workers/w1/series?resolution=1h');
  t.is(bad.status, 400);
  t.is(bad.body.error.field, 'resolution');
  const badId = await m.call('/api/v1/workers/bad%20id/series');
  t.is(badId.status, 400);
  t.is(badId.body.error.field, 'id');
});

test('POST scale, pause, resume, drain, steal reach the worker on its control channel', async (t) => {
  const m = await fx.make({ token: 'tok' });
  await m.heartbeat('w1');
  const ch = await listen(t, m, 'w1');
  const cases: [string, unknown, ControlCommand][] = [
    ['scale', { size: 6 }, { command: 'scale', size: 6 }],
    ['scale', { min: 2, max: 12 }, { command: 'scale', min: 2, max: 12 }],
    ['pause', undefined, { command: 'pause' }],
    ['resume', undefined, { command: 'resume' }],
    ['drain', undefined, { command: 'drain' }],
    ['steal', { on: true }, { command: 'steal', on: true }],
    ['steal', { on: false }, { command: 'steal', on: false }],
  ];
  for (const [command, body, expected] of cases) {
    const arrival = ch.next();
    const r = await m.call(
      `/api/v1/workers/w1/${command}`,
      body === undefined ? { method: 'POST' } : { body },
    );
    t.is(r.status, 202, command);
    t.deepEqual(r.body, { worker: 'w1', command: expected });
    t.deepEqual(await arrival, expected, command);
  }
  t.is(ch.got.length, cases.length);
});

test('worker control: unknown worker 404, bad values 400 naming the field, no token 401; nothing is sent', async (t) => {
  const m = await fx.make({ token: 'tok' });
  await m.heartbeat('w1');
  const ch = await listen(t, m, 'w1');

  for (const command of ['pause', 'resume', 'drain']) {
    const r = await m.call(`/api/v1/workers/ghost/${command}`, { method: 'POST' });
    t.is(r.status, 404, command);
    t.is(r.body.error.code, 'not_found');
    t.is(r.body.error.field, 'worker');
  }
  t.is((await m.call('/api/v1/workers/ghost/scale', { body: { size: 2 } })).status, 404);
  t.is((await m.call('/api/v1/workers/ghost/steal', { body: { on: true } })).status, 404);

  const bad: [string, unknown, string][] = [
    ['scale', {}, 'size'],
    ['scale', { size: -1 }, 'size'],
    ['scale', { size: 10_001 }, 'size'],
    ['scale', { size: 'big' }, 'size'],
    ['scale', { size: '4' }, 'size'],
    ['scale', { size: 2.5 }, 'size'],
    ['scale', { min: 5, max: 2 }, 'min'],
    ['scale', { sizes: 3 }, 'sizes'],
    ['steal', {}, 'on'],
    ['steal', { on: 'yes' }, 'on'],
    ['steal', { on: 'true' }, 'on'],
  ];
  for (const [command, body, field] of bad) {
    const r = await m.call(`/api/v1/workers/w1/${command}`, { body });
    t.is(r.status, 400, `${command} ${JSON.stringify(body)}`);
    t.is(r.body.error.code, 'invalid_argument');
    t.is(r.body.error.field, field, `${command} ${JSON.stringify(body)}: ${r.body.error.message}`);
  }
  const badId = await m.call('/api/v1/workers/bad%20id/pause', { method: 'POST' });
  t.is(badId.status, 400);
  t.is(badId.body.error.field, 'id');

  const noToken = await m.call('/api/v1/workers/w1/pause', { method: 'POST', auth: false });
  t.is(noToken.status, 401);
  const wrong = await m.call('/api/v1/workers/w1/scale', { body: { size: 3 }, auth: 'nope' });
  t.is(wrong.status, 401);

  await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(ch.got, [], 'no refused command reached the worker');
});
