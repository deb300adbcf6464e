/**
 * The schedules' scripts on the engine's Redis (a single node, or a Cluster
 * with DTPS_TEST_REDIS=cluster: every script touches the fleet tag only, and a
 * run's submit its queue's tag): save, unchanged and updated definitions,
 * pause and resume, recordFire's fence (holder and epoch, version and next
 * due time), run-now, remove, and refusals that write nothing.
 */
import test from 'ava';
import { ScheduleNotFoundError, ScheduleStore, ValidationError } from '../../src/index.js';
import { useEngine } from './fixture.js';

const engine = useEngine(test);

test('save: created, unchanged, updated (new version, next due time); pause and resume', async (t) => {
  const e = await engine.make();
  const store = new ScheduleStore(e.client.ctx);
  const input = { id: 's1', everyMs: 60_000, template: { type: 'x', queue: 'q1' } };
  t.is((await store.save(input, 'cli')).outcome, 'created');
  t.is((await store.save(input, 'cli')).outcome, 'unchanged');
  const before = await store.row('s1');
  t.is((await store.save({ ...input, everyMs: 120_000 }, 'cli')).outcome, 'updated');
  const after = (await store.row('s1'))!;
  t.is(after.version, before!.version + 1);
  t.is(after.info.next! % 120_000, 0);
  t.true(await store.setPaused('s1', true));
  t.false(await store.setPaused('s1', true));
  t.like(await store.get('s1'), { paused: true, next: null });
  t.deepEqual(await store.dueIds(Number.MAX_SAFE_INTEGER), [], 'a paused schedule is never due');
  t.true(await store.setPaused('s1', false));
  t.is((await store.get('s1')).next! > e.clock.now(), true);
});

test('recordFire is fenced by the lease holder and epoch, and by the version and next due time read', async (t) => {
  const e = await engine.make();
  const store = new ScheduleStore(e.client.ctx);
  await store.save({ id: 's1', everyMs: 1000, template: { type: 'x' } }, 'cli');
  const row = (await store.row('s1'))!;
  await e.redis.set(e.client.ctx.fleet.leader, 'c1 7');
  const base = {
    id: 's1',
    next: row.info.next! + 1000,
    fired: 1,
    last: row.info.next!,
    lastTask: { id: 't1', queue: 'default' },
    outcome: 'fired',
    now: e.clock.now(),
    events: [{ kind: 'schedule:fired', detail: '{}' }],
  };
  const leader = { holder: 'c1', epoch: 7, version: row.version, expectNext: row.info.next! };
  t.is(await store.record({ ...base, leader: { ...leader, epoch: 6 } }), 'fenced');
  t.is(await store.record({ ...base, leader: { ...leader, holder: 'c2' } }), 'fenced');
  t.is(await store.record({ ...base, leader: { ...leader, version: row.version + 1 } }), 'stale');
  t.is(await store.record({ ...base, leader: { ...leader, expectNext: 5 } }), 'stale');
  t.like(await store.get('s1'), { fired: 0, last: null }, 'refused records wrote nothing');
  t.is(await store.record({ ...base, leader }), 'recorded');
  t.like(await store.get('s1'), {
    fired: 1,
    last: row.info.next,
    next: row.info.next! + 1000,
    lastTask: 't1',
  });
  t.is(await store.record({ ...base, leader }), 'stale', 'the same tick twice: the second is refused');
  t.is(await store.record({ ...base, id: 'nope', leader }), 'missing');
});

test('run-now submits a run with its own key and counts it; rm deletes; unknown ids and bad input are refused', async (t) => {
  const e = await engine.make();
  const store = new ScheduleStore(e.client.ctx);
  await store.save({ id: 's1', everyMs: 1000, template: { type: 'x', queue: 'q2', priority: 9 } }, 'cli');
  const next = (await store.get('s1')).next;
  const r = await store.runNow(e.client, 's1');
  const task = await e.client.get(r.id);
  t.like(task, { queue: 'q2', type: 'x', priority: 9 });
  t.regex(task.idempotencyKey!, /^schedule:s1:manual:\d+$/);
  t.like(await store.get('s1'), { fired: 1, next, lastTask: r.id });
  await store.remove('s1');
  await t.throwsAsync(() => store.get('s1'), { instanceOf: ScheduleNotFoundError });
  await t.throwsAsync(() => store.remove('s1'), { instanceOf: ScheduleNotFoundError });
  await t.throwsAsync(() => store.setPaused('s1', true), { instanceOf: ScheduleNotFoundError });
  await t.throwsAsync(() => store.runNow(e.client, 's1'), { instanceOf: ScheduleNotFoundError });
  for (const [input, field] of [
    [{ id: 'a b', everyMs: 1000, template: { type: 'x' } }, 'id'],
    [{ id: 'a', template: { type: 'x' } }, 'cron'],
    [{ id: 'a', cron: '* * * * * * *', template: { type: 'x' } }, 'cron'],
    [{ id: 'a', everyMs: 1000, tz: 'UTC', template: { type: 'x' } }, 'tz'],
    [{ id: 'a', everyMs: 1000, template: { type: 'x', deadlineOffsetMs: 0 } }, 'deadlineOffsetMs'],
    [{ id: 'a', everyMs: 1000, template: { type: 'x', group: 'no spaces' } }, 'group'],
    [{ id: 'a', everyMs: 1000, template: { type: 'x', colour: 'red' } }, 'colour'],
    [{ id: 'a', everyMs: 1000, template: { type: '' } }, 'type'],
    [{ id: 'a', everyMs: 1000, jitterMs: -1, template: { type: 'x' } }, 'jitterMs'],
  ] as const) {
    const err = await t.throwsAsync(() => store.save(input as never, 'cli'), { instanceOf: ValidationError });
    t.is(err?.field, field, JSON.stringify(input));
  }
  t.deepEqual(await store.list(), []);
});
