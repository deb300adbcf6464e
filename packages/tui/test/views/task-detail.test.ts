import test from 'ava';
import { createElement as h } from 'react';
import { TaskDetail, traceIdOf } from '../../src/views/TaskDetail.js';
import { detail, NOW, task } from '../fixtures.js';
import { frameOf, widest } from './render.js';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('TaskDetail: payload, attempts, errors, result, dependencies, trace id and a progress bar', (t) => {
  const d = detail(
    task('t-1', {
      type: 'sleep',
      state: 'running',
      attempts: 2,
      worker: 'w-1',
      progress: 60,
      payload: { ms: 2000, tags: ['a', 'b'] },
      timeoutMs: 30_000,
      startedAt: NOW - 1200,
      trace: { traceparent },
      dependsOn: ['t-0'],
      errors: [{ message: 'connection reset', reason: 'handler_error', attempt: 1, at: NOW - 2000 }],
    }),
    { parents: [{ id: 't-0', state: 'succeeded' }], dependents: ['t-2', 't-3'] },
  );
  const { text, lines } = frameOf(
    h(TaskDetail, { id: 't-1', detail: d, error: null, now: NOW, width: 80, height: 20 }),
  );
  t.regex(text, /Task t-1 running · sleep · queue default · priority 5/);
  t.regex(text, /progress \[█{24}░{16}\] 60%/);
  t.regex(text, /attempts 2 of 4 · worker w-1 · timeout 30s/);
  t.regex(text, /ran 1\.2s/);
  t.regex(text, /trace 4bf92f3577b34da6a3ce929d0e0e4736/);
  t.regex(text, /depends on t-0 \(succeeded\)/);
  t.regex(text, /dependents t-2, t-3/);
  t.regex(text, /payload\n {2}\{\n {4}"ms": 2000,/);
  t.regex(text, /#1 handler_error: connection reset/);
  t.true(lines.length <= 20);
  t.true(widest(lines) <= 80);
});

test('TaskDetail: a finished task shows its result; no progress reported shows as such', (t) => {
  const d = detail(task('t-2', { state: 'succeeded', result: { sleptMs: 5 }, finishedAt: NOW }));
  const { text } = frameOf(
    h(TaskDetail, { id: 't-2', detail: d, error: null, now: NOW, width: 80, height: 20 }),
  );
  t.regex(text, /succeeded/);
  t.regex(text, /no progress reported/);
  t.regex(text, /result\n {2}\{\n {4}"sleptMs": 5/);
  t.regex(text, /trace —/);
});

test('TaskDetail: loading and not found', (t) => {
  t.regex(
    frameOf(h(TaskDetail, { id: 't-3', detail: null, error: null, now: NOW, width: 80, height: 5 })).text,
    /loading…/,
  );
  t.regex(
    frameOf(
      h(TaskDetail, { id: 't-3', detail: null, error: 'task t-3 not found', now: NOW, width: 80, height: 5 }),
    ).text,
    /task t-3 not found/,
  );
});

test('traceIdOf: the trace id of a traceparent', (t) => {
  t.is(traceIdOf({ traceparent }), '4bf92f3577b34da6a3ce929d0e0e4736');
  t.is(traceIdOf(null), null);
});

// Regression (issue 17, point 7): after an operator's retry the list showed "#1 handler_error"
// twice, with nothing telling the two attempt series apart.
test('TaskDetail: after a retry, each error names its attempt series', (t) => {
  const e = (attempt: number, message: string, at: number) => ({
    message,
    reason: 'handler_error',
    attempt,
    at,
  });
  const d = detail(
    task('t-9', {
      state: 'failed',
      attempts: 1,
      maxRetries: 1,
      errors: [
        e(1, 'first try', NOW - 9000),
        e(2, 'second try', NOW - 8000),
        e(1, 'after the retry', NOW - 1000),
      ],
    }),
  );
  const { text } = frameOf(
    h(TaskDetail, { id: 't-9', detail: d, error: null, now: NOW, width: 80, height: 24 }),
  );
  t.regex(text, /series 1 · #1 handler_error: first try/);
  t.regex(text, /series 1 · #2 handler_error: second try/);
  t.regex(text, /series 2 · #1 handler_error: after the retry/);
  // One series: no series label.
  const once = detail(
    task('t-8', { state: 'failed', errors: [e(1, 'a', NOW - 2000), e(2, 'b', NOW - 1000)] }),
  );
  const plain = frameOf(
    h(TaskDetail, { id: 't-8', detail: once, error: null, now: NOW, width: 80, height: 24 }),
  );
  t.regex(plain.text, /#1 handler_error: a\n\s+#2 handler_error: b/);
  t.notRegex(plain.text, /series/);
});

test('TaskDetail: the stored log, newest lines last, earlier ones counted; escapes shown, not sent', (t) => {
  const logs = Array.from({ length: 150 }, (_, i) => ({
    at: NOW - 150 + i,
    attempt: 1,
    message: `line ${i}`,
  }));
  logs.push({ at: NOW, attempt: 2, message: 'two\nlines \u001b[2J' });
  const d = detail(task('t-4', { state: 'failed', attempts: 2, logs }));
  const { text, lines } = frameOf(
    h(TaskDetail, { id: 't-4', detail: d, error: null, now: NOW, width: 80, height: 30 }),
  );
  t.regex(text, / log \(151 lines\)\n {2}… \d+ earlier lines\n/);
  t.regex(text, /\d\d:\d\d:\d\d #1 line 149\n {2}\d\d:\d\d:\d\d #2 two\n {14}lines \\u001b\[2J/);
  t.false(text.includes('\u001b[2J'));
  t.true(lines.length <= 30);
  const quiet = frameOf(
    h(TaskDetail, { id: 't-5', detail: detail(task('t-5')), error: null, now: NOW, width: 80, height: 30 }),
  );
  t.regex(quiet.text, / log\n {2}—/);
});
