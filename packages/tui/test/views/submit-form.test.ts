import test from 'ava';
import { createElement as h } from 'react';
import { emptyForm, formErrors } from '../../src/state/submit-form.js';
import type { SubmitForm as Form } from '../../src/state/types.js';
import { SubmitForm } from '../../src/views/SubmitForm.js';
import { NOW, task } from '../fixtures.js';
import { frameOf, widest } from './render.js';

const types = ['echo', 'noop', 'sleep'];

function form(over: Partial<Omit<Form, 'values'>> & { values?: Partial<Form['values']> } = {}): Form {
  const f = emptyForm(types);
  return { ...f, ...over, values: { ...f.values, ...over.values } };
}

test('SubmitForm: fields with defaults, the live types, the focused field and its hint', (t) => {
  const f = form({ focus: 'payload', values: { payload: '{"ms":500}', priority: '7' } });
  const { text, lines } = frameOf(
    h(SubmitForm, {
      form: f,
      errors: formErrors(f),
      types,
      queue: 'default',
      followed: null,
      now: NOW,
      width: 96,
      height: 20,
    }),
  );
  t.regex(text, /New task on queue default · live workers handle: echo noop sleep/);
  t.regex(text, /type +echo/);
  t.regex(text, /▶ payload +\{"ms":500\}█ +✓ JSON/);
  t.regex(text, /priority +7/);
  t.regex(text, /retries +3/, 'the default shows in an empty field');
  t.regex(text, /depends on +none/);
  t.regex(text, /payload: JSON; empty for null/);
  t.regex(text, /will submit \{"type":"echo","queue":"default","payload":\{"ms":500\},"priority":7\}/);
  t.true(widest(lines) <= 96);
});

test('SubmitForm: bad JSON is flagged as it is typed, with the parser’s reason', (t) => {
  const f = form({ focus: 'payload', values: { payload: '{"ms":' } });
  const { text } = frameOf(
    h(SubmitForm, {
      form: f,
      errors: formErrors(f),
      types,
      queue: 'default',
      followed: null,
      now: NOW,
      width: 80,
      height: 20,
    }),
  );
  t.regex(text, /✖ not JSON/);
  t.regex(text, /will submit — \(fix the fields marked ✖\)/);
});

test('SubmitForm: once submitted, it shows the id and follows the task until it ends', (t) => {
  const f = form({ submittedId: 't-new' });
  const running = frameOf(
    h(SubmitForm, {
      form: f,
      errors: {},
      types,
      queue: 'default',
      followed: task('t-new', {
        type: 'sleep',
        state: 'running',
        attempts: 1,
        worker: 'w-1',
        progress: 50,
        startedAt: NOW - 500,
      }),
      now: NOW,
      width: 80,
      height: 20,
    }),
  ).text;
  t.regex(running, /Submitted task t-new on queue default/);
  t.regex(running, /state +running \(following\)/);
  t.regex(running, /progress \[█+░+\] 50%/);
  const done = frameOf(
    h(SubmitForm, {
      form: f,
      errors: {},
      types,
      queue: 'default',
      followed: task('t-new', { state: 'succeeded', attempts: 1, progress: 100, result: { ok: true } }),
      now: NOW,
      width: 80,
      height: 20,
    }),
  ).text;
  t.regex(done, /state +succeeded \(ended; no longer followed\)/);
  t.regex(done, /result +\{"ok":true\}/);
});
