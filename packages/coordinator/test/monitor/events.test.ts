/** GET /api/v1/events: Server-Sent Events of the queues' transitions. */
import test from 'ava';
import { eventually, type Monitor, useMonitor } from './fixture.js';
import { openSse, type SseEvent } from './sse-client.js';

const fx = useMonitor(test);

const data = (e: SseEvent) =>
  JSON.parse(e.data) as {
    queue: string;
    streamId: string;
    state: string;
    ids: string[];
    worker: string | null;
  };
const about = (id: string, state?: string) => (e: SseEvent) =>
  e.event === 'transition' && data(e).ids.includes(id) && (state === undefined || data(e).state === state);

/** Blocked XREAD connections on the server (the SSE readers of one-queue streams). */
async function blockedReaders(m: Monitor): Promise<number> {
  const list = (await m.redis.client('LIST')) as string;
  return list.split('\n').filter((l) => / cmd=xread\b/.test(l)).length;
}

test.serial(
  'one queue: a submit arrives as a transition event within a second, on a reader connection of its own that closes with the client',
  async (t) => {
    const m = await fx.make();
    const before = await blockedReaders(m);
    const sse = await openSse(`${m.url}/api/v1/events?queue=default`);
    t.teardown(() => sse.close());
    t.is(sse.status, 200);
    t.regex(sse.headers.get('content-type') ?? '', /^text\/event-stream/);
    t.true(
      await eventually(async () => (await blockedReaders(m)) === before + 1),
      'one blocked XREAD for this client',
    );

    const started = Date.now();
    const { id } = await m.client.submit({ type: 'echo' });
    const e = await sse.waitFor(about(id, 'queued'), 1000);
    t.true(Date.now() - started < 1000);
    const d = data(e);
    t.is(d.queue, 'default');
    t.is(d.state, 'queued');
    t.deepEqual(d.ids, [id]);
    t.is(e.id, `default|${d.streamId}`);

    // Work on it: started and succeeded follow, with the worker.
    const { tasks } = (await m.ops('w1').cycle('default', { claim: { max: 1, start: 1 } })).claim;
    await m.ops('w1').complete('default', [{ id, attempt: tasks[0]!.attempt, result: 1 }]);
    const done = data(await sse.waitFor(about(id, 'succeeded'), 1000));
    t.is(done.worker, 'w1');

    sse.close();
    t.true(
      await eventually(async () => (await blockedReaders(m)) === before),
      'the reader connection is closed',
    );
  },
);

test('every queue: events of each queue, including one created after the stream opened', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo', queue: 'a' });
  const sse = await openSse(`${m.url}/api/v1/events`);
  t.teardown(() => sse.close());
  t.is(sse.status, 200);
  const a = await m.client.submit({ type: 'echo', queue: 'a' });
  const b = await m.client.submit({ type: 'echo', queue: 'b' });
  const ea = await sse.waitFor(about(a.id), 1000);
  const eb = await sse.waitFor(about(b.id), 1000);
  t.is(data(ea).queue, 'a');
  t.is(data(eb).queue, 'b');
  // The id carries every queue's cursor.
  t.regex(eb.id!, /(^|,)a\|\d+-\d+(,|$)/);
  t.regex(eb.id!, /(^|,)b\|\d+-\d+(,|$)/);
  t.is(sse.events.filter((e) => e.event === 'transition').length, 2, 'nothing from before the stream opened');
});

test('one queue: Last-Event-ID resumes after the last event seen, nothing lost, nothing repeated', async (t) => {
  const m = await fx.make();
  const first = await openSse(`${m.url}/api/v1/events?queue=default`);
  const x = await m.client.submit({ type: 'echo' });
  const seen = await first.waitFor(about(x.id), 1000);
  first.close();
  const y = await m.client.submit({ type: 'echo' });
  const z = await m.client.submit({ type: 'echo' });
  const again = await openSse(`${m.url}/api/v1/events?queue=default`, { 'last-event-id': seen.id! });
  t.teardown(() => again.close());
  await again.waitFor(about(z.id), 1000);
  const ids = again.events.flatMap((e) => data(e).ids);
  t.false(ids.includes(x.id));
  t.true(ids.includes(y.id));
});

test('every queue: Last-Event-ID resumes each queue where it stopped', async (t) => {
  const m = await fx.make();
  await m.client.submit({ type: 'echo', queue: 'a' });
  await m.client.submit({ type: 'echo', queue: 'b' });
  const first = await openSse(`${m.url}/api/v1/events`);
  const a1 = await m.client.submit({ type: 'echo', queue: 'a' });
  const seen = await first.waitFor(about(a1.id), 1500);
  first.close();
  const b1 = await m.client.submit({ type: 'echo', queue: 'b' });
  const c1 = await m.client.submit({ type: 'echo', queue: 'c' });
  const again = await openSse(`${m.url}/api/v1/events`, { 'last-event-id': seen.id! });
  t.teardown(() => again.close());
  await again.waitFor(about(b1.id), 1500);
  await again.waitFor(about(c1.id), 1500);
  t.false(again.events.some(about(a1.id)), 'a1 was seen already');
});

test('a task a limit holds back arrives as a held event with the limit in its reason; it is still queued', async (t) => {
  const m = await fx.make();
  const sse = await openSse(`${m.url}/api/v1/events?queue=default`);
  t.teardown(() => sse.close());
  await m.client.setQueueLimit('default', { scope: 'type', key: 'echo', concurrency: 1 });
  const a = (await m.client.submit({ type: 'echo' })).id;
  const b = (await m.client.submit({ type: 'echo' })).id;
  await m.ops('w1').cycle('default', { claim: { max: 2, start: 2 } });
  const held = JSON.parse((await sse.waitFor(about(b, 'held'), 2000)).data);
  t.is(held.reason, 'concurrency:type:echo');
  t.is((await m.client.get(b)).state, 'queued', 'held is not a state: the task is still queued');
  t.is((await m.client.get(a)).state, 'running');
});

test('bad query and bad Last-Event-ID are 400 naming the field', async (t) => {
  const m = await fx.make();
  const q = await m.call('/api/v1/events?queue=a%20b');
  t.is(q.status, 400);
  t.is(q.body.error.field, 'queue');
  const extra = await m.call('/api/v1/events?since=now');
  t.is(extra.status, 400);
  t.is(extra.body.error.field, 'since');
  const id = await m.call('/api/v1/events?queue=default', { headers: { 'last-event-id': 'garbage' } });
  t.is(id.status, 400);
  t.is(id.body.error.code, 'invalid_argument');
  t.is(id.body.error.field, 'Last-Event-ID');
});

test('at most maxSseClients streams: the next one is 503 until one leaves', async (t) => {
  const m = await fx.make({ maxSseClients: 2 });
  const s1 = await openSse(`${m.url}/api/v1/events?queue=default`);
  const s2 = await openSse(`${m.url}/api/v1/events`);
  t.teardown(() => {
    s1.close();
    s2.close();
  });
  const third = await m.call('/api/v1/events?queue=default');
  t.is(third.status, 503);
  t.is(third.body.error.code, 'unavailable');
  t.is(third.headers.get('retry-after'), '5');
  s1.close();
  const fourth = await eventually(async () => {
    const s = await openSse(`${m.url}/api/v1/events?queue=default`);
    if (s.status === 200) return s;
    s.close();
    return undefined;
  });
  t.truthy(fourth);
  fourth?.close();
});

test('a keep-alive comment flows on an idle stream', async (t) => {
  const m = await fx.make({ sseKeepAliveMs: 100 });
  const sse = await openSse(`${m.url}/api/v1/events?queue=default`);
  t.teardown(() => sse.close());
  t.regex(await sse.waitForComment(/^keep-alive /, 1000), /^keep-alive \d{4}-/);
});

test('closing the monitor ends open streams instead of waiting for them', async (t) => {
  const m = await fx.make();
  const one = await openSse(`${m.url}/api/v1/events?queue=default`);
  const all = await openSse(`${m.url}/api/v1/events`);
  const closed = m.server.close();
  await Promise.all([one.ended, all.ended, closed]);
  t.pass();
});
