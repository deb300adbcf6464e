/** `dtps queue limit` over HTTP: POST /api/v1/queues/:queue/limits, and the limits in the state. */
import test from 'ava';
import { useMonitor } from './fixture.js';

const fx = useMonitor(test);

test('POST /api/v1/queues/:queue/limits sets and clears a limit in Redis; the state shows it', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo', queue: 'mail' });
  const set = await m.call('/api/v1/queues/mail/limits', {
    body: { scope: 'type', key: 'echo', rate: { n: 5, perMs: 1000 }, concurrency: 2 },
  });
  t.is(set.status, 200, JSON.stringify(set.body));
  t.deepEqual(set.body.limit, {
    scope: 'type',
    key: 'echo',
    rate: { n: 5, perMs: 1000 },
    concurrency: 2,
  });
  // Read back through the client, not through the route: Redis holds it.
  const [stored] = (await m.client.queueState('mail')).limits;
  t.like(stored, { scope: 'type', key: 'echo', rate: { n: 5, perMs: 1000 }, concurrency: 2, running: 0 });

  const state = await m.call('/api/v1/queues/mail/state');
  t.is(state.status, 200);
  t.is(state.body.limits.length, 1);
  t.like(state.body.limits[0], { scope: 'type', key: 'echo', heldBack: 0, tokensLeft: 5 });

  // Only the part given changes; null removes a part.
  const part = await m.call('/api/v1/queues/mail/limits', {
    body: { scope: 'type', key: 'echo', concurrency: null },
  });
  t.is(part.status, 200);
  t.like((await m.client.queueState('mail')).limits[0], { rate: { n: 5, perMs: 1000 }, concurrency: null });

  const each = await m.call('/api/v1/queues/mail/limits', { body: { scope: 'each-group', concurrency: 3 } });
  t.is(each.status, 200);
  t.is((await m.client.queueState('mail')).limits.length, 2);

  const cleared = await m.call('/api/v1/queues/mail/limits', {
    body: { scope: 'type', key: 'echo', clear: true },
  });
  t.is(cleared.status, 200);
  t.deepEqual(
    (await m.client.queueState('mail')).limits.map((l) => l.scope),
    ['each-group'],
  );
});

test('POST /api/v1/queues/:queue/limits: bad input is a 400 naming the field, and changes nothing', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo', queue: 'mail' });
  const cases: [unknown, string][] = [
    [{ scope: 'planet', concurrency: 1 }, 'scope'],
    [{ scope: 'queue', concurrency: 0 }, 'concurrency'],
    [{ scope: 'queue', concurrency: 1.5 }, 'concurrency'],
    [{ scope: 'queue', rate: { n: 0, perMs: 1000 } }, 'rate.n'],
    [{ scope: 'queue', rate: { n: 1, perMs: -1 } }, 'rate.perMs'],
    [{ scope: 'queue' }, 'rate'],
    [{ scope: 'queue', key: 'x', concurrency: 1 }, 'key'],
    [{ scope: 'type', concurrency: 1 }, 'type'],
    [{ scope: 'group', key: 'bad group!', concurrency: 1 }, 'group'],
    [{ scope: 'queue', concurrency: 1, colour: 'red' }, 'colour'],
    [{ concurrency: 1 }, 'scope'],
  ];
  for (const [body, field] of cases) {
    const r = await m.call('/api/v1/queues/mail/limits', { body });
    t.is(r.status, 400, JSON.stringify(body));
    t.is(r.body.error.code, 'invalid_argument', JSON.stringify(body));
    t.is(r.body.error.field, field, JSON.stringify(body));
  }
  const bad = await m.call('/api/v1/queues/bad%7Bname%7D/limits', {
    body: { scope: 'queue', concurrency: 1 },
  });
  t.is(bad.status, 400);
  t.is(bad.body.error.field, 'queue');
  t.deepEqual((await m.client.queueState('mail')).limits, [], 'nothing was written');
});

test('POST /api/v1/queues/:queue/limits follows the token rule and refuses another Origin', async (t) => {
  const withToken = await fx.make({ token: 's3cret' });
  const body = { scope: 'queue', concurrency: 1 };
  const refused = await withToken.call('/api/v1/queues/mail/limits', { body, auth: false });
  t.is(refused.status, 401);
  t.deepEqual((await withToken.client.queueState('mail')).limits, []);
  const ok = await withToken.call('/api/v1/queues/mail/limits', { body });
  t.is(ok.status, 200);

  const open = await fx.make();
  const csrf = await open.call('/api/v1/queues/mail/limits', {
    body,
    headers: { origin: 'http://evil.example' },
  });
  t.is(csrf.status, 403);
  t.deepEqual((await open.client.queueState('mail')).limits, []);
});
