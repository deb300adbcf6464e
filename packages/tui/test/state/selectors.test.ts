import test from 'ava';
import { footerHints } from '../../src/state/help.js';
import { frameHeight, mainHeight, overviewBoxes, taskPageSize } from '../../src/state/layout.js';
import { reducer } from '../../src/state/reducer.js';
import {
  demandKey,
  demandOf,
  handlerTypes,
  heartbeatOf,
  liveWorkerCount,
  targetTask,
  visibleTasks,
  visibleWorkers,
} from '../../src/state/selectors.js';
import { busyState, FRESHNESS, NOW, stateAfter, task, worker } from '../fixtures.js';

test('heartbeatOf: fresh, late, dead', (t) => {
  t.is(heartbeatOf(0, FRESHNESS), 'fresh');
  t.is(heartbeatOf(2500, FRESHNESS), 'fresh');
  t.is(heartbeatOf(2501, FRESHNESS), 'late');
  t.is(heartbeatOf(5000, FRESHNESS), 'dead');
});

test('handlerTypes: the sorted union of what live workers handle; dead ones do not count', (t) => {
  const s = stateAfter([
    {
      type: 'workersLoaded',
      workers: [
        worker('a', { handlers: ['sleep', 'echo'] }),
        worker('b', { handlers: ['cpu'], heartbeatAgeMs: 60_000 }),
      ],
    },
  ]);
  t.deepEqual(handlerTypes(s), ['echo', 'sleep']);
  t.is(liveWorkerCount(s), 1);
});

test('layout: the frame is one line shorter than the terminal; 80x24 leaves 20 lines for a view', (t) => {
  t.is(frameHeight(24), 23);
  t.is(mainHeight(24, false), 20);
  t.is(mainHeight(24, true), 19);
  t.is(taskPageSize(24, false), 18);
  const narrow = overviewBoxes(60, 20);
  t.true(narrow.stacked);
  const wide = overviewBoxes(80, 20);
  t.false(wide.stacked);
  t.is(wide.throughput.width + 3 + wide.latency.width, 80);
  t.is(
    wide.throughput.height + 1 + wide.depth.height + 1 + 3,
    20,
    'counters and two rows of charts fill the view',
  );
});

test('visibleTasks and visibleWorkers: the page around the selection', (t) => {
  const many = Array.from({ length: 50 }, (_, i) => task(`t${i}`));
  const s = stateAfter(
    [
      { type: 'connectionUp', at: NOW },
      { type: 'switchView', view: 'tasks' },
      { type: 'tasksLoaded', key: 'default|*|*', tasks: many },
      { type: 'moveSelection', delta: 30 },
    ],
    { rows: 24 },
  );
  const v = visibleTasks(s);
  t.is(v.rows.length, 18);
  t.is(v.rows[v.selected]!.id, 't30');
  t.is(v.total, 50);
  const workers = Array.from({ length: 40 }, (_, i) => worker(`w${i}`));
  const w = stateAfter(
    [
      { type: 'connectionUp', at: NOW },
      { type: 'switchView', view: 'workers' },
      { type: 'workersLoaded', workers },
      { type: 'moveSelection', delta: 35 },
    ],
    { rows: 24 },
  );
  const vw = visibleWorkers(w);
  t.is(vw.rows[vw.selected]!.id, 'w35');
});

test('targetTask: the open detail, the selected row, or the followed task in the form', (t) => {
  const s = reducer(busyState(), { type: 'switchView', view: 'tasks' });
  t.like(targetTask(s), { id: 't-run', state: 'running' });
  t.is(targetTask(busyState()), null, 'not on the Overview');
});

test('demandOf: what the feed reads changes when a view needs other data', (t) => {
  const s = busyState();
  const tasks = reducer(s, { type: 'switchView', view: 'tasks' });
  const detail = reducer(tasks, { type: 'openDetail' });
  t.not(demandKey(demandOf(s)), demandKey(demandOf(tasks)));
  t.deepEqual(demandOf(detail).detail, { id: 't-run', queue: 'default' });
  t.is(demandOf(s).follow, null);
});

test('footerHints: the keys of each mode', (t) => {
  const s = busyState();
  t.true(footerHints(s).some(([k]) => k === 'Tab'));
  t.true(footerHints(reducer(s, { type: 'switchView', view: 'workers' })).some(([k]) => k === '+-'));
  t.true(footerHints(reducer(s, { type: 'openSubmit' })).some(([k]) => k === 'Enter'));
  t.deepEqual(
    footerHints(reducer(reducer(s, { type: 'switchView', view: 'tasks' }), { type: 'requestCancel' })).map(
      ([k]) => k,
    ),
    ['y', 'n Esc'],
  );
});
