/** The schedules' HTTP API: PUT creates or updates, list and show, pause, resume, run-now, DELETE; bad input 400 naming the field. */
import { ScheduleStore } from '@dtps/core';
import test from 'ava';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('create, list, show, pause, resume, run now and delete a schedule', async (t) => {
  const m = await fx.make();
  const body = {
    everyMs: 60_000,
    missed: 'catch-up:2',
    overlap: 'skip',
    template: { type: 'echo', queue: 'mail', payload: { a: 1 } },
  };
  const created = await m.call('/api/v1/schedules/digest', { method: 'PUT', body });
  t.is(created.status, 201, JSON.stringify(created.body));
  t.like(created.body, {
    id: 'digest',
    everyMs: 60_000,
    tz: null,
    paused: false,
    fired: 0,
    outcome: 'created',
    missed: 'catch-up:2',
    overlap: 'skip',
  });
  const again = await m.call('/api/v1/schedules/digest', { method: 'PUT', body });
  t.is(again.status, 200);
  t.is(again.body.outcome, 'unchanged');
  const list = await m.call('/api/v1/schedules');
  t.is(list.status, 200);
  t.deepEqual(
    list.body.schedules.map((s: { id: string }) => s.id),
    ['digest'],
  );
  t.like((await m.call('/api/v1/schedules/digest/pause', { method: 'POST' })).body, {
    paused: true,
    next: null,
    changed: true,
  });
  t.like((await m.call('/api/v1/schedules/digest/resume', { method: 'POST' })).body, {
    paused: false,
    changed: true,
  });
  const run = await m.call('/api/v1/schedules/digest/run-now', { method: 'POST' });
  t.is(run.status, 201);
  t.is(run.body.queue, 'mail');
  const shown = await m.call('/api/v1/schedules/digest');
  t.like(shown.body, {
    fired: 1,
    lastOutcome: 'fired',
    lastTask: { id: run.body.id, queue: 'mail', state: 'queued' },
  });
  t.is((await m.call('/api/v1/schedules/digest', { method: 'DELETE' })).status, 200);
  t.is((await m.call('/api/v1/schedules/digest')).status, 404);
});

test('bad schedules are refused with 400 naming the field, and nothing is written', async (t) => {
  const m = await fx.make();
  for (const [body, field] of [
    [{ cron: '99 * * * *', template: { type: 'x' } }, 'cron'],
    [{ cron: '* * * * *', tz: 'Nowhere/Land', template: { type: 'x' } }, 'tz'],
    [{ everyMs: 5, template: { type: 'x' } }, 'everyMs'],
    [{ everyMs: 5000, missed: 'never', template: { type: 'x' } }, 'missed'],
    [{ everyMs: 5000, template: { type: 'x', priority: 42 } }, 'priority'],
  ] as const) {
    const r = await m.call('/api/v1/schedules/bad', { method: 'PUT', body });
    t.is(r.status, 400, JSON.stringify(body));
    t.is(r.body.error.field, field, JSON.stringify(r.body));
  }
  t.deepEqual(await new ScheduleStore(m.client.ctx).list(), []);
});

test('changing a schedule needs the token', async (t) => {
  const m = await fx.make({ token: 's3cret' });
  const r = await m.call('/api/v1/schedules/x', {
    method: 'PUT',
    body: { everyMs: 5000, template: { type: 'x' } },
    auth: false,
  });
  t.is(r.status, 401);
});
