/** Reducer cases: the queue's flow control (the limit form L, the queue pause P, the state read). */
import type { QueueState } from '@dtps/core';
import type { ActionType } from '../../../src/state/actions.js';
import { reducer } from '../../../src/state/reducer.js';
import type { DashboardState } from '../../../src/state/types.js';
import { busyState } from '../../fixtures.js';
import { type Case, effectOf } from './helpers.js';

export const FLOW: QueueState = {
  queue: 'default',
  paused: false,
  pausedAt: null,
  limits: [
    {
      scope: 'type',
      key: 'echo',
      rate: { n: 5, perMs: 1000 },
      concurrency: 2,
      running: 2,
      heldBack: 7,
      tokensLeft: 3,
    },
  ],
};

function limitForm(s: DashboardState) {
  if (s.overlay?.kind !== 'limit') throw new Error('no limit form open');
  return s.overlay.form;
}

/** Opens the form and fills it: the scope chosen by stepping, then typed fields. */
function filled(scopeSteps: number, typedFields: [string, string][], clear = false): DashboardState {
  let s = reducer(busyState(), { type: 'openLimit' });
  if (clear) s = reducer(s, { type: 'limitCycle', delta: 1 });
  s = reducer(s, { type: 'limitFocus', delta: 1 });
  for (let i = 0; i < scopeSteps; i++) s = reducer(s, { type: 'limitCycle', delta: 1 });
  for (const [field, text] of typedFields) {
    while (limitForm(s).focus !== field) s = reducer(s, { type: 'limitFocus', delta: 1 });
    s = reducer(s, { type: 'limitInput', text });
  }
  return s;
}

export const flowCases = {
  flowLoaded(t) {
    const s = reducer(busyState(), { type: 'flowLoaded', flow: FLOW });
    t.deepEqual(s.flow, FLOW);
    t.is(reducer(s, { type: 'flowLoaded', flow: structuredClone(FLOW) }), s, 'unchanged: same state');
    t.is(reducer(s, { type: 'flowLoaded', flow: { ...FLOW, queue: 'other' } }), s, 'another queue: dropped');
  },

  openLimit(t) {
    const s = reducer(busyState(), { type: 'openLimit' });
    t.like(limitForm(s), { focus: 'action', action: 'set', scope: 'queue', error: null });
  },

  limitFocus(t) {
    let s = reducer(busyState(), { type: 'openLimit' });
    s = reducer(s, { type: 'limitFocus', delta: -1 });
    t.is(limitForm(s).focus, 'concurrency', 'wraps around');
    t.is(limitForm(reducer(s, { type: 'limitFocus', delta: 1 })).focus, 'action');
  },

  limitCycle(t) {
    const s = filled(1, []);
    t.is(limitForm(s).scope, 'type');
    t.is(limitForm(reducer(s, { type: 'limitCycle', delta: -1 })).scope, 'queue');
    t.is(limitForm(filled(0, [], true)).action, 'clear');
  },

  limitInput(t) {
    const s = filled(1, [
      ['key', 'echo'],
      ['rate', '5'],
    ]);
    t.like(limitForm(s).values, { key: 'echo', rate: '5', per: '1000' });
    // Typing on a chosen field does nothing.
    const onScope = reducer(reducer(busyState(), { type: 'openLimit' }), { type: 'limitInput', text: 'x' });
    t.like(limitForm(onScope), { action: 'set', scope: 'queue' });
  },

  limitBackspace(t) {
    const s = reducer(filled(1, [['key', 'echoo']]), { type: 'limitBackspace' });
    t.is(limitForm(s).values.key, 'echo');
  },

  limitSubmit(t) {
    const set = reducer(
      filled(1, [
        ['key', 'echo'],
        ['rate', '5'],
        ['concurrency', '2'],
      ]),
      {
        type: 'limitSubmit',
      },
    );
    t.is(set.overlay, null);
    t.deepEqual(effectOf(set), {
      id: 1,
      kind: 'setLimit',
      queue: 'default',
      settings: { scope: 'type', key: 'echo', rate: { n: 5, perMs: 1000 }, concurrency: 2 },
    });
    const clear = reducer(filled(2, [['key', 'tenant-1']], true), { type: 'limitSubmit' });
    t.like(effectOf(clear), {
      kind: 'clearLimit',
      queue: 'default',
      target: { scope: 'group', key: 'tenant-1' },
    });
    // Refused with the core's check, naming the field; nothing is queued and the form stays open.
    const bad = reducer(filled(0, [['concurrency', '0']]), { type: 'limitSubmit' });
    t.regex(limitForm(bad).error ?? '', /^concurrency: /);
    t.is(bad.outbox.length, 0);
    const noKey = reducer(filled(1, [['rate', '5']]), { type: 'limitSubmit' });
    t.regex(limitForm(noKey).error ?? '', /^type: /);
    const nothing = reducer(filled(0, []), { type: 'limitSubmit' });
    t.regex(limitForm(nothing).error ?? '', /^rate: /);
  },

  requestQueuePause(t) {
    t.regex(reducer(busyState(), { type: 'requestQueuePause' }).notice?.text ?? '', /not read yet/);
    const s = reducer(busyState(), { type: 'flowLoaded', flow: FLOW });
    const asked = reducer(s, { type: 'requestQueuePause' });
    t.like(asked.overlay, {
      kind: 'confirm',
      confirm: { effect: { kind: 'queuePause', queue: 'default', pause: true } },
    });
    t.is(asked.outbox.length, 0, 'a pause asks first');
    const paused = reducer(busyState(), { type: 'flowLoaded', flow: { ...FLOW, paused: true, pausedAt: 1 } });
    t.like(effectOf(reducer(paused, { type: 'requestQueuePause' })), {
      kind: 'queuePause',
      pause: false,
    });
  },
} satisfies Partial<Record<ActionType, Case>>;
