/**
 * The leader's scheduler on a real Redis with an injected clock: cron times
 * in a time zone across DST changes, each missed-run policy after an outage,
 * the overlap policy, and exactly one run per due time when a leader dies
 * between submitting a run and recording it.
 */
import { ManualClock, runKey, runSpec, type ScheduleInput, ScheduleStore } from '@dtps/core';
import { uniquePrefix, useRedisServer } from '@dtps/core/testing';
import test from 'ava';
import { type Leader, leader, runsByDue } from './schedule-fixture.js';

const redis = useRedisServer(test);
const opened: Leader[] = [];
test.after.always(async () => {
  for (const l of opened) await l.close();
});

async function start(prefix: string, id: string, clock: ManualClock, graceMs: number): Promise<Leader> {
  const l = await leader(redis.server, prefix, id, clock, graceMs);
  opened.push(l);
  return l;
}

async function add(
  l: Leader,
  input: Omit<ScheduleInput, 'template'> & { template?: ScheduleInput['template'] },
) {
  return new ScheduleStore(l.ctx).save({ template: { type: 'tick' }, ...input }, 'cli');
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Ticks every `stepMs` from the clock's time until `untilMs`. */
async function runUntil(l: Leader, clock: ManualClock, untilMs: number, stepMs: number) {
  while (clock.now() < untilMs) {
    clock.advance(stepMs);
    await l.tick();
  }
}

test('cron in Europe/Berlin across the spring change: 09:00 local moves from 08:00Z to 07:00Z; 02:30 (which does not exist) runs at 03:00 once', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-27T12:00:00Z'));
  const l = await start(uniquePrefix(), 'a', clock, 10 * MIN);
  await add(l, {
    id: 'nine',
    cron: '0 9 * * *',
    tz: 'Europe/Berlin',
    template: { type: 'tick', queue: 'nine' },
  });
  await add(l, {
    id: 'gap',
    cron: '30 2 * * *',
    tz: 'Europe/Berlin',
    template: { type: 'tick', queue: 'gap' },
  });
  await runUntil(l, clock, Date.parse('2026-03-31T00:00:00Z'), 5 * MIN);
  t.deepEqual(
    [...(await runsByDue(l.client, 'nine'))].map(([due, n]) => [iso(due), n]),
    [
      ['2026-03-28T08:00:00.000Z', 1],
      ['2026-03-29T07:00:00.000Z', 1],
      ['2026-03-30T07:00:00.000Z', 1],
    ],
  );
  t.deepEqual([...(await runsByDue(l.client, 'gap'))].map(([due, n]) => [iso(due), n]).sort(), [
    ['2026-03-28T01:30:00.000Z', 1],
    ['2026-03-29T01:00:00.000Z', 1],
    ['2026-03-30T00:30:00.000Z', 1],
  ]);
});

test('cron in America/New_York across the autumn change: 01:30 (which happens twice) runs once; a 6-field hourly one runs every real hour', async (t) => {
  const clock = new ManualClock(Date.parse('2026-10-31T12:00:00Z'));
  const l = await start(uniquePrefix(), 'a', clock, 10 * MIN);
  await add(l, {
    id: 'twice',
    cron: '30 1 * * *',
    tz: 'America/New_York',
    template: { type: 'tick', queue: 'twice' },
  });
  await add(l, {
    id: 'hourly',
    cron: '0 0 * * * *',
    tz: 'America/New_York',
    template: { type: 'tick', queue: 'hourly' },
  });
  await runUntil(l, clock, Date.parse('2026-11-02T12:00:00Z'), 5 * MIN);
  t.deepEqual([...(await runsByDue(l.client, 'twice'))].map(([due, n]) => [iso(due), n]).sort(), [
    ['2026-11-01T05:30:00.000Z', 1],
    ['2026-11-02T06:30:00.000Z', 1],
  ]);
  const hourly = [...(await runsByDue(l.client, 'hourly'))].map(([due]) => due).sort((a, b) => a - b);
  // 13:00Z on the 31st to 12:00Z on the 2nd: every real hour once, the repeated 01:00 local included.
  t.is(hourly.length, 48);
  t.true(hourly.every((d, i) => i === 0 || d - hourly[i - 1]! === 60 * MIN));
  t.true([...(await runsByDue(l.client, 'hourly')).values()].every((n) => n === 1));
});

/**
 * After an outage of a minute (grace 500 ms): what each policy fires and
 * what the fleet event says. The new leader's first tick comes 250 ms after
 * 00:01:01, which is on time; 00:00:02 to 00:01:00 (59 due times) were missed.
 */
async function afterOutage(missed: string) {
  const prefix = uniquePrefix();
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.250Z'));
  const a = await start(prefix, 'a', clock, 500);
  await add(a, { id: 'sec', everyMs: 1000, missed });
  clock.advance(1000);
  await a.tick(); // fires 00:00:01
  await a.lease.stop(); // the coordinator goes away
  clock.advance(60_000); // no coordinator for a minute
  const b = await start(prefix, 'b', clock, 500);
  await b.tick();
  const runs = [...(await runsByDue(b.client))].map(([due]) => iso(due).slice(11, 19)).sort();
  const events = await b.ctx.redis.xrange(b.ctx.fleet.events, '-', '+');
  const missedEvents = events
    .map(([, f]) =>
      Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])),
    )
    .filter((e) => e.kind === 'schedule:missed')
    .map((e) => JSON.parse(e.detail as string));
  const info = await new ScheduleStore(b.ctx).get('sec');
  return { runs, missedEvents, info };
}

test('missed runs, skip: none of the 59 missed seconds runs; the event says so', async (t) => {
  const r = await afterOutage('skip');
  t.deepEqual(r.runs, ['00:00:01', '00:01:01']);
  t.is(r.missedEvents.length, 1);
  t.like(r.missedEvents[0], { count: 59, fired: 0, policy: 'skip' });
  t.is(r.info.next, Date.parse('2026-05-01T00:01:02.000Z'));
  t.is(r.info.fired, 2);
});

test('missed runs, once: the latest missed second runs, once', async (t) => {
  const r = await afterOutage('once');
  t.deepEqual(r.runs, ['00:00:01', '00:01:00', '00:01:01']);
  t.like(r.missedEvents[0], { count: 59, fired: 1, policy: 'once' });
  t.is(r.info.fired, 3);
});

test('missed runs, catch-up:5: the latest five missed seconds run', async (t) => {
  const r = await afterOutage('catch-up:5');
  t.deepEqual(r.runs, ['00:00:01', '00:00:56', '00:00:57', '00:00:58', '00:00:59', '00:01:00', '00:01:01']);
  t.like(r.missedEvents[0], { count: 59, fired: 5, policy: 'catch-up:5' });
  t.is(r.info.fired, 7);
});

test('missed runs, skip, with nothing on time: the schedule records the missed due time as its last', async (t) => {
  const prefix = uniquePrefix();
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.900Z'));
  const a = await start(prefix, 'a', clock, 500);
  await add(a, { id: 'sec', everyMs: 1000, missed: 'skip' });
  clock.advance(30_000); // 00:00:30.900: every due time is more than 500 ms old
  await a.tick();
  t.is((await runsByDue(a.client)).size, 0);
  const info = await new ScheduleStore(a.ctx).get('sec');
  t.like(info, { lastOutcome: 'missed', last: Date.parse('2026-05-01T00:00:30.000Z'), fired: 0 });
});

test('a late due time within the grace is not missed: it runs', async (t) => {
  const prefix = uniquePrefix();
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.250Z'));
  const a = await start(prefix, 'a', clock, 10_000);
  await add(a, { id: 'sec', everyMs: 1000, missed: 'skip' });
  clock.advance(8000); // a failover's worth of silence
  await a.tick();
  t.is((await runsByDue(a.client)).size, 8);
});

test('overlap skip: no run while the previous run has not ended', async (t) => {
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.250Z'));
  const l = await start(uniquePrefix(), 'a', clock, 10_000);
  await add(l, { id: 'sec', everyMs: 1000, overlap: 'skip' });
  clock.advance(1000);
  await l.tick();
  const first = (await new ScheduleStore(l.ctx).get('sec')).lastTask!;
  clock.advance(1000);
  await l.tick();
  t.is((await runsByDue(l.client)).size, 1, 'the first run is still queued: the second is skipped');
  t.is((await new ScheduleStore(l.ctx).get('sec')).lastOutcome, 'skipped-overlap');
  await l.client.cancel(first);
  clock.advance(1000);
  await l.tick();
  t.is((await runsByDue(l.client)).size, 2, 'the first ended: the third runs');
});

test('a leader that dies after submitting a run and before recording it: the next leader runs the same due time, which is one task', async (t) => {
  const prefix = uniquePrefix();
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.250Z'));
  const a = await start(prefix, 'a', clock, 10_000);
  const { def } = await add(a, { id: 'sec', everyMs: 1000 });
  clock.advance(1000);
  await a.lease.tick();
  const due = Date.parse('2026-05-01T00:00:01.000Z');
  // What a's tick did before it died: the submit, not the record.
  await a.client.submit(runSpec(def, due, runKey('sec', due)));
  await a.ctx.redis.del(a.ctx.fleet.leader); // its lease lapses
  const b = await start(prefix, 'b', clock, 10_000);
  clock.advance(1000);
  await b.tick();
  t.true(b.lease.isLeader());
  t.deepEqual([...(await runsByDue(b.client))].sort(), [
    [due, 1],
    [due + 1000, 1],
  ]);
  const info = await new ScheduleStore(b.ctx).get('sec');
  t.is(info.fired, 2);
  t.is(info.next, due + 2000);
  // a wakes up believing it still leads: its record is fenced, the schedule does not move back.
  const row = (await a.scheduler.store.row('sec'))!;
  const stale = { ...row, info: { ...row.info, next: due }, nextText: String(due) };
  t.like(await a.scheduler.fire(stale), { result: 'fenced' });
  t.is((await new ScheduleStore(b.ctx).get('sec')).next, due + 2000);
  t.is((await runsByDue(b.client)).size, 2, 'and its submits were duplicates');
});

test('a run that submit refuses for good (its deadline offset already past) is reported and the schedule goes on', async (t) => {
  const clock = new ManualClock(Date.parse('2026-05-01T00:00:00.250Z'));
  const l = await start(uniquePrefix(), 'a', clock, 10_000);
  await add(l, { id: 'sec', everyMs: 1000, template: { type: 'tick', deadlineOffsetMs: 500 } });
  clock.advance(3000); // 00:00:03.250: the runs of 1 and 2 s are past their deadlines, the one of 3 s is not
  await l.tick();
  t.like(await new ScheduleStore(l.ctx).get('sec'), {
    fired: 1,
    lastOutcome: 'fired',
    next: Date.parse('2026-05-01T00:00:04.000Z'),
  });
  const kinds = (await l.ctx.redis.xrange(l.ctx.fleet.events, '-', '+')).map(([, f]) => f[1]);
  t.deepEqual(kinds, ['leader:elected', 'schedule:refused', 'schedule:refused', 'schedule:fired']);
  t.deepEqual([...(await runsByDue(l.client)).keys()], [Date.parse('2026-05-01T00:00:03.000Z')]);
});
