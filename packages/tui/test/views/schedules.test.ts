import type { ScheduleDetail } from '@dtps/core';
import test from 'ava';
import { createElement as h } from 'react';
import { Schedules, scheduleRow } from '../../src/views/Schedules.js';
import { NOW } from '../fixtures.js';
import { frameOf, widest } from './render.js';

function schedule(id: string, over: Partial<ScheduleDetail> = {}): ScheduleDetail {
  return {
    id,
    everyMs: 60_000,
    tz: null,
    next: NOW + 4200,
    last: NOW - 55_800,
    paused: false,
    fired: 12,
    template: { type: 'report' },
    missed: 'once',
    overlap: 'allow',
    jitterMs: 0,
    origin: 'cli',
    lastOutcome: 'fired',
    lastTask: { id: 't1', queue: 'default', state: 'succeeded' },
    createdAt: NOW - 3_600_000,
    updatedAt: NOW - 3_600_000,
    ...over,
  } as ScheduleDetail;
}

test('Schedules: timing, next and last run, the last outcome with its task state, runs fired', (t) => {
  const rows = [
    schedule('digest'),
    schedule('nightly', {
      everyMs: undefined,
      cron: '0 3 * * *',
      tz: 'Europe/Berlin',
      lastTask: { id: 't2', queue: 'default', state: 'failed' },
    } as Partial<ScheduleDetail>),
    schedule('poll', { paused: true, next: null, lastOutcome: 'skipped-overlap' }),
    schedule('fresh', { last: null, lastOutcome: null, lastTask: null, fired: 0 }),
  ].map((s) => scheduleRow(s, NOW));
  const { text, lines } = frameOf(h(Schedules, { rows, width: 100, height: 10 }));
  t.regex(text, /SCHEDULE +WHEN +NEXT +LAST OUTCOME +FIRED/);
  t.regex(text, /digest +every 1m +in 4\.2s +56s ago fired → succeeded +12/);
  t.regex(text, /nightly +0 3 \* \* \* Europe\/Berlin +in 4\.2s +56s ago fired → failed/);
  t.regex(text, /poll +every 1m +paused +56s ago skipped-overlap/);
  t.regex(text, /fresh +every 1m +in 4\.2s +— +— +0/);
  t.true(widest(lines) <= 100);
  t.is(rows[1]!.tone, 'bad');
  t.is(rows[0]!.tone, 'good');
});

test('Schedules: none yet says how to add one', (t) => {
  t.regex(
    frameOf(h(Schedules, { rows: [], width: 80, height: 6 })).text,
    /no schedules — add one with dtps schedule add/,
  );
});
