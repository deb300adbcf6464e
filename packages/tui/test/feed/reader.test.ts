import { TaskNotFoundError } from '@dtps/core';
import test from 'ava';
import { type DashboardSource, FeedReader } from '../../src/feed/reader.js';
import type { Action } from '../../src/state/actions.js';
import { type Demand, demandOf } from '../../src/state/selectors.js';
import { busyState, detail, NOW, point, summary, task, worker } from '../fixtures.js';

/** A source whose answers each test sets, recording what was asked. */
function fakeSource(over: Partial<DashboardSource> = {}) {
  const calls: string[] = [];
  const record = <T>(call: string, value: T): T => {
    calls.push(call);
    return value;
  };
  const src: DashboardSource = {
    queues: async () => record('queues', ['default']),
    queue: async (name) => record(`queue ${name}`, summary({ queued: 1 }, name)),
    workers: async () => record('workers', [worker('w-1')]),
    leader: async () => record('leader', null),
    series: async (_q, _r, limit) => record(`series ${limit}`, []),
    recentSeconds: async (_q, n) => record(`recent ${n}`, [point(NOW - 1000)]),
    tasks: async (opts) => record(`tasks ${JSON.stringify(opts)}`, { tasks: [task('t-1')], cursor: null }),
    task: async (id) => record(`task ${id}`, detail(task(id))),
    ...over,
  } as DashboardSource;
  return { src, calls };
}

const types = (actions: Action[]) => actions.map((a) => a.type);
const overview: Demand = demandOf(busyState());

test('FeedReader: with a flow source, each tick reads the queue state on screen', async (t) => {
  const { src } = fakeSource();
  const asked: string[] = [];
  const flow = { queue: 'default', paused: true, pausedAt: NOW, limits: [] };
  const r = new FeedReader(src, undefined, {
    queueState: async (q: string) => {
      asked.push(q);
      return flow;
    },
  });
  const actions = await r.read(overview, NOW);
  t.deepEqual(asked, ['default']);
  t.deepEqual(
    actions.find((a) => a.type === 'flowLoaded'),
    { type: 'flowLoaded', flow },
  );
});

test('FeedReader: one tick reads the queue, workers, leader and series, then says the connection is up', async (t) => {
  const { src, calls } = fakeSource();
  const r = new FeedReader(src);
  const actions = await r.read(overview, NOW);
  t.deepEqual(types(actions), [
    'tick',
    'summaryLoaded',
    'workersLoaded',
    'leaderLoaded',
    'seriesLoaded',
    'queuesLoaded',
    'connectionUp',
  ]);
  t.true(calls.includes('recent 180'), 'the whole history first');
  calls.length = 0;
  await r.read(overview, NOW + 1000);
  t.true(calls.includes('recent 5'), 'then only the last seconds');
  t.false(calls.includes('queues'), 'the queue list now and then');
});

test('FeedReader: the coordinator series when it is fresh', async (t) => {
  const { src } = fakeSource({ series: async () => [point(NOW - 1000, { succeeded: 3 })] });
  const actions = await new FeedReader(src).read(overview, NOW);
  t.like(
    actions.find((a) => a.type === 'seriesLoaded'),
    { source: 'coordinator' },
  );
  const stale = fakeSource({ series: async () => [point(NOW - 60_000)] });
  const again = await new FeedReader(stale.src).read(overview, NOW);
  t.like(
    again.find((a) => a.type === 'seriesLoaded'),
    { source: 'counters' },
    'a stopped coordinator: counters',
  );
});

test('FeedReader: the task list, the detail and the followed task as the demand asks', async (t) => {
  const { src, calls } = fakeSource();
  const r = new FeedReader(src);
  const tasks: Demand = { ...overview, view: 'tasks', filter: { state: 'failed', priority: 3 } };
  const a = await r.read(tasks, NOW);
  t.like(
    a.find((x) => x.type === 'tasksLoaded'),
    { key: 'default|failed|3' },
  );
  t.true(
    calls.some((c) => c.startsWith('tasks {"queue":"default","limit":100,"state":"failed","priority":3}')),
  );
  const d = await r.read(
    { ...tasks, detail: { id: 't-1', queue: 'default' }, follow: { id: 't-2', queue: 'default' } },
    NOW,
  );
  t.deepEqual(
    types(d).filter((x) => x !== 'tick'),
    [
      'summaryLoaded',
      'workersLoaded',
      'leaderLoaded',
      'seriesLoaded',
      'detailLoaded',
      'followLoaded',
      'connectionUp',
    ],
  );
});

test('FeedReader: a missing task is a detail error, not a lost connection', async (t) => {
  const { src } = fakeSource({
    task: async (id) => {
      throw new TaskNotFoundError(id, 'default');
    },
  });
  const a = await new FeedReader(src).read(
    { ...overview, view: 'tasks', detail: { id: 'gone', queue: 'default' } },
    NOW,
  );
  t.like(
    a.find((x) => x.type === 'detailFailed'),
    { id: 'gone' },
  );
  t.is(a.at(-1)!.type, 'connectionUp');
});

test('FeedReader: a failed read becomes connectionLost, and never rejects', async (t) => {
  const { src } = fakeSource({
    workers: async () => {
      throw new Error('Connection is closed.');
    },
  });
  const a = await new FeedReader(src).read(overview, NOW);
  t.deepEqual(types(a), ['tick', 'connectionLost']);
  t.like(a[1], { error: 'Connection is closed.', at: NOW });
});

test('FeedReader: a lost data set in the origin marker becomes dataLossSeen; a marker without a loss, nothing', async (t) => {
  const lost = fakeSource({
    origin: async () => ({ id: 'b', createdAt: NOW - 10, losses: 1, lostAt: NOW - 10 }),
  });
  const actions = await new FeedReader(lost.src).read(overview, NOW);
  t.deepEqual(
    actions.filter((a) => a.type === 'dataLossSeen'),
    [{ type: 'dataLossSeen', at: NOW - 10, losses: 1 }],
  );
  const fine = fakeSource({ origin: async () => ({ id: 'a', createdAt: NOW - 10, losses: 0 }) });
  t.false(types(await new FeedReader(fine.src).read(overview, NOW)).includes('dataLossSeen'));
});
