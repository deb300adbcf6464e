/**
 * Regression (issue 17, point 7): the task list's selection drifted as rows
 * arrived (after `g` "1 of 118+", two seconds later "7 of 118+", and Enter
 * opened another task). The selection is a task, not a row.
 */
import type { Task } from '@dtps/core';
import test from 'ava';
import { reducer } from '../../src/state/reducer.js';
import { visibleTasks } from '../../src/state/selectors.js';
import type { DashboardState } from '../../src/state/types.js';
import { screenModel } from '../../src/views/screen-model.js';
import { NOW, stateAfter, task } from '../fixtures.js';

const KEY = 'default|*|*';
const running = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => task(`run-${String(from + i).padStart(3, '0')}`, { state: 'running' }));

function load(s: DashboardState, tasks: Task[]): DashboardState {
  return reducer(s, { type: 'tasksLoaded', key: KEY, tasks });
}

function position(s: DashboardState): string {
  const main = screenModel(s, null).main;
  if (main.kind !== 'tasks') throw new Error(`not the task list: ${main.kind}`);
  const { selected, offset, total, gone } = main.props;
  return gone ? `gone ${gone}` : `${offset + selected + 1} of ${total}`;
}

test('after g, rows arriving above the selected task keep it selected; Enter opens it', (t) => {
  const first = running(118, 10);
  let s = stateAfter(
    [
      { type: 'connectionUp', at: NOW },
      { type: 'switchView', view: 'tasks' },
      { type: 'tasksLoaded', key: KEY, tasks: first },
      { type: 'moveSelection', delta: 5 },
      { type: 'moveSelection', delta: -1_000_000 },
    ],
    { rows: 30 },
  );
  t.is(s.selectedTask, 'run-010');
  t.is(position(s), '1 of 118');
  // Six tasks start running and sort above it.
  s = load(s, [...running(6, 0), ...first].slice(0, 118));
  t.is(s.selectedTask, 'run-010', 'the same task');
  t.is(position(s), '7 of 118', 'the row moved with its task');
  t.is(visibleTasks(s).rows[visibleTasks(s).selected]?.id, 'run-010', 'the highlighted row is that task');
  t.is(reducer(s, { type: 'openDetail' }).detail?.id, 'run-010');
});

test('a selected task that leaves the rows read stays selected; it is not swapped for the task now in its row', (t) => {
  const first = running(118, 10);
  let s = stateAfter(
    [
      { type: 'connectionUp', at: NOW },
      { type: 'switchView', view: 'tasks' },
      { type: 'tasksLoaded', key: KEY, tasks: first },
      { type: 'moveSelection', delta: -1_000_000 },
    ],
    { rows: 30 },
  );
  t.is(s.selectedTask, 'run-010');
  // It succeeds and sorts after the 118 still running: past the rows read.
  s = load(s, running(118, 11));
  t.is(s.selectedTask, 'run-010', 'still the task the operator chose');
  t.is(position(s), 'gone run-010', 'the list says the selected task left it');
  t.is(visibleTasks(s).selected, -1, 'no other row highlighted');
  t.is(reducer(s, { type: 'openDetail' }).detail?.id, 'run-010', 'Enter opens the chosen task');
  // Moving picks a row again.
  const moved = reducer(s, { type: 'moveSelection', delta: -1_000_000 });
  t.is(moved.selectedTask, 'run-011');
});
