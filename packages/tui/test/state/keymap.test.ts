/**
 * The keymap: key presses become actions according to the mode, tested
 * without a terminal.
 */
import test from 'ava';
import type { Action } from '../../src/state/actions.js';
import { KEY_REFERENCE } from '../../src/state/help.js';
import { keyActions, splitInput } from '../../src/state/keymap.js';
import { reducer } from '../../src/state/reducer.js';
import type { DashboardState } from '../../src/state/types.js';
import { busyState } from '../fixtures.js';

const types = (s: DashboardState, input: string, key = {}) => keyActions(s, input, key).map((a) => a.type);
const apply = (s: DashboardState, ...actions: Action[]) => actions.reduce(reducer, s);

test('keymap: global keys on a view', (t) => {
  const s = busyState();
  t.deepEqual(keyActions(s, 'q', {}), [{ type: 'quit' }]);
  t.deepEqual(keyActions(s, 'c', { ctrl: true }), [{ type: 'quit' }]);
  t.deepEqual(keyActions(s, '?', {}), [{ type: 'openHelp' }]);
  t.deepEqual(keyActions(s, '', { tab: true }), [{ type: 'cycleView', delta: 1 }]);
  t.deepEqual(keyActions(s, '', { tab: true, shift: true }), [{ type: 'cycleView', delta: -1 }]);
  t.deepEqual(keyActions(s, '2', {}), [{ type: 'switchView', view: 'workers' }]);
  t.deepEqual(keyActions(s, 'n', {}), [{ type: 'openSubmit' }]);
  t.deepEqual(keyActions(s, '/', {}), [{ type: 'openFilter' }]);
  t.deepEqual(keyActions(s, '', { downArrow: true }), [{ type: 'moveSelection', delta: 1 }]);
  t.deepEqual(keyActions(s, 'k', {}), [{ type: 'moveSelection', delta: -1 }]);
  t.deepEqual(keyActions(s, '', { pageDown: true }), [{ type: 'moveSelection', delta: 10 }]);
  t.deepEqual(keyActions(s, '+', {}), [], 'worker keys only on the Workers view');
});

test('keymap: the Workers view scales, bounds, steals and pauses the selected worker', (t) => {
  const s = apply(busyState(), { type: 'switchView', view: 'workers' });
  t.deepEqual(keyActions(s, '+', {}), [{ type: 'scaleBy', delta: 1 }]);
  t.deepEqual(keyActions(s, '-', {}), [{ type: 'scaleBy', delta: -1 }]);
  t.deepEqual(keyActions(s, '[', {}), [{ type: 'boundBy', bound: 'min', delta: -1 }]);
  t.deepEqual(keyActions(s, '{', {}), [{ type: 'boundBy', bound: 'min', delta: 1 }]);
  t.deepEqual(keyActions(s, ']', {}), [{ type: 'boundBy', bound: 'max', delta: 1 }]);
  t.deepEqual(keyActions(s, '}', {}), [{ type: 'boundBy', bound: 'max', delta: -1 }]);
  t.deepEqual(keyActions(s, 's', {}), [{ type: 'toggleSteal' }]);
  t.deepEqual(keyActions(s, 'p', {}), [{ type: 'requestPauseResume' }]);
  t.deepEqual(keyActions(s, 'c', {}), [], 'task keys only on the Tasks view');
});

test('keymap: the Tasks view opens details, cancels and retries', (t) => {
  const s = apply(busyState(), { type: 'switchView', view: 'tasks' });
  t.deepEqual(types(s, '', { return: true }), ['openDetail']);
  t.deepEqual(types(s, 'c'), ['requestCancel']);
  t.deepEqual(types(s, 'r'), ['requestRetry']);
  const d = apply(s, { type: 'openDetail' });
  t.deepEqual(types(d, '', { escape: true }), ['closeOverlay']);
  t.deepEqual(types(d, '', { return: true }), [], 'Enter in the detail does nothing');
});

test('keymap: a question takes only y, n and Esc', (t) => {
  const s = apply(busyState(), { type: 'switchView', view: 'tasks' }, { type: 'requestCancel' });
  t.deepEqual(types(s, 'y'), ['confirmYes']);
  t.deepEqual(types(s, 'n'), ['confirmNo']);
  t.deepEqual(types(s, '', { escape: true }), ['confirmNo']);
  t.deepEqual(types(s, 'q'), [], 'q does not quit while a question is open');
});

test('keymap: help closes with Esc, ? or q', (t) => {
  const s = apply(busyState(), { type: 'openHelp' });
  for (const [input, key] of [
    ['', { escape: true }],
    ['?', {}],
    ['q', {}],
  ] as const) {
    t.deepEqual(types(s, input, key), ['closeOverlay']);
  }
  t.deepEqual(types(s, 'n'), []);
});

test('keymap: the submit form types, moves, chooses and submits', (t) => {
  const s = apply(busyState(), { type: 'openSubmit' });
  t.deepEqual(keyActions(s, 'q', {}), [{ type: 'formInput', text: 'q' }], 'q is a letter in a form');
  t.deepEqual(types(s, '', { tab: true }), ['formFocus']);
  t.deepEqual(keyActions(s, '', { upArrow: true }), [{ type: 'formFocus', delta: -1 }]);
  t.deepEqual(keyActions(s, '', { rightArrow: true }), [{ type: 'formCycle', delta: 1 }]);
  t.deepEqual(types(s, '', { backspace: true }), ['formBackspace']);
  t.deepEqual(types(s, '', { delete: true }), ['formBackspace'], 'many terminals send DEL for Backspace');
  t.deepEqual(types(s, 'u', { ctrl: true }), ['formClear']);
  t.deepEqual(types(s, '', { return: true }), ['formSubmit']);
  t.deepEqual(types(s, '', { escape: true }), ['closeOverlay']);
  const done = apply(
    s,
    { type: 'formSubmit' },
    {
      type: 'effectDone',
      effect: { id: 1, kind: 'submit', spec: { type: 'cpu' } },
      outcome: {
        kind: 'submitted',
        result: { id: 't-9', queue: 'default', state: 'queued', duplicate: false },
      },
      at: 0,
    },
  );
  t.deepEqual(types(done, 'n'), ['openSubmit'], 'once submitted, n starts another');
  t.deepEqual(types(done, 'c'), ['requestCancel']);
  t.deepEqual(types(done, '', { return: true }), ['closeOverlay']);
});

test('keymap: the filter form chooses with arrows and applies with Enter', (t) => {
  const s = apply(busyState(), { type: 'openFilter' });
  t.deepEqual(keyActions(s, '', { leftArrow: true }), [{ type: 'filterCycle', delta: -1 }]);
  t.deepEqual(keyActions(s, '', { rightArrow: true }), [{ type: 'filterCycle', delta: 1 }]);
  t.deepEqual(types(s, '', { downArrow: true }), ['filterFocus']);
  t.deepEqual(types(s, 'x'), ['filterReset']);
  t.deepEqual(types(s, '', { return: true }), ['filterApply']);
  t.deepEqual(types(s, '', { escape: true }), ['closeOverlay']);
});

test('splitInput: Tab, Enter and Backspace inside a run of text become keys of their own', (t) => {
  t.deepEqual(splitInput('abc', {}), [['abc', {}]]);
  t.deepEqual(splitInput('\t', { tab: true }), [['\t', { tab: true }]], 'a lone key is left as Ink read it');
  t.deepEqual(splitInput('\t{"a":1}\r', {}), [
    ['', { tab: true }],
    ['{"a":1}', {}],
    ['', { return: true }],
  ]);
  t.deepEqual(
    splitInput('\t', { tab: true, meta: true }),
    [
      ['', { escape: true }],
      ['\t', { tab: true, meta: false }],
    ],
    'Esc then Tab in one read is not Alt+Tab',
  );
  t.deepEqual(
    splitInput('\u0015echo', {}),
    [
      ['u', { ctrl: true }],
      ['echo', {}],
    ],
    'Ctrl-U then text',
  );
  t.deepEqual(splitInput('ab\u007f', {}), [
    ['ab', {}],
    ['', { backspace: true }],
  ]);
});

test('help: every key of the reference is one the keymap knows', (t) => {
  const w = apply(busyState(), { type: 'switchView', view: 'workers' });
  const tasks = apply(busyState(), { type: 'switchView', view: 'tasks' });
  for (const k of ['n', '/', '?', 'q']) t.true(keyActions(busyState(), k, {}).length > 0, k);
  for (const k of ['+', '-', '[', '{', ']', '}', 's', 'p']) t.true(keyActions(w, k, {}).length > 0, k);
  for (const k of ['c', 'r']) t.true(keyActions(tasks, k, {}).length > 0, k);
  t.true(KEY_REFERENCE.some((s) => s.keys.some(([k]) => k === '+ -')));
});

test('splitInput: an Esc that Ink stripped from Esc + a non-letter key in one read comes back', (t) => {
  t.deepEqual(splitInput('/', {}, '\u001b/'), [
    ['', { escape: true }],
    ['/', {}],
  ]);
  t.deepEqual(splitInput('\t', {}, '\u001b\t'), [
    ['', { escape: true }],
    ['', { tab: true }],
  ]);
  t.deepEqual(splitInput('/', {}, '/'), [['/', {}]], 'the key alone stays the key');
  t.deepEqual(splitInput('[200~', {}, '\u001b[200~'), [['[200~', {}]], 'a terminal sequence is no Esc press');
});
