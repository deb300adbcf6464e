import test from 'ava';
import { createElement as h } from 'react';
import { Tasks, taskRow } from '../../src/views/Tasks.js';
import { NOW, task } from '../fixtures.js';
import { frameOf, widest } from './render.js';

const tasks = [
  task('01JABCDEFGHJKMNPQRSTVWXYZ0', {
    type: 'sleep',
    state: 'running',
    attempts: 1,
    worker: 'w-1',
    priority: 9,
  }),
  task('01JABCDEFGHJKMNPQRSTVWXYZ1', { state: 'failed', attempts: 4 }),
  task('01JABCDEFGHJKMNPQRSTVWXYZ2'),
];
const rows = tasks.map((t) => taskRow(t, NOW));

test('Tasks: the filter, columns, and the selected row', (t) => {
  const { text, lines } = frameOf(
    h(Tasks, {
      rows,
      selected: 1,
      offset: 0,
      total: 3,
      queue: 'default',
      filter: { state: null, priority: null },
      width: 80,
      height: 20,
    }),
  );
  t.regex(text, /filter queue default · state any · priority any/);
  t.regex(text, /2 of 3/);
  t.regex(text, /ID +TYPE +STATE +PRI +TRIES +AGE +WORKER/);
  t.regex(text, / {2}01JABCDEFGHJKMNPQRSTVWXYZ0 sleep +running +9 +1\/4 +30s w-1/);
  t.regex(text, /▶ 01JABCDEFGHJKMNPQRSTVWXYZ1 echo +failed +5 +4\/4/);
  t.true(widest(lines) <= 80);
});

test('Tasks: an empty filtered list says so', (t) => {
  const { text } = frameOf(
    h(Tasks, {
      rows: [],
      selected: -1,
      offset: 0,
      total: 0,
      queue: 'emails',
      filter: { state: 'failed', priority: 3 },
      width: 80,
      height: 10,
    }),
  );
  t.regex(text, /queue emails · state failed · priority 3/);
  t.regex(text, /no tasks match/);
});
