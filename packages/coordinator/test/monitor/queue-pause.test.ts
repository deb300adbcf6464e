/** `dtps queue show|pause|resume` over HTTP, and the paused flag in the overview and queue lists. */
import test from 'ava';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('POST /api/v1/queues/:queue/pause and /resume change the queue as the CLI does; state and lists show it', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo', queue: 'mail' });
  const before = await m.call('/api/v1/queues/mail/state');
  t.is(before.status, 200);
  t.deepEqual(before.body, { queue: 'mail', paused: false, pausedAt: null, limits: [] });

  const paused = await m.call('/api/v1/queues/mail/pause', { method: 'POST' });
  t.is(paused.status, 200);
  t.deepEqual(paused.body, { queue: 'mail', paused: true, changed: true, released: 0 });
  t.true((await m.client.queueState('mail')).paused, 'Redis says paused');
  const again = await m.call('/api/v1/queues/mail/pause', { method: 'POST' });
  t.false(again.body.changed);

  const state = await m.call('/api/v1/queues/mail/state');
  t.true(state.body.paused);
  t.is(typeof state.body.pausedAt, 'number');
  const overview = await m.call('/api/v1/overview');
  const mail = overview.body.queues.find((q: { name: string }) => q.name === 'mail');
  t.true(mail.paused);
  t.is(mail.pausedAt, state.body.pausedAt);
  t.true((await m.call('/api/v1/queues')).body.queues[0].paused);
  t.true((await m.call('/api/v1/queues/mail')).body.paused);

  const resumed = await m.call('/api/v1/queues/mail/resume', { method: 'POST' });
  t.is(resumed.status, 200);
  t.deepEqual(resumed.body, { queue: 'mail', paused: false, changed: true, released: 0 });
  t.false((await m.client.queueState('mail')).paused, 'Redis says running');
  t.false((await m.call('/api/v1/overview')).body.queues[0].paused);
});

test('queue pause: a bad queue name is a 400 naming queue, and changes nothing', async (t) => {
  const m = await fx.make();
  for (const path of ['/api/v1/queues/bad%7Bname%7D/pause', '/api/v1/queues/bad%7Bname%7D/resume']) {
    const r = await m.call(path, { method: 'POST' });
    t.is(r.status, 400, path);
    t.is(r.body.error.code, 'invalid_argument');
    t.is(r.body.error.field, 'queue');
  }
  const show = await m.call('/api/v1/queues/bad%7Bname%7D/state');
  t.is(show.status, 400);
  t.is(show.body.error.field, 'queue');
  t.deepEqual(await m.redis.keys(`{${m.prefix}*`), []);
});
