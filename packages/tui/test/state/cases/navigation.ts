/** Reducer cases: views, selection, overlays, the submit form and the filter. */
import type { ActionType } from '../../../src/state/actions.js';
import { initialState, reducer } from '../../../src/state/reducer.js';
import { busyState, NOW, options, stateAfter, summary, task } from '../../fixtures.js';
import { type Case, effectOf, formOf, onWorkers, typed } from './helpers.js';

export const navigationCases = {
  switchView(t) {
    t.is(stateAfter([{ type: 'switchView', view: 'tasks' }]).view, 'tasks');
  },

  cycleView(t) {
    const s = stateAfter([{ type: 'cycleView', delta: 1 }]);
    t.is(s.view, 'workers');
    t.is(reducer(s, { type: 'cycleView', delta: 1 }).view, 'tasks');
    t.is(
      reducer(initialState(options()), { type: 'cycleView', delta: -1 }).view,
      'schedules',
      'wraps around',
    );
  },

  moveSelection(t) {
    const tasks = reducer(busyState(), { type: 'switchView', view: 'tasks' });
    t.is(reducer(tasks, { type: 'moveSelection', delta: 1 }).selectedTask, 't-queued');
    t.is(reducer(tasks, { type: 'moveSelection', delta: 99 }).selectedTask, 't-failed', 'clamped at the end');
    t.is(reducer(tasks, { type: 'moveSelection', delta: -5 }).selectedTask, 't-run', 'clamped at the top');
    const workers = onWorkers(busyState());
    t.is(reducer(workers, { type: 'moveSelection', delta: 1 }).selectedWorker, 'w-2');
    // Scrolling: at 24 rows, 18 task rows fit; going to row 40 scrolls so that it is the last on screen.
    const many = Array.from({ length: 60 }, (_, i) => task(`t${String(i).padStart(2, '0')}`));
    const long = stateAfter(
      [
        { type: 'switchView', view: 'tasks' },
        { type: 'tasksLoaded', key: 'default|*|*', tasks: many },
        { type: 'connectionUp', at: NOW },
        { type: 'moveSelection', delta: 40 },
      ],
      { rows: 24 },
    );
    t.is(long.selectedTask, 't40');
    t.is(long.taskScroll, 40 - 18 + 1);
    t.is(
      reducer(long, { type: 'moveSelection', delta: -30 }).taskScroll,
      10,
      'scrolling up keeps the row at the top',
    );
  },

  openDetail(t) {
    const s = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), { type: 'openDetail' });
    t.like(s.detail, { id: 't-run', queue: 'default', data: null });
    t.is(reducer(busyState(), { type: 'openDetail' }).detail, null, 'only on the Tasks view');
  },

  closeOverlay(t) {
    const help = stateAfter([{ type: 'openHelp' }]);
    t.is(reducer(help, { type: 'closeOverlay' }).overlay, null);
    const d = reducer(reducer(busyState(), { type: 'switchView', view: 'tasks' }), { type: 'openDetail' });
    t.is(reducer(d, { type: 'closeOverlay' }).detail, null, 'Esc leaves the detail');
    const plain = initialState(options());
    t.is(reducer(plain, { type: 'closeOverlay' }), plain);
  },

  openHelp(t) {
    t.deepEqual(stateAfter([{ type: 'openHelp' }]).overlay, { kind: 'help' });
  },

  quit(t) {
    t.true(stateAfter([{ type: 'quit' }]).quit);
  },

  openSubmit(t) {
    const s = reducer(busyState(), { type: 'openSubmit' });
    if (s.overlay?.kind !== 'submit') return t.fail();
    t.is(s.overlay.form.focus, 'type');
    t.is(s.overlay.form.values.type, 'cpu', 'preset to the first type the live workers handle');
  },

  formFocus(t) {
    const s = reducer(reducer(busyState(), { type: 'openSubmit' }), { type: 'formFocus', delta: 1 });
    t.is(formOf(s).focus, 'payload');
    t.is(formOf(reducer(s, { type: 'formFocus', delta: -1 })).focus, 'type');
    t.is(
      formOf(reducer(reducer(s, { type: 'formFocus', delta: -1 }), { type: 'formFocus', delta: -1 })).focus,
      'dependsOn',
    );
  },

  formInput(t) {
    const s = typed(busyState(), ['payload', '{"ms":']);
    const more = reducer(s, { type: 'formInput', text: '50}\u0007' });
    t.is(formOf(more).values.payload, '{"ms":50}', 'control characters are dropped');
    t.is(
      reducer(initialState(options()), { type: 'formInput', text: 'x' }).overlay,
      null,
      'no form, no typing',
    );
  },

  formBackspace(t) {
    const s = reducer(typed(busyState(), ['payload', '[1,2]']), { type: 'formBackspace' });
    t.is(formOf(s).values.payload, '[1,2');
  },

  formClear(t) {
    const s = reducer(typed(busyState(), ['payload', '[1,2]']), { type: 'formClear' });
    t.is(formOf(s).values.payload, '');
  },

  formCycle(t) {
    const s = reducer(busyState(), { type: 'openSubmit' });
    t.is(formOf(reducer(s, { type: 'formCycle', delta: 1 })).values.type, 'echo');
    t.is(formOf(reducer(s, { type: 'formCycle', delta: -1 })).values.type, 'sleep', 'wraps around');
    const prio = reducer(typed(busyState(), ['priority', '']), { type: 'formCycle', delta: 1 });
    t.is(formOf(prio).values.priority, '1');
  },

  formSubmit(t) {
    const bad = reducer(typed(busyState(), ['payload', '{oops']), { type: 'formSubmit' });
    t.is(formOf(bad).error, 'fix the fields marked in red first');
    t.is(bad.outbox.length, 0, 'nothing is sent while a field is wrong');
    const good = reducer(typed(busyState(), ['payload', '{"ms":5}', 'priority', '7', 'timeout', '2s']), {
      type: 'formSubmit',
    });
    t.true(formOf(good).submitting);
    t.deepEqual(effectOf(good), {
      id: 1,
      kind: 'submit',
      spec: { type: 'cpu', queue: 'default', payload: { ms: 5 }, priority: 7, timeoutMs: 2000 },
    });
    t.is(reducer(good, { type: 'formSubmit' }), good, 'one submit per form');
  },

  openFilter(t) {
    const s = reducer(busyState(), { type: 'openFilter' });
    t.is(s.view, 'tasks');
    t.like(s.overlay, {
      kind: 'filter',
      focus: 'state',
      draft: { state: null, priority: null, queue: 'default' },
    });
  },

  filterFocus(t) {
    const s = reducer(reducer(busyState(), { type: 'openFilter' }), { type: 'filterFocus', delta: 1 });
    t.like(s.overlay, { focus: 'queue' });
    t.like(reducer(s, { type: 'filterFocus', delta: -1 }).overlay, { focus: 'state' });
  },

  filterCycle(t) {
    const s = reducer(reducer(busyState(), { type: 'openFilter' }), { type: 'filterCycle', delta: 1 });
    t.like(s.overlay, { draft: { state: 'pending' } });
    const q = stateAfter([
      { type: 'queuesLoaded', queues: ['emails'] },
      { type: 'openFilter' },
      { type: 'filterFocus', delta: 1 },
      { type: 'filterCycle', delta: 1 },
      { type: 'filterFocus', delta: 1 },
      { type: 'filterCycle', delta: 1 },
    ]);
    t.like(q.overlay, { draft: { queue: 'emails', priority: 10 } });
  },

  filterReset(t) {
    const s = stateAfter([
      { type: 'openFilter' },
      { type: 'filterCycle', delta: 1 },
      { type: 'filterReset' },
    ]);
    t.like(s.overlay, { draft: { state: null, priority: null } });
  },

  filterApply(t) {
    const s = reducer(
      reducer(reducer(busyState(), { type: 'openFilter' }), { type: 'filterCycle', delta: -1 }),
      { type: 'filterApply' },
    );
    t.is(s.overlay, null);
    t.deepEqual(s.filter, { state: 'cancelled', priority: null });
    t.is(s.selectedTask, null);
    const other = stateAfter([
      { type: 'queuesLoaded', queues: ['emails'] },
      { type: 'summaryLoaded', summary: summary({ queued: 1 }), at: NOW },
      { type: 'openFilter' },
      { type: 'filterFocus', delta: 1 },
      { type: 'filterCycle', delta: 1 },
      { type: 'filterApply' },
    ]);
    t.is(other.queue, 'emails');
    t.is(other.summary, null, "another queue's figures start afresh");
    t.deepEqual(other.depth, []);
  },
} satisfies Partial<Record<ActionType, Case>>;
