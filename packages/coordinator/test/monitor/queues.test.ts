/** Overview, queues, one queue with its series, series, recommendation. */
import { silentLogger } from '@dtps/core';
import test from 'ava';
import { Rollup } from '../../src/units/rollup.js';
import { eventually, useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('GET /api/v1/overview has queues with counts and totals, workers, leader, recommendation, coordinator', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo' });
  await m.client.submit({ type: 'echo', queue: 'mail' });
  await m.heartbeat('w-fresh');
  await m.heartbeat('w-dead', { ageMs: 60_000 });
  await m.redis.set(m.client.ctx.fleet.leader, 'coord-test 1');
  const r = await m.call('/api/v1/overview');
  t.is(r.status, 200);
  const names = r.body.queues.map((q: { name: string }) => q.name).sort();
  t.deepEqual(names, ['default', 'mail']);
  const def = r.body.queues.find((q: { name: string }) => q.name === 'default');
  t.is(def.counts.queued, 1);
  t.is(def.counts.succeeded, 0);
  t.is(def.totals.submitted, 1);
  t.deepEqual(r.body.workers, { live: 1, total: 2 });
  t.is(r.body.leader, 'coord-test');
  t.is(r.body.recommendation, null);
  t.is(r.body.coordinator.id, 'coord-test');
  t.is(r.body.coordinator.role, 'leading');
});

test('GET /api/v1/queues lists every queue', async (t) => {
  const m = await fx.make();
  t.deepEqual((await m.call('/api/v1/queues')).body, { queues: [] });
  await m.client.submit({ type: 'echo', queue: 'q1' });
  const r = await m.call('/api/v1/queues');
  t.is(r.status, 200);
  t.is(r.body.queues.length, 1);
  t.is(r.body.queues[0].name, 'q1');
  t.is(r.body.queues[0].counts.queued, 1);
});

test('GET /api/v1/queues/:queue: counts, totals and 60 s of series, from the counters without a roll-up', async (t) => {
  const m = await fx.make();
  for (let i = 0; i < 3; i++) await m.client.submit({ type: 'echo' });
  const detail = await eventually(async () => {
    const r = await m.call('/api/v1/queues/default');
    const sum = r.body.series.points.reduce((n: number, p: { submitted: number }) => n + p.submitted, 0);
    return sum === 3 ? r : undefined;
  }, 2500);
  t.truthy(detail, 'the submits show in the per-second series once their second is over');
  t.is(detail!.status, 200);
  t.is(detail!.body.name, 'default');
  t.is(detail!.body.counts.queued, 3);
  t.is(detail!.body.totals.submitted, 3);
  t.is(detail!.body.series.resolution, '1s');
  t.is(detail!.body.series.source, 'counters');
  t.is(detail!.body.series.points.length, 60);

  // Once the coordinator rolled up, the roll-up is used.
  await new Rollup(m.client.ctx, 5000, silentLogger()).tick();
  const rolled = await m.call('/api/v1/queues/default');
  t.is(rolled.body.series.source, 'rollup');
  t.true(rolled.body.series.points.length >= 1);
  t.deepEqual(Object.keys(rolled.body.series.points.at(-1).depth).sort(), [
    'cancelled',
    'expired',
    'failed',
    'pending',
    'queued',
    'reserved',
    'running',
    'scheduled',
    'succeeded',
  ]);
});

test('GET /api/v1/queues/:queue: unknown queue 404, bad name 400', async (t) => {
  const m = await fx.make();
  const unknown = await m.call('/api/v1/queues/nosuch');
  t.is(unknown.status, 404);
  t.is(unknown.body.error.code, 'not_found');
  t.is(unknown.body.error.field, 'queue');
  const bad = await m.call('/api/v1/queues/bad%7Bname%7D');
  t.is(bad.status, 400);
  t.is(bad.body.error.code, 'invalid_argument');
  t.is(bad.body.error.field, 'queue');
  t.is((await m.call('/api/v1/queues/nosuch/series')).status, 404);
});

test('GET /api/v1/queues/:queue/series: resolution and limit', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo' });
  const s1 = await m.call('/api/v1/queues/default/series?limit=5');
  t.is(s1.status, 200);
  t.is(s1.body.resolution, '1s');
  t.is(s1.body.points.length, 5);
  const s1m = await m.call('/api/v1/queues/default/series?resolution=1m');
  t.is(s1m.status, 200);
  t.is(s1m.body.resolution, '1m');
  t.deepEqual(s1m.body.points, []);

  for (const [query, field] of [
    ['resolution=5s', 'resolution'],
    ['limit=0', 'limit'],
    ['limit=99999', 'limit'],
    ['limit=ten', 'limit'],
    ['bogus=1', 'bogus'],
  ] as const) {
    const r = await m.call(`/api/v1/queues/default/series?${query}`);
    t.is(r.status, 400, query);
    t.is(r.body.error.code, 'invalid_argument', query);
    t.is(r.body.error.field, field, query);
    t.true(r.body.error.message.startsWith(`${field}:`), r.body.error.message);
  }
});

test('GET /api/v1/recommendation: null without a coordinator, the roll-up advice with one', async (t) => {
  const m = await fx.make();
  t.deepEqual((await m.call('/api/v1/recommendation')).body, { recommendation: null });
  await m.client.submit({ type: 'echo' });
  await new Rollup(m.client.ctx, 5000, silentLogger()).tick();
  const r = await m.call('/api/v1/recommendation');
  t.is(r.status, 200);
  t.is(r.body.recommendation.workers, 1);
  t.is(r.body.recommendation.backlog, 1);
  t.is(typeof r.body.recommendation.reason, 'string');
  t.is((await m.call('/api/v1/overview')).body.recommendation.workers, 1);
});
